//! Views of the job queue: counts by state, the jobs not done, and each
//! job's recorded errors (for `sprintbot jobs` and `/metrics`).

use rusqlite::{Connection, OptionalExtension, params};

use super::Sqlite;
use crate::store::{AttemptError, JobRow, QueueStats, StoreError};

impl Sqlite {
    /// Counts of jobs by state.
    pub async fn queue_stats(&self) -> Result<QueueStats, StoreError> {
        self.run(queue_stats).await
    }

    /// Jobs not done (pending, running, retrying, dead), oldest first.
    pub async fn open_jobs(&self, limit: u32) -> Result<Vec<JobRow>, StoreError> {
        self.run(move |conn| {
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
        .await
    }

    /// The last error of the newest job whose dedupe key starts with `prefix`.
    pub async fn last_error_under(&self, prefix: &str) -> Result<Option<String>, StoreError> {
        let prefix = prefix.to_string();
        self.run(move |conn| {
            conn.query_row(
                "SELECT last_error FROM jobs WHERE substr(dedupe_key, 1, length(?1)) = ?1
                 ORDER BY id DESC LIMIT 1",
                [prefix],
                |r| r.get(0),
            )
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })
        })
        .await
    }

    /// When the newest job under `prefix` went dead, if it did.
    pub async fn dead_since_under(&self, prefix: &str) -> Result<Option<i64>, StoreError> {
        let prefix = prefix.to_string();
        self.run(move |conn| {
            let newest: Option<(String, Option<i64>)> = conn
                .query_row(
                    "SELECT state, finished_ms FROM jobs WHERE substr(dedupe_key, 1, length(?1)) = ?1
                     ORDER BY id DESC LIMIT 1",
                    [prefix],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            Ok(newest.and_then(|(state, at)| if state == "dead" { at } else { None }))
        })
        .await
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

/// Due jobs of one installation that people wait for.
const PEOPLE_WAITING: &str = "SELECT COUNT(*) FROM jobs
     WHERE tenant = ?1 AND state IN ('pending', 'retrying') AND run_after_ms <= ?2
       AND kind IN ('webhook:issue_comment', 'answer', 'doctor', 'sync')";

impl Sqlite {
    /// How many jobs people wait for are due for installation `tenant`.
    pub async fn people_waiting(&self, tenant: u64, now_ms: i64) -> Result<u64, StoreError> {
        self.run(move |conn| {
            conn.prepare_cached(PEOPLE_WAITING)?
                .query_row(params![tenant as i64, now_ms], |r| r.get::<_, i64>(0))
                .map(|n| n as u64)
        })
        .await
    }
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
            "held" => stats.held = n,
            "pending" => stats.pending = n,
            "running" => stats.running = n,
            "retrying" => stats.retrying = n,
            "dead" => stats.dead = n,
            "done" => stats.done = n,
            _ => {}
        }
    }
    let (waiting, until) = conn
        .prepare_cached(BUDGET_WAITS)?
        .query_row([format!("{}%", crate::github::budget::BUDGET_WAIT)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get(1)?))
        })?;
    stats.budget_waiting = waiting as u64;
    stats.budget_until_ms = until;
    Ok(stats)
}

/// Jobs deferred for the write budget, and the latest time they wait for.
const BUDGET_WAITS: &str = "SELECT COUNT(*), MAX(run_after_ms) FROM jobs
     WHERE state = 'retrying' AND last_error LIKE ?1";
