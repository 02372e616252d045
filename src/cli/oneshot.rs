//! What the one-shot commands (`tick`, `rollover`) share: the repository,
//! a token client, the store, and the repository's config read from GitHub.

use std::path::PathBuf;
use std::sync::Arc;

use super::common::load_config;
use crate::config::deploy;
use crate::config::repo::RepoConfig;
use crate::github::clock::SystemClock;
use crate::github::{Client, RepoRef, token_client};
use crate::store::Store;

pub struct OneShot {
    pub repo: RepoRef,
    pub client: Client,
    pub store: Store,
    pub config: RepoConfig,
}

/// Why a one-shot command cannot start; printed as is.
pub type SetupError = String;

pub async fn setup(
    config: &Option<PathBuf>,
    repo_arg: Option<String>,
) -> Result<OneShot, SetupError> {
    let deploy = load_config(config)
        .map_err(|_| "the deployment config is invalid (see above)".to_string())?;
    let env = deploy::read_env(|k| std::env::var(k).ok()).map_err(|e| e.to_string())?;
    let repo_name = repo_arg
        .or_else(|| std::env::var("GITHUB_REPOSITORY").ok())
        .ok_or("no repository: pass --repo owner/name (GitHub Actions sets GITHUB_REPOSITORY)")?;
    let repo = RepoRef::parse(&repo_name).ok_or(format!("`{repo_name}` is not owner/name"))?;
    let token = env.token.ok_or("GITHUB_TOKEN is not set: the one-shot commands act with a token (in Actions: `GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`)")?;
    let client = token_client(
        &env.api_url,
        token,
        Arc::new(SystemClock),
        Default::default(),
    )
    .map_err(|e| e.to_string())?;
    let store = Store::open(&deploy.storage.path).map_err(|e| e.to_string())?;
    let config = crate::lifecycle::config::load(&client, &store, &repo, &deploy.defaults)
        .await
        .map_err(|e| format!("cannot read {}: {e}", crate::commands::apply::CONFIG_PATH))?
        .ok_or(format!(
            "{repo} has no valid {}: add one to run its sprints (a broken one is reported in a \"{}\" issue)",
            crate::commands::apply::CONFIG_PATH,
            crate::lifecycle::config::ERROR_TITLE
        ))?;
    Ok(OneShot {
        repo,
        client,
        store,
        config,
    })
}

/// Run a future on a small runtime and turn its result into an exit code.
pub fn block_on<F: std::future::Future<Output = Result<(), String>>>(
    f: F,
) -> std::process::ExitCode {
    crate::telemetry::init_tracing();
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match rt.block_on(f) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
