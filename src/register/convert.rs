//! Turning the code GitHub sends back into the App: `POST
//! /app-manifests/{code}/conversions`, the one GitHub call made without
//! credentials. A code works once and for an hour, so the call is never
//! retried.

use std::sync::Arc;

use serde::Deserialize;

use super::RegisterError;
use crate::config::deploy::Secret;
use crate::github::GitHubError;
use crate::github::auth::NoAuth;
use crate::github::clock::SystemClock;
use crate::github::transport::{Policy, Transport};

/// The App GitHub created, with its secrets.
pub struct NewApp {
    pub id: u64,
    pub slug: String,
    pub name: String,
    /// The App's page, e.g. `https://github.com/apps/SLUG`.
    pub html_url: String,
    pub pem: Secret,
    /// `None` only for an App without a webhook, which a manifest from
    /// `sprintbot register` never asks for.
    pub webhook_secret: Option<Secret>,
}

impl std::fmt::Debug for NewApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NewApp {{ id: {}, slug: {:?}, .. }}", self.id, self.slug)
    }
}

#[derive(Deserialize)]
struct Raw {
    id: u64,
    slug: String,
    #[serde(default)]
    name: String,
    html_url: String,
    pem: String,
    #[serde(default)]
    webhook_secret: Option<String>,
}

/// Exchange `code` for the App at the API base `api_url`.
pub async fn exchange(api_url: &str, code: &str) -> Result<NewApp, RegisterError> {
    let policy = Policy {
        max_attempts: 1,
        ..Policy::default()
    };
    let transport = Transport::new(api_url, Arc::new(NoAuth), Arc::new(SystemClock), policy)
        .map_err(RegisterError::GitHub)?;
    let path = format!("/app-manifests/{}/conversions", segment(code));
    let answer = transport
        .request(http::Method::POST, &path, None, true)
        .await
        .map_err(|e| match e {
            GitHubError::NotFound { .. } => RegisterError::CodeExpired,
            GitHubError::Validation { message } => RegisterError::Refused(message),
            other => RegisterError::GitHub(other),
        })?;
    let raw: Raw = answer.json().map_err(RegisterError::GitHub)?;
    Ok(NewApp {
        id: raw.id,
        name: if raw.name.is_empty() {
            raw.slug.clone()
        } else {
            raw.name
        },
        slug: raw.slug,
        html_url: raw.html_url,
        pem: Secret::new(raw.pem),
        webhook_secret: raw
            .webhook_secret
            .filter(|s| !s.is_empty())
            .map(Secret::new),
    })
}

/// A code as one path segment: GitHub's codes are hex, but it came back
/// through a browser, so anything else is escaped rather than trusted.
fn segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_cannot_leave_its_path_segment() {
        assert_eq!(segment("abc123"), "abc123");
        assert_eq!(segment("../app"), "..%2Fapp");
        assert_eq!(segment("a?b=c"), "a%3Fb%3Dc");
    }
}
