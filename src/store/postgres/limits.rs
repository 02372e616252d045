//! GitHub's per-installation write budget, shared by every replica: the
//! writes of the last hour, the next paced slot and the time a rate limit
//! resets. Each decision is one transaction holding the installation's
//! `write_slots` row, so replicas deciding at once count one another.

use super::{Postgres, exec, row, rows};
use crate::github::budget::{self, BudgetState, Grant, WriteClass, WriteLimits};
use crate::store::StoreError;

impl Postgres {
    /// Decide a write at `now_ms` and, when it may go, count it.
    pub async fn take_write(
        &self,
        installation: u64,
        now_ms: i64,
        class: WriteClass,
        limits: WriteLimits,
        interval_ms: i64,
    ) -> Result<Grant, StoreError> {
        let inst = installation as i64;
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        exec(
            &tx,
            "INSERT INTO write_slots (installation, next_ms) VALUES ($1, 0)
             ON CONFLICT (installation) DO NOTHING",
            &[&inst],
        )
        .await?;
        let slot = row(
            &tx,
            "SELECT next_ms, limited_until_ms FROM write_slots WHERE installation = $1 FOR UPDATE",
            &[&inst],
        )
        .await?;
        let since = now_ms - budget::HOUR_MS;
        let writes = rows(
            &tx,
            "SELECT at_ms FROM write_log WHERE installation = $1 AND at_ms > $2 ORDER BY at_ms",
            &[&inst, &since],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
        let state = BudgetState {
            writes,
            next_ms: slot.get(0),
            limited_until_ms: slot.get(1),
        };
        let grant = budget::decide(&state, now_ms, class, &limits, interval_ms);
        if grant == Grant::Go {
            let next = now_ms + interval_ms;
            exec(
                &tx,
                "UPDATE write_slots SET next_ms = $2 WHERE installation = $1",
                &[&inst, &next],
            )
            .await?;
            exec(
                &tx,
                "INSERT INTO write_log (installation, at_ms, class) VALUES ($1, $2, $3)",
                &[&inst, &now_ms, &class.as_str()],
            )
            .await?;
            exec(
                &tx,
                "DELETE FROM write_log WHERE installation = $1 AND at_ms <= $2",
                &[&inst, &since],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(grant)
    }

    /// Uncount one write taken at `at_ms`.
    pub async fn refund_write(&self, installation: u64, at_ms: i64) -> Result<(), StoreError> {
        let client = self.client().await?;
        exec(
            &client,
            "DELETE FROM write_log WHERE ctid IN (SELECT ctid FROM write_log
               WHERE installation = $1 AND at_ms = $2 LIMIT 1)",
            &[&(installation as i64), &at_ms],
        )
        .await?;
        Ok(())
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
