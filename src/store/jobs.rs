//! The durable job queue: enqueue, claim (never two running jobs with one
//! serial key), complete (with the handler's store effects in the same
//! transaction), fail with retry or dead letter, defer without counting an
//! attempt. Held jobs and queue views live in `held.rs` and `queue.rs`.

use rusqlite::{Connection, OptionalExtension, params};

use super::registry::{InstallationChange, apply_installation};
use super::{AuditEntry, Store, StoreError, insert_audit, now_ms};

/// A job to enqueue that does not come from a webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub kind: String,
    /// JSON payload.
    pub payload: String,
    /// At most one live (not done, not dead) job exists per key, e.g.
    /// `rollover/acme/app/2022-11-14`.
    pub dedupe_key: Option<String>,
    /// Jobs with the same serial key never run at the same time.
    pub serial_key: Option<String>,
    /// The installation it works for: only so many of one installation's
    /// jobs run at once.
    pub tenant: Option<u64>,
    /// When it may run; 0 (or any past instant) means now.
    pub run_after_ms: i64,
}

/// A claimed job, ready to run.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub delivery_id: Option<String>,
    /// The delivery's raw body for webhook jobs, else the job's JSON payload.
    pub payload: Vec<u8>,
    /// 1 on the first run.
    pub attempt: u32,
    pub created_ms: i64,
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Written but not to be run until released (see `held.rs`).
    Held,
    Pending,
    Running,
    Retrying,
    Done,
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Held => "held",
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Retrying => "retrying",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }
}

/// Counts of jobs by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    pub held: u64,
    pub pending: u64,
    pub running: u64,
    pub retrying: u64,
    pub dead: u64,
    pub done: u64,
}

/// One job as `sprintbot jobs` shows it.
#[derive(Debug, Clone)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub attempts: u32,
    pub delivery_id: Option<String>,
    pub last_error: Option<String>,
}

/// One failed attempt of a job.
#[derive(Debug, Clone)]
pub struct AttemptError {
    pub attempt: u32,
    pub at_ms: i64,
    pub error: String,
    /// When the job was scheduled to run again; `None` when it went dead.
    pub retry_at_ms: Option<i64>,
}

/// What a handler wants written together with its job's completion, so that
/// its effect and "done" are one atomic fact: a crash never runs it twice.
#[derive(Debug, Clone)]
pub enum Effect {
    Audit(AuditEntry),
    Installation(InstallationChange),
    /// Queue another job (live-unique by its dedupe key).
    Enqueue(NewJob),
    /// Let held jobs run: those whose dedupe key starts with this prefix.
    Release(String),
    /// Remember a repository's current sprint issue.
    CurrentIssue {
        repo: String,
        issue: u64,
        sprint: String,
    },
}

impl Store {
    /// Enqueue a job; returns its id, or `None` when a live job has its
    /// dedupe key already.
    pub async fn enqueue(&self, job: NewJob) -> Result<Option<i64>, StoreError> {
        self.run(move |conn| enqueue(conn, &job, "pending")).await
    }

    /// Claim the next job that is due at `now_ms`, marking it running.
    /// At most `per_tenant` jobs of one installation run at once.
    pub async fn claim(&self, now_ms: i64, per_tenant: usize) -> Result<Option<Job>, StoreError> {
        self.run(move |conn| claim(conn, now_ms, per_tenant as i64))
            .await
    }

    /// Mark a job done, applying the handler's effects in the same transaction.
    pub async fn complete(&self, job_id: i64, effects: Vec<Effect>) -> Result<(), StoreError> {
        self.run(move |conn| {
            for effect in &effects {
                apply_effect(conn, effect)?;
            }
            conn.prepare_cached(
                "UPDATE jobs SET state = 'done', finished_ms = ?2, last_error = NULL WHERE id = ?1",
            )?
            .execute(params![job_id, now_ms()])?;
            Ok(())
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

    /// Record a failed attempt: retry at `retry_at_ms`, or dead when `None`.
    pub async fn fail(
        &self,
        job_id: i64,
        attempt: u32,
        error: String,
        retry_at_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        self.run(move |conn| {
            let now = now_ms();
            conn.execute(
                "INSERT INTO job_errors (job_id, attempt, at_ms, error, retry_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![job_id, attempt, now, error, retry_at_ms],
            )?;
            match retry_at_ms {
                Some(at) => conn.execute(
                    "UPDATE jobs SET state = 'retrying', run_after_ms = ?2, last_error = ?3 WHERE id = ?1",
                    params![job_id, at, error],
                )?,
                None => conn.execute(
                    "UPDATE jobs SET state = 'dead', finished_ms = ?2, last_error = ?3 WHERE id = ?1",
                    params![job_id, now, error],
                )?,
            };
            Ok(())
        })
        .await
    }

    /// Run a job again at `at_ms` without counting this run as an attempt
    /// (it waited for something, such as a rate limit's reset).
    pub async fn defer(&self, job_id: i64, at_ms: i64, reason: String) -> Result<(), StoreError> {
        self.run(move |conn| {
            conn.execute(
                "UPDATE jobs SET state = 'retrying', run_after_ms = ?2, last_error = ?3,
                   attempts = MAX(attempts - 1, 0) WHERE id = ?1",
                params![job_id, at_ms, reason],
            )?;
            Ok(())
        })
        .await
    }

    /// Put back jobs a killed process left running. Called once at start-up,
    /// before the worker claims anything. Their attempt stays counted.
    pub async fn requeue_abandoned(&self) -> Result<u64, StoreError> {
        self.run(|conn| {
            // Due at once (0), whatever clock the worker runs on.
            let n = conn.execute(
                "UPDATE jobs SET state = 'retrying', run_after_ms = 0,
                   last_error = COALESCE(last_error, 'interrupted: the process stopped while running it')
                 WHERE state = 'running'",
                [],
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

fn claim(conn: &Connection, now: i64, per_tenant: i64) -> rusqlite::Result<Option<Job>> {
    let claimed = conn
        .prepare_cached(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1
             WHERE id = (SELECT id FROM jobs j WHERE state IN ('pending', 'retrying') AND run_after_ms <= ?1
                           AND (serial_key IS NULL OR NOT EXISTS (
                                SELECT 1 FROM jobs r WHERE r.serial_key = j.serial_key AND r.state = 'running'))
                           AND (tenant IS NULL OR (
                                SELECT COUNT(*) FROM jobs t WHERE t.tenant = j.tenant AND t.state = 'running') < ?2)
                         ORDER BY run_after_ms, id LIMIT 1)
             RETURNING id, kind, delivery_id, payload, attempts, created_ms",
        )?
        .query_row(params![now, per_tenant], |r| {
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
        Effect::CurrentIssue {
            repo,
            issue,
            sprint,
        } => super::repos::set_current_issue(conn, repo, *issue, sprint),
    }
}
