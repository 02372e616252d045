//! Bringing the PostgreSQL schema up to date, and naming the database in
//! errors. Migrations are listed in `store/migrations.rs`; each is applied
//! once, in its own transaction, recorded in `schema_migrations`. Replicas
//! starting together take turns under one advisory lock, so none applies a
//! migration another is applying or has applied.

use tokio_postgres::config::Host;

use super::MIGRATION_LOCK;
use crate::store::{StoreError, now_ms};

pub(super) async fn migrate(client: &mut deadpool_postgres::Client) -> Result<(), StoreError> {
    // Two sessions creating one table at once can both fail; under the lock
    // only one creates it.
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_ms BIGINT NOT NULL)",
    )
    .await?;
    tx.commit().await?;
    for &(version, sql) in crate::store::migrations::POSTGRES {
        apply(client, version, sql)
            .await
            .map_err(|e| StoreError::Migration {
                version,
                message: super::describe(&e),
            })?;
    }
    Ok(())
}

/// Apply one migration unless it was applied before.
async fn apply(
    client: &mut deadpool_postgres::Client,
    version: u32,
    sql: &str,
) -> Result<(), tokio_postgres::Error> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    let done: bool = tx
        .query_one(
            "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = $1)",
            &[&i64::from(version)],
        )
        .await?
        .get(0);
    if !done {
        tx.batch_execute(sql).await?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_ms) VALUES ($1, $2)",
            &[&i64::from(version), &now_ms()],
        )
        .await?;
    }
    tx.commit().await
}

/// The database a configuration names, for messages: user, hosts, ports
/// and database name, never the password.
pub(super) fn location(config: &tokio_postgres::Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let name = match host {
                Host::Tcp(name) => name.clone(),
                Host::Unix(path) => path.display().to_string(),
            };
            let port = config
                .get_ports()
                .get(i)
                .or(config.get_ports().first())
                .map(|p| format!(":{p}"))
                .unwrap_or_default();
            format!("{name}{port}")
        })
        .collect();
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    format!(
        "postgres://{user}{}/{}",
        hosts.join(","),
        config.get_dbname().unwrap_or_default()
    )
}
