//! Writing the audit log in SQLite.

use crate::store::AuditEntry;
use crate::store::now_ms;

pub(super) fn insert_audit(tx: &rusqlite::Connection, e: &AuditEntry) -> rusqlite::Result<()> {
    tx.execute(
        "INSERT INTO audit_log (at_ms, actor, action, target, before, after, source)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![
            now_ms(),
            e.actor,
            e.action,
            e.target,
            e.before,
            e.after,
            e.source
        ],
    )?;
    Ok(())
}
