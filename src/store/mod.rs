//! Storage: the one place that knows how sprintbot persists things.
//!
//! The embedded backend is a single SQLite file in WAL mode. One thread owns the
//! connection and runs every operation; operations that arrive while it is busy
//! are committed together in one transaction (group commit), so a delivery is
//! on disk (`synchronous=FULL`) before the webhook is answered and throughput
//! does not pay one fsync per request. The rest of the program sees only the
//! methods of [`Store`] and plain types; a PostgreSQL backend for several
//! replicas implements the same methods later.

mod deliveries;
mod held;
mod jobs;
mod lifecycle;
mod queue;
mod registry;
mod repos;
mod schema;
mod writer;

use std::path::{Path, PathBuf};

pub use deliveries::{DeliveryOutcome, NewDelivery};
pub use held::KeyedJobs;
pub use jobs::{AttemptError, Effect, Job, JobRow, JobState, NewJob, QueueStats};
pub use registry::{EnabledRepo, InstallationChange, InstallationRow};
pub use repos::{CachedConfig, RepoKey};

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {path}: {source}")]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("the database could not commit: {0}")]
    Commit(String),
    #[error("the database worker has stopped")]
    Closed,
    #[error("database migration {version} failed: {source}")]
    Migration {
        version: u32,
        source: rusqlite::Error,
    },
}

/// A handle on the store; cheap to clone, usable from any task or thread.
#[derive(Clone)]
pub struct Store {
    writer: writer::Writer,
}

impl Store {
    /// Open (or create) the SQLite file at `path`, apply migrations, and start
    /// the thread that owns the connection.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = schema::open(path)?;
        let alive = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        schema::checkpointer(path, alive.clone());
        Ok(Store {
            writer: writer::Writer::start(conn, alive),
        })
    }

    /// Run `op` inside the store's transaction and return its result. Used by
    /// the typed methods in this module's files; kept crate-private so callers
    /// stay behind the narrow interface.
    pub(crate) async fn run<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        self.writer.run(op).await
    }

    /// Blocking variant of [`Store::run`] for the command line (no runtime).
    pub(crate) fn run_blocking<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    {
        self.writer.run_blocking(op)
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        self.run(|tx| tx.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)))
            .await
            .is_ok()
    }

    /// Append an entry to the audit log of changes the bot made.
    pub async fn audit(&self, entry: AuditEntry) -> Result<(), StoreError> {
        self.run(move |tx| insert_audit(tx, &entry)).await
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

/// One change the bot made, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Who caused it: a login, `scheduler`, or `github` for webhook-driven bookkeeping.
    pub actor: String,
    /// What happened, e.g. `goal.add`, `installation.created`.
    pub action: String,
    /// What it happened to, e.g. `acme/app#12`.
    pub target: String,
    /// The item before the change (JSON or text), if any.
    pub before: Option<String>,
    /// The item after the change, if any.
    pub after: Option<String>,
    /// Where it came from: a delivery id, a comment id.
    pub source: Option<String>,
}

pub(crate) fn insert_audit(tx: &rusqlite::Connection, e: &AuditEntry) -> rusqlite::Result<()> {
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

/// Milliseconds since the Unix epoch, the store's time unit.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
