//! Claiming the next job on PostgreSQL without walking the backlog. One
//! claim decision is taken at a time across every replica (an advisory
//! transaction lock), so the serial-key and tenant checks see every earlier
//! claim. Each candidate query walks an index in due order and stops at the
//! first claimable job: jobs without a serial key in due order, jobs with
//! one key by key (only the head of each key's queue, see migration 2), and
//! running jobs whose claim lapsed by the database's clock.

use std::sync::LazyLock;

use super::jobs::is_serial_conflict;
use super::{CLAIM_LOCK, Postgres, exec, row_opt};
use crate::store::payload::decompress;
use crate::store::{Job, StoreError};

/// The tenant check of a candidate `h`: its installation runs fewer than
/// `$2` jobs besides it.
const TENANT_FREE: &str = "(h.tenant IS NULL OR (SELECT COUNT(*) FROM jobs t
     WHERE t.tenant = h.tenant AND t.state = 'running' AND t.id <> h.id) < $2)";

/// The first due job in `state` without a serial key.
fn free_head(state: &str) -> String {
    format!(
        "SELECT h.run_after_ms, h.id FROM jobs h
         WHERE h.state = '{state}' AND h.serial_key IS NULL AND h.run_after_ms <= $1
           AND {TENANT_FREE}
         ORDER BY h.run_after_ms, h.id LIMIT 1"
    )
}

/// The first claimable head among the serial keys with jobs in `state`:
/// the keys are walked one by one through the index (a loose index scan),
/// each key's earliest due job is its head, and a key with a running job
/// is skipped.
fn serial_heads(state: &str) -> String {
    format!(
        "WITH RECURSIVE keys(k) AS (
           SELECT (SELECT MIN(serial_key) FROM jobs
                   WHERE state = '{state}' AND serial_key IS NOT NULL)
           UNION ALL
           SELECT (SELECT MIN(serial_key) FROM jobs
                   WHERE state = '{state}' AND serial_key IS NOT NULL AND serial_key > keys.k)
           FROM keys WHERE keys.k IS NOT NULL
         )
         SELECT h.run_after_ms, h.id FROM keys JOIN jobs h ON h.id = (
             SELECT id FROM jobs WHERE state = '{state}' AND serial_key = keys.k
               AND run_after_ms <= $1
             ORDER BY run_after_ms, id LIMIT 1)
         WHERE NOT EXISTS (SELECT 1 FROM jobs r WHERE r.serial_key = keys.k
                             AND r.state = 'running' AND r.id <> h.id)
           AND {TENANT_FREE}
         ORDER BY h.run_after_ms, h.id LIMIT 1"
    )
}

/// The first running job whose claim lapsed by the database's clock and
/// that may run.
const LAPSED: &str = concat!(
    "SELECT h.run_after_ms, h.id FROM jobs h
     WHERE h.state = 'running'
       AND (h.claim_until_ms IS NULL OR h.claim_until_ms <= ",
    db_now_ms!(),
    ")
       AND (h.serial_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs r
            WHERE r.serial_key = h.serial_key AND r.state = 'running' AND r.id <> h.id))
       AND (h.tenant IS NULL OR (SELECT COUNT(*) FROM jobs t
            WHERE t.tenant = h.tenant AND t.state = 'running' AND t.id <> h.id) < $2)
     ORDER BY h.run_after_ms, h.id LIMIT 1"
);

/// Take the first claimable job for $3 until $4 ms from now by the
/// database's clock, returning it with its delivery's stored payload. A row
/// another transaction holds (a worker completing a job just as its claim
/// lapses) is skipped.
static TAKE: LazyLock<String> = LazyLock::new(|| {
    let candidates = [
        free_head("pending"),
        serial_heads("pending"),
        free_head("retrying"),
        serial_heads("retrying"),
        LAPSED.to_string(),
    ]
    .map(|q| format!("({q})"))
    .join(" UNION ALL ");
    format!(
        "UPDATE jobs j SET state = 'running', attempts = attempts + 1,
             claimed_by = $3, claim_until_ms = {now} + $4
         WHERE j.id = (SELECT id FROM jobs WHERE id = (
             SELECT c.id FROM ({candidates}) c(run_after_ms, id)
             ORDER BY c.run_after_ms, c.id LIMIT 1) FOR UPDATE SKIP LOCKED)
         RETURNING j.id, j.kind, j.delivery_id, j.payload, j.attempts, j.created_ms,
             (SELECT d.payload FROM deliveries d WHERE d.id = j.delivery_id)",
        now = db_now_ms!()
    )
});

impl Postgres {
    /// Claim the next job due at `now_ms` (or whose claim lapsed) for
    /// `claimant` until `claim_ms` from now, marking it running.
    pub async fn claim(
        &self,
        now_ms: i64,
        per_tenant: usize,
        claimant: &str,
        claim_ms: i64,
    ) -> Result<Option<Job>, StoreError> {
        let per_tenant = i64::try_from(per_tenant).unwrap_or(i64::MAX);
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        exec(&tx, "SELECT pg_advisory_xact_lock($1)", &[&CLAIM_LOCK]).await?;
        let claimed = match row_opt(&tx, &TAKE, &[&now_ms, &per_tenant, &claimant, &claim_ms]).await
        {
            Ok(claimed) => claimed,
            // The index refused a second running job of a serial key:
            // nothing is claimable now (the transaction rolls back).
            Err(e) if is_serial_conflict(&e) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let Some(r) = claimed else {
            tx.commit().await?;
            return Ok(None);
        };
        let (id, kind, delivery_id, payload, attempts, created_ms): (
            i64,
            String,
            Option<String>,
            String,
            i64,
            i64,
        ) = (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get(5));
        let stored: Option<Vec<u8>> = r.get(6);
        let payload = match (&delivery_id, stored) {
            (Some(d), Some(stored)) => decompress(&stored).map_err(|e| {
                StoreError::Database(format!("the payload of delivery {d} is damaged: {e}"))
            })?,
            (Some(d), None) => {
                return Err(StoreError::Database(format!(
                    "job {id} names delivery {d}, which is not stored"
                )));
            }
            (None, _) => payload.into_bytes(),
        };
        tx.commit().await?;
        Ok(Some(Job {
            id,
            kind,
            delivery_id,
            payload,
            attempt: u32::try_from(attempts).unwrap_or(u32::MAX),
            created_ms,
        }))
    }
}
