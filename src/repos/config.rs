//! The one repository-config loader. A repository's `.github/sprintbot.toml`
//! builds, key by key, on its organisation's `.github` repository's copy and
//! on the deployment's `[defaults]`. Files are cached in the store with
//! their ETag and revalidated with a conditional request once they are
//! older than the loader's `max_age` (a push that changes one forgets it at
//! once). A valid file is kept as the last good one; a broken file leaves
//! the last good one in force and is reported in one issue, when it changes.

use crate::config::diag::Diagnostic;
use crate::config::repo::{self, RepoConfig};
use crate::github::{FileRead, GitHub, GitHubError, RepoRef};
use crate::sprint::Login;
use crate::store::{CachedConfig, RepoKey, Store, StoreError};

use super::CONFIG_PATH;
use super::config_issue;

/// Why a config could not be loaded (GitHub or the store failed; a broken
/// file is not an error, see [`Loaded::problems`]).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {CONFIG_PATH}: {0}")]
    GitHub(#[from] GitHubError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl LoadError {
    pub fn is_transient(&self) -> bool {
        match self {
            LoadError::GitHub(e) => e.is_transient(),
            LoadError::Store(_) => true,
        }
    }
}

/// A repository's config as it stands.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The config in force: the file when valid, else its last valid version.
    pub config: Option<RepoConfig>,
    /// What is wrong with the file as it is now (empty when it is valid).
    pub problems: Vec<Diagnostic>,
    /// The repository has a config file: sprintbot is enabled there.
    pub enabled: bool,
}

impl Loaded {
    /// One line naming the first problem, for replies and logs.
    pub fn problem_summary(&self) -> Option<String> {
        let d = self.problems.first()?;
        let place = if d.line == 0 {
            String::new()
        } else {
            format!(" (line {}, column {})", d.line, d.column)
        };
        let more = match self.problems.len() {
            1 => String::new(),
            n => format!(", and {} more problem(s)", n - 1),
        };
        Some(format!("{}{place}{more}", d.message))
    }
}

/// What loading needs.
pub struct Loader<'a> {
    pub gh: &'a dyn GitHub,
    pub store: &'a Store,
    /// The deployment config's `[defaults]`.
    pub defaults: &'a toml::Table,
    /// sprintbot's own login: only its error issue is updated.
    pub bot: &'a Login,
    /// A cached file younger than this is used without asking GitHub.
    pub max_age_ms: i64,
    /// The same for the organisation's defaults, shared by its repositories
    /// (so revalidating each repository does not re-read them each time).
    pub org_max_age_ms: i64,
    pub now_ms: i64,
}

/// One file as fetched: its text (`None`: no file) and whether it differs
/// from what the store had (or the store had nothing).
struct Fetched {
    source: Option<String>,
    changed: bool,
}

impl Loader<'_> {
    /// The config of `repo` (GitHub id `repo_id` when known).
    pub async fn load(&self, repo: &RepoRef, repo_id: Option<u64>) -> Result<Loaded, LoadError> {
        let key = RepoKey {
            full_name: repo.to_string(),
            id: repo_id,
        };
        let file = self.fetch(repo, key).await?;
        let Some(source) = file.source else {
            return Ok(Loaded {
                config: None,
                problems: Vec::new(),
                enabled: false,
            });
        };
        let name = format!("{repo}:{CONFIG_PATH}");
        let org = self.org_defaults(repo).await?;
        let parsed = match &org.defaults {
            Ok(defaults) => repo::parse(&name, &source, defaults),
            Err(diags) => Err(diags.clone()),
        };
        let changed = file.changed || org.changed;
        match parsed {
            Ok(config) => {
                if changed {
                    self.store
                        .save_good_config(&repo.to_string(), &source)
                        .await?;
                    config_issue::resolve(self.gh, repo, self.bot).await?;
                }
                Ok(Loaded {
                    config: Some(config),
                    problems: Vec::new(),
                    enabled: true,
                })
            }
            Err(problems) => {
                if changed {
                    config_issue::report(self.gh, repo, self.bot, &problems).await?;
                }
                let defaults = org.defaults.as_ref().unwrap_or(self.defaults);
                let last = self.store.good_config(&repo.to_string()).await?;
                Ok(Loaded {
                    config: last.and_then(|src| repo::parse(&name, &src, defaults).ok()),
                    problems,
                    enabled: true,
                })
            }
        }
    }

    /// A file through the store's cache.
    async fn fetch(&self, repo: &RepoRef, key: RepoKey) -> Result<Fetched, LoadError> {
        self.fetch_aged(repo, key, self.max_age_ms).await
    }

    async fn fetch_aged(
        &self,
        repo: &RepoRef,
        key: RepoKey,
        max_age_ms: i64,
    ) -> Result<Fetched, LoadError> {
        let cached = self.store.cached_config(key.clone()).await?;
        if let Some(c) = &cached
            && self.now_ms - c.read_ms < max_age_ms
        {
            return Ok(Fetched {
                source: c.source.clone(),
                changed: false,
            });
        }
        let etag = cached.as_ref().and_then(|c| c.etag.clone());
        let read = match self
            .gh
            .read_file_if_changed(repo, CONFIG_PATH, etag.as_deref())
            .await
        {
            // No access to an org's `.github` repository reads as no file.
            Err(GitHubError::Forbidden { .. }) if repo.name == ".github" => FileRead::Missing,
            other => other?,
        };
        let (source, etag, sha) = match read {
            FileRead::NotModified => {
                let c = cached.clone().unwrap_or(CachedConfig {
                    source: None,
                    etag: None,
                    sha: None,
                    read_ms: 0,
                });
                (c.source, c.etag, c.sha)
            }
            FileRead::Missing => (None, None, None),
            FileRead::Found { text, etag, sha } => (Some(text), etag, sha),
        };
        let changed = cached.as_ref().is_none_or(|c| c.source != source);
        self.store
            .cache_config(
                key,
                CachedConfig {
                    source: source.clone(),
                    etag,
                    sha,
                    read_ms: self.now_ms,
                },
            )
            .await?;
        Ok(Fetched { source, changed })
    }

    /// The defaults `repo`'s file builds on: the deployment's, overlaid by
    /// its organisation's `.github` repository's file when there is one.
    async fn org_defaults(&self, repo: &RepoRef) -> Result<OrgDefaults, LoadError> {
        let org = RepoRef::new(repo.owner.clone(), ".github");
        if org == *repo {
            return Ok(OrgDefaults {
                defaults: Ok(self.defaults.clone()),
                changed: false,
            });
        }
        let file = self
            .fetch_aged(&org, RepoKey::named(org.to_string()), self.org_max_age_ms)
            .await?;
        let Some(source) = file.source else {
            return Ok(OrgDefaults {
                defaults: Ok(self.defaults.clone()),
                changed: file.changed,
            });
        };
        let defaults = with_org_defaults(self.defaults, &org, &source);
        Ok(OrgDefaults {
            defaults,
            changed: file.changed,
        })
    }
}

struct OrgDefaults {
    defaults: Result<toml::Table, Vec<Diagnostic>>,
    changed: bool,
}

/// The deployment's `[defaults]` overlaid by an organisation's `.github`
/// repository's file (`org` names it), key by key.
pub fn with_org_defaults(
    deployment: &toml::Table,
    org: &RepoRef,
    source: &str,
) -> Result<toml::Table, Vec<Diagnostic>> {
    match toml::from_str::<toml::Table>(source) {
        Ok(table) => {
            let mut merged = deployment.clone();
            repo::merge(&mut merged, table);
            Ok(merged)
        }
        Err(e) => Err(vec![Diagnostic::from_toml(
            &format!("{org}:{CONFIG_PATH}"),
            source,
            &e,
        )]),
    }
}

/// A repository's config as the store last saw it, without asking GitHub
/// (the scheduler works from this): the file when valid, else its last
/// valid version; `None` when it has no config.
pub async fn cached(
    store: &Store,
    deployment: &toml::Table,
    repo: &RepoRef,
    repo_id: Option<u64>,
) -> Result<Option<RepoConfig>, StoreError> {
    let key = RepoKey {
        full_name: repo.to_string(),
        id: repo_id,
    };
    let Some(source) = store.cached_config(key).await?.and_then(|c| c.source) else {
        return Ok(None);
    };
    let org = RepoRef::new(repo.owner.clone(), ".github");
    let org_source = store
        .cached_config(RepoKey::named(org.to_string()))
        .await?
        .and_then(|c| c.source);
    let defaults = org_source
        .and_then(|s| with_org_defaults(deployment, &org, &s).ok())
        .unwrap_or_else(|| deployment.clone());
    let name = format!("{repo}:{CONFIG_PATH}");
    if let Ok(config) = repo::parse(&name, &source, &defaults) {
        return Ok(Some(config));
    }
    Ok(store
        .good_config(&repo.to_string())
        .await?
        .and_then(|good| repo::parse(&name, &good, &defaults).ok()))
}
