//! The durable job queue on PostgreSQL, shared by every replica: enqueue,
//! claim (never two running jobs with one serial key, at most `per_tenant`
//! of one installation's), complete (with the handler's store effects in the
//! same transaction), fail with retry or dead letter, defer without counting
//! an attempt. A claim names its worker and lasts until a time, by the
//! database's clock, that its heartbeat renews; a lapsed claim is taken
//! over, and only the worker holding a claim can record the job's outcome.
//! The claim itself lives in `claim.rs`; held jobs and queue views in
//! `held.rs` and `queue.rs`.

use deadpool_postgres::GenericClient;
use tokio_postgres::error::SqlState;

use super::audit::insert_audit;
use super::registry::apply_installation;
use super::{Postgres, exec, row, row_opt};
use crate::store::{Effect, NewJob, StoreError, now_ms};

/// What a job stopped by its worker says, unless it had failed before.
const INTERRUPTED: &str =
    "last_error = COALESCE(last_error, 'interrupted: its worker stopped while running it')";

impl Postgres {
    /// Enqueue a job; returns its id, or `None` when a live job has its
    /// dedupe key already.
    pub async fn enqueue(&self, job: NewJob) -> Result<Option<i64>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let id = enqueue(&tx, &job, "pending").await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Keep every claim of `claimant` alive `claim_ms` longer.
    pub async fn renew_claims(&self, claimant: &str, claim_ms: i64) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let sql = concat!(
            "UPDATE jobs SET claim_until_ms = ",
            db_now_ms!(),
            " + $2 WHERE state = 'running' AND claimed_by = $1"
        );
        Ok(exec(&client, sql, &[&claimant, &claim_ms]).await?)
    }

    /// Mark a job done, applying the handler's effects in the same
    /// transaction, if `claimant` still holds it.
    pub async fn complete(
        &self,
        job_id: i64,
        claimant: &str,
        effects: Vec<Effect>,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let held = exec(
            &tx,
            "UPDATE jobs SET state = 'done', finished_ms = $3, last_error = NULL,
               claimed_by = NULL, claim_until_ms = NULL
             WHERE id = $1 AND state = 'running' AND claimed_by = $2",
            &[&job_id, &claimant, &now_ms()],
        )
        .await?;
        if held == 0 {
            return Ok(false);
        }
        for effect in &effects {
            apply_effect(&tx, effect).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Commit effects decided outside a job (start-up catch-up, `tick`).
    pub async fn apply_effects(&self, effects: Vec<Effect>) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        for effect in &effects {
            apply_effect(&tx, effect).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Record a failed attempt, if `claimant` still holds the job: retry at
    /// `retry_at_ms`, or dead when `None`.
    pub async fn fail(
        &self,
        job_id: i64,
        claimant: &str,
        attempt: u32,
        error: String,
        retry_at_ms: Option<i64>,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let held = match retry_at_ms {
            Some(at) => {
                exec(
                    &tx,
                    "UPDATE jobs SET state = 'retrying', run_after_ms = $3, last_error = $4,
                       claimed_by = NULL, claim_until_ms = NULL
                     WHERE id = $1 AND state = 'running' AND claimed_by = $2",
                    &[&job_id, &claimant, &at, &error],
                )
                .await?
            }
            None => {
                exec(
                    &tx,
                    "UPDATE jobs SET state = 'dead', finished_ms = $3, last_error = $4,
                       claimed_by = NULL, claim_until_ms = NULL
                     WHERE id = $1 AND state = 'running' AND claimed_by = $2",
                    &[&job_id, &claimant, &now, &error],
                )
                .await?
            }
        };
        if held == 0 {
            return Ok(false);
        }
        exec(
            &tx,
            "INSERT INTO job_errors (job_id, attempt, at_ms, error, retry_at_ms) VALUES ($1, $2, $3, $4, $5)",
            &[&job_id, &i64::from(attempt), &now, &error, &retry_at_ms],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Run a job again at `at_ms` without counting this run as an attempt
    /// (it waited for something, such as a rate limit's reset), if
    /// `claimant` still holds it.
    pub async fn defer(
        &self,
        job_id: i64,
        claimant: &str,
        at_ms: i64,
        reason: String,
    ) -> Result<bool, StoreError> {
        let client = self.client().await?;
        let held = exec(
            &client,
            "UPDATE jobs SET state = 'retrying', run_after_ms = $3, last_error = $4,
               attempts = GREATEST(attempts - 1, 0), claimed_by = NULL, claim_until_ms = NULL
             WHERE id = $1 AND state = 'running' AND claimed_by = $2",
            &[&job_id, &claimant, &at_ms, &reason],
        )
        .await?;
        Ok(held > 0)
    }

    /// Put back running jobs whose claims lapsed by the database's clock
    /// (their worker died or was cut off); live workers' jobs are left
    /// alone. Their attempt stays counted. Returns how many.
    pub async fn requeue_expired(&self) -> Result<u64, StoreError> {
        let client = self.client().await?;
        // Due at once (0), whatever clock the worker runs on.
        let sql = format!(
            "UPDATE jobs SET state = 'retrying', run_after_ms = 0, claimed_by = NULL,
               claim_until_ms = NULL, {INTERRUPTED}
             WHERE state = 'running' AND (claim_until_ms IS NULL OR claim_until_ms <= {})",
            db_now_ms!()
        );
        Ok(exec(&client, &sql, &[]).await?)
    }

    /// Give up every claim of `claimant` at once (a worker that stops
    /// without finishing its jobs), so nobody waits for them to lapse.
    pub async fn release_claims(&self, claimant: &str) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let sql = format!(
            "UPDATE jobs SET state = 'retrying', run_after_ms = 0, claimed_by = NULL,
               claim_until_ms = NULL, {INTERRUPTED}
             WHERE state = 'running' AND claimed_by = $1"
        );
        Ok(exec(&client, &sql, &[&claimant]).await?)
    }

    /// The earliest time a waiting job becomes due, if any job waits.
    pub async fn next_due_ms(&self) -> Result<Option<i64>, StoreError> {
        let client = self.client().await?;
        Ok(row(
            &client,
            "SELECT MIN(run_after_ms) FROM jobs WHERE state IN ('pending', 'retrying')",
            &[],
        )
        .await?
        .get(0))
    }
}

/// Whether an error is the unique index refusing a second running job of
/// one serial key.
pub(super) fn is_serial_conflict(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
        && e.as_db_error().and_then(|db| db.constraint()) == Some("jobs_one_running_per_serial")
}

/// Insert a job in `state` unless a live job has its dedupe key. A done or
/// dead job with the key is retired first (its key gets its id appended),
/// so a rollover that died can be queued again. Two replicas enqueueing one
/// key at once meet at the unique key: the second inserts nothing.
pub(super) async fn enqueue(
    c: &impl GenericClient,
    job: &NewJob,
    state: &str,
) -> Result<Option<i64>, tokio_postgres::Error> {
    if let Some(key) = &job.dedupe_key {
        exec(
            c,
            "UPDATE jobs SET dedupe_key = dedupe_key || '#' || id::text
             WHERE dedupe_key = $1 AND state IN ('done', 'dead')",
            &[key],
        )
        .await?;
    }
    let tenant = job.tenant.map(|t| t as i64);
    let inserted = row_opt(
        c,
        "INSERT INTO jobs (kind, payload, dedupe_key, serial_key, tenant, state, run_after_ms, created_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
        &[
            &job.kind,
            &job.payload,
            &job.dedupe_key,
            &job.serial_key,
            &tenant,
            &state,
            &job.run_after_ms,
            &now_ms(),
        ],
    )
    .await?;
    Ok(inserted.map(|r| r.get(0)))
}

async fn apply_effect(
    c: &impl GenericClient,
    effect: &Effect,
) -> Result<(), tokio_postgres::Error> {
    match effect {
        Effect::Audit(entry) => insert_audit(c, entry).await,
        Effect::Installation(change) => apply_installation(c, change).await,
        Effect::Enqueue(job) => enqueue(c, job, "pending").await.map(|_| ()),
        Effect::Release(prefix) => super::held::release(c, prefix).await,
        Effect::DoneHeld(key) => super::held::done_held(c, key).await,
        Effect::CurrentIssue {
            repo,
            issue,
            sprint,
        } => super::repos::set_current_issue(c, repo, *issue, sprint).await,
    }
}
