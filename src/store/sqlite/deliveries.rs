//! Webhook deliveries: recorded with their job in one transaction, once per
//! `X-GitHub-Delivery`. Only handled events keep their payload, and only
//! until their job has been finished for the retention period.

use rusqlite::{OptionalExtension, params};

use super::Sqlite;
use crate::store::payload::compress;
use crate::store::{DeliveryOutcome, LastDelivery, NewDelivery, StoreError, now_ms};

impl Sqlite {
    /// Store a delivery and, when it has a job kind, its job — in one
    /// transaction, committed to disk before this returns.
    pub async fn record_delivery(&self, d: NewDelivery) -> Result<DeliveryOutcome, StoreError> {
        // Nobody will read the payload of an event no handler wants. The
        // rest is compressed here, on the request's task, not on the one
        // thread every write of every request waits for.
        let payload = if d.job_kind.is_some() {
            compress(&d.payload)
        } else {
            Vec::new()
        };
        self.run(move |conn| {
            let now = now_ms();
            let outcome = if d.job_kind.is_some() { "queued" } else { "ignored" };
            let inserted = conn.prepare_cached(
                "INSERT INTO deliveries (id, event, action, installation, outcome, received_ms, payload)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(id) DO NOTHING",
            )?.execute(params![d.id, d.event, d.action, d.installation.map(|i| i as i64), outcome, now, payload],
            )?;
            if inserted == 0 {
                return Ok(DeliveryOutcome::Duplicate);
            }
            let Some(kind) = d.job_kind else {
                return Ok(DeliveryOutcome::Ignored);
            };
            conn.prepare_cached(
                "INSERT INTO jobs (kind, delivery_id, serial_key, dedupe_key, tenant, state, run_after_ms, created_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 0, ?6)",
            )?
            .execute(params![kind, d.id, d.serial_key, d.subject_key.map(|k| format!("{k}/{}", d.id)), d.installation.map(|i| i as i64), now])?;
            Ok(DeliveryOutcome::Queued { job_id: conn.last_insert_rowid() })
        })
        .await
    }

    /// Drop the payloads of deliveries whose jobs finished (done or dead)
    /// before `before_ms`; returns how many were dropped.
    pub async fn prune_payloads(&self, before_ms: i64) -> Result<u64, StoreError> {
        self.run(move |conn| {
            let n = conn.execute(
                "UPDATE deliveries SET payload = x'' WHERE length(payload) > 0 AND id IN (
                   SELECT delivery_id FROM jobs WHERE delivery_id IS NOT NULL
                     AND state IN ('done', 'dead') AND finished_ms < ?1)",
                [before_ms],
            )?;
            Ok(n as u64)
        })
        .await
    }

    /// How many deliveries are stored, by outcome (`queued`, `ignored`).
    pub async fn delivery_count(&self, outcome: &str) -> Result<u64, StoreError> {
        let outcome = outcome.to_string();
        self.run(move |conn| {
            conn.query_row(
                "SELECT COUNT(*) FROM deliveries WHERE outcome = ?1",
                [outcome],
                |r| r.get::<_, i64>(0).map(|n| n as u64),
            )
        })
        .await
    }

    /// The stored event name of a delivery, if it was stored.
    pub async fn delivery_event(&self, id: &str) -> Result<Option<String>, StoreError> {
        let id = id.to_string();
        self.run(move |conn| {
            conn.query_row("SELECT event FROM deliveries WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()
        })
        .await
    }
}

impl Sqlite {
    /// The newest delivery recorded for `installation`.
    pub async fn last_delivery(
        &self,
        installation: u64,
    ) -> Result<Option<LastDelivery>, StoreError> {
        self.run(move |conn| {
            conn.prepare_cached(
                "SELECT id, event, action, received_ms FROM deliveries WHERE installation = ?1
                 ORDER BY received_ms DESC, id DESC LIMIT 1",
            )?
            .query_row([installation as i64], |r| {
                Ok(LastDelivery {
                    id: r.get(0)?,
                    event: r.get(1)?,
                    action: r.get(2)?,
                    received_ms: r.get(3)?,
                })
            })
            .optional()
        })
        .await
    }
}

/// A stored payload decompressed, its failure as an SQLite conversion error.
pub(super) fn decompress(stored: &[u8]) -> rusqlite::Result<Vec<u8>> {
    crate::store::payload::decompress(stored).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, Box::new(e))
    })
}
