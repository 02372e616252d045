//! One resilient line to GitHub for one identity (an installation, the App,
//! or a token): retries 5xx, timeouts and resets with backoff and jitter;
//! obeys `Retry-After` and `x-ratelimit-reset`; paces writes; refreshes a
//! refused token once. Creates are never retried here: the caller looks for
//! their effect first (see `client.rs`). octocrab is the HTTP client.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body_util::BodyExt;
use jiff::Timestamp;

use super::auth::TokenSource;
use super::budget::WriteLimits;
use super::clock::Clock;
use super::error::GitHubError;
use super::pacing::{Pacer, SharedLimits};

/// How hard to try.
#[derive(Debug, Clone)]
pub struct Policy {
    pub max_attempts: u32,
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// At most one write (POST/PATCH/PUT/DELETE) per this interval.
    pub write_interval: Duration,
    /// A request with no answer by then counts as timed out.
    pub timeout: Duration,
    /// GitHub's content-creation windows for this identity's writes (none
    /// for the App's own calls, which create no content).
    pub write_limits: Option<WriteLimits>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_attempts: 5,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            write_interval: Duration::from_secs(1),
            timeout: Duration::from_secs(30),
            write_limits: Some(WriteLimits::default()),
        }
    }
}

/// An answer from GitHub.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Response {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, GitHubError> {
        serde_json::from_slice(&self.body).map_err(|e| GitHubError::Decode(e.to_string()))
    }

    /// The `rel="next"` URL of a paginated answer.
    pub fn next_page(&self) -> Option<String> {
        let link = self.headers.get("link")?.to_str().ok()?;
        link.split(',').find_map(|part| {
            let (url, rel) = part.split_once(';')?;
            rel.contains("rel=\"next\"").then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
        })
    }
}

enum SendError {
    Timeout,
    Transport(String),
}

/// What GitHub last said about this identity's rate limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Budget {
    pub remaining: Option<u64>,
    pub limit: Option<u64>,
    pub reset: Option<Timestamp>,
}

impl Budget {
    /// Less than a tenth of the hour's budget is left: background work waits
    /// for the reset, so commands and openings always have room.
    pub fn is_low(&self) -> bool {
        match (self.remaining, self.limit) {
            (Some(r), Some(l)) if l > 0 => r * 10 < l,
            _ => false,
        }
    }
}

/// The line to GitHub for one identity.
pub struct Transport {
    octo: octocrab::Octocrab,
    base: String,
    graphql: String,
    auth: Arc<dyn TokenSource>,
    clock: Arc<dyn Clock>,
    policy: Policy,
    pacer: Pacer,
    budget: Mutex<Budget>,
}

/// `https://api.github.com` → GraphQL at `/graphql`; GitHub Enterprise's
/// `https://host/api/v3` → `https://host/api/graphql`.
pub fn graphql_url(api_base: &str) -> String {
    let base = api_base.trim_end_matches('/');
    match base.strip_suffix("/api/v3") {
        Some(host) => format!("{host}/api/graphql"),
        None => format!("{base}/graphql"),
    }
}

impl Transport {
    pub fn new(
        api_base: &str,
        auth: Arc<dyn TokenSource>,
        clock: Arc<dyn Clock>,
        policy: Policy,
    ) -> Result<Self, GitHubError> {
        let octo = octocrab::Octocrab::builder()
            .build()
            .map_err(|e| GitHubError::Transport(e.to_string()))?;
        let base = api_base.trim_end_matches('/').to_string();
        Ok(Transport {
            octo,
            graphql: graphql_url(&base),
            base,
            auth,
            pacer: Pacer::new(policy.write_interval, policy.write_limits, clock.clone()),
            clock,
            policy,
            budget: Mutex::new(Budget::default()),
        })
    }

    /// Pace writes and share rate limits with every process acting as
    /// `installation` (see `pacing.rs`).
    pub fn share_limits(&mut self, installation: u64, limits: Arc<dyn SharedLimits>) {
        self.pacer.share(installation, limits);
    }

    pub fn graphql_endpoint(&self) -> &str {
        &self.graphql
    }

    /// What GitHub last said about this identity's rate limit.
    pub fn budget(&self) -> Budget {
        *self.budget.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Send `method path` (a path under the API base, or a full URL from a
    /// `Link` header) with an optional JSON body. With `create`, a timeout,
    /// reset or 5xx is returned at once instead of retried: the caller must
    /// look for the effect before trying again.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        create: bool,
    ) -> Result<Response, GitHubError> {
        self.request_with(method, path, body, create, None).await
    }

    /// [`Transport::request`] with an `If-None-Match` ETag: GitHub answers
    /// 304 (returned as is, and not counted against the rate limit) when
    /// nothing changed.
    pub async fn request_with(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        create: bool,
        if_none_match: Option<&str>,
    ) -> Result<Response, GitHubError> {
        let url = if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{}", self.base, path)
        };
        let is_write = method != Method::GET;
        let mut refreshed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.check_rate_limit()?;
            // Checked right before sending, on every attempt: nothing is
            // written while GitHub's "wait" is pending, whoever heard it.
            let counted = if is_write {
                match self.pacer.take().await {
                    Ok(at) => Some(at),
                    Err(until) => {
                        super::budget::note_wait(until.as_millisecond());
                        return Err(GitHubError::RateLimited {
                            message: "the installation's write budget is spent until then".into(),
                            until: Some(until),
                        });
                    }
                }
            } else {
                None
            };
            let authorization = self.auth.authorization().await?;
            let result = self
                .send_once(&method, &url, &authorization, body.as_ref(), if_none_match)
                .await;
            let label = match &result {
                Ok(r) => r.status.to_string(),
                Err(SendError::Timeout) => "timeout".into(),
                Err(SendError::Transport(_)) => "transport".into(),
            };
            metrics::counter!("sprintbot_github_requests_total", "method" => method.to_string(), "status" => label).increment(1);
            let last = attempt >= self.policy.max_attempts;
            let resp = match result {
                Ok(resp) => resp,
                Err(e) => {
                    let err = match e {
                        SendError::Timeout => GitHubError::Timeout,
                        SendError::Transport(m) => GitHubError::Transport(m),
                    };
                    if create || last {
                        return Err(err);
                    }
                    self.retry_after_backoff("transport", attempt).await;
                    continue;
                }
            };
            self.note_rate_limit(&resp.headers);
            if let Some(at) = counted.filter(|_| resp.status >= 500) {
                self.pacer.refund(at).await;
            }
            match resp.status {
                200..=299 | 304 => return Ok(resp),
                401 if !refreshed => {
                    self.auth.invalidate(&authorization).await;
                    refreshed = true;
                    metrics::counter!("sprintbot_github_retries_total", "reason" => "unauthorized")
                        .increment(1);
                }
                // A rate limit is not waited for here: the caller (a job)
                // is put back in the queue until GitHub takes requests again.
                403 | 429 if is_rate_limit(resp.status, &resp.headers, &resp.body) => {
                    metrics::counter!("sprintbot_github_retries_total", "reason" => "rate_limit")
                        .increment(1);
                    let now = self.clock.now();
                    let until = match retry_after(&resp.headers) {
                        Some(wait) => now.checked_add(wait).ok(),
                        None if remaining_is_zero(&resp.headers) => self.budget().reset,
                        None => None,
                    }
                    // GitHub's advice when it gives no time: wait a minute.
                    .or_else(|| now.checked_add(Duration::from_secs(60)).ok());
                    tracing::warn!(status = resp.status, until = ?until, "GitHub rate limit");
                    if let Some(until) = until {
                        self.pacer.note_limited(until).await;
                        super::budget::note_wait(until.as_millisecond());
                    }
                    return Err(GitHubError::RateLimited {
                        message: format!("GitHub answered {} (rate limit)", resp.status),
                        until,
                    });
                }
                500..=599 if !create && !last => {
                    self.retry_after_backoff("server_error", attempt).await
                }
                status => return Err(error_for(status, &resp.body)),
            }
        }
    }

    async fn send_once(
        &self,
        method: &Method,
        url: &str,
        authorization: &str,
        body: Option<&serde_json::Value>,
        if_none_match: Option<&str>,
    ) -> Result<Response, SendError> {
        let mut builder = http::Request::builder()
            .method(method.clone())
            .uri(url)
            .header("accept", "application/vnd.github+json")
            .header("user-agent", "sprintbot")
            .header("x-github-api-version", "2022-11-28");
        // The manifest conversion is the one call made with no credentials.
        if !authorization.is_empty() {
            builder = builder.header("authorization", authorization);
        }
        if let Some(etag) = if_none_match {
            builder = builder.header("if-none-match", etag);
        }
        let payload = match body {
            Some(v) => {
                builder = builder.header("content-type", "application/json");
                v.to_string()
            }
            None => String::new(),
        };
        let request = builder
            .body(payload)
            .map_err(|e| SendError::Transport(e.to_string()))?;
        let exchange = async {
            let resp = self
                .octo
                .execute(request)
                .await
                .map_err(|e| SendError::Transport(e.to_string()))?;
            let (parts, body) = resp.into_parts();
            let body = body
                .collect()
                .await
                .map_err(|e| SendError::Transport(e.to_string()))?
                .to_bytes();
            Ok(Response {
                status: parts.status.as_u16(),
                headers: parts.headers,
                body,
            })
        };
        tokio::time::timeout(self.policy.timeout, exchange)
            .await
            .map_err(|_| SendError::Timeout)?
    }

    async fn retry_after_backoff(&self, reason: &'static str, attempt: u32) {
        metrics::counter!("sprintbot_github_retries_total", "reason" => reason).increment(1);
        let base = self.policy.backoff_base.as_millis() as u64;
        let max = self.policy.backoff_max.as_millis() as u64;
        let delay = crate::util::backoff(attempt, base, max, rand::random::<f64>());
        self.clock.sleep(delay).await;
    }

    fn note_rate_limit(&self, headers: &HeaderMap) {
        let mut b = self.budget.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(r) = header_i64(headers, "x-ratelimit-remaining") {
            b.remaining = Some(r.max(0) as u64);
        }
        if let Some(l) = header_i64(headers, "x-ratelimit-limit") {
            b.limit = Some(l.max(0) as u64);
        }
        if let Some(reset) =
            header_i64(headers, "x-ratelimit-reset").and_then(|s| Timestamp::from_second(s).ok())
        {
            b.reset = Some(reset);
        }
    }

    /// Refuse at once, without asking GitHub, while the budget is spent.
    fn check_rate_limit(&self) -> Result<(), GitHubError> {
        let b = self.budget();
        match (b.remaining, b.reset) {
            (Some(0), Some(reset)) if reset > self.clock.now() => {
                super::budget::note_wait(reset.as_millisecond());
                metrics::counter!("sprintbot_github_retries_total", "reason" => "rate_limit_reset")
                    .increment(1);
                Err(GitHubError::RateLimited {
                    message: "the rate limit is spent until its reset".into(),
                    until: Some(reset),
                })
            }
            _ => Ok(()),
        }
    }
}

fn header_i64(headers: &HeaderMap, name: &str) -> Option<i64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

fn remaining_is_zero(headers: &HeaderMap) -> bool {
    header_i64(headers, "x-ratelimit-remaining") == Some(0)
}

/// A refusal for a rate limit: GitHub's primary limit (`remaining: 0`),
/// a secondary one (`Retry-After`, or a message naming it), or any 429.
fn is_rate_limit(status: u16, headers: &HeaderMap, body: &[u8]) -> bool {
    status == 429
        || retry_after(headers).is_some()
        || remaining_is_zero(headers)
        || String::from_utf8_lossy(body)
            .to_lowercase()
            .contains("rate limit")
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    header_i64(headers, "retry-after").map(|s| Duration::from_secs(s.max(0) as u64))
}

fn error_for(status: u16, body: &[u8]) -> GitHubError {
    let message = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| {
            let msg = v.get("message")?.as_str()?.to_string();
            let details: Vec<String> = v
                .get("errors")
                .and_then(|e| e.as_array())
                .map(|errs| {
                    errs.iter()
                        .filter_map(|e| {
                            e.get("message")
                                .or(e.get("code"))
                                .and_then(|m| m.as_str())
                                .map(String::from)
                        })
                        .collect()
                })
                .unwrap_or_default();
            Some(if details.is_empty() {
                msg
            } else {
                format!("{msg}: {}", details.join("; "))
            })
        })
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned());
    match status {
        401 => GitHubError::Unauthorized { message },
        403 if message.to_lowercase().contains("rate limit") => GitHubError::RateLimited {
            message,
            until: None,
        },
        403 => GitHubError::Forbidden { message },
        429 => GitHubError::RateLimited {
            message,
            until: None,
        },
        404 => GitHubError::NotFound { what: message },
        422 => GitHubError::Validation { message },
        _ => GitHubError::Status { status, message },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphql_endpoint_follows_the_api_base() {
        assert_eq!(
            graphql_url("https://api.github.com"),
            "https://api.github.com/graphql"
        );
        assert_eq!(
            graphql_url("https://ghe.example.com/api/v3/"),
            "https://ghe.example.com/api/graphql"
        );
    }

    #[test]
    fn github_error_bodies_become_typed_errors() {
        let body = br#"{"message":"Validation Failed","errors":[{"resource":"Issue","code":"missing_field","field":"title"}]}"#;
        assert_eq!(
            error_for(422, body),
            GitHubError::Validation {
                message: "Validation Failed: missing_field".into()
            }
        );
        assert!(matches!(
            error_for(404, b"{\"message\":\"Not Found\"}"),
            GitHubError::NotFound { .. }
        ));
        assert!(matches!(
            error_for(403, b"{\"message\":\"API rate limit exceeded\"}"),
            GitHubError::RateLimited { .. }
        ));
        assert!(matches!(
            error_for(502, b"<html>"),
            GitHubError::Status { status: 502, .. }
        ));
    }
}
