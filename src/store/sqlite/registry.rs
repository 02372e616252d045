//! The registry of installations and their repositories, kept current by
//! `installation` and `installation_repositories` webhooks: which
//! installations exist and are suspended, which repositories each has, and
//! (with the config cache in `repos.rs`) which of them run sprints. The
//! scheduler works from this alone, so an idle tick makes no GitHub call.

use rusqlite::{Connection, OptionalExtension, params};

use super::Sqlite;
use super::audit::insert_audit;
use crate::store::{
    AuditEntry, EnabledRepo, InstallationChange, InstallationRow, StoreError, now_ms,
};

pub(super) fn apply_installation(tx: &Connection, c: &InstallationChange) -> rusqlite::Result<()> {
    let id = c.installation as i64;
    if c.action == "deleted" {
        tx.execute("DELETE FROM repos WHERE installation_id = ?1", [id])?;
        tx.execute("DELETE FROM installations WHERE id = ?1", [id])?;
    } else {
        tx.execute(
            "INSERT INTO installations (id, account, suspended) VALUES (?1, ?2, ?3)
             ON CONFLICT(id) DO UPDATE SET account = excluded.account, suspended = excluded.suspended",
            params![id, c.account, c.suspended],
        )?;
        for (repo_id, name) in &c.added {
            let renamed: Option<String> = tx
                .query_row(
                    "SELECT full_name FROM repos WHERE repo_id = ?1",
                    [*repo_id as i64],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(old) = renamed.filter(|old| old != name) {
                tx.execute("DELETE FROM repos WHERE full_name = ?1", [name])?;
                tx.execute(
                    "UPDATE repos SET full_name = ?2 WHERE full_name = ?1",
                    params![old, name],
                )?;
            }
            tx.execute(
                "INSERT INTO repos (full_name, repo_id, installation_id) VALUES (?1, ?2, ?3)
                 ON CONFLICT(full_name) DO UPDATE SET repo_id = excluded.repo_id,
                   installation_id = excluded.installation_id",
                params![name, *repo_id as i64, id],
            )?;
        }
        for (repo_id, name) in &c.removed {
            tx.execute(
                "DELETE FROM repos WHERE repo_id = ?1 OR full_name = ?2",
                params![*repo_id as i64, name],
            )?;
        }
    }
    let names = |v: &[(u64, String)]| v.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>();
    insert_audit(
        tx,
        &AuditEntry {
            actor: "github".into(),
            action: format!("installation.{}", c.action),
            target: format!("installation {} ({})", c.installation, c.account),
            before: None,
            after: (!c.added.is_empty() || !c.removed.is_empty()).then(|| {
                format!(
                    "added: {:?}, removed: {:?}",
                    names(&c.added),
                    names(&c.removed)
                )
            }),
            source: c.source.clone(),
        },
    )
}

impl Sqlite {
    /// Record an installation and (when given) replace or extend its repositories.
    pub async fn record_installation(&self, change: InstallationChange) -> Result<(), StoreError> {
        self.run(move |tx| apply_installation(tx, &change)).await
    }

    /// Repositories (`owner/name`) known for an installation, sorted.
    pub async fn repositories(&self, installation: u64) -> Result<Vec<String>, StoreError> {
        self.run(move |tx| {
            let mut stmt = tx.prepare(
                "SELECT full_name FROM repos WHERE installation_id = ?1 ORDER BY full_name",
            )?;
            let rows = stmt.query_map([installation as i64], |r| r.get(0))?;
            rows.collect()
        })
        .await
    }

    /// Every installation.
    pub async fn installations(&self) -> Result<Vec<InstallationRow>, StoreError> {
        self.run(|tx| {
            let mut stmt = tx.prepare(
                "SELECT id, account, suspended, discovered_ms IS NOT NULL FROM installations ORDER BY id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(InstallationRow {
                    id: r.get::<_, i64>(0)? as u64,
                    account: r.get(1)?,
                    suspended: r.get(2)?,
                    discovered: r.get(3)?,
                })
            })?;
            rows.collect()
        })
        .await
    }

    /// Record that an installation's repositories were listed and read.
    pub async fn mark_discovered(&self, installation: u64) -> Result<(), StoreError> {
        self.run(move |tx| {
            tx.execute(
                "UPDATE installations SET discovered_ms = ?2 WHERE id = ?1",
                params![installation as i64, now_ms()],
            )?;
            Ok(())
        })
        .await
    }

    /// Repositories of an installation whose config was never read.
    pub async fn unread_repos(
        &self,
        installation: u64,
    ) -> Result<Vec<(String, Option<u64>)>, StoreError> {
        self.run(move |tx| {
            let mut stmt = tx.prepare(
                "SELECT full_name, repo_id FROM repos
                 WHERE installation_id = ?1 AND config_read_ms IS NULL ORDER BY full_name",
            )?;
            let rows = stmt.query_map([installation as i64], |r| {
                Ok((r.get(0)?, r.get::<_, Option<i64>>(1)?.map(|i| i as u64)))
            })?;
            rows.collect()
        })
        .await
    }

    /// Repositories with a config file, of installations not suspended.
    pub async fn enabled_repos(&self) -> Result<Vec<EnabledRepo>, StoreError> {
        self.run(|tx| {
            let mut stmt = tx.prepare(
                "SELECT r.full_name, r.repo_id, r.installation_id, r.config_read_ms, r.current_sprint
                 FROM repos r JOIN installations i ON i.id = r.installation_id
                 WHERE r.config_source IS NOT NULL AND i.suspended = 0
                   AND r.full_name NOT LIKE '%/.github'
                 ORDER BY r.full_name",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(EnabledRepo {
                    full_name: r.get(0)?,
                    repo_id: r.get::<_, Option<i64>>(1)?.map(|i| i as u64),
                    installation: r.get::<_, i64>(2)? as u64,
                    read_ms: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
                    current_sprint: r.get(4)?,
                })
            })?;
            rows.collect()
        })
        .await
    }
}
