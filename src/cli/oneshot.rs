//! What the one-shot commands (`tick`, `rollover`, `adopt`) share: the repository, a
//! token client and who it acts as, the store, and the commands machinery
//! with the repository's config read from GitHub.

use std::path::PathBuf;
use std::sync::Arc;

use super::common::load_config;
use crate::config::deploy;
use crate::context::Context;
use crate::github::clock::SystemClock;
use crate::github::{Client, Installations, RepoRef, TokenIdentity, token_client};
use crate::repos::Loaded;
use crate::sprint::Login;
use crate::store::Store;

pub struct OneShot {
    pub repo: RepoRef,
    pub client: Arc<Client>,
    pub identity: Arc<TokenIdentity>,
    pub bot: Login,
    pub store: Store,
    pub commands: Arc<Context>,
    pub loaded: Loaded,
    pub worker: crate::config::deploy::WorkerConfig,
}

/// The variables `tick` and `rollover` read, for their `--help`.
pub const ENV_HELP: &str = "\
Environment:
  GITHUB_TOKEN                 the token to act with (in Actions: secrets.GITHUB_TOKEN); without it,
                               the App's credentials below, as the installation on the repository's owner
  GITHUB_APP_ID                the App's ID
  GITHUB_APP_PRIVATE_KEY       the App's private key (PEM text), or
  GITHUB_APP_PRIVATE_KEY_PATH  a file holding it
  GITHUB_REPOSITORY            the repository when --repo is not given (GitHub Actions sets it)
  SPRINTBOT_BOT_LOGIN          the account GITHUB_TOKEN writes as, when the token cannot say
                               (an App installation token: my-app[bot])
  GITHUB_API_URL               GitHub's API (default https://api.github.com; GitHub Enterprise
                               Server: https://HOST/api/v3)
  SPRINTBOT_CONFIG             the deployment config (as --config)
  SPRINTBOT_DATABASE_URL       an SQLite file (default sprintbot.db; an empty one is fine) or
                               postgres://user:password@host/db
  RUST_LOG                     the log filter (default info)
  SPRINTBOT_LOG_FORMAT         `json` for JSON lines
  NO_COLOR                     no colours in logs, even on a terminal";

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
    let given = std::env::var("SPRINTBOT_BOT_LOGIN")
        .ok()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Login(l.trim().trim_start_matches('@').to_string()));
    let (client, given) = match env.token {
        Some(token) => (
            Arc::new(
                token_client(
                    &env.api_url,
                    token,
                    Arc::new(SystemClock),
                    Default::default(),
                )
                .map_err(|e| e.to_string())?,
            ),
            given,
        ),
        None => app_client(&env.api_url, &repo).await?,
    };
    let identity = Arc::new(TokenIdentity::new(client.clone(), given));
    let bot = identity
        .bot_login()
        .await
        .map_err(|e| format!("cannot tell which account the token acts as: {e}"))?;
    let store = Store::connect(&deploy.storage.database_url())
        .await
        .map_err(|e| format!("{e} ({})", deploy.storage.redacted_url()))?;
    let commands = Arc::new(Context::new(
        identity.clone(),
        store.clone(),
        Arc::new(SystemClock),
        deploy.defaults.clone(),
    ));
    let loaded = commands
        .config(client.as_ref(), &repo, None, &bot)
        .await
        .map_err(|e| format!("cannot read {}: {e}", crate::repos::CONFIG_PATH))?;
    if loaded.config.is_none() {
        let why = loaded
            .problem_summary()
            .unwrap_or_else(|| "there is no such file".into());
        return Err(format!(
            "{repo} has no valid {}: {why}. Add one to run its sprints (a broken one is reported in a \"{}\" issue).",
            crate::repos::CONFIG_PATH,
            crate::repos::ERROR_TITLE
        ));
    }
    Ok(OneShot {
        repo,
        client,
        identity,
        bot,
        store,
        commands,
        loaded,
        worker: deploy.worker.clone(),
    })
}

/// With no token, the App's credentials (`GITHUB_APP_ID` and
/// `GITHUB_APP_PRIVATE_KEY` or `_PATH`): the installation on the
/// repository's owner, acting as the App's bot account, as `serve` does.
async fn app_client(api_url: &str, repo: &RepoRef) -> Result<(Arc<Client>, Option<Login>), String> {
    const NEITHER: &str = "no credentials: set GITHUB_TOKEN (in Actions: `GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`), or the App's GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY (or GITHUB_APP_PRIVATE_KEY_PATH)";
    let secrets = deploy::credentials::read(|k| std::env::var(k).ok())
        .map_err(|e| e.to_string())?
        .ok_or(NEITHER)?;
    let (app, _) = super::startup::app_from(&secrets, api_url)?;
    let info = app
        .info()
        .await
        .map_err(|e| format!("GitHub refused the App's credentials: {e}"))?;
    let installations = app
        .list_installations()
        .await
        .map_err(|e| format!("cannot list the App's installations: {e}"))?;
    let installed = installations
        .iter()
        .find(|i| i.account.eq_ignore_ascii_case(&repo.owner))
        .ok_or_else(|| {
            format!(
                "the App `{}` is not installed on `{}`: install it there, or run with GITHUB_TOKEN",
                info.slug, repo.owner
            )
        })?;
    let client = app.installation(installed.id).map_err(|e| e.to_string())?;
    Ok((client, Some(info.bot_login())))
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

impl OneShot {
    /// The repository as a rollover sees it (its config is valid: `setup`
    /// checked).
    pub fn repo_view(&self) -> Option<crate::lifecycle::Repo<'_>> {
        Some(crate::lifecycle::Repo {
            commands: &self.commands,
            gh: self.client.as_ref(),
            installation: 0,
            repo: &self.repo,
            repo_id: None,
            bot: &self.bot,
            loaded: &self.loaded,
            config: self.loaded.config.as_ref()?,
        })
    }
}
