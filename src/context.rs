//! The app-wide context: what every job handler holds (GitHub per
//! installation, the store, the clock, the config defaults and the caches
//! over them), and a repository as a job sees it. Below every module that
//! handles jobs (`repos`, `links`, `lifecycle`, `commands`), so none of them
//! imports another for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiff::Timestamp;

use crate::github::clock::Clock;
use crate::github::{GitHub, Installations, Permission, RepoRef};
use crate::repos::{Loaded, Loader};
use crate::sprint::Login;
use crate::store::Store;
use crate::worker::JobError;

/// What every job handler holds: GitHub (per installation), the store,
/// the clock, the config defaults and the caches over them. Shared by the
/// comment job, the catch-up of an issue, rollovers, the scheduler and the
/// one-shot `tick`; methods of their own live beside each use.
pub struct Context {
    pub github: Arc<dyn Installations>,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    /// The deployment config's `[defaults]`.
    pub defaults: toml::Table,
    pub facts: FactCache,
    /// How long a repository config read from GitHub is used before it is
    /// revalidated (a push that changes it forgets it at once).
    pub config_max_age_ms: i64,
    /// How long a rollover lease lasts unless its holder renews it.
    pub lease_ms: i64,
    /// Woken when a repository's config or sprint changes, so the scheduler
    /// looks again at once.
    pub wake: Arc<tokio::sync::Notify>,
}

/// A repository as a job sees it (`Context::open_repo`).
pub struct RepoContext {
    pub repo: RepoRef,
    pub gh: Arc<dyn GitHub>,
    pub bot: Login,
    pub loaded: Loaded,
}

impl Context {
    pub fn new(
        github: Arc<dyn Installations>,
        store: Store,
        clock: Arc<dyn Clock>,
        defaults: toml::Table,
    ) -> Context {
        Context {
            github,
            store,
            clock,
            defaults,
            facts: Default::default(),
            config_max_age_ms: 24 * 3600 * 1000,
            lease_ms: crate::work::LEASE_MS,
            wake: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// What a job about one repository starts from: the repository (`name`
    /// parsed, a bad one is a permanent error), the installation's client,
    /// sprintbot's own login and the repository's config.
    pub async fn open_repo(
        &self,
        installation: u64,
        name: &str,
        repo_id: Option<u64>,
    ) -> Result<RepoContext, JobError> {
        let repo = RepoRef::parse(name)
            .ok_or_else(|| JobError::Permanent(format!("bad repository {name}")))?;
        let gh = self
            .github
            .client(crate::github::InstallationId(installation))
            .map_err(crate::worker::github_error)?;
        let bot = self
            .github
            .bot_login()
            .await
            .map_err(crate::worker::github_error)?;
        let loaded = self.config(gh.as_ref(), &repo, repo_id, &bot).await?;
        Ok(RepoContext {
            repo,
            gh,
            bot,
            loaded,
        })
    }

    /// The repository's config through the one loader (a cached copy no
    /// older than `config_max_age_ms` is used as it is).
    pub async fn config(
        &self,
        gh: &dyn GitHub,
        repo: &RepoRef,
        repo_id: Option<u64>,
        bot: &Login,
    ) -> Result<Loaded, JobError> {
        self.load_config(gh, repo, repo_id, bot, self.config_max_age_ms)
            .await
    }

    /// The repository's config, asked of GitHub now (conditionally when a
    /// copy is cached: an unchanged file costs a free 304).
    pub async fn revalidated_config(
        &self,
        gh: &dyn GitHub,
        repo: &RepoRef,
        repo_id: Option<u64>,
        bot: &Login,
    ) -> Result<Loaded, JobError> {
        self.load_config(gh, repo, repo_id, bot, 0).await
    }

    async fn load_config(
        &self,
        gh: &dyn GitHub,
        repo: &RepoRef,
        repo_id: Option<u64>,
        bot: &Login,
        max_age_ms: i64,
    ) -> Result<Loaded, JobError> {
        let loader = Loader {
            gh,
            store: &self.store,
            defaults: &self.defaults,
            bot,
            max_age_ms,
            org_max_age_ms: max_age_ms.max(self.config_max_age_ms),
            now_ms: self.clock.now().as_millisecond(),
        };
        loader.load(repo, repo_id).await.map_err(|e| {
            if e.is_transient() {
                JobError::Transient(e.to_string())
            } else {
                JobError::Permanent(e.to_string())
            }
        })
    }
}

/// Looked-up values by (scope, login), with when they were looked up.
pub(crate) type Cached<T> = Mutex<HashMap<(String, String), (T, Timestamp)>>;

/// People's permissions and team memberships, looked up on GitHub and kept
/// for a while (`commands::facts` reads and fills it).
#[derive(Default)]
pub struct FactCache {
    pub(crate) permissions: Cached<Permission>,
    pub(crate) members: Cached<bool>,
}
