//! The registry of installations and their repositories, kept current by
//! `installation` and `installation_repositories` webhooks: which
//! installations exist and are suspended, which repositories each has, and
//! (with the config cache in `repos.rs`) which of them run sprints. The
//! scheduler works from this alone, so an idle tick makes no GitHub call.

use deadpool_postgres::GenericClient;

use super::audit::insert_audit;
use super::{Postgres, exec, row_opt, rows};
use crate::store::{
    AuditEntry, EnabledRepo, InstallationChange, InstallationRow, StoreError, now_ms,
};

pub(super) async fn apply_installation(
    c: &impl GenericClient,
    change: &InstallationChange,
) -> Result<(), tokio_postgres::Error> {
    let id = change.installation as i64;
    if change.action == "deleted" {
        exec(c, "DELETE FROM repos WHERE installation_id = $1", &[&id]).await?;
        exec(c, "DELETE FROM installations WHERE id = $1", &[&id]).await?;
    } else {
        exec(
            c,
            "INSERT INTO installations (id, account, suspended) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET account = excluded.account, suspended = excluded.suspended",
            &[&id, &change.account, &change.suspended],
        )
        .await?;
        for (repo_id, name) in &change.added {
            let repo_id = *repo_id as i64;
            let renamed: Option<String> = row_opt(
                c,
                "SELECT full_name FROM repos WHERE repo_id = $1",
                &[&repo_id],
            )
            .await?
            .map(|r| r.get(0));
            if let Some(old) = renamed.filter(|old| old != name) {
                exec(c, "DELETE FROM repos WHERE full_name = $1", &[name]).await?;
                exec(
                    c,
                    "UPDATE repos SET full_name = $2 WHERE full_name = $1",
                    &[&old, name],
                )
                .await?;
            }
            exec(
                c,
                "INSERT INTO repos (full_name, repo_id, installation_id) VALUES ($1, $2, $3)
                 ON CONFLICT (full_name) DO UPDATE SET repo_id = excluded.repo_id,
                   installation_id = excluded.installation_id",
                &[name, &repo_id, &id],
            )
            .await?;
        }
        for (repo_id, name) in &change.removed {
            exec(
                c,
                "DELETE FROM repos WHERE repo_id = $1 OR full_name = $2",
                &[&(*repo_id as i64), name],
            )
            .await?;
        }
    }
    let names = |v: &[(u64, String)]| v.iter().map(|(_, n)| n.clone()).collect::<Vec<_>>();
    let entry = AuditEntry {
        actor: "github".into(),
        action: format!("installation.{}", change.action),
        target: format!("installation {} ({})", change.installation, change.account),
        before: None,
        after: (!change.added.is_empty() || !change.removed.is_empty()).then(|| {
            format!(
                "added: {:?}, removed: {:?}",
                names(&change.added),
                names(&change.removed)
            )
        }),
        source: change.source.clone(),
    };
    insert_audit(c, &entry).await
}

impl Postgres {
    /// Record an installation and (when given) replace or extend its repositories.
    pub async fn record_installation(&self, change: InstallationChange) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        apply_installation(&tx, &change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Repositories (`owner/name`) known for an installation, sorted.
    pub async fn repositories(&self, installation: u64) -> Result<Vec<String>, StoreError> {
        let client = self.client().await?;
        let found = rows(
            &client,
            "SELECT full_name FROM repos WHERE installation_id = $1 ORDER BY full_name",
            &[&(installation as i64)],
        )
        .await?;
        Ok(found.iter().map(|r| r.get(0)).collect())
    }

    /// Every installation.
    pub async fn installations(&self) -> Result<Vec<InstallationRow>, StoreError> {
        let client = self.client().await?;
        let found = rows(
            &client,
            "SELECT id, account, suspended, discovered_ms IS NOT NULL FROM installations ORDER BY id",
            &[],
        )
        .await?;
        Ok(found
            .iter()
            .map(|r| InstallationRow {
                id: r.get::<_, i64>(0) as u64,
                account: r.get(1),
                suspended: r.get(2),
                discovered: r.get(3),
            })
            .collect())
    }

    /// Record that an installation's repositories were listed and read.
    pub async fn mark_discovered(&self, installation: u64) -> Result<(), StoreError> {
        let client = self.client().await?;
        exec(
            &client,
            "UPDATE installations SET discovered_ms = $2 WHERE id = $1",
            &[&(installation as i64), &now_ms()],
        )
        .await?;
        Ok(())
    }

    /// Repositories of an installation whose config was never read.
    pub async fn unread_repos(
        &self,
        installation: u64,
    ) -> Result<Vec<(String, Option<u64>)>, StoreError> {
        let client = self.client().await?;
        let found = rows(
            &client,
            "SELECT full_name, repo_id FROM repos
             WHERE installation_id = $1 AND config_read_ms IS NULL ORDER BY full_name",
            &[&(installation as i64)],
        )
        .await?;
        Ok(found
            .iter()
            .map(|r| (r.get(0), r.get::<_, Option<i64>>(1).map(|i| i as u64)))
            .collect())
    }

    /// Repositories with a config file, of installations not suspended.
    pub async fn enabled_repos(&self) -> Result<Vec<EnabledRepo>, StoreError> {
        let client = self.client().await?;
        // ILIKE: SQLite's LIKE ignores ASCII case, and so must this.
        let found = rows(
            &client,
            "SELECT r.full_name, r.repo_id, r.installation_id, r.config_read_ms, r.current_sprint
             FROM repos r JOIN installations i ON i.id = r.installation_id
             WHERE r.config_source IS NOT NULL AND NOT i.suspended
               AND r.full_name NOT ILIKE '%/.github'
             ORDER BY r.full_name",
            &[],
        )
        .await?;
        Ok(found
            .iter()
            .map(|r| EnabledRepo {
                full_name: r.get(0),
                repo_id: r.get::<_, Option<i64>>(1).map(|i| i as u64),
                installation: r.get::<_, i64>(2) as u64,
                read_ms: r.get::<_, Option<i64>>(3).unwrap_or(0),
                current_sprint: r.get(4),
            })
            .collect())
    }
}
