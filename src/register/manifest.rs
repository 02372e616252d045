//! The App manifest and where to send it: GitHub's "new App" page for a
//! personal account or an organisation, on github.com or a GitHub
//! Enterprise Server host (derived from the API URL). Pure.

use serde_json::{Value, json};

use super::RegisterError;
use crate::github::needs;

/// What the manifest is built from.
#[derive(Debug, Clone)]
pub struct Settings {
    pub name: String,
    /// Where sprintbot is reachable; webhooks go to `<public_url>/webhook`.
    pub public_url: String,
    /// Where GitHub sends the browser back with the code.
    pub redirect_url: String,
}

/// GitHub's App manifest (docs: "Registering a GitHub App from a manifest").
pub fn build(s: &Settings) -> Value {
    let permissions: serde_json::Map<String, Value> = needs::PERMISSIONS
        .iter()
        .map(|p| (p.name.to_string(), json!(p.level)))
        .collect();
    let events: Vec<&str> = needs::EVENTS.iter().map(|e| e.name).collect();
    json!({
        "name": s.name,
        "url": s.public_url,
        "description": "Runs the engineering sprint ritual in a GitHub issue: sprint issues, team comments, slash commands.",
        "hook_attributes": { "url": format!("{}/webhook", s.public_url), "active": true },
        "redirect_url": s.redirect_url,
        "public": false,
        "default_permissions": permissions,
        "default_events": events,
    })
}

/// GitHub's web address for an API base: `https://api.github.com` →
/// `https://github.com`, GitHub Enterprise Server's `https://HOST/api/v3` →
/// `https://HOST`, GHE.com's `https://api.NAME.ghe.com` →
/// `https://NAME.ghe.com`; `given` (`SPRINTBOT_GITHUB_WEB_URL`) wins.
pub fn web_base(api_url: &str, given: Option<&str>) -> String {
    if let Some(given) = given.map(str::trim).filter(|g| !g.is_empty()) {
        return given.trim_end_matches('/').to_string();
    }
    let base = api_url.trim_end_matches('/');
    if let Some(host) = base.strip_suffix("/api/v3") {
        return host.to_string();
    }
    match base.strip_prefix("https://api.") {
        Some(rest) => format!("https://{rest}"),
        None => base.to_string(),
    }
}

/// The page that creates the App from a posted manifest.
pub fn new_app_url(web: &str, org: Option<&str>, state: &str) -> String {
    match org {
        Some(org) => format!("{web}/organizations/{org}/settings/apps/new?state={state}"),
        None => format!("{web}/settings/apps/new?state={state}"),
    }
}

/// An organisation login as GitHub allows it: letters, digits and single
/// hyphens, at most 39 characters.
pub fn check_org(org: &str) -> Result<(), RegisterError> {
    let ok = !org.is_empty()
        && org.len() <= 39
        && !org.starts_with('-')
        && !org.ends_with('-')
        && !org.contains("--")
        && org.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(RegisterError::Org(org.to_string()))
    }
}

/// How a public URL will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlVerdict {
    Https,
    /// `http://localhost` and loopback addresses: fine to try things out.
    Local,
    /// Plain http to another host: webhooks would cross the network in clear.
    Insecure,
}

/// Check `--public-url` and return it without a trailing slash.
pub fn check_public_url(url: &str) -> Result<(String, UrlVerdict), RegisterError> {
    let trimmed = url.trim().trim_end_matches('/').to_string();
    let bad = || RegisterError::PublicUrl(url.to_string());
    let uri: http::Uri = trimmed.parse().map_err(|_| bad())?;
    let host = uri.host().ok_or_else(bad)?;
    if uri.query().is_some() {
        return Err(bad());
    }
    let verdict = match uri.scheme_str() {
        Some("https") => UrlVerdict::Https,
        Some("http") if matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "::1") => {
            UrlVerdict::Local
        }
        Some("http") => UrlVerdict::Insecure,
        _ => return Err(bad()),
    };
    Ok((trimmed, verdict))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_asks_for_what_sprintbot_needs() {
        let m = build(&Settings {
            name: "sprintbot-acme".into(),
            public_url: "https://bot.acme.dev".into(),
            redirect_url: "http://127.0.0.1:3456/callback".into(),
        });
        assert_eq!(m["hook_attributes"]["url"], "https://bot.acme.dev/webhook");
        assert_eq!(m["redirect_url"], "http://127.0.0.1:3456/callback");
        assert_eq!(m["public"], false);
        assert_eq!(m["default_permissions"]["issues"], "write");
        assert_eq!(m["default_permissions"]["checks"], "write");
        assert_eq!(m["default_permissions"]["pull_requests"], "read");
        let events: Vec<&str> = m["default_events"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e.as_str())
            .collect();
        assert_eq!(
            events,
            [
                "issues",
                "issue_comment",
                "push",
                "pull_request",
                "installation_target"
            ]
        );
    }

    #[test]
    fn the_web_host_follows_the_api_url() {
        assert_eq!(
            web_base("https://api.github.com", None),
            "https://github.com"
        );
        assert_eq!(
            web_base("https://ghe.acme.dev/api/v3/", None),
            "https://ghe.acme.dev"
        );
        assert_eq!(
            web_base("https://api.octo.ghe.com", None),
            "https://octo.ghe.com"
        );
        assert_eq!(
            web_base("https://api.github.com", Some("http://127.0.0.1:9/")),
            "http://127.0.0.1:9"
        );
        assert_eq!(
            new_app_url("https://github.com", Some("acme"), "s1"),
            "https://github.com/organizations/acme/settings/apps/new?state=s1"
        );
        assert_eq!(
            new_app_url("https://github.com", None, "s1"),
            "https://github.com/settings/apps/new?state=s1"
        );
    }

    #[test]
    fn public_urls_are_https_or_local_or_warned_about() {
        let v = |u: &str| check_public_url(u).map(|(_, v)| v);
        assert_eq!(v("https://bot.acme.dev/").unwrap(), UrlVerdict::Https);
        assert_eq!(v("http://localhost:3000").unwrap(), UrlVerdict::Local);
        assert_eq!(v("http://bot.acme.dev").unwrap(), UrlVerdict::Insecure);
        assert!(v("bot.acme.dev").is_err());
        assert!(v("ftp://bot.acme.dev").is_err());
        assert_eq!(
            check_public_url("https://acme.dev/sprintbot/").unwrap().0,
            "https://acme.dev/sprintbot"
        );
        assert!(check_org("acme-labs").is_ok());
        assert!(check_org("acme/labs").is_err());
    }
}
