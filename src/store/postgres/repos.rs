//! What the store remembers about each repository: its config file as last
//! read from GitHub (text, ETag, blob sha), the last valid version of it,
//! and its current sprint issue. All of it can be rebuilt from GitHub; it
//! saves calls. Rows are found by GitHub's repository id when it is known,
//! so a renamed repository keeps its state, and by name otherwise.

use deadpool_postgres::GenericClient;

use super::{Postgres, exec, row_opt};
use crate::store::{CachedConfig, ForgetIf, OUTCOME_STEP_PREFIX, RepoKey, StoreError};

/// Make sure a row exists for `key`, renaming the row of its id if the
/// repository was renamed; returns the row's name.
async fn ensure_row(
    c: &impl GenericClient,
    key: &RepoKey,
) -> Result<String, tokio_postgres::Error> {
    let id = key.id.map(|i| i as i64);
    if let Some(id) = id {
        let existing: Option<String> =
            row_opt(c, "SELECT full_name FROM repos WHERE repo_id = $1", &[&id])
                .await?
                .map(|r| r.get(0));
        match existing {
            Some(name) if name == key.full_name => return Ok(name),
            Some(old) => {
                exec(
                    c,
                    "DELETE FROM repos WHERE full_name = $1 AND repo_id IS NULL",
                    &[&key.full_name],
                )
                .await?;
                exec(
                    c,
                    "UPDATE repos SET full_name = $2 WHERE full_name = $1",
                    &[&old, &key.full_name],
                )
                .await?;
                return Ok(key.full_name.clone());
            }
            None => {}
        }
    }
    exec(
        c,
        "INSERT INTO repos (full_name, repo_id) VALUES ($1, $2)
         ON CONFLICT (full_name) DO UPDATE SET repo_id = COALESCE(excluded.repo_id, repos.repo_id)",
        &[&key.full_name, &id],
    )
    .await?;
    Ok(key.full_name.clone())
}

pub(super) async fn set_current_issue(
    c: &impl GenericClient,
    repo: &str,
    issue: u64,
    sprint: &str,
) -> Result<(), tokio_postgres::Error> {
    let name = ensure_row(c, &RepoKey::named(repo)).await?;
    exec(
        c,
        "UPDATE repos SET current_issue = $2, current_sprint = $3 WHERE full_name = $1",
        &[&name, &(issue as i64), &sprint],
    )
    .await?;
    Ok(())
}

impl Postgres {
    /// The config file of a repository as last read, if it was ever read.
    pub async fn cached_config(&self, key: RepoKey) -> Result<Option<CachedConfig>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let name = ensure_row(&tx, &key).await?;
        let found = row_opt(
            &tx,
            "SELECT config_source, config_etag, config_sha, config_read_ms FROM repos
             WHERE full_name = $1 AND config_read_ms IS NOT NULL",
            &[&name],
        )
        .await?
        .map(|r| CachedConfig {
            source: r.get(0),
            etag: r.get(1),
            sha: r.get(2),
            read_ms: r.get(3),
        });
        tx.commit().await?;
        Ok(found)
    }

    /// Remember a config file as read just now (or that there is none).
    pub async fn cache_config(&self, key: RepoKey, config: CachedConfig) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let name = ensure_row(&tx, &key).await?;
        exec(
            &tx,
            "UPDATE repos SET config_source = $2, config_etag = $3, config_sha = $4, config_read_ms = $5
             WHERE full_name = $1",
            &[&name, &config.source, &config.etag, &config.sha, &config.read_ms],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Mark a repository's cached config as stale (a push changed it).
    pub async fn forget_config(&self, key: RepoKey) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let name = ensure_row(&tx, &key).await?;
        exec(
            &tx,
            "UPDATE repos SET config_read_ms = NULL WHERE full_name = $1",
            &[&name],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keep `source` as the last valid config of `repo`.
    pub async fn save_good_config(&self, repo: &str, source: &str) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let name = ensure_row(&tx, &RepoKey::named(repo)).await?;
        exec(
            &tx,
            "UPDATE repos SET good_source = $2 WHERE full_name = $1",
            &[&name, &source],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The last valid config of `repo`, if one was ever seen.
    pub async fn good_config(&self, repo: &str) -> Result<Option<String>, StoreError> {
        let client = self.client().await?;
        Ok(row_opt(
            &client,
            "SELECT good_source FROM repos WHERE full_name = $1",
            &[&repo],
        )
        .await?
        .and_then(|r| r.get(0)))
    }

    /// The repository's current sprint issue as last seen: (number, sprint).
    pub async fn current_issue(&self, repo: &str) -> Result<Option<(u64, String)>, StoreError> {
        let client = self.client().await?;
        Ok(row_opt(
            &client,
            "SELECT current_issue, current_sprint FROM repos
             WHERE full_name = $1 AND current_issue IS NOT NULL",
            &[&repo],
        )
        .await?
        .map(|r| (r.get::<_, i64>(0) as u64, r.get(1))))
    }

    /// Remember the repository's current sprint issue.
    pub async fn set_current_issue(
        &self,
        repo: &str,
        issue: u64,
        sprint: &str,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        set_current_issue(&tx, repo, issue, sprint).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Forget the current sprint issue (it was closed or changed by hand)
    /// and the outcomes recorded about the repository's sprints, when
    /// `condition` holds; whether it held.
    pub async fn forget_current_issue_if(
        &self,
        repo: &str,
        condition: ForgetIf,
    ) -> Result<bool, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let forget = "UPDATE repos SET current_issue = NULL, current_sprint = NULL
                      WHERE full_name = $1";
        let changed = match condition {
            ForgetIf::Always => exec(&tx, forget, &[&repo]).await?,
            ForgetIf::NotCurrent(n) => {
                let sql = format!("{forget} AND current_issue IS DISTINCT FROM $2");
                exec(&tx, &sql, &[&repo, &(n as i64)]).await?
            }
            ForgetIf::CurrentOrUnknown(n) => {
                let sql = format!("{forget} AND (current_issue IS NULL OR current_issue = $2)");
                exec(&tx, &sql, &[&repo, &(n as i64)]).await?
            }
        };
        if changed == 0 && condition != ForgetIf::Always {
            return Ok(false);
        }
        let outcomes = format!("{OUTCOME_STEP_PREFIX}%");
        exec(
            &tx,
            "DELETE FROM rollover_steps WHERE repo = $1 AND step LIKE $2",
            &[&repo, &outcomes],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
