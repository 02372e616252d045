//! A stateful fake GitHub served over HTTP on an ephemeral loopback port, for
//! tests: GitHub's response shapes (from `tests/fixtures/github/rest/examples/`),
//! App JWT verification, installation tokens with an expiry the test
//! controls, a log of every request, injected faults, GraphQL pin/unpin, and
//! a check of every request against GitHub's OpenAPI description.

mod openapi;
mod responses;
mod routes;
pub mod state;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State as AxumState};
use axum::response::Response;
use http_body_util::BodyExt;
use jiff::Timestamp;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::Value;
use sprintbot::github::clock::Clock;

pub use state::{AuthKind, FakeComment, FakeIssue, Fault, FaultKind, Recorded};
use state::{FakeRepo, State};

pub const APP_ID: u64 = 4242;
pub const PRIVATE_KEY: &str = include_str!("../keys/app-private.pem");
const PUBLIC_KEY: &str = include_str!("../keys/app-public.pem");

struct Inner {
    state: Mutex<State>,
    clock: Arc<dyn Clock>,
    prefix: String,
    base_url: Mutex<String>,
}

/// The running fake. Cheap to clone; the server stops with the test.
#[derive(Clone)]
pub struct FakeGitHub {
    inner: Arc<Inner>,
}

impl FakeGitHub {
    /// Serve at `http://127.0.0.1:PORT` on the given clock.
    pub async fn start(clock: Arc<dyn Clock>) -> FakeGitHub {
        FakeGitHub::start_with_prefix(clock, "").await
    }

    /// Serve under a path prefix, as GitHub Enterprise does (`/api/v3`).
    pub async fn start_with_prefix(clock: Arc<dyn Clock>, prefix: &str) -> FakeGitHub {
        let inner = Arc::new(Inner {
            state: Mutex::new(State {
                token_ttl: Duration::from_secs(3600),
                ..State::default()
            }),
            clock,
            prefix: prefix.trim_end_matches('/').to_string(),
            base_url: Mutex::new(String::new()),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake GitHub");
        let addr = listener.local_addr().unwrap();
        *inner.base_url.lock().unwrap() = format!("http://{addr}{}", inner.prefix);
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(inner.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeGitHub { inner }
    }

    /// The API base URL to give the bot (`GITHUB_API_URL`).
    pub fn url(&self) -> String {
        self.inner.base_url.lock().unwrap().clone()
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.inner.state.lock().unwrap())
    }

    pub fn add_repo(&self, full: &str) {
        self.with(|s| {
            s.repos
                .entry(full.to_string())
                .or_insert_with(FakeRepo::default);
        });
    }

    pub fn add_installation(&self, id: u64, account: &str, repos: &[&str]) {
        for r in repos {
            self.add_repo(r);
        }
        self.with(|s| {
            s.installations.push((
                id,
                account.into(),
                repos.iter().map(|r| r.to_string()).collect(),
            ))
        });
    }

    /// Accept `token` as a plain token (PAT / Actions token).
    pub fn add_plain_token(&self, token: &str) {
        self.with(|s| s.plain_tokens.push(token.into()));
    }

    /// How long the installation tokens it issues live.
    pub fn set_token_ttl(&self, ttl: Duration) {
        self.with(|s| s.token_ttl = ttl);
    }

    pub fn set_role(&self, repo: &str, login: &str, role: &str) {
        self.with(|s| {
            s.repo(repo)
                .expect("repo")
                .roles
                .insert(login.into(), role.into());
        });
    }

    pub fn add_team_member(&self, org: &str, team: &str, login: &str) {
        self.with(|s| {
            s.teams
                .entry((org.into(), team.into()))
                .or_default()
                .push(login.into())
        });
    }

    pub fn put_file(&self, repo: &str, path: &str, content: &str) {
        self.with(|s| {
            s.repo(repo)
                .expect("repo")
                .files
                .insert(path.into(), content.into());
        });
    }

    pub fn add_label(&self, repo: &str, name: &str) {
        self.with(|s| s.repo(repo).expect("repo").labels.push(name.into()));
    }

    /// An issue opened by `author`; returns its number.
    pub fn add_issue(
        &self,
        repo: &str,
        title: &str,
        body: &str,
        labels: &[&str],
        author: &str,
    ) -> u64 {
        let now = self.inner.clock.now().to_string();
        self.with(|s| {
            let id = s.next_id();
            let r = s.repo(repo).expect("repo");
            let number = r.issues.keys().max().copied().unwrap_or(0) + 1;
            r.issues.insert(
                number,
                FakeIssue {
                    id,
                    number,
                    node_id: format!("I_kw{id}"),
                    title: title.into(),
                    body: body.into(),
                    open: true,
                    labels: labels.iter().map(|l| l.to_string()).collect(),
                    author: author.into(),
                    created_at: now,
                },
            );
            number
        })
    }

    /// A comment by `author`; returns its id.
    pub fn add_comment(&self, repo: &str, issue: u64, author: &str, body: &str) -> u64 {
        let now = self.inner.clock.now().to_string();
        self.with(|s| {
            let id = s.next_id();
            s.repo(repo).expect("repo").comments.push(FakeComment {
                id,
                issue,
                body: body.into(),
                author: author.into(),
                bot: author.ends_with("[bot]"),
                created_at: now.clone(),
                updated_at: now,
            });
            id
        })
    }

    pub fn issue(&self, repo: &str, n: u64) -> Option<FakeIssue> {
        self.with(|s| s.repo(repo).and_then(|r| r.issues.get(&n).cloned()))
    }

    pub fn issues(&self, repo: &str) -> Vec<FakeIssue> {
        self.with(|s| {
            s.repo(repo)
                .map(|r| r.issues.values().cloned().collect())
                .unwrap_or_default()
        })
    }

    pub fn comments(&self, repo: &str, issue: u64) -> Vec<FakeComment> {
        self.with(|s| {
            s.repo(repo)
                .map(|r| {
                    r.comments
                        .iter()
                        .filter(|c| c.issue == issue)
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// (login, content) of the reactions on a comment.
    pub fn reactions(&self, repo: &str, comment: u64) -> Vec<(String, String)> {
        self.with(|s| {
            s.repo(repo)
                .map(|r| {
                    r.reactions
                        .iter()
                        .filter(|x| x.0 == comment)
                        .map(|x| (x.1.clone(), x.2.clone()))
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    pub fn labels(&self, repo: &str) -> Vec<String> {
        self.with(|s| s.repo(repo).map(|r| r.labels.clone()).unwrap_or_default())
    }

    pub fn pinned(&self) -> Vec<String> {
        self.with(|s| s.pinned.clone())
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.with(|s| s.requests.clone())
    }

    /// Requests whose method matches and whose path contains `path`.
    pub fn count(&self, method: &str, path: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == method && r.path.contains(path))
            .count()
    }

    pub fn tokens_issued(&self) -> u64 {
        self.with(|s| s.tokens_issued)
    }

    /// Inject a fault into the next `times` requests matching method and path.
    pub fn inject(&self, method: &str, path_contains: &str, times: u32, kind: FaultKind) {
        self.with(|s| {
            s.faults.push(Fault {
                method: method.into(),
                path_contains: path_contains.into(),
                skip: 0,
                remaining: times,
                kind,
            })
        });
    }

    /// Fail the next `times` matching requests with `status` and headers.
    pub fn fail(
        &self,
        method: &str,
        path_contains: &str,
        times: u32,
        status: u16,
        headers: &[(&str, &str)],
    ) {
        let headers = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.inject(
            method,
            path_contains,
            times,
            FaultKind::Status { status, headers },
        );
    }

    /// Let `skip` matching requests through, then fail the next `times`.
    pub fn fail_after(
        &self,
        method: &str,
        path_contains: &str,
        skip: u32,
        times: u32,
        status: u16,
    ) {
        let kind = FaultKind::Status {
            status,
            headers: Vec::new(),
        };
        self.with(|s| {
            s.faults.push(Fault {
                method: method.into(),
                path_contains: path_contains.into(),
                skip,
                remaining: times,
                kind,
            })
        });
    }

    /// Requests GitHub would have rejected (wrong path, method or body).
    pub fn violations(&self) -> Vec<String> {
        self.with(|s| s.violations.clone())
    }

    /// Fails the test if any request broke GitHub's API description.
    pub fn assert_no_violations(&self) {
        let v = self.violations();
        assert!(
            v.is_empty(),
            "requests GitHub would reject:\n{}",
            v.join("\n")
        );
    }

    /// Send a signed webhook to `url`, as GitHub does; returns the status.
    pub async fn send_webhook(&self, url: &str, secret: &str, event: &str, payload: &Value) -> u16 {
        let body = serde_json::to_vec(payload).unwrap();
        let id = self.with(|s| s.next_id());
        reqwest::Client::new()
            .post(url)
            .header("content-type", "application/json")
            .header("user-agent", "GitHub-Hookshot/fake")
            .header("x-github-event", event)
            .header("x-github-delivery", format!("fake-{id}"))
            .header(
                "x-hub-signature-256",
                sprintbot::webhook::signature::sign(secret, &body),
            )
            .body(body)
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }
}

fn authenticate(state: &mut State, header: Option<&str>, now: Timestamp) -> AuthKind {
    let Some(header) = header else {
        return AuthKind::None;
    };
    if let Some(jwt) = header.strip_prefix("Bearer ") {
        let key = DecodingKey::from_rsa_pem(PUBLIC_KEY.as_bytes()).unwrap();
        let mut v = Validation::new(Algorithm::RS256);
        // Expiry is checked against the fake's clock, not the wall clock.
        v.validate_exp = false;
        v.required_spec_claims.clear();
        v.set_issuer(&[APP_ID.to_string()]);
        #[derive(serde::Deserialize)]
        struct Claims {
            iat: i64,
            exp: i64,
        }
        return match jsonwebtoken::decode::<Claims>(jwt, &key, &v) {
            Ok(t)
                if t.claims.exp > now.as_second()
                    && t.claims.iat <= now.as_second()
                    && t.claims.exp - t.claims.iat <= 600 =>
            {
                AuthKind::Jwt
            }
            _ => AuthKind::Invalid,
        };
    }
    let Some(token) = header.strip_prefix("token ") else {
        return AuthKind::Invalid;
    };
    if state.plain_tokens.iter().any(|t| t == token) {
        return AuthKind::Token(0);
    }
    match state.tokens.get(token) {
        Some((inst, expires)) if *expires > now => AuthKind::Token(*inst),
        _ => AuthKind::Invalid,
    }
}

async fn handle(AxumState(inner): AxumState<Arc<Inner>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let body: Option<Value> = if bytes.is_empty() {
        None
    } else {
        serde_json::from_slice(&bytes).ok()
    };
    let method = parts.method.as_str().to_string();
    let full_path = parts.uri.path().to_string();
    let query_str = parts.uri.query().unwrap_or("").to_string();
    let now = inner.clock.now();
    // GitHub Enterprise serves GraphQL beside, not under, its REST prefix.
    let graphql_beside = !inner.prefix.is_empty() && full_path == "/api/graphql";
    let stripped = if graphql_beside {
        Some(full_path.clone())
    } else {
        full_path.strip_prefix(&inner.prefix).map(str::to_string)
    };
    let Some(path) = stripped else {
        return reply(404, &responses::error("Not Found"), &[]);
    };
    let path = if path.is_empty() {
        "/".to_string()
    } else {
        path
    };
    let auth_header = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok());

    let (fault, auth) = {
        let mut s = inner.state.lock().unwrap();
        let auth = authenticate(&mut s, auth_header, now);
        s.requests.push(Recorded {
            method: method.clone(),
            path: path.clone(),
            query: query_str.clone(),
            body: body.clone(),
            auth: auth.clone(),
            at: now,
        });
        let graphql = path == "/graphql" || path == "/api/graphql";
        if !graphql && let Some(v) = openapi::violation(&method, &path, body.as_ref()) {
            s.violations.push(v);
        }
        (s.take_fault(&method, &path), auth)
    };
    match &fault {
        Some(FaultKind::Status { status, headers }) => {
            let hs: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            return reply(*status, &responses::error("injected fault"), &hs);
        }
        Some(FaultKind::Drop) => {
            let stream = futures_util::stream::once(async {
                Err::<bytes::Bytes, _>(std::io::Error::other("dropped by the fake"))
            });
            return Response::builder()
                .status(200)
                .header("content-length", "1000")
                .body(Body::from_stream(stream))
                .unwrap();
        }
        _ => {}
    }
    let response = {
        let mut s = inner.state.lock().unwrap();
        route(&mut s, &inner, &method, &path, &query_str, body, auth, now)
    };
    if let Some(FaultKind::DelayAfter(d)) = fault {
        tokio::time::sleep(d).await;
    }
    response
}

#[allow(clippy::too_many_arguments)]
fn route(
    s: &mut State,
    inner: &Inner,
    method: &str,
    path: &str,
    query: &str,
    body: Option<Value>,
    auth: AuthKind,
    now: Timestamp,
) -> Response {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    // App-level endpoints need the App JWT; everything else a token.
    if segments.first() == Some(&"app") {
        if auth != AuthKind::Jwt {
            return reply(
                401,
                &responses::error("A JSON web token could not be decoded"),
                &[],
            );
        }
        if let ["app", "installations", id, "access_tokens"] = segments.as_slice() {
            let Some(inst) = id
                .parse::<u64>()
                .ok()
                .filter(|i| s.installations.iter().any(|(x, _, _)| x == i))
            else {
                return reply(404, &responses::error("Not Found"), &[]);
            };
            s.tokens_issued += 1;
            let token = format!("ghs_fake_{inst}_{}", s.tokens_issued);
            let expires = now.checked_add(s.token_ttl).unwrap();
            s.tokens.insert(token.clone(), (inst, expires));
            let exp = Timestamp::from_second(expires.as_second())
                .unwrap()
                .to_string();
            return reply(201, &responses::access_token(&token, &exp), &[]);
        }
    } else if !matches!(auth, AuthKind::Token(_)) {
        return reply(401, &responses::error("Bad credentials"), &[]);
    }
    let installation = if let AuthKind::Token(i) = auth { i } else { 0 };
    if path == "/graphql" || path == "/api/graphql" {
        let r = routes::graphql(s, &body.unwrap_or(Value::Null));
        return reply(r.status, &r.body, &[]);
    }
    let q: HashMap<String, String> = query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), percent_decode(v)))
        .collect();
    let r = routes::rest(
        s,
        routes::Req {
            method,
            segments,
            query: q.clone(),
            body,
            installation,
            now: now.to_string(),
        },
    );
    let mut headers = Vec::new();
    let link;
    if let Some((page, per_page, total)) = r.page
        && page * per_page < total
    {
        let base = inner.base_url.lock().unwrap().clone();
        let mut q = q;
        q.insert("page".into(), (page + 1).to_string());
        q.insert("per_page".into(), per_page.to_string());
        let mut pairs: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
        pairs.sort();
        let last = total.div_ceil(per_page);
        link = format!(
            "<{base}{path}?{}>; rel=\"next\", <{base}{path}?page={last}>; rel=\"last\"",
            pairs.join("&")
        );
        headers.push(("link", link.as_str()));
    }
    reply(r.status, &r.body, &headers)
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && i + 2 < bytes.len() + 1
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
}

fn reply(status: u16, body: &Value, headers: &[(&str, &str)]) -> Response {
    let mut b = Response::builder()
        .status(status)
        .header("content-type", "application/json; charset=utf-8")
        .header("x-ratelimit-limit", "5000");
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("x-ratelimit-remaining"))
    {
        b = b.header("x-ratelimit-remaining", "4999");
    }
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::from(body.to_string())).unwrap()
}
