//! Store tables of the sprint lifecycle: leases that keep two replicas from
//! rolling the same repository at once (timed by the database's clock, the
//! one clock they share), and the record of rollover steps.

use super::{Postgres, exec, row_opt, rows};
use crate::store::{StoreError, now_ms};

impl Postgres {
    /// Take the lease `name` for `holder` until `ttl_ms` from now by the
    /// database's clock, unless someone else holds an unexpired one.
    /// Returns whether `holder` has it now.
    pub async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        ttl_ms: i64,
    ) -> Result<bool, StoreError> {
        let client = self.client().await?;
        // One statement: a second taker waits on the row and then sees the
        // first one's lease.
        let sql = concat!(
            "INSERT INTO leases (name, holder, until_ms) VALUES ($1, $2, ",
            db_now_ms!(),
            " + $3)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms
               WHERE leases.holder = excluded.holder OR leases.until_ms <= ",
            db_now_ms!(),
            " RETURNING holder"
        );
        let taken = row_opt(&client, sql, &[&name, &holder, &ttl_ms]).await?;
        Ok(taken.is_some())
    }

    /// Give a lease back (only its holder can).
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        let client = self.client().await?;
        exec(
            &client,
            "DELETE FROM leases WHERE name = $1 AND holder = $2",
            &[&name, &holder],
        )
        .await?;
        Ok(())
    }

    /// Record that a rollover step finished. Its time is kept later than
    /// every earlier step of the same rollover, so steps finished within one
    /// millisecond still list in the order they finished (SQLite breaks
    /// such ties by row order; PostgreSQL has none to offer).
    pub async fn record_step(
        &self,
        repo: &str,
        sprint: &str,
        step: &str,
        detail: Option<String>,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        exec(
            &client,
            "INSERT INTO rollover_steps (repo, sprint, step, at_ms, detail)
             VALUES ($1, $2, $3, GREATEST($4::bigint,
                 (SELECT MAX(at_ms) + 1 FROM rollover_steps WHERE repo = $1 AND sprint = $2)), $5)
             ON CONFLICT (repo, sprint, step) DO UPDATE SET at_ms = excluded.at_ms, detail = excluded.detail",
            &[&repo, &sprint, &step, &now_ms(), &detail],
        )
        .await?;
        Ok(())
    }

    /// The recorded steps of one rollover, in the order they finished.
    pub async fn steps(&self, repo: &str, sprint: &str) -> Result<Vec<String>, StoreError> {
        let client = self.client().await?;
        let found = rows(
            &client,
            "SELECT step FROM rollover_steps WHERE repo = $1 AND sprint = $2 ORDER BY at_ms, step",
            &[&repo, &sprint],
        )
        .await?;
        Ok(found.iter().map(|r| r.get(0)).collect())
    }
}
