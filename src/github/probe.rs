//! One quick question to GitHub about the App (`GET /app`), asked once,
//! without the transport's retries: `serve` uses it at start-up to tell bad
//! credentials (refuse to start) from an unreachable GitHub (start, and say
//! so on `/readyz`), and asks it again in the background until it answers.

use std::sync::Arc;
use std::time::Duration;

use super::auth::AppJwt;
use super::transport::{Policy, Transport};
use super::{AppInfo, GitHubApp, Result};

impl GitHubApp {
    /// `GET /app` in a single attempt bounded by `timeout`. On success the
    /// answer is kept, so [`GitHubApp::info`] does not ask again.
    pub async fn probe(&self, timeout: Duration) -> Result<AppInfo> {
        let policy = Policy {
            max_attempts: 1,
            timeout,
            ..self.policy.clone()
        };
        let jwt = Arc::new(AppJwt {
            app: self.app.clone(),
            clock: self.clock.clone(),
        });
        let transport = Transport::new(&self.api_base, jwt, self.clock.clone(), policy)?;
        let info: AppInfo = transport
            .request(http::Method::GET, "/app", None, false)
            .await?
            .json()?;
        // Another caller may have filled it meanwhile; either answer will do.
        let _ = self.info.set(info.clone());
        Ok(info)
    }
}
