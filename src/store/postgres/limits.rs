//! GitHub's per-installation limits, shared by every replica: the next
//! write slot (one write per interval) and the time a rate limit resets.
//! Each is one atomic upsert, so replicas reserving at once get distinct
//! slots.

use super::{Postgres, exec, row};
use crate::store::{StoreError, WriteSlot};

impl Postgres {
    /// Reserve the installation's next write slot: the later of `now_ms`
    /// and `interval_ms` after the last reserved one.
    pub async fn reserve_write(
        &self,
        installation: u64,
        now_ms: i64,
        interval_ms: i64,
    ) -> Result<WriteSlot, StoreError> {
        let client = self.client().await?;
        let r = row(
            &client,
            "INSERT INTO write_slots (installation, next_ms) VALUES ($1, $2::bigint + $3::bigint)
             ON CONFLICT (installation) DO UPDATE
               SET next_ms = GREATEST(write_slots.next_ms, $2::bigint) + $3::bigint
             RETURNING next_ms - $3::bigint, limited_until_ms",
            &[&(installation as i64), &now_ms, &interval_ms],
        )
        .await?;
        Ok(WriteSlot {
            at_ms: r.get(0),
            limited_until_ms: r.get(1),
        })
    }

    /// Record that GitHub refuses the installation's requests until `until_ms`.
    pub async fn note_rate_limited(
        &self,
        installation: u64,
        until_ms: i64,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        exec(
            &client,
            "INSERT INTO write_slots (installation, next_ms, limited_until_ms) VALUES ($1, 0, $2)
             ON CONFLICT (installation) DO UPDATE
               SET limited_until_ms = GREATEST(COALESCE(write_slots.limited_until_ms, 0), $2::bigint)",
            &[&(installation as i64), &until_ms],
        )
        .await?;
        Ok(())
    }
}
