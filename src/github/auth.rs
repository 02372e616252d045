//! Who sprintbot is to GitHub: a GitHub App (an RS256 JWT exchanged for
//! per-installation tokens, cached and renewed before they expire, one
//! refresh at a time) or a plain token for the one-shot commands.

use std::sync::Arc;

use jiff::{Timestamp, ToSpan};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::{Deserialize, Serialize};

use super::clock::Clock;
use super::error::GitHubError;
use super::transport::Transport;
use super::types::InstallationId;
use crate::config::deploy::Secret;
use crate::util::BoxFuture;

/// Renew an installation token this long before GitHub says it expires.
const RENEW_BEFORE_SECS: i64 = 300;

/// The App's id and private key.
pub struct AppCredentials {
    pub app_id: u64,
    key: EncodingKey,
}

impl std::fmt::Debug for AppCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AppCredentials {{ app_id: {}, key: *** }}", self.app_id)
    }
}

#[derive(Serialize)]
struct Claims {
    iat: i64,
    exp: i64,
    iss: String,
}

impl AppCredentials {
    /// From the App id and its PEM private key.
    pub fn from_pem(app_id: u64, pem: &Secret) -> Result<Self, GitHubError> {
        let refused = |why: String| {
            GitHubError::Credentials(format!(
                "the App private key is not an RSA private key in PEM form ({why}); generate a new private key in the App's settings and use the .pem file GitHub downloads"
            ))
        };
        let key = EncodingKey::from_rsa_pem(pem.expose().as_bytes())
            .map_err(|e| refused(e.to_string()))?;
        let creds = AppCredentials { app_id, key };
        // A public key parses as an RSA PEM too and only fails when signing:
        // sign once now, so a wrong key stops the start instead of failing
        // every call later.
        creds
            .jwt(Timestamp::UNIX_EPOCH)
            .map_err(|_| refused("it cannot sign; is it the public key?".into()))?;
        Ok(creds)
    }

    /// A JWT for App-level calls: issued 60 s in the past against clock
    /// drift, valid 9 minutes (GitHub allows at most 10).
    pub fn jwt(&self, now: Timestamp) -> Result<String, GitHubError> {
        let iat = now.as_second() - 60;
        let claims = Claims {
            iat,
            exp: iat + 60 + 540,
            iss: self.app_id.to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &self.key)
            .map_err(|e| GitHubError::Credentials(format!("cannot sign the App JWT: {e}")))
    }
}

/// Where a request's `Authorization` comes from.
pub trait TokenSource: Send + Sync {
    /// The header value to send (`Bearer ...` or `token ...`).
    fn authorization(&self) -> BoxFuture<'_, Result<String, GitHubError>>;
    /// GitHub refused `authorization`: forget it if it is still the cached one.
    fn invalidate<'a>(&'a self, authorization: &'a str) -> BoxFuture<'a, ()>;
}

/// No credentials: for the one call GitHub answers without them that
/// sprintbot makes, turning an App manifest's code into the App.
pub struct NoAuth;

impl TokenSource for NoAuth {
    fn authorization(&self) -> BoxFuture<'_, Result<String, GitHubError>> {
        Box::pin(async { Ok(String::new()) })
    }
    fn invalidate<'a>(&'a self, _: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

/// A fixed token (`GITHUB_TOKEN`).
pub struct StaticToken(pub Secret);

impl TokenSource for StaticToken {
    fn authorization(&self) -> BoxFuture<'_, Result<String, GitHubError>> {
        Box::pin(async move { Ok(format!("token {}", self.0.expose())) })
    }
    fn invalidate<'a>(&'a self, _: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

/// App-level calls: a fresh JWT each time (signing is cheap).
pub struct AppJwt {
    pub app: Arc<AppCredentials>,
    pub clock: Arc<dyn Clock>,
}

impl TokenSource for AppJwt {
    fn authorization(&self) -> BoxFuture<'_, Result<String, GitHubError>> {
        Box::pin(async move { Ok(format!("Bearer {}", self.app.jwt(self.clock.now())?)) })
    }
    fn invalidate<'a>(&'a self, _: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async {})
    }
}

struct Cached {
    authorization: String,
    expires_at: Timestamp,
}

/// An installation's token, fetched with the App JWT and cached until a few
/// minutes before it expires. Callers queue on one lock, so many concurrent
/// calls on an expired token cause a single refresh.
pub struct InstallationTokens {
    pub installation: InstallationId,
    /// The App-level transport (JWT auth) used to mint tokens.
    pub app: Arc<Transport>,
    pub clock: Arc<dyn Clock>,
    cached: tokio::sync::Mutex<Option<Cached>>,
}

#[derive(Deserialize)]
struct AccessToken {
    token: String,
    expires_at: String,
}

impl InstallationTokens {
    pub fn new(installation: InstallationId, app: Arc<Transport>, clock: Arc<dyn Clock>) -> Self {
        InstallationTokens {
            installation,
            app,
            clock,
            cached: tokio::sync::Mutex::new(None),
        }
    }
}

impl TokenSource for InstallationTokens {
    fn authorization(&self) -> BoxFuture<'_, Result<String, GitHubError>> {
        Box::pin(async move {
            let mut cached = self.cached.lock().await;
            let now = self.clock.now();
            if let Some(c) = cached.as_ref()
                && c.expires_at
                    > now
                        .saturating_add(RENEW_BEFORE_SECS.seconds())
                        .unwrap_or(now)
            {
                return Ok(c.authorization.clone());
            }
            let path = format!("/app/installations/{}/access_tokens", self.installation.0);
            let resp = self
                .app
                .request(
                    http::Method::POST,
                    &path,
                    Some(serde_json::json!({})),
                    false,
                )
                .await?;
            let t: AccessToken = resp.json()?;
            let expires_at = t.expires_at.parse::<Timestamp>().map_err(|e| {
                GitHubError::Decode(format!("token expiry `{}`: {e}", t.expires_at))
            })?;
            tracing::debug!(installation = self.installation.0, %expires_at, "minted an installation token");
            metrics::counter!("sprintbot_github_token_refreshes_total").increment(1);
            let authorization = format!("token {}", t.token);
            *cached = Some(Cached {
                authorization: authorization.clone(),
                expires_at,
            });
            Ok(authorization)
        })
    }

    fn invalidate<'a>(&'a self, authorization: &'a str) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let mut cached = self.cached.lock().await;
            if cached
                .as_ref()
                .is_some_and(|c| c.authorization == authorization)
            {
                *cached = None;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> Secret {
        let path = format!("{}/tests/support/keys/{name}", env!("CARGO_MANIFEST_DIR"));
        Secret::new(std::fs::read_to_string(path).unwrap())
    }

    #[test]
    fn a_private_key_signs_and_a_public_key_is_refused_at_once() {
        assert!(AppCredentials::from_pem(1, &key("app-private.pem")).is_ok());
        let err = AppCredentials::from_pem(1, &key("app-public.pem")).unwrap_err();
        assert!(err.to_string().contains("not an RSA private key"), "{err}");
        let err = AppCredentials::from_pem(1, &Secret::new("not a key")).unwrap_err();
        assert!(err.to_string().contains("not an RSA private key"), "{err}");
    }
}
