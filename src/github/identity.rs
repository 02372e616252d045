//! Who sprintbot is on GitHub, and a client per installation. Markers and
//! answers count only when sprintbot's own account wrote them, so every
//! handler learns that account's login here: `<slug>[bot]` for an App (from
//! `GET /app`, asked once), the token's user for a token (`GET /user`), or
//! `github-actions[bot]` for an Actions token, which may not ask.

use std::sync::Arc;

use serde::Deserialize;
use tokio::sync::OnceCell;

use super::transport::Budget;
use super::{Client, GitHub, GitHubApp, GitHubError, InstallationId};
use crate::sprint::Login;
use crate::util::BoxFuture;

/// The login GitHub Actions' own token acts as.
pub const ACTIONS_BOT: &str = "github-actions[bot]";

/// Clients per installation, and sprintbot's own login.
pub trait Installations: Send + Sync {
    fn client(&self, installation: InstallationId) -> Result<Arc<dyn GitHub>, GitHubError>;
    /// sprintbot's own login: only what this account wrote is trusted.
    fn bot_login(&self) -> BoxFuture<'_, Result<Login, GitHubError>>;
    /// What GitHub last said about an installation's rate limit.
    fn budget(&self, installation: InstallationId) -> Budget;
    /// What GitHub says now about the App's permissions and events; `None`
    /// when sprintbot acts with a plain token (no App to ask about).
    fn app_info_now(&self) -> BoxFuture<'_, Result<Option<AppInfo>, GitHubError>>;
    /// Every installation of the App as GitHub lists it now; `None` when
    /// sprintbot acts with a plain token.
    fn installations_now(
        &self,
    ) -> BoxFuture<'_, Result<Option<Vec<super::Installation>>, GitHubError>>;
}

/// What `GET /app` says about the App.
#[derive(Debug, Clone, Deserialize)]
pub struct AppInfo {
    pub id: u64,
    pub slug: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub permissions: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    pub events: Vec<String>,
}

impl AppInfo {
    /// The login the App's installation tokens act as.
    pub fn bot_login(&self) -> Login {
        Login(format!("{}[bot]", self.slug))
    }
}

impl Installations for GitHubApp {
    fn client(&self, installation: InstallationId) -> Result<Arc<dyn GitHub>, GitHubError> {
        Ok(self.installation(installation)?)
    }
    fn bot_login(&self) -> BoxFuture<'_, Result<Login, GitHubError>> {
        Box::pin(async move { Ok(self.info().await?.bot_login()) })
    }
    fn budget(&self, installation: InstallationId) -> Budget {
        self.installation(installation)
            .map(|c| c.budget())
            .unwrap_or_default()
    }
    fn app_info_now(&self) -> BoxFuture<'_, Result<Option<AppInfo>, GitHubError>> {
        Box::pin(async move { Ok(Some(self.info_now().await?)) })
    }
    fn installations_now(
        &self,
    ) -> BoxFuture<'_, Result<Option<Vec<super::Installation>>, GitHubError>> {
        Box::pin(async move { Ok(Some(self.list_installations().await?)) })
    }
}

/// One token for every "installation": the one-shot commands.
pub struct TokenIdentity {
    client: Arc<Client>,
    /// A login given by the operator (`SPRINTBOT_BOT_LOGIN`), e.g. the
    /// `<slug>[bot]` of an App whose installation token runs the job.
    given: Option<Login>,
    login: OnceCell<Login>,
}

impl TokenIdentity {
    pub fn new(client: Arc<Client>, given: Option<Login>) -> TokenIdentity {
        TokenIdentity {
            client,
            given,
            login: OnceCell::new(),
        }
    }

    pub fn github(&self) -> Arc<Client> {
        self.client.clone()
    }
}

impl Installations for TokenIdentity {
    fn client(&self, _: InstallationId) -> Result<Arc<dyn GitHub>, GitHubError> {
        Ok(self.client.clone())
    }
    fn budget(&self, _: InstallationId) -> Budget {
        self.client.budget()
    }
    fn app_info_now(&self) -> BoxFuture<'_, Result<Option<AppInfo>, GitHubError>> {
        Box::pin(async { Ok(None) })
    }
    fn installations_now(
        &self,
    ) -> BoxFuture<'_, Result<Option<Vec<super::Installation>>, GitHubError>> {
        Box::pin(async { Ok(None) })
    }
    fn bot_login(&self) -> BoxFuture<'_, Result<Login, GitHubError>> {
        Box::pin(async move {
            if let Some(given) = &self.given {
                return Ok(given.clone());
            }
            self.login
                .get_or_try_init(|| async {
                    match self.client.authenticated_login().await {
                        Ok(login) => Ok(login),
                        // Installation tokens (Actions' GITHUB_TOKEN) may not
                        // ask who they are; Actions' token is this bot.
                        Err(GitHubError::Forbidden { .. }) => Ok(Login(ACTIONS_BOT.into())),
                        Err(e) => Err(e),
                    }
                })
                .await
                .cloned()
        })
    }
}
