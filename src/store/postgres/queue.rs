//! Views of the job queue: counts by state, the jobs not done, and each
//! job's recorded errors (for `sprintbot jobs` and `/metrics`).

use super::{Postgres, row, row_opt, rows};
use crate::store::{AttemptError, JobRow, QueueStats, StoreError};

impl Postgres {
    /// Counts of jobs by state.
    pub async fn queue_stats(&self) -> Result<QueueStats, StoreError> {
        let client = self.client().await?;
        let mut stats = QueueStats::default();
        for r in rows(
            &client,
            "SELECT state, COUNT(*) FROM jobs GROUP BY state",
            &[],
        )
        .await?
        {
            let n = r.get::<_, i64>(1) as u64;
            match r.get::<_, &str>(0) {
                "held" => stats.held = n,
                "pending" => stats.pending = n,
                "running" => stats.running = n,
                "retrying" => stats.retrying = n,
                "dead" => stats.dead = n,
                "done" => stats.done = n,
                _ => {}
            }
        }
        let pattern = format!("{}%", crate::github::budget::BUDGET_WAIT);
        let r = row(
            &client,
            "SELECT COUNT(*), MAX(run_after_ms) FROM jobs
             WHERE state = 'retrying' AND last_error LIKE $1",
            &[&pattern],
        )
        .await?;
        stats.budget_waiting = r.get::<_, i64>(0) as u64;
        stats.budget_until_ms = r.get(1);
        Ok(stats)
    }

    /// How many jobs people wait for are due for installation `tenant`.
    pub async fn people_waiting(&self, tenant: u64, now_ms: i64) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let r = row(
            &client,
            "SELECT COUNT(*) FROM jobs
             WHERE tenant = $1 AND state IN ('pending', 'retrying') AND run_after_ms <= $2
               AND kind IN ('webhook:issue_comment', 'answer', 'doctor', 'sync')",
            &[&(tenant as i64), &now_ms],
        )
        .await?;
        Ok(r.get::<_, i64>(0) as u64)
    }

    /// Jobs not done (pending, running, retrying, dead), oldest first.
    pub async fn open_jobs(&self, limit: u32) -> Result<Vec<JobRow>, StoreError> {
        let client = self.client().await?;
        let found = rows(
            &client,
            "SELECT id, kind, state, attempts, delivery_id, last_error FROM jobs
             WHERE state <> 'done' ORDER BY id LIMIT $1",
            &[&i64::from(limit)],
        )
        .await?;
        Ok(found
            .iter()
            .map(|r| JobRow {
                id: r.get(0),
                kind: r.get(1),
                state: r.get(2),
                attempts: u32::try_from(r.get::<_, i64>(3)).unwrap_or(u32::MAX),
                delivery_id: r.get(4),
                last_error: r.get(5),
            })
            .collect())
    }

    /// The last error of the newest job whose dedupe key starts with `prefix`.
    pub async fn last_error_under(&self, prefix: &str) -> Result<Option<String>, StoreError> {
        let client = self.client().await?;
        Ok(row_opt(
            &client,
            "SELECT last_error FROM jobs WHERE starts_with(dedupe_key, $1)
             ORDER BY id DESC LIMIT 1",
            &[&prefix],
        )
        .await?
        .and_then(|r| r.get(0)))
    }

    /// When the newest job under `prefix` went dead, if it did.
    pub async fn dead_since_under(&self, prefix: &str) -> Result<Option<i64>, StoreError> {
        let client = self.client().await?;
        Ok(row_opt(
            &client,
            "SELECT state, finished_ms FROM jobs WHERE starts_with(dedupe_key, $1)
             ORDER BY id DESC LIMIT 1",
            &[&prefix],
        )
        .await?
        .and_then(|r| {
            let state: String = r.get(0);
            let at: Option<i64> = r.get(1);
            if state == "dead" { at } else { None }
        }))
    }

    /// Every recorded error of a job, in attempt order.
    pub async fn job_errors(&self, job_id: i64) -> Result<Vec<AttemptError>, StoreError> {
        let client = self.client().await?;
        let found = rows(
            &client,
            "SELECT attempt, at_ms, error, retry_at_ms FROM job_errors WHERE job_id = $1 ORDER BY attempt",
            &[&job_id],
        )
        .await?;
        Ok(found
            .iter()
            .map(|r| AttemptError {
                attempt: u32::try_from(r.get::<_, i64>(0)).unwrap_or(u32::MAX),
                at_ms: r.get(1),
                error: r.get(2),
                retry_at_ms: r.get(3),
            })
            .collect())
    }
}
