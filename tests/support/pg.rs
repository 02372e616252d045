//! A PostgreSQL database of its own for each test. `TestDb::create()` makes
//! a fresh, uniquely named database on the server that
//! `SPRINTBOT_TEST_POSTGRES_URL` names (the machine's own server when it is
//! unset), `db.url()` is what to hand `Store::connect` (as often as a test
//! wants replicas), and dropping the `TestDb` drops the database, closing
//! whatever connections are still open on it.
//!
//! There is no skipping: without a server the test panics and says how to
//! point it at one, so a green run always means PostgreSQL was tested.

use std::sync::atomic::{AtomicU32, Ordering};

use tokio_postgres::NoTls;

/// The variable naming the server (any database on it that the role can
/// connect to; the role must be allowed to create databases).
pub const URL_VAR: &str = "SPRINTBOT_TEST_POSTGRES_URL";

/// The server this machine runs, with trust authentication on loopback.
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database created for one test and dropped with it.
pub struct TestDb {
    server: String,
    name: String,
    url: String,
}

impl TestDb {
    /// Create a fresh database; panics, saying what to do, when no
    /// PostgreSQL server answers.
    pub fn create() -> TestDb {
        static COUNT: AtomicU32 = AtomicU32::new(0);
        let server = std::env::var(URL_VAR).unwrap_or_else(|_| DEFAULT_URL.to_string());
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "sprintbot_test_{}_{}_{nanos}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        );
        if let Err(e) = admin(&server, format!("CREATE DATABASE {name}")) {
            panic!(
                "these tests need PostgreSQL, and creating a database on {} failed: {e}\n\
                 Start a server, or set {URL_VAR} to one whose role may create databases, \
                 e.g. {URL_VAR}=postgres://user:password@host:5432/postgres",
                redacted(&server)
            );
        }
        let url = with_database(&server, &name);
        TestDb { server, name, url }
    }

    /// The URL of this test's database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Make the database unreachable (new connections refused, open ones
    /// cut) or reachable again, as an outage or failover would.
    pub fn set_reachable(&self, reachable: bool) {
        if reachable {
            let sql = format!("ALTER DATABASE {} ALLOW_CONNECTIONS true", self.name);
            admin(&self.server, sql).unwrap();
            return;
        }
        let refuse = format!("ALTER DATABASE {} ALLOW_CONNECTIONS false", self.name);
        admin(&self.server, refuse).unwrap();
        // A connection that was being set up when connections were refused
        // may finish after the first cut: cut again until none can be left.
        for _ in 0..5 {
            let cut = format!(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}'",
                self.name
            );
            admin(&self.server, cut).unwrap();
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(e) = admin(&self.server, sql) {
            eprintln!("could not drop the test database {}: {e}", self.name);
        }
    }
}

/// Run one statement on the server from a thread with its own runtime:
/// callers may be inside an async test (or in `Drop`) and cannot block on
/// its runtime.
fn admin(server: &str, sql: String) -> Result<(), String> {
    let server = server.to_string();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        runtime.block_on(async move {
            let (client, connection) = tokio_postgres::connect(&server, NoTls)
                .await
                .map_err(|e| describe(&e))?;
            tokio::spawn(connection);
            client.batch_execute(&sql).await.map_err(|e| describe(&e))
        })
    })
    .join()
    .map_err(|_| "the thread talking to PostgreSQL panicked".to_string())?
}

/// An error with its causes (tokio-postgres keeps the server's words there).
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    text
}

/// `url` with its database replaced by `name` (query options kept).
fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let authority = before_query.split('/').next().unwrap_or_default();
    match query {
        Some(q) => format!("{scheme}://{authority}/{name}?{q}"),
        None => format!("{scheme}://{authority}/{name}"),
    }
}

/// The server URL without its password, for messages.
fn redacted(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((user, host)) => {
                let user = user.split(':').next().unwrap_or_default();
                format!("{scheme}://{user}@{host}")
            }
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}
