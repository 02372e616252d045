//! Held jobs: work decided before a GitHub write and released only once the
//! write has happened. A command's answers are held before the sprint
//! issue's body is written, so an answer is never sent for a change that
//! did not land, and never lost for one that did (a crash after the write
//! finds them held and releases them).

use deadpool_postgres::GenericClient;

// Keys compare byte by byte (COLLATE "C"), so every key with a prefix sorts
// at or after it: `dedupe_key >= prefix` lets a prefix match start its
// index scan there.

use super::jobs::enqueue;
use super::{Postgres, exec, row, rows};
use crate::store::{AuditEntry, KeyedJobs, NewJob, StoreError, now_ms};

impl Postgres {
    /// Write `jobs` as held, each unless a job with its dedupe key exists
    /// already in any state (an answer is decided once), and the audit
    /// entries of the write they wait for, each under its key prefix.
    pub async fn hold(
        &self,
        jobs: Vec<NewJob>,
        audit: Vec<(String, AuditEntry)>,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        for (prefix, e) in &audit {
            exec(
                &tx,
                "INSERT INTO audit_log (held_prefix, at_ms, actor, action, target, before, after, source)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[prefix, &now_ms(), &e.actor, &e.action, &e.target, &e.before, &e.after, &e.source],
            )
            .await?;
        }
        for job in &jobs {
            let exists: bool = match &job.dedupe_key {
                Some(key) => row(
                    &tx,
                    "SELECT EXISTS(SELECT 1 FROM jobs WHERE dedupe_key = $1)",
                    &[key],
                )
                .await?
                .get(0),
                None => false,
            };
            if !exists {
                enqueue(&tx, job, "held").await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Let the held jobs under `prefix` run now.
    pub async fn release_held(&self, prefix: &str) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        release(&tx, prefix).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forget the held jobs under `prefix` (their write never happened).
    pub async fn drop_held(&self, prefix: &str) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        exec(
            &tx,
            "DELETE FROM jobs WHERE state = 'held' AND dedupe_key >= $1 AND starts_with(dedupe_key, $1)",
            &[&prefix],
        )
        .await?;
        exec(
            &tx,
            "DELETE FROM audit_log WHERE held_prefix = $1",
            &[&prefix],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every job whose dedupe key starts with `prefix`.
    pub async fn jobs_under(&self, prefix: &str) -> Result<KeyedJobs, StoreError> {
        let client = self.client().await?;
        let found = rows(
            &client,
            "SELECT dedupe_key, state, attempts FROM jobs WHERE dedupe_key >= $1 AND starts_with(dedupe_key, $1)
             ORDER BY dedupe_key",
            &[&prefix],
        )
        .await?;
        Ok(KeyedJobs {
            jobs: found.iter().map(|r| (r.get(0), r.get(1))).collect(),
            runs: found.iter().map(|r| r.get::<_, i64>(2) as u64).sum(),
        })
    }
}

pub(super) async fn release(
    c: &impl GenericClient,
    prefix: &str,
) -> Result<(), tokio_postgres::Error> {
    // Due at once (0), whatever clock the worker runs on.
    exec(
        c,
        "UPDATE jobs SET state = 'pending', run_after_ms = 0
         WHERE state = 'held' AND dedupe_key >= $1 AND starts_with(dedupe_key, $1)",
        &[&prefix],
    )
    .await?;
    exec(
        c,
        "UPDATE audit_log SET held_prefix = NULL WHERE held_prefix = $1",
        &[&prefix],
    )
    .await?;
    Ok(())
}

pub(super) async fn done_held(
    c: &impl GenericClient,
    key: &str,
) -> Result<(), tokio_postgres::Error> {
    exec(
        c,
        "UPDATE jobs SET state = 'done', finished_ms = $2 WHERE state = 'held' AND dedupe_key = $1",
        &[&key, &now_ms()],
    )
    .await?;
    Ok(())
}
