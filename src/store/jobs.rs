//! The durable job queue: claim, complete (with the handler's store effects in
//! the same transaction), fail with retry or dead letter, and queue state.

use rusqlite::{Connection, OptionalExtension, params};

use super::{
    AuditEntry, InstallationChange, Store, StoreError, apply_installation, insert_audit, now_ms,
};

/// A job to enqueue that does not come from a webhook delivery.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    /// JSON payload.
    pub payload: String,
    /// At most one job ever exists per key (e.g. `rollover:acme/app:2022-11-14`).
    pub dedupe_key: Option<String>,
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
    Pending,
    Running,
    Retrying,
    Done,
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
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
}

impl Store {
    /// Enqueue a job; returns its id, or `None` when its dedupe key exists already.
    pub async fn enqueue(&self, job: NewJob) -> Result<Option<i64>, StoreError> {
        self.run(move |conn| {
            let n = conn.execute(
                "INSERT INTO jobs (kind, payload, dedupe_key, state, run_after_ms, created_ms)
                 VALUES (?1, ?2, ?3, 'pending', ?4, ?5) ON CONFLICT(dedupe_key) DO NOTHING",
                params![
                    job.kind,
                    job.payload,
                    job.dedupe_key,
                    job.run_after_ms,
                    now_ms()
                ],
            )?;
            Ok((n == 1).then(|| conn.last_insert_rowid()))
        })
        .await
    }

    /// Claim the next job that is due at `now_ms`, marking it running.
    pub async fn claim(&self, now_ms: i64) -> Result<Option<Job>, StoreError> {
        self.run(move |conn| claim(conn, now_ms)).await
    }

    /// Mark a job done, applying the handler's effects in the same transaction.
    pub async fn complete(&self, job_id: i64, effects: Vec<Effect>) -> Result<(), StoreError> {
        self.run(move |conn| {
            for effect in &effects {
                match effect {
                    Effect::Audit(entry) => insert_audit(conn, entry)?,
                    Effect::Installation(change) => apply_installation(conn, change)?,
                }
            }
            conn.prepare_cached(
                "UPDATE jobs SET state = 'done', finished_ms = ?2, last_error = NULL WHERE id = ?1",
            )?
            .execute(params![job_id, now_ms()])?;
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

    /// Put back jobs a killed process left running. Called once at start-up,
    /// before the worker claims anything. Their attempt stays counted.
    pub async fn requeue_abandoned(&self) -> Result<u64, StoreError> {
        self.run(|conn| {
            let n = conn.execute(
                "UPDATE jobs SET state = 'retrying', run_after_ms = ?1,
                   last_error = COALESCE(last_error, 'interrupted: the process stopped while running it')
                 WHERE state = 'running'",
                [now_ms()],
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

    /// Counts of jobs by state.
    pub async fn queue_stats(&self) -> Result<QueueStats, StoreError> {
        self.run(queue_stats).await
    }

    /// Blocking [`Store::queue_stats`], for the command line.
    pub fn queue_stats_blocking(&self) -> Result<QueueStats, StoreError> {
        self.run_blocking(queue_stats)
    }

    /// Jobs not done (pending, running, retrying, dead), oldest first.
    pub fn open_jobs_blocking(&self, limit: u32) -> Result<Vec<JobRow>, StoreError> {
        self.run_blocking(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT id, kind, state, attempts, delivery_id, last_error FROM jobs
                 WHERE state != 'done' ORDER BY id LIMIT ?1",
            )?;
            let rows = stmt.query_map([limit], |r| {
                Ok(JobRow {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    state: r.get(2)?,
                    attempts: r.get(3)?,
                    delivery_id: r.get(4)?,
                    last_error: r.get(5)?,
                })
            })?;
            rows.collect()
        })
    }

    /// Every recorded error of a job, in attempt order.
    pub async fn job_errors(&self, job_id: i64) -> Result<Vec<AttemptError>, StoreError> {
        self.run(move |conn| {
            let mut stmt = conn.prepare(
                "SELECT attempt, at_ms, error, retry_at_ms FROM job_errors WHERE job_id = ?1 ORDER BY attempt",
            )?;
            let rows = stmt.query_map([job_id], |r| {
                Ok(AttemptError { attempt: r.get(0)?, at_ms: r.get(1)?, error: r.get(2)?, retry_at_ms: r.get(3)? })
            })?;
            rows.collect()
        })
        .await
    }
}

fn claim(conn: &Connection, now: i64) -> rusqlite::Result<Option<Job>> {
    let claimed = conn
        .prepare_cached(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1
             WHERE id = (SELECT id FROM jobs WHERE state IN ('pending', 'retrying') AND run_after_ms <= ?1
                         ORDER BY run_after_ms, id LIMIT 1)
             RETURNING id, kind, delivery_id, payload, attempts, created_ms",
        )?
        .query_row([now], |r| {
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

fn queue_stats(conn: &Connection) -> rusqlite::Result<QueueStats> {
    let mut stats = QueueStats::default();
    let mut stmt = conn.prepare("SELECT state, COUNT(*) FROM jobs GROUP BY state")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
    })?;
    for row in rows {
        let (state, n) = row?;
        match state.as_str() {
            "pending" => stats.pending = n,
            "running" => stats.running = n,
            "retrying" => stats.retrying = n,
            "dead" => stats.dead = n,
            "done" => stats.done = n,
            _ => {}
        }
    }
    Ok(stats)
}
