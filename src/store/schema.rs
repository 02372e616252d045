//! Opening the SQLite file and bringing its schema up to date. Migrations are
//! numbered SQL scripts applied in order, each once, recorded in
//! `schema_migrations`; adding one is adding a line to [`MIGRATIONS`].

use std::path::Path;

use rusqlite::Connection;

use super::StoreError;

/// (version, SQL). Never edit a released migration; add a new one.
const MIGRATIONS: &[(u32, &str)] = &[(1, include_str!("migrations/0001_ingress.sql"))];

pub(super) fn open(path: &Path) -> Result<Connection, StoreError> {
    let open_err = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    let conn = Connection::open(path).map_err(open_err)?;
    // WAL lets the `jobs` command and readers work while the server writes;
    // FULL makes each commit reach the disk before a delivery is acknowledged.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -2000;",
    )
    .map_err(open_err)?;
    conn.busy_timeout(std::time::Duration::from_secs(30))
        .map_err(open_err)?;
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
