//! Opening the SQLite file and bringing its schema up to date. Migrations are
//! numbered SQL scripts applied in order, each once, recorded in
//! `schema_migrations`; adding one is adding a line to [`MIGRATIONS`].

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;

/// (version, SQL). Never edit a released migration; add a new one.
const MIGRATIONS: &[(u32, &str)] = &[
    (1, include_str!("migrations/0001_ingress.sql")),
    (2, include_str!("migrations/0002_lifecycle.sql")),
    (3, include_str!("migrations/0003_repo_configs.sql")),
    (4, include_str!("migrations/0004_serial_jobs_and_repos.sql")),
    (5, include_str!("migrations/0005_held_audit.sql")),
    (6, include_str!("migrations/0006_registry.sql")),
];

pub(super) fn open(path: &Path) -> Result<Connection, StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    let conn = Connection::open(path).map_err(open_err)?;
    // Before anything else: a second process opening the same new file
    // waits for the first to switch it to WAL instead of failing.
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(open_err)?;
    // WAL lets the `jobs` command and readers work while the server writes;
    // FULL makes each commit reach the disk before a delivery is acknowledged.
    // Checkpoints are not run inside commits (they would stall every waiting
    // delivery); a background thread runs them, see `checkpointer`.
    //
    // Two processes switching a new file to WAL at once can find each other
    // holding the lock the switch needs; SQLite answers "busy" at once
    // rather than waiting (it would deadlock), so the switch is tried again.
    let started = std::time::Instant::now();
    loop {
        match conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -2000;
             PRAGMA journal_size_limit = 67108864;
             PRAGMA wal_autocheckpoint = 0;",
        ) {
            Ok(()) => break,
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && started.elapsed() < std::time::Duration::from_secs(30) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => return Err(open_err(e)),
        }
    }
    migrate(&conn)?;
    Ok(conn)
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)",
    )?;
    for &(version, sql) in MIGRATIONS {
        let fail = |source| StoreError::Migration { version, source };
        // IMMEDIATE so two processes starting on one file do not both migrate.
        conn.execute_batch("BEGIN IMMEDIATE").map_err(fail)?;
        let done: bool = conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)",
                [version],
                |r| r.get(0),
            )
            .map_err(fail)?;
        let applied = if done {
            Ok(())
        } else {
            conn.execute_batch(sql).and_then(|()| {
                conn.execute(
                    "INSERT INTO schema_migrations (version, applied_ms) VALUES (?1, ?2)",
                    rusqlite::params![version, super::now_ms()],
                )
                .map(|_| ())
            })
        };
        match applied {
            Ok(()) => conn.execute_batch("COMMIT").map_err(fail)?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(fail(e));
            }
        }
    }
    Ok(())
}

/// Copy the WAL back into the database file ten times a second from a second
/// connection, in PASSIVE mode so the writer is never blocked. Stops when
/// `alive` turns false (the store's writer thread has ended).
pub(super) fn checkpointer(path: &Path, alive: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    let Ok(conn) = Connection::open(path) else {
        return;
    };
    let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
    let path = path.to_path_buf();
    let spawned = std::thread::Builder::new()
        .name("sprintbot-checkpoint".into())
        .spawn(move || {
            while alive.load(std::sync::atomic::Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(100));
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!(error = %e, database = %path.display(), "WAL checkpoint failed");
                }
            }
            // A last full checkpoint leaves a compact database behind.
            let _ = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "could not start the checkpoint thread");
    }
}
