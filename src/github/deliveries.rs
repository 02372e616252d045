//! The App's webhook deliveries, as GitHub keeps them: listing the ones
//! that failed (sprintbot was down, or answered badly) and asking GitHub to
//! send one again. A redelivery keeps its `X-GitHub-Delivery` GUID, so the
//! store's dedupe makes asking for one twice harmless.

use http::Method;
use jiff::Timestamp;
use serde::Deserialize;

use super::{GitHubApp, GitHubError, Result};

/// One delivery attempt.
#[derive(Debug, Clone, Deserialize)]
pub struct Delivery {
    pub id: u64,
    pub guid: String,
    #[serde(deserialize_with = "timestamp")]
    pub delivered_at: Timestamp,
    #[serde(default)]
    pub status_code: u16,
    #[serde(default)]
    pub event: String,
}

fn timestamp<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Timestamp, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
}

impl GitHubApp {
    /// Failed deliveries from `since` on, newest first (every page, by the
    /// `Link` header's cursor, stopping at the first older than `since`).
    pub async fn failed_deliveries(&self, since: Timestamp) -> Result<Vec<Delivery>> {
        let mut out = Vec::new();
        let mut next = Some("/app/hook/deliveries?per_page=100&status=failure".to_string());
        while let Some(url) = next {
            let resp = self
                .app_transport
                .request(Method::GET, &url, None, false)
                .await?;
            let page: Vec<Delivery> = resp.json()?;
            let older = page.iter().any(|d| d.delivered_at < since);
            out.extend(page.into_iter().filter(|d| d.delivered_at >= since));
            next = if older { None } else { resp.next_page() };
        }
        Ok(out)
    }

    /// Ask GitHub to send a delivery again. Not paced here: the caller
    /// asks in batches at a pace of its own.
    pub async fn redeliver(&self, id: u64) -> Result<()> {
        let path = format!("/app/hook/deliveries/{id}/attempts");
        match self
            .hook_transport
            .request(Method::POST, &path, None, false)
            .await
        {
            Ok(_) => Ok(()),
            // Too old or gone: nothing more can be done for it.
            Err(GitHubError::NotFound { .. }) | Err(GitHubError::Validation { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
