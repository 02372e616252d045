//! What the store remembers about each repository: its config file as last
//! read from GitHub (text, ETag, blob sha), the last valid version of it,
//! and its current sprint issue. All of it can be rebuilt from GitHub; it
//! saves calls. Rows are found by GitHub's repository id when it is known,
//! so a renamed repository keeps its state, and by name otherwise.

use rusqlite::{Connection, OptionalExtension, params};

use super::Sqlite;
use crate::store::{CachedConfig, ForgetIf, OUTCOME_STEP_PREFIX, RepoKey, StoreError};

/// Make sure a row exists for `key`, renaming the row of its id if the
/// repository was renamed; returns the row's name.
fn row(conn: &Connection, key: &RepoKey) -> rusqlite::Result<String> {
    if let Some(id) = key.id {
        let existing: Option<String> = conn
            .query_row(
                "SELECT full_name FROM repos WHERE repo_id = ?1",
                [id as i64],
                |r| r.get(0),
            )
            .optional()?;
        match existing {
            Some(name) if name == key.full_name => return Ok(name),
            Some(old) => {
                conn.execute(
                    "DELETE FROM repos WHERE full_name = ?1 AND repo_id IS NULL",
                    [&key.full_name],
                )?;
                conn.execute(
                    "UPDATE repos SET full_name = ?2 WHERE full_name = ?1",
                    params![old, key.full_name],
                )?;
                return Ok(key.full_name.clone());
            }
            None => {}
        }
    }
    conn.execute(
        "INSERT INTO repos (full_name, repo_id) VALUES (?1, ?2)
         ON CONFLICT(full_name) DO UPDATE SET repo_id = COALESCE(excluded.repo_id, repo_id)",
        params![key.full_name, key.id.map(|i| i as i64)],
    )?;
    Ok(key.full_name.clone())
}

pub(super) fn set_current_issue(
    conn: &Connection,
    repo: &str,
    issue: u64,
    sprint: &str,
) -> rusqlite::Result<()> {
    let name = row(conn, &RepoKey::named(repo))?;
    conn.execute(
        "UPDATE repos SET current_issue = ?2, current_sprint = ?3 WHERE full_name = ?1",
        params![name, issue as i64, sprint],
    )?;
    Ok(())
}

impl Sqlite {
    /// The config file of a repository as last read, if it was ever read.
    pub async fn cached_config(&self, key: RepoKey) -> Result<Option<CachedConfig>, StoreError> {
        self.run(move |conn| {
            let name = row(conn, &key)?;
            conn.query_row(
                "SELECT config_source, config_etag, config_sha, config_read_ms FROM repos
                 WHERE full_name = ?1 AND config_read_ms IS NOT NULL",
                [name],
                |r| {
                    Ok(CachedConfig {
                        source: r.get(0)?,
                        etag: r.get(1)?,
                        sha: r.get(2)?,
                        read_ms: r.get(3)?,
                    })
                },
            )
            .optional()
        })
        .await
    }

    /// Remember a config file as read just now (or that there is none).
    pub async fn cache_config(&self, key: RepoKey, config: CachedConfig) -> Result<(), StoreError> {
        self.run(move |conn| {
            let name = row(conn, &key)?;
            conn.execute(
                "UPDATE repos SET config_source = ?2, config_etag = ?3, config_sha = ?4, config_read_ms = ?5
                 WHERE full_name = ?1",
                params![name, config.source, config.etag, config.sha, config.read_ms],
            )?;
            Ok(())
        })
        .await
    }

    /// Mark a repository's cached config as stale (a push changed it).
    pub async fn forget_config(&self, key: RepoKey) -> Result<(), StoreError> {
        self.run(move |conn| {
            let name = row(conn, &key)?;
            conn.execute(
                "UPDATE repos SET config_read_ms = NULL WHERE full_name = ?1",
                [name],
            )?;
            Ok(())
        })
        .await
    }

    /// Keep `source` as the last valid config of `repo`.
    pub async fn save_good_config(&self, repo: &str, source: &str) -> Result<(), StoreError> {
        let (key, source) = (RepoKey::named(repo), source.to_string());
        self.run(move |conn| {
            let name = row(conn, &key)?;
            conn.execute(
                "UPDATE repos SET good_source = ?2 WHERE full_name = ?1",
                params![name, source],
            )?;
            Ok(())
        })
        .await
    }

    /// The last valid config of `repo`, if one was ever seen.
    pub async fn good_config(&self, repo: &str) -> Result<Option<String>, StoreError> {
        let repo = repo.to_string();
        self.run(move |conn| {
            conn.query_row(
                "SELECT good_source FROM repos WHERE full_name = ?1",
                [repo],
                |r| r.get(0),
            )
            .optional()
            .map(Option::flatten)
        })
        .await
    }

    /// The repository's current sprint issue as last seen: (number, sprint).
    pub async fn current_issue(&self, repo: &str) -> Result<Option<(u64, String)>, StoreError> {
        let repo = repo.to_string();
        self.run(move |conn| {
            conn.query_row(
                "SELECT current_issue, current_sprint FROM repos
                 WHERE full_name = ?1 AND current_issue IS NOT NULL",
                [repo],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)),
            )
            .optional()
        })
        .await
    }

    /// Remember the repository's current sprint issue.
    pub async fn set_current_issue(
        &self,
        repo: &str,
        issue: u64,
        sprint: &str,
    ) -> Result<(), StoreError> {
        let (repo, sprint) = (repo.to_string(), sprint.to_string());
        self.run(move |conn| set_current_issue(conn, &repo, issue, &sprint))
            .await
    }

    /// Forget the current sprint issue (it was closed or changed by hand)
    /// and the outcomes recorded about the repository's sprints, when
    /// `condition` holds; whether it held.
    pub async fn forget_current_issue_if(
        &self,
        repo: &str,
        condition: ForgetIf,
    ) -> Result<bool, StoreError> {
        let repo = repo.to_string();
        self.run(move |conn| {
            let forget = "UPDATE repos SET current_issue = NULL, current_sprint = NULL
                          WHERE full_name = ?1";
            // One savepoint (see `writer.rs`): both or neither.
            let changed = match condition {
                ForgetIf::Always => conn.execute(forget, [&repo])?,
                ForgetIf::NotCurrent(n) => conn.execute(
                    &format!("{forget} AND current_issue IS NOT ?2"),
                    params![repo, n as i64],
                )?,
                ForgetIf::CurrentOrUnknown(n) => conn.execute(
                    &format!("{forget} AND (current_issue IS NULL OR current_issue = ?2)"),
                    params![repo, n as i64],
                )?,
            };
            if changed == 0 && condition != ForgetIf::Always {
                return Ok(false);
            }
            conn.execute(
                "DELETE FROM rollover_steps WHERE repo = ?1 AND step LIKE ?2",
                params![repo, format!("{OUTCOME_STEP_PREFIX}%")],
            )?;
            Ok(true)
        })
        .await
    }
}
