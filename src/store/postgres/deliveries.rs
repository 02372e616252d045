//! Webhook deliveries: recorded with their job in one statement, once per
//! `X-GitHub-Delivery`. Only handled events keep their payload, and only
//! until their job has been finished for the retention period.

use super::{Postgres, exec, row, row_opt};
use crate::store::payload::compress;
use crate::store::{DeliveryOutcome, LastDelivery, NewDelivery, StoreError, now_ms};

impl Postgres {
    /// Store a delivery and, when it has a job kind, its job — in one
    /// statement (one round trip), committed before this returns.
    pub async fn record_delivery(&self, d: NewDelivery) -> Result<DeliveryOutcome, StoreError> {
        let client = self.client().await?;
        let now = now_ms();
        let outcome = if d.job_kind.is_some() {
            "queued"
        } else {
            "ignored"
        };
        // Nobody will read the payload of an event no handler wants.
        let payload = if d.job_kind.is_some() {
            compress(&d.payload)
        } else {
            Vec::new()
        };
        let installation = d.installation.map(|i| i as i64);
        let dedupe_key = d.subject_key.map(|k| format!("{k}/{}", d.id));
        // A second copy of a delivery in flight waits for the first to
        // commit, then finds the conflict and inserts nothing.
        let r = row(
            &client,
            "WITH d AS (
               INSERT INTO deliveries (id, event, action, installation, outcome, received_ms, payload)
               VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING id
             ), j AS (
               INSERT INTO jobs (kind, delivery_id, serial_key, dedupe_key, tenant, state,
                                 run_after_ms, created_ms)
               SELECT $8::text, d.id, $9, $10, $4, 'pending', 0, $6 FROM d WHERE $8::text IS NOT NULL
               RETURNING id
             )
             SELECT (SELECT COUNT(*) FROM d), (SELECT id FROM j)",
            &[
                &d.id,
                &d.event,
                &d.action,
                &installation,
                &outcome,
                &now,
                &payload,
                &d.job_kind,
                &d.serial_key,
                &dedupe_key,
            ],
        )
        .await?;
        let inserted: i64 = r.get(0);
        let job_id: Option<i64> = r.get(1);
        Ok(match (inserted, job_id) {
            (0, _) => DeliveryOutcome::Duplicate,
            (_, Some(job_id)) => DeliveryOutcome::Queued { job_id },
            (_, None) => DeliveryOutcome::Ignored,
        })
    }

    /// Drop the payloads of deliveries whose jobs finished (done or dead)
    /// before `before_ms`; returns how many were dropped.
    pub async fn prune_payloads(&self, before_ms: i64) -> Result<u64, StoreError> {
        let client = self.client().await?;
        Ok(exec(
            &client,
            "UPDATE deliveries SET payload = ''::bytea WHERE length(payload) > 0 AND id IN (
               SELECT delivery_id FROM jobs WHERE delivery_id IS NOT NULL
                 AND state IN ('done', 'dead') AND finished_ms < $1)",
            &[&before_ms],
        )
        .await?)
    }

    /// How many deliveries are stored, by outcome (`queued`, `ignored`).
    pub async fn delivery_count(&self, outcome: &str) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let n: i64 = row(
            &client,
            "SELECT COUNT(*) FROM deliveries WHERE outcome = $1",
            &[&outcome],
        )
        .await?
        .get(0);
        Ok(n as u64)
    }

    /// The stored event name of a delivery, if it was stored.
    pub async fn delivery_event(&self, id: &str) -> Result<Option<String>, StoreError> {
        let client = self.client().await?;
        Ok(row_opt(
            &client,
            "SELECT event FROM deliveries WHERE id = $1",
            &[&id],
        )
        .await?
        .map(|r| r.get(0)))
    }

    /// The newest delivery recorded for `installation`.
    pub async fn last_delivery(
        &self,
        installation: u64,
    ) -> Result<Option<LastDelivery>, StoreError> {
        let client = self.client().await?;
        let installation = installation as i64;
        Ok(row_opt(
            &client,
            "SELECT id, event, action, received_ms FROM deliveries WHERE installation = $1
             ORDER BY received_ms DESC, id DESC LIMIT 1",
            &[&installation],
        )
        .await?
        .map(|r| LastDelivery {
            id: r.get(0),
            event: r.get(1),
            action: r.get(2),
            received_ms: r.get(3),
        }))
    }
}
