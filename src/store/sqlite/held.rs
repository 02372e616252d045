//! Held jobs: work decided before a GitHub write and released only once the
//! write has happened. A command's answers are held before the sprint
//! issue's body is written, so an answer is never sent for a change that
//! did not land, and never lost for one that did (a crash after the write
//! finds them held and releases them).

use rusqlite::{Connection, params};

use super::Sqlite;
use super::jobs::enqueue;
use crate::store::{AuditEntry, KeyedJobs, NewJob, StoreError};

impl Sqlite {
    /// Write `jobs` as held, each unless a job with its dedupe key exists
    /// already in any state (an answer is decided once), and the audit
    /// entries of the write they wait for, each under its key prefix.
    pub async fn hold(
        &self,
        jobs: Vec<NewJob>,
        audit: Vec<(String, AuditEntry)>,
    ) -> Result<(), StoreError> {
        self.run(move |conn| {
            for (prefix, e) in &audit {
                conn.prepare_cached(
                    "INSERT INTO audit_log (held_prefix, at_ms, actor, action, target, before, after, source)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![prefix, crate::store::now_ms(), e.actor, e.action, e.target, e.before, e.after, e.source])?;
            }
            for job in &jobs {
                let exists: bool = match &job.dedupe_key {
                    Some(key) => conn
                        .prepare_cached("SELECT EXISTS(SELECT 1 FROM jobs WHERE dedupe_key = ?1)")?
                        .query_row([key], |r| r.get(0))?,
                    None => false,
                };
                if !exists {
                    enqueue(conn, job, "held")?;
                }
            }
            Ok(())
        })
        .await
    }

    /// Let the held jobs under `prefix` run now.
    pub async fn release_held(&self, prefix: &str) -> Result<(), StoreError> {
        let prefix = prefix.to_string();
        self.run(move |conn| release(conn, &prefix)).await
    }

    /// Forget the held jobs under `prefix` (their write never happened).
    pub async fn drop_held(&self, prefix: &str) -> Result<(), StoreError> {
        let prefix = prefix.to_string();
        self.run(move |conn| {
            conn.execute(
                "DELETE FROM jobs WHERE state = 'held' AND substr(dedupe_key, 1, length(?1)) = ?1",
                [&prefix],
            )?;
            conn.execute("DELETE FROM audit_log WHERE held_prefix = ?1", [&prefix])?;
            Ok(())
        })
        .await
    }

    /// Every job whose dedupe key starts with `prefix`.
    pub async fn jobs_under(&self, prefix: &str) -> Result<KeyedJobs, StoreError> {
        let prefix = prefix.to_string();
        self.run(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT dedupe_key, state, attempts FROM jobs WHERE dedupe_key >= ?1 AND substr(dedupe_key, 1, length(?1)) = ?1",
            )?;
            let rows = stmt.query_map([prefix], |r| {
                Ok(((r.get(0)?, r.get(1)?), r.get::<_, i64>(2)?))
            })?;
            let rows: Vec<((String, String), i64)> = rows.collect::<rusqlite::Result<_>>()?;
            Ok(KeyedJobs {
                runs: rows.iter().map(|(_, n)| *n as u64).sum(),
                jobs: rows.into_iter().map(|(j, _)| j).collect(),
            })
        })
        .await
    }
}

pub(super) fn release(conn: &Connection, prefix: &str) -> rusqlite::Result<()> {
    // Due at once (0), whatever clock the worker runs on.
    conn.prepare_cached(
        "UPDATE jobs SET state = 'pending', run_after_ms = 0
         WHERE state = 'held' AND substr(dedupe_key, 1, length(?1)) = ?1",
    )?
    .execute([prefix])?;
    conn.prepare_cached("UPDATE audit_log SET held_prefix = NULL WHERE held_prefix = ?1")?
        .execute([prefix])?;
    Ok(())
}

pub(super) fn done_held(conn: &Connection, key: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE jobs SET state = 'done', finished_ms = ?2 WHERE state = 'held' AND dedupe_key = ?1",
    )?
    .execute(params![key, crate::store::now_ms()])?;
    Ok(())
}
