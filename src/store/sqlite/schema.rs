//! Opening the SQLite file and bringing its schema up to date. Migrations are
//! numbered SQL scripts applied in order, each once, recorded in
//! `schema_migrations`; they are listed in `store/migrations.rs`.

use std::path::Path;

use rusqlite::Connection;

use crate::store::StoreError;

pub(super) fn open(path: &Path) -> Result<Connection, StoreError> {
    let open_err = |source: rusqlite::Error| StoreError::Open {
        what: path.display().to_string(),
        message: source.to_string(),
    };
    private_files(path).map_err(|e| StoreError::Open {
        what: path.display().to_string(),
        message: e.to_string(),
    })?;
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
    // Every store operation runs in its own savepoint, and SQLite keeps the
    // original of each page a savepoint changes in a sub-journal: a temporary
    // file by default, one write(2) per page, the writer thread's largest cost
    // per delivery. In memory they cost a copy; they only ever serve a
    // rollback inside the open transaction, never recovery.
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
             PRAGMA temp_store = MEMORY;
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

/// The file holds private issue text: create it readable by its owner
/// alone (SQLite gives its `-wal` and `-shm` the database file's mode), and
/// take group and other access away from an existing file and its companions.
fn private_files(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    if path.as_os_str() == ":memory:" || path.as_os_str().is_empty() {
        return Ok(());
    }
    if !path.exists() {
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => return Ok(()),
            // Another process created it first: tighten it below.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
    }
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        let file = Path::new(&name);
        let Ok(meta) = std::fs::metadata(file) else {
            continue;
        };
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            match std::fs::set_permissions(file, std::fs::Permissions::from_mode(mode & 0o700)) {
                Ok(()) => {
                    tracing::info!(file = %file.display(), "made the database file readable by its owner only")
                }
                Err(e) => {
                    tracing::warn!(file = %file.display(), error = %e, "the database file is readable by others and could not be changed")
                }
            }
        }
    }
    Ok(())
}

fn migrate(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_ms INTEGER NOT NULL)",
    )?;
    for &(version, sql) in crate::store::migrations::SQLITE {
        let fail = |source: rusqlite::Error| StoreError::Migration {
            version,
            message: source.to_string(),
        };
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
                    rusqlite::params![version, crate::store::now_ms()],
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

#[cfg(test)]
mod tests {
    use super::*;

    fn opened() -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let conn = open(&dir.path().join("store.db")).unwrap();
        (dir, conn)
    }

    #[test]
    fn savepoint_journals_stay_in_memory() {
        let (_dir, conn) = opened();
        // 2 = MEMORY: no temporary file is written per changed page.
        let temp: i64 = conn
            .query_row("PRAGMA temp_store", [], |r| r.get(0))
            .unwrap();
        assert_eq!(temp, 2);
    }

    #[test]
    fn a_dedupe_key_has_one_index_which_serves_prefix_lookups() {
        let (_dir, conn) = opened();
        let indexes: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs'")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            !indexes.iter().any(|i| i == "jobs_dedupe_prefix"),
            "{indexes:?}"
        );
        let plan: Vec<String> = conn
            .prepare(
                "EXPLAIN QUERY PLAN SELECT dedupe_key FROM jobs
                 WHERE dedupe_key >= ?1 AND substr(dedupe_key, 1, length(?1)) = ?1",
            )
            .unwrap()
            .query_map(["comment/a/b/1/"], |r| r.get(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            plan.iter()
                .any(|step| step.contains("INDEX sqlite_autoindex_jobs")),
            "{plan:?}"
        );
    }
}
