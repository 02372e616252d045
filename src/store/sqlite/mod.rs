//! The embedded backend: a single SQLite file in WAL mode. One thread owns
//! the connection and runs every operation; operations that arrive while it
//! is busy are committed together in one transaction (group commit), so a
//! delivery is on disk (`synchronous=FULL`) before the webhook is answered
//! and throughput does not pay one fsync per request. One process owns a
//! file (several processes may share it, one writer at a time).

mod audit;
mod deliveries;
mod held;
mod jobs;
mod lifecycle;
mod limits;
mod queue;
mod registry;
mod repos;
mod schema;
mod writer;

use std::path::Path;

use super::{AuditEntry, StoreError};

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Database(e.to_string())
    }
}

/// The SQLite store.
#[derive(Clone)]
pub struct Sqlite {
    writer: writer::Writer,
}

impl Sqlite {
    /// Open (or create, mode 0600) the file at `path`, apply migrations, and
    /// start the thread that owns the connection.
    pub fn open(path: &Path) -> Result<Sqlite, StoreError> {
        let conn = schema::open(path)?;
        let alive = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        schema::checkpointer(path, alive.clone());
        Ok(Sqlite {
            writer: writer::Writer::start(conn, alive),
        })
    }

    /// Run `op` inside the store's transaction and return its result.
    pub(crate) async fn run<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        self.writer.run(op).await
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        self.run(|tx| tx.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)))
            .await
            .is_ok()
    }

    /// Append an entry to the audit log of changes the bot made.
    pub async fn audit(&self, entry: AuditEntry) -> Result<(), StoreError> {
        self.run(move |tx| audit::insert_audit(tx, &entry)).await
    }

    /// Audit entries, oldest first, optionally only those of one action.
    pub async fn audit_entries(
        &self,
        action: Option<String>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.run(move |tx| {
            let mut stmt = tx.prepare(
                "SELECT actor, action, target, before, after, source FROM audit_log
                 WHERE held_prefix IS NULL AND (?1 IS NULL OR action = ?1) ORDER BY id",
            )?;
            let rows = stmt.query_map([action], |r| {
                Ok(AuditEntry {
                    actor: r.get(0)?,
                    action: r.get(1)?,
                    target: r.get(2)?,
                    before: r.get(3)?,
                    after: r.get(4)?,
                    source: r.get(5)?,
                })
            })?;
            rows.collect()
        })
        .await
    }
}
