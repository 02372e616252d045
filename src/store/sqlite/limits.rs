//! GitHub's per-installation write budget, shared by every process on the
//! file: the writes of the last hour, the next paced slot and the time a
//! rate limit resets. Each decision is one transaction on the one writer.

use rusqlite::{OptionalExtension, params};

use super::Sqlite;
use crate::github::budget::{self, BudgetState, Grant, WriteClass, WriteLimits};
use crate::store::StoreError;

impl Sqlite {
    /// Decide a write at `now_ms` and, when it may go, count it.
    pub async fn take_write(
        &self,
        installation: u64,
        now_ms: i64,
        class: WriteClass,
        limits: WriteLimits,
        interval_ms: i64,
    ) -> Result<Grant, StoreError> {
        self.run(move |conn| {
            let inst = installation as i64;
            let (next_ms, limited_until_ms) = conn
                .prepare_cached(
                    "SELECT next_ms, limited_until_ms FROM write_slots WHERE installation = ?1",
                )?
                .query_row(params![inst], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
                .unwrap_or((0, None));
            let writes = conn
                .prepare_cached(
                    "SELECT at_ms FROM write_log WHERE installation = ?1 AND at_ms > ?2 ORDER BY at_ms",
                )?
                .query_map(params![inst, now_ms - budget::HOUR_MS], |r| r.get(0))?
                .collect::<Result<Vec<i64>, _>>()?;
            let state = BudgetState {
                writes,
                next_ms,
                limited_until_ms,
            };
            let grant = budget::decide(&state, now_ms, class, &limits, interval_ms);
            if grant == Grant::Go {
                conn.prepare_cached(
                    "INSERT INTO write_slots (installation, next_ms) VALUES (?1, ?2)
                     ON CONFLICT(installation) DO UPDATE SET next_ms = ?2",
                )?
                .execute(params![inst, now_ms + interval_ms])?;
                conn.prepare_cached(
                    "INSERT INTO write_log (installation, at_ms, class) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![inst, now_ms, class.as_str()])?;
                conn.prepare_cached("DELETE FROM write_log WHERE installation = ?1 AND at_ms <= ?2")?
                    .execute(params![inst, now_ms - budget::HOUR_MS])?;
            }
            Ok(grant)
        })
        .await
    }

    /// Uncount one write taken at `at_ms`.
    pub async fn refund_write(&self, installation: u64, at_ms: i64) -> Result<(), StoreError> {
        self.run(move |conn| {
            conn.prepare_cached(
                "DELETE FROM write_log WHERE rowid IN (SELECT rowid FROM write_log
                   WHERE installation = ?1 AND at_ms = ?2 LIMIT 1)",
            )?
            .execute(params![installation as i64, at_ms])?;
            Ok(())
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
