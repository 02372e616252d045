//! Writing the audit log in PostgreSQL.

use deadpool_postgres::GenericClient;

use super::exec;
use crate::store::{AuditEntry, now_ms};

pub(super) async fn insert_audit(
    c: &impl GenericClient,
    e: &AuditEntry,
) -> Result<(), tokio_postgres::Error> {
    exec(
        c,
        "INSERT INTO audit_log (at_ms, actor, action, target, before, after, source)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            &now_ms(),
            &e.actor,
            &e.action,
            &e.target,
            &e.before,
            &e.after,
            &e.source,
        ],
    )
    .await?;
    Ok(())
}
