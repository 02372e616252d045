//! The shared backend: one PostgreSQL database behind several replicas.
//! Each operation takes a pooled connection and runs as one transaction, so
//! it commits before it returns, as on SQLite. What replicas could race on
//! is decided by the database: jobs are claimed one claim at a time under an
//! advisory lock (`jobs.rs`), leases and write slots are single atomic
//! upserts, and times that decide between replicas (claims, leases) come
//! from the database's clock, never a replica's. Scheduler leadership is a
//! session advisory lock on a dedicated connection (`leader.rs`).

/// The database's clock in milliseconds since the Unix epoch, as SQL: the
/// one clock every replica agrees on.
macro_rules! db_now_ms {
    () => {
        "(extract(epoch from clock_timestamp()) * 1000)::bigint"
    };
}

mod audit;
mod claim;
mod deliveries;
mod held;
mod jobs;
mod leader;
mod lifecycle;
mod limits;
mod queue;
mod registry;
mod repos;
mod schema;

use std::time::Duration;

use deadpool_postgres::{
    GenericClient, Manager, ManagerConfig, Pool, PoolError, RecyclingMethod, Runtime,
};
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

pub use leader::Leader;

use super::{AuditEntry, StoreError};

/// Connections one process keeps open at most: workers, the webhook edge
/// and the scheduler share them; a claim or a write holds one briefly.
const POOL_SIZE: usize = 16;

// Advisory lock keys: fixed numbers no other lock of ours uses (the high
// half spells "sprt"), one per thing the replicas take turns at.
/// Migrations: one replica at a time brings the schema up to date.
const MIGRATION_LOCK: i64 = 0x7370_7274_0000_0001;
/// Claims: one claim decision at a time, so serial keys and tenant caps
/// hold across replicas.
const CLAIM_LOCK: i64 = 0x7370_7274_0000_0002;
/// Scheduler leadership, held by the leader's session.
const LEADER_LOCK: i64 = 0x7370_7274_0000_0003;

/// How long to wait for the server before saying it is unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an operation waits for one of the pool's connections.
const POOL_WAIT: Duration = Duration::from_secs(30);

/// How long `/readyz` waits for the database's answer.
const PING_TIMEOUT: Duration = Duration::from_secs(3);

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> StoreError {
        StoreError::Database(describe(&e))
    }
}

impl From<PoolError> for StoreError {
    fn from(e: PoolError) -> StoreError {
        match e {
            PoolError::Backend(e) => StoreError::Database(describe(&e)),
            PoolError::Closed => StoreError::Closed,
            e => StoreError::Database(e.to_string()),
        }
    }
}

/// An error with its causes: tokio-postgres says "db error" and keeps the
/// server's message in the source.
pub(super) fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}

/// The PostgreSQL store.
#[derive(Clone)]
pub struct Postgres {
    pool: Pool,
    /// For connections outside the pool (the leader's).
    config: std::sync::Arc<tokio_postgres::Config>,
}

impl Postgres {
    /// Connect to the database `url` names and bring its schema up to date.
    /// An unreachable server is an [`StoreError::Open`] naming the user,
    /// host and database, never the password.
    pub async fn connect(url: &str) -> Result<Postgres, StoreError> {
        let mut config = url.parse::<tokio_postgres::Config>().map_err(|e| StoreError::Url(format!(
            "the PostgreSQL URL cannot be read ({}): give postgres://user:password@host:port/database",
            describe(&e)
        )))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(CONNECT_TIMEOUT + Duration::from_secs(1)))
            // Waiting longer for a free connection means something is
            // stuck: fail the operation (it is retried) rather than hang.
            .wait_timeout(Some(POOL_WAIT))
            .build()
            .map_err(|e| StoreError::Open {
                what: schema::location(&config),
                message: e.to_string(),
            })?;
        let store = Postgres {
            pool,
            config: std::sync::Arc::new(config),
        };
        let mut client = store.pool.get().await.map_err(|e| StoreError::Open {
            what: schema::location(&store.config),
            message: match e {
                PoolError::Backend(e) => describe(&e),
                e => e.to_string(),
            },
        })?;
        schema::migrate(&mut client).await?;
        Ok(store)
    }

    /// A connection from the pool.
    pub(super) async fn client(&self) -> Result<deadpool_postgres::Object, StoreError> {
        Ok(self.pool.get().await?)
    }

    /// Take scheduler leadership unless another session holds it.
    pub async fn try_lead(&self) -> Result<Option<Leader>, StoreError> {
        Leader::try_take(&self.config).await
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        let ping = async {
            match self.client().await {
                Ok(client) => client.simple_query("SELECT 1").await.is_ok(),
                Err(_) => false,
            }
        };
        tokio::time::timeout(PING_TIMEOUT, ping)
            .await
            .unwrap_or(false)
    }

    /// Append an entry to the audit log of changes the bot made.
    pub async fn audit(&self, entry: AuditEntry) -> Result<(), StoreError> {
        let client = self.client().await?;
        audit::insert_audit(&client, &entry).await?;
        Ok(())
    }

    /// Audit entries, oldest first, optionally only those of one action.
    pub async fn audit_entries(
        &self,
        action: Option<String>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let client = self.client().await?;
        let rows = rows(
            &client,
            "SELECT actor, action, target, before, after, source FROM audit_log
             WHERE held_prefix IS NULL AND ($1::text IS NULL OR action = $1) ORDER BY id",
            &[&action],
        )
        .await?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                actor: r.get(0),
                action: r.get(1),
                target: r.get(2),
                before: r.get(3),
                after: r.get(4),
                source: r.get(5),
            })
            .collect())
    }
}

/// SQL parameters, as tokio-postgres takes them.
pub(super) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// Run a statement (prepared once per connection); how many rows it changed.
pub(super) async fn exec(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> Result<u64, tokio_postgres::Error> {
    let stmt = c.prepare_cached(sql).await?;
    c.execute(&stmt, params).await
}

/// Every row a query returns.
pub(super) async fn rows(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> Result<Vec<Row>, tokio_postgres::Error> {
    let stmt = c.prepare_cached(sql).await?;
    c.query(&stmt, params).await
}

/// The row a query returns, if any (at most one is expected).
pub(super) async fn row_opt(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> Result<Option<Row>, tokio_postgres::Error> {
    let stmt = c.prepare_cached(sql).await?;
    c.query_opt(&stmt, params).await
}

/// The one row a query returns.
pub(super) async fn row(
    c: &impl GenericClient,
    sql: &str,
    params: Params<'_>,
) -> Result<Row, tokio_postgres::Error> {
    let stmt = c.prepare_cached(sql).await?;
    c.query_one(&stmt, params).await
}
