//! The durable job queue: enqueue, claim (never two running jobs with one
//! serial key), complete (with the handler's store effects in the same
//! transaction), fail with retry or dead letter, defer without counting an
//! attempt. A claim names its worker and lasts until a time its heartbeat
//! renews; a job whose claim lapsed (its worker died) is claimed again, and
//! only the worker holding a claim can record the job's outcome. Held jobs
//! and queue views live in `held.rs` and `queue.rs`.

use rusqlite::{Connection, OptionalExtension, params};

use super::Sqlite;
use super::audit::insert_audit;
use super::registry::apply_installation;
use crate::store::{Effect, Job, NewJob, StoreError, now_ms};

impl Sqlite {
    /// Enqueue a job; returns its id, or `None` when a live job has its
    /// dedupe key already.
    pub async fn enqueue(&self, job: NewJob) -> Result<Option<i64>, StoreError> {
        self.run(move |conn| enqueue(conn, &job, "pending")).await
    }

    /// Claim the next job due at `now_ms` (or whose claim lapsed) for
    /// `claimant` until `claim_ms` from now, marking it running.
    pub async fn claim(
        &self,
        now_ms: i64,
        per_tenant: usize,
        claimant: &str,
        claim_ms: i64,
    ) -> Result<Option<Job>, StoreError> {
        let claimant = claimant.to_string();
        self.run(move |conn| claim(conn, now_ms, per_tenant as i64, &claimant, claim_ms))
            .await
    }

    /// Keep every claim of `claimant` alive `claim_ms` longer.
    pub async fn renew_claims(&self, claimant: &str, claim_ms: i64) -> Result<u64, StoreError> {
        let claimant = claimant.to_string();
        self.run(move |conn| {
            let n = conn
                .prepare_cached(
                    "UPDATE jobs SET claim_until_ms = ?2 WHERE state = 'running' AND claimed_by = ?1",
                )?
                .execute(params![claimant, now_ms() + claim_ms])?;
            Ok(n as u64)
        })
        .await
    }

    /// Mark a job done, applying the handler's effects in the same
    /// transaction, if `claimant` still holds it.
    pub async fn complete(
        &self,
        job_id: i64,
        claimant: &str,
        effects: Vec<Effect>,
    ) -> Result<bool, StoreError> {
        let claimant = claimant.to_string();
        self.run(move |conn| {
            let held = conn
                .prepare_cached(
                    "UPDATE jobs SET state = 'done', finished_ms = ?3, last_error = NULL,
                       claimed_by = NULL, claim_until_ms = NULL
                     WHERE id = ?1 AND state = 'running' AND claimed_by = ?2",
                )?
                .execute(params![job_id, claimant, now_ms()])?;
            if held == 0 {
                return Ok(false);
            }
            for effect in &effects {
                apply_effect(conn, effect)?;
            }
            Ok(true)
        })
        .await
    }

    /// Commit effects decided outside a job (start-up catch-up, `tick`).
    pub async fn apply_effects(&self, effects: Vec<Effect>) -> Result<(), StoreError> {
        self.run(move |conn| {
            for effect in &effects {
                apply_effect(conn, effect)?;
            }
            Ok(())
        })
        .await
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
        let claimant = claimant.to_string();
        self.run(move |conn| {
            let now = now_ms();
            let held = match retry_at_ms {
                Some(at) => conn.execute(
                    "UPDATE jobs SET state = 'retrying', run_after_ms = ?3, last_error = ?4,
                       claimed_by = NULL, claim_until_ms = NULL
                     WHERE id = ?1 AND state = 'running' AND claimed_by = ?2",
                    params![job_id, claimant, at, error],
                )?,
                None => conn.execute(
                    "UPDATE jobs SET state = 'dead', finished_ms = ?3, last_error = ?4,
                       claimed_by = NULL, claim_until_ms = NULL
                     WHERE id = ?1 AND state = 'running' AND claimed_by = ?2",
                    params![job_id, claimant, now, error],
                )?,
            };
            if held == 0 {
                return Ok(false);
            }
            conn.execute(
                "INSERT INTO job_errors (job_id, attempt, at_ms, error, retry_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![job_id, attempt, now, error, retry_at_ms],
            )?;
            Ok(true)
        })
        .await
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
        let claimant = claimant.to_string();
        self.run(move |conn| {
            let held = conn.execute(
                "UPDATE jobs SET state = 'retrying', run_after_ms = ?3, last_error = ?4,
                   attempts = MAX(attempts - 1, 0), claimed_by = NULL, claim_until_ms = NULL
                 WHERE id = ?1 AND state = 'running' AND claimed_by = ?2",
                params![job_id, claimant, at_ms, reason],
            )?;
            Ok(held > 0)
        })
        .await
    }

    /// Put back running jobs whose claims lapsed (their worker died or was
    /// cut off); live workers' jobs are left alone. Their attempt stays
    /// counted. Returns how many.
    pub async fn requeue_expired(&self) -> Result<u64, StoreError> {
        self.run(|conn| {
            // Due at once (0), whatever clock the worker runs on.
            let n = conn.execute(
                "UPDATE jobs SET state = 'retrying', run_after_ms = 0, claimed_by = NULL, claim_until_ms = NULL,
                   last_error = COALESCE(last_error, 'interrupted: its worker stopped while running it')
                 WHERE state = 'running' AND (claim_until_ms IS NULL OR claim_until_ms <= ?1)",
                [now_ms()],
            )?;
            Ok(n as u64)
        })
        .await
    }

    /// Give up every claim of `claimant` at once (a worker that stops
    /// without finishing its jobs), so nobody waits for them to lapse.
    pub async fn release_claims(&self, claimant: &str) -> Result<u64, StoreError> {
        let claimant = claimant.to_string();
        self.run(move |conn| {
            let n = conn.execute(
                "UPDATE jobs SET state = 'retrying', run_after_ms = 0, claimed_by = NULL, claim_until_ms = NULL,
                   last_error = COALESCE(last_error, 'interrupted: its worker stopped while running it')
                 WHERE state = 'running' AND claimed_by = ?1",
                [claimant],
            )?;
            Ok(n as u64)
        })
        .await
    }

    /// The earliest time a waiting job becomes due, if any job waits.
    pub async fn next_due_ms(&self) -> Result<Option<i64>, StoreError> {
        self.run(|conn| {
            conn.prepare_cached(
                "SELECT MIN(run_after_ms) FROM jobs WHERE state IN ('pending', 'retrying')",
            )?
            .query_row([], |r| r.get(0))
        })
        .await
    }
}

fn claim(
    conn: &Connection,
    now: i64,
    per_tenant: i64,
    claimant: &str,
    claim_ms: i64,
) -> rusqlite::Result<Option<Job>> {
    let wall = now_ms();
    // Claimable: pending or retrying and due, or running under a lapsed
    // claim (which still blocks its serial key until claimed again). Each
    // lookup walks an index in due order and stops at the first claimable
    // job; jobs with a serial key are looked at key by key, only the head
    // of each key's queue, so a long backlog behind one busy key costs
    // nothing (see migration 8).
    let mut first: Option<(i64, i64)> = None;
    let mut consider = |sql: &str, at: i64| -> rusqlite::Result<()> {
        let found: Option<(i64, i64)> = conn
            .prepare_cached(sql)?
            .query_row(params![at, per_tenant], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some(f) = found
            && first.is_none_or(|b| f < b)
        {
            first = Some(f);
        }
        Ok(())
    };
    for state in ["pending", "retrying"] {
        consider(&free_head(state), now)?;
        consider(&serial_heads(state), now)?;
    }
    // Due by the worker's clock; a claim lapses by the wall clock.
    consider(LAPSED, wall)?;
    let Some((_, id)) = first else {
        return Ok(None);
    };
    let claimed = conn
        .prepare_cached(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1,
                 claimed_by = ?2, claim_until_ms = ?3 + ?4
             WHERE id = ?1
             RETURNING id, kind, delivery_id, payload, attempts, created_ms",
        )?
        .query_row(params![id, claimant, wall, claim_ms], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, u32>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })
        .optional()?;
    let Some((id, kind, delivery_id, payload, attempt, created_ms)) = claimed else {
        return Ok(None);
    };
    let payload = match &delivery_id {
        Some(d) => {
            let stored: Vec<u8> = conn
                .prepare_cached("SELECT payload FROM deliveries WHERE id = ?1")?
                .query_row([d], |r| r.get(0))?;
            super::deliveries::decompress(&stored)?
        }
        None => payload.into_bytes(),
    };
    Ok(Some(Job {
        id,
        kind,
        delivery_id,
        payload,
        attempt,
        created_ms,
    }))
}

/// The tenant check of a candidate `h`: its installation runs fewer than
/// `?2` jobs besides it.
const TENANT_FREE: &str = "(h.tenant IS NULL OR (SELECT COUNT(*) FROM jobs t
     WHERE t.tenant = h.tenant AND t.state = 'running' AND t.id != h.id) < ?2)";

/// The first due job in `state` without a serial key.
fn free_head(state: &str) -> String {
    format!(
        "SELECT h.run_after_ms, h.id FROM jobs h
         WHERE h.state = '{state}' AND h.serial_key IS NULL AND h.run_after_ms <= ?1 AND {TENANT_FREE}
         ORDER BY h.run_after_ms, h.id LIMIT 1"
    )
}

/// The first claimable head among the serial keys with jobs in `state`:
/// the keys are walked one by one through the index (a loose index scan),
/// each key's earliest due job is its head, and a key with a running job
/// is skipped.
fn serial_heads(state: &str) -> String {
    format!(
        "WITH RECURSIVE keys(k) AS (
           SELECT (SELECT MIN(serial_key) FROM jobs WHERE state = '{state}' AND serial_key IS NOT NULL)
           UNION ALL
           SELECT (SELECT MIN(serial_key) FROM jobs WHERE state = '{state}' AND serial_key > keys.k)
           FROM keys WHERE keys.k IS NOT NULL
         )
         SELECT h.run_after_ms, h.id FROM keys JOIN jobs h ON h.id = (
             SELECT id FROM jobs WHERE state = '{state}' AND serial_key = keys.k AND run_after_ms <= ?1
             ORDER BY run_after_ms, id LIMIT 1)
         WHERE NOT EXISTS (SELECT 1 FROM jobs r WHERE r.serial_key = keys.k AND r.state = 'running'
                             AND r.id != h.id)
           AND {TENANT_FREE}
         ORDER BY h.run_after_ms, h.id LIMIT 1"
    )
}

/// The first running job whose claim lapsed at `?1` and that may run.
const LAPSED: &str = "SELECT h.run_after_ms, h.id FROM jobs h
     WHERE h.state = 'running' AND (h.claim_until_ms IS NULL OR h.claim_until_ms <= ?1)
       AND (h.serial_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs r
            WHERE r.serial_key = h.serial_key AND r.state = 'running' AND r.id != h.id))
       AND (h.tenant IS NULL OR (SELECT COUNT(*) FROM jobs t
            WHERE t.tenant = h.tenant AND t.state = 'running' AND t.id != h.id) < ?2)
     ORDER BY h.run_after_ms, h.id LIMIT 1";

/// Insert a job in `state` unless a live job has its dedupe key. A done or
/// dead job with the key is retired (its key gets its id appended), so a
/// rollover that died can be queued again.
pub(super) fn enqueue(
    conn: &Connection,
    job: &NewJob,
    state: &str,
) -> rusqlite::Result<Option<i64>> {
    if let Some(key) = &job.dedupe_key {
        let live: bool = conn
            .prepare_cached(
                "SELECT EXISTS(SELECT 1 FROM jobs WHERE dedupe_key = ?1 AND state NOT IN ('done', 'dead'))",
            )?
            .query_row([key], |r| r.get(0))?;
        if live {
            return Ok(None);
        }
        conn.prepare_cached(
            "UPDATE jobs SET dedupe_key = dedupe_key || '#' || id WHERE dedupe_key = ?1",
        )?
        .execute([key])?;
    }
    conn.prepare_cached(
        "INSERT INTO jobs (kind, payload, dedupe_key, serial_key, tenant, state, run_after_ms, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        job.kind,
        job.payload,
        job.dedupe_key,
        job.serial_key,
        job.tenant.map(|t| t as i64),
        state,
        job.run_after_ms,
        now_ms()
    ])?;
    Ok(Some(conn.last_insert_rowid()))
}

fn apply_effect(conn: &Connection, effect: &Effect) -> rusqlite::Result<()> {
    match effect {
        Effect::Audit(entry) => insert_audit(conn, entry),
        Effect::Installation(change) => apply_installation(conn, change),
        Effect::Enqueue(job) => enqueue(conn, job, "pending").map(|_| ()),
        Effect::Release(prefix) => super::held::release(conn, prefix),
        Effect::DoneHeld(key) => super::held::done_held(conn, key),
        Effect::CurrentIssue {
            repo,
            issue,
            sprint,
        } => super::repos::set_current_issue(conn, repo, *issue, sprint),
    }
}
