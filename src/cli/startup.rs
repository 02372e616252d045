//! The start-up self-check of `serve`: the App credentials from the
//! environment are turned into a signing key, then GitHub is asked about
//! the App (`GET /app`) once. Credentials GitHub refuses stop the start with
//! a message naming the variable to fix; an unreachable GitHub does not: the
//! server starts, `/readyz` says why it is not ready, and the check is asked
//! again in the background, with backoff, until GitHub answers. An App that
//! lacks a permission or event sprintbot needs is warned about once.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use crate::config::deploy::credentials::AppSecrets;
use crate::config::redact::redact_url;
use crate::github::auth::AppCredentials;
use crate::github::clock::{Clock, SystemClock};
use crate::github::{AppInfo, GitHubApp, GitHubError, needs};
use crate::webhook::Readiness;

/// How long one `GET /app` may take before GitHub counts as unreachable.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);
/// Background re-checks: the first after about a second, then doubling up
/// to a minute.
const RECHECK_BASE_MS: u64 = 1_000;
const RECHECK_MAX_MS: u64 = 60_000;

/// What the check concluded.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// GitHub knows the App and accepts the key.
    Ready(AppInfo),
    /// GitHub could not be asked (down, unreachable, rate-limited); worth
    /// asking again.
    Unreachable(String),
    /// GitHub refused: a message naming the variable to fix.
    Refused(String),
}

/// What messages need to name the right variables.
#[derive(Debug, Clone)]
pub struct Context {
    pub app_id: u64,
    /// `GITHUB_APP_PRIVATE_KEY` or `GITHUB_APP_PRIVATE_KEY_PATH (path)`.
    pub key_from: String,
    pub api_url: String,
}

/// The App client from the credentials, or a message naming the variable
/// whose key cannot sign (a public key, a truncated file, another format).
pub fn app_from(secrets: &AppSecrets, api_url: &str) -> Result<(GitHubApp, Context), String> {
    let key_from = secrets.key_from.describe();
    let creds = AppCredentials::from_pem(secrets.app_id, &secrets.private_key)
        .map_err(|e| format!("{key_from}: {e}"))?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let app = GitHubApp::new(api_url, creds, clock, Default::default()).map_err(|e| {
        format!(
            "cannot set up the GitHub client for GITHUB_API_URL={}: {e}",
            redact_url(api_url)
        )
    })?;
    let context = Context {
        app_id: secrets.app_id,
        key_from,
        api_url: api_url.to_string(),
    };
    Ok((app, context))
}

/// Ask GitHub about the App once.
pub async fn check(app: &GitHubApp, cx: &Context) -> Verdict {
    judge(app.probe(PROBE_TIMEOUT).await, cx)
}

/// Sort GitHub's answer to `GET /app` into a verdict.
pub fn judge(answer: Result<AppInfo, GitHubError>, cx: &Context) -> Verdict {
    let Context {
        app_id,
        key_from,
        api_url,
    } = cx;
    let id_help = "set GITHUB_APP_ID to the App ID shown at the top of the App's settings page";
    let e = match answer {
        Ok(info) => return Verdict::Ready(info),
        Err(e) => e,
    };
    let refused = match &e {
        _ if e.is_transient() => {
            return Verdict::Unreachable(format!(
                "GitHub has not confirmed the App yet ({e}); asking again in the background"
            ));
        }
        GitHubError::Unauthorized { message } | GitHubError::NotFound { what: message }
            if message.contains("Integration not found") =>
        {
            format!("GitHub has no App with GITHUB_APP_ID={app_id} ({message})\n  help: {id_help}")
        }
        GitHubError::Unauthorized { message } => format!(
            "GitHub refused the App's credentials (401: {message}): the private key in {key_from} is not a key of the App with GITHUB_APP_ID={app_id}\n  help: check that GITHUB_APP_ID is this App's ID; if it is, generate a new private key in the App's settings and point GITHUB_APP_PRIVATE_KEY_PATH at the downloaded .pem file"
        ),
        GitHubError::NotFound { .. } | GitHubError::Decode(_) => format!(
            "GITHUB_API_URL={} does not answer GET /app like GitHub's API ({e})\n  help: leave GITHUB_API_URL unset for github.com; for GitHub Enterprise Server set it to https://HOST/api/v3",
            redact_url(api_url)
        ),
        _ => format!("GitHub refused GET /app for GITHUB_APP_ID={app_id}: {e}"),
    };
    Verdict::Refused(refused)
}

/// Log, once, what the App lacks of what sprintbot needs.
pub fn warn_if_lacking(info: &AppInfo) {
    let lacks = needs::missing(info);
    if !lacks.is_empty() {
        tracing::warn!(
            app = %info.slug,
            "the GitHub App lacks what sprintbot needs: {}. Grant it in the App's settings (Permissions & events), then accept the new permissions on each installation",
            lacks.join("; ")
        );
    }
}

/// Ask GitHub again, with backoff, until it answers (or `stop`); then mark
/// the server ready, or keep it not ready with GitHub's refusal as reason.
pub async fn recheck_until_answered(
    app: Arc<GitHubApp>,
    cx: Context,
    readiness: Readiness,
    mut stop: watch::Receiver<bool>,
) {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let delay = crate::util::backoff(
            attempt,
            RECHECK_BASE_MS,
            RECHECK_MAX_MS,
            rand::random::<f64>(),
        );
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        match check(&app, &cx).await {
            Verdict::Ready(info) => {
                readiness.set_ready();
                tracing::info!(app = %info.slug, attempt, "GitHub answered: the App's credentials are good; ready");
                warn_if_lacking(&info);
                return;
            }
            Verdict::Unreachable(reason) => {
                tracing::warn!(attempt, "{reason}");
                readiness.set_not_ready(reason);
            }
            Verdict::Refused(message) => {
                tracing::error!("{message}");
                readiness.set_not_ready(message);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> Context {
        Context {
            app_id: 42,
            key_from: "GITHUB_APP_PRIVATE_KEY_PATH (/k.pem)".into(),
            api_url: "https://ghe.example/api/v3".into(),
        }
    }

    fn refused(e: GitHubError) -> String {
        match judge(Err(e), &cx()) {
            Verdict::Refused(m) => m,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn each_refusal_names_the_variable_to_fix() {
        let key = refused(GitHubError::Unauthorized {
            message: "A JSON web token could not be decoded".into(),
        });
        assert!(
            key.contains("GITHUB_APP_PRIVATE_KEY_PATH (/k.pem)"),
            "{key}"
        );
        let id = refused(GitHubError::NotFound {
            what: "Integration not found".into(),
        });
        assert!(
            id.starts_with("GitHub has no App with GITHUB_APP_ID=42"),
            "{id}"
        );
        let url = refused(GitHubError::NotFound {
            what: "Not Found".into(),
        });
        assert!(
            url.starts_with("GITHUB_API_URL=https://ghe.example/api/v3"),
            "{url}"
        );
    }

    #[test]
    fn an_unreachable_github_is_not_a_refusal() {
        for e in [
            GitHubError::Timeout,
            GitHubError::Transport("connection refused".into()),
            GitHubError::Status {
                status: 502,
                message: "bad gateway".into(),
            },
        ] {
            assert!(matches!(judge(Err(e), &cx()), Verdict::Unreachable(_)));
        }
    }
}
