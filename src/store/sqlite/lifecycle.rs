//! Store tables of the sprint lifecycle: leases that keep two processes from
//! rolling the same repository at once, and the record of rollover steps.

use rusqlite::{OptionalExtension, params};

use super::Sqlite;
use crate::store::{StoreError, now_ms};

impl Sqlite {
    /// Take the lease `name` for `holder` until `now + ttl_ms`, unless someone
    /// else holds an unexpired one. Returns whether `holder` has it now.
    pub async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        ttl_ms: i64,
    ) -> Result<bool, StoreError> {
        let (name, holder) = (name.to_string(), holder.to_string());
        self.run(move |conn| {
            let now = now_ms();
            let current: Option<(String, i64)> = conn
                .query_row("SELECT holder, until_ms FROM leases WHERE name = ?1", [&name], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            if let Some((h, until)) = current
                && h != holder
                && until > now
            {
                return Ok(false);
            }
            conn.execute(
                "INSERT INTO leases (name, holder, until_ms) VALUES (?1, ?2, ?3)
                 ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms",
                params![name, holder, now + ttl_ms],
            )?;
            Ok(true)
        })
        .await
    }

    /// Give a lease back (only its holder can).
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        let (name, holder) = (name.to_string(), holder.to_string());
        self.run(move |conn| {
            conn.execute(
                "DELETE FROM leases WHERE name = ?1 AND holder = ?2",
                params![name, holder],
            )?;
            Ok(())
        })
        .await
    }

    /// Record that a rollover step finished.
    pub async fn record_step(
        &self,
        repo: &str,
        sprint: &str,
        step: &str,
        detail: Option<String>,
    ) -> Result<(), StoreError> {
        let (repo, sprint, step) = (repo.to_string(), sprint.to_string(), step.to_string());
        self.run(move |conn| {
            conn.execute(
                "INSERT INTO rollover_steps (repo, sprint, step, at_ms, detail) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT(repo, sprint, step) DO UPDATE SET at_ms = excluded.at_ms, detail = excluded.detail",
                params![repo, sprint, step, now_ms(), detail],
            )?;
            Ok(())
        })
        .await
    }

    /// The recorded steps of one rollover, in the order they finished.
    pub async fn steps(&self, repo: &str, sprint: &str) -> Result<Vec<String>, StoreError> {
        let (repo, sprint) = (repo.to_string(), sprint.to_string());
        self.run(move |conn| {
            let mut stmt = conn.prepare("SELECT step FROM rollover_steps WHERE repo = ?1 AND sprint = ?2 ORDER BY at_ms, rowid")?;
            let rows = stmt.query_map(params![repo, sprint], |r| r.get(0))?;
            rows.collect()
        })
        .await
    }
}
