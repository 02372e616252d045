//! GitHub's per-installation limits, shared by every process on the file:
//! the next write slot (one write per interval) and the time a rate limit
//! resets.

use rusqlite::params;

use super::Sqlite;
use crate::store::{StoreError, WriteSlot};

impl Sqlite {
    /// Reserve the installation's next write slot: the later of `now_ms`
    /// and `interval_ms` after the last reserved one.
    pub async fn reserve_write(
        &self,
        installation: u64,
        now_ms: i64,
        interval_ms: i64,
    ) -> Result<WriteSlot, StoreError> {
        self.run(move |conn| {
            conn.prepare_cached(
                "INSERT INTO write_slots (installation, next_ms) VALUES (?1, ?2 + ?3)
                 ON CONFLICT(installation) DO UPDATE
                   SET next_ms = MAX(write_slots.next_ms, ?2) + ?3
                 RETURNING next_ms - ?3, limited_until_ms",
            )?
            .query_row(params![installation as i64, now_ms, interval_ms], |r| {
                Ok(WriteSlot {
                    at_ms: r.get(0)?,
                    limited_until_ms: r.get(1)?,
                })
            })
        })
        .await
    }

    /// Record that GitHub refuses the installation's requests until `until_ms`.
    pub async fn note_rate_limited(
        &self,
        installation: u64,
        until_ms: i64,
    ) -> Result<(), StoreError> {
        self.run(move |conn| {
            conn.prepare_cached(
                "INSERT INTO write_slots (installation, next_ms, limited_until_ms) VALUES (?1, 0, ?2)
                 ON CONFLICT(installation) DO UPDATE
                   SET limited_until_ms = MAX(COALESCE(write_slots.limited_until_ms, 0), ?2)",
            )?
            .execute(params![installation as i64, until_ms])?;
            Ok(())
        })
        .await
    }
}
