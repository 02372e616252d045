//! The fake's side of GitHub's App manifest flow: the "new App" web page
//! (`POST /settings/apps/new`, or `/organizations/ORG/settings/apps/new`)
//! that reads a posted manifest and its `state`, creates the App and
//! redirects the browser to the manifest's `redirect_url` with a code; and
//! the REST conversion of a code into the App (`POST
//! /app-manifests/{code}/conversions`, no credentials), which, like
//! GitHub's, works once per code. Also what `GET /app` says the App may do,
//! and the Apps created here: like GitHub, the fake then accepts their JWTs
//! (signed with the key it handed out) and `GET /app` describes them.

use std::collections::HashMap;

use axum::body::Body;
use axum::response::Response;
use serde_json::{Value, json};

use super::routes::{Reply, status, with_status};
use super::state::State;
use super::{FakeGitHub, Inner, PRIVATE_KEY};

/// A manifest posted to the "new App" page.
#[derive(Debug, Clone)]
pub struct PostedManifest {
    /// The organisation whose page it was posted to (`None`: a user's).
    pub org: Option<String>,
    pub state: Option<String>,
    pub manifest: Value,
}

enum Conversion {
    App(Value),
    Refuse(String),
    Used,
}

#[derive(Default)]
pub struct ManifestState {
    codes: HashMap<String, Conversion>,
    posted: Vec<PostedManifest>,
    /// What `GET /app` says the App has; `None`: what sprintbot asks for.
    grants: Option<(Value, Vec<String>)>,
    /// The Apps created through the page, as `GET /app` describes them.
    created: Vec<Value>,
}

impl ManifestState {
    /// The ids of the Apps created through the page.
    pub fn created_ids(&self) -> Vec<u64> {
        self.created
            .iter()
            .filter_map(|a| a["id"].as_u64())
            .collect()
    }

    /// `GET /app` for an App created through the page.
    pub fn created_app(&self, id: u64) -> Option<Value> {
        self.created.iter().find(|a| a["id"] == id).cloned()
    }
}

/// `application/x-www-form-urlencoded` pairs.
fn form(text: &str) -> HashMap<String, String> {
    let decode = |s: &str| {
        let bytes = s.replace('+', " ");
        let bytes = bytes.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if bytes[i] == b'%'
                && let (Some(h), Some(l)) = (
                    bytes.get(i + 1).copied().and_then(hex),
                    bytes.get(i + 2).copied().and_then(hex),
                )
            {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    text.split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

fn html(status: u16, text: &str) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "text/html; charset=utf-8")
        .body(Body::from(format!(
            "<!doctype html><title>GitHub</title><p>{text}</p>"
        )))
        .unwrap()
}

/// Why GitHub's page would refuse this manifest, if it would.
fn invalid(m: &Value) -> Option<String> {
    for key in ["name", "url", "redirect_url"] {
        if m[key].as_str().is_none_or(|v| v.is_empty()) {
            return Some(format!("the manifest has no {key}"));
        }
    }
    if !m["hook_attributes"]["url"]
        .as_str()
        .is_some_and(|u| u.starts_with("http"))
    {
        return Some("the manifest's hook_attributes has no url".into());
    }
    if !m["default_permissions"].is_object() || !m["default_events"].is_array() {
        return Some("default_permissions must be an object and default_events a list".into());
    }
    None
}

/// The "new App" page; `None` for any other request (not REST, so it is
/// neither logged nor checked against the API description).
pub fn web_page(inner: &Inner, method: &str, uri: &http::Uri, body: &[u8]) -> Option<Response> {
    let segments: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    let org = match segments.as_slice() {
        ["settings", "apps", "new"] => None,
        ["organizations", org, "settings", "apps", "new"] => Some(org.to_string()),
        _ => return None,
    };
    if method != "POST" {
        return Some(html(405, "post a manifest to this page"));
    }
    let state = form(uri.query().unwrap_or("")).remove("state");
    let fields = form(&String::from_utf8_lossy(body));
    let Some(manifest) = fields
        .get("manifest")
        .and_then(|m| serde_json::from_str::<Value>(m).ok())
    else {
        return Some(html(422, "Invalid GitHub App configuration: no manifest"));
    };
    let mut s = inner.state.lock().unwrap();
    s.manifests.posted.push(PostedManifest {
        org: org.clone(),
        state: state.clone(),
        manifest: manifest.clone(),
    });
    if let Some(why) = invalid(&manifest) {
        return Some(html(
            422,
            &format!("Invalid GitHub App configuration: {why}"),
        ));
    }
    let id = 1000 + s.next_id();
    let code = format!("code{:x}", id * 7919);
    let name = manifest["name"].as_str().unwrap_or("app").to_string();
    let slug: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let web = inner
        .base_url
        .lock()
        .unwrap()
        .trim_end_matches(&inner.prefix)
        .to_string();
    let mut app: Value = serde_json::from_str(
        &std::fs::read_to_string(
            super::super::webhooks::fixtures_dir()
                .join("github/rest/examples/POST_app-manifests-code-conversions.201.json"),
        )
        .unwrap(),
    )
    .unwrap();
    app["id"] = json!(id);
    app["slug"] = json!(slug);
    app["name"] = json!(name);
    app["html_url"] = json!(format!("{web}/apps/{slug}"));
    app["owner"]["login"] = json!(org.as_deref().unwrap_or("octocat"));
    app["permissions"] = manifest["default_permissions"].clone();
    app["events"] = manifest["default_events"].clone();
    app["pem"] = json!(PRIVATE_KEY);
    app["webhook_secret"] = json!(format!("whsec-{id}"));
    // `GET /app` shows the App without its secrets.
    let mut shown = app.clone();
    for secret in ["pem", "webhook_secret", "client_secret", "client_id"] {
        shown.as_object_mut().unwrap().remove(secret);
    }
    s.manifests.created.push(shown);
    s.manifests.codes.insert(code.clone(), Conversion::App(app));
    let redirect = manifest["redirect_url"].as_str().unwrap_or("");
    let sep = if redirect.contains('?') { '&' } else { '?' };
    let mut location = format!("{redirect}{sep}code={code}");
    if let Some(state) = state {
        location.push_str(&format!("&state={state}"));
    }
    Some(
        Response::builder()
            .status(302)
            .header("location", location)
            .body(Body::empty())
            .unwrap(),
    )
}

/// `POST /app-manifests/{code}/conversions`; `None` for other requests.
pub fn conversion(s: &mut State, method: &str, segments: &[&str]) -> Option<Reply> {
    let ["app-manifests", code, "conversions"] = segments else {
        return None;
    };
    if method != "POST" {
        return Some(status(404, "Not Found"));
    }
    let entry = s.manifests.codes.get_mut(*code);
    Some(
        match entry.map(|c| std::mem::replace(c, Conversion::Used)) {
            Some(Conversion::App(app)) => with_status(201, app),
            Some(Conversion::Refuse(message)) => {
                s.manifests
                    .codes
                    .insert(code.to_string(), Conversion::Refuse(message.clone()));
                with_status(
                    422,
                    json!({ "message": message, "documentation_url": "https://docs.github.com/rest/apps/apps#create-a-github-app-from-a-manifest" }),
                )
            }
            // GitHub answers a used or unknown code alike.
            Some(Conversion::Used) | None => status(404, "Not Found"),
        },
    )
}

/// `GET /app`: GitHub's example, with what the App may do.
pub fn app(s: &State) -> Value {
    let mut v = super::responses::app(super::APP_ID, super::APP_SLUG);
    let (permissions, events) = match &s.manifests.grants {
        Some((p, e)) => (p.clone(), json!(e)),
        None => (
            json!({ "issues": "write", "metadata": "read", "contents": "read", "members": "read",
                    "checks": "write", "pull_requests": "read" }),
            json!([
                "issues",
                "issue_comment",
                "push",
                "pull_request",
                "installation_target"
            ]),
        ),
    };
    v["permissions"] = permissions;
    v["events"] = events;
    v
}

impl FakeGitHub {
    /// GitHub's web address (the API URL without GitHub Enterprise's prefix).
    pub fn web_url(&self) -> String {
        let base = self.inner.base_url.lock().unwrap().clone();
        base.trim_end_matches(&self.inner.prefix).to_string()
    }

    /// Every manifest posted to the "new App" page, oldest first.
    pub fn manifests_posted(&self) -> Vec<PostedManifest> {
        self.with(|s| s.manifests.posted.clone())
    }

    /// A code whose conversion GitHub refuses with 422 and `message`.
    pub fn refuse_manifest_code(&self, code: &str, message: &str) {
        self.with(|s| {
            s.manifests
                .codes
                .insert(code.into(), Conversion::Refuse(message.into()))
        });
    }

    /// What `GET /app` says the App may do (default: all sprintbot asks for).
    pub fn set_app_grants(&self, permissions: &[(&str, &str)], events: &[&str]) {
        let p: serde_json::Map<String, Value> = permissions
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        let e = events.iter().map(|e| e.to_string()).collect();
        self.with(|s| s.manifests.grants = Some((Value::Object(p), e)));
    }
}
