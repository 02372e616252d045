//! A stateful fake GitHub served over HTTP on an ephemeral loopback port, for
//! tests: GitHub's response shapes (from `tests/fixtures/github/rest/examples/`),
//! App JWT verification, installation tokens with an expiry the test
//! controls, a log of every request, injected faults, GraphQL pin/unpin,
//! pull requests, sub-issues and comment pins, and a check of every request
//! against GitHub's OpenAPI description.

mod app_auth;
mod hooks;
mod limits;
mod links;
mod manifest;
mod openapi;
mod pulls;
mod repo_routes;
mod responses;
mod routes;
mod selfservice;
mod server;
pub mod state;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use sprintbot::github::clock::Clock;

#[allow(unused_imports)]
pub use state::{AuthKind, FakeComment, FakeIssue, FakePull, Fault, FaultKind, Recorded};
use state::{FakeRepo, State};
#[allow(unused_imports)]
pub use {manifest::PostedManifest, pulls::FakeCheckRun};

/// A time as GitHub writes it: whole seconds (`2022-11-16T12:00:00Z`),
/// never a fraction, so a `since` filter compares like GitHub's.
pub fn github_time(t: jiff::Timestamp) -> String {
    jiff::Timestamp::from_second(t.as_second())
        .unwrap_or(t)
        .to_string()
}

pub const APP_ID: u64 = 4242;
/// The App's slug: its installation tokens act as `sprintbot[bot]`.
pub const APP_SLUG: &str = "sprintbot";
pub const BOT_LOGIN: &str = "sprintbot[bot]";
/// The login GitHub Actions' own token acts as.
pub const ACTIONS_BOT: &str = "github-actions[bot]";
pub const PRIVATE_KEY: &str = include_str!("../keys/app-private.pem");
pub(super) const PUBLIC_KEY: &str = include_str!("../keys/app-public.pem");

pub(super) struct Inner {
    pub(super) state: Mutex<State>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) prefix: String,
    pub(super) base_url: Mutex<String>,
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
            .fallback(server::handle)
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
            let id = 1_000_000 + s.repos.len() as u64;
            s.repos.entry(full.to_string()).or_insert_with(|| FakeRepo {
                id,
                ..FakeRepo::default()
            });
        });
    }

    /// GitHub's id of a repository.
    pub fn repo_id(&self, full: &str) -> u64 {
        self.with(|s| s.repo(full).expect("repo").id)
    }

    /// Where the App's webhooks go, for `deliver` and redeliveries.
    pub fn set_webhook_target(&self, url: &str, secret: &str) {
        self.with(|s| s.hooks.target = Some((url.into(), secret.into())));
    }

    /// GitHub sends the App a webhook (to the target set); it is logged with
    /// the answer's status, 0 when nobody answered. Returns the status.
    pub async fn deliver(&self, event: &str, payload: &Value) -> u16 {
        let id = self.with(|s| s.next_id());
        let d = hooks::HookDelivery {
            id,
            guid: format!("guid-{id}"),
            event: event.into(),
            action: payload["action"].as_str().map(String::from),
            installation: payload["installation"]["id"].as_u64(),
            status_code: 0,
            delivered_at: self.inner.clock.now(),
            redelivery: false,
            body: serde_json::to_vec(payload).unwrap(),
        };
        self.send_logged(d).await
    }

    async fn send_logged(&self, mut d: hooks::HookDelivery) -> u16 {
        let (url, secret) = self
            .with(|s| s.hooks.target.clone())
            .expect("set_webhook_target first");
        d.status_code = reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/json")
            .header("user-agent", "GitHub-Hookshot/fake")
            .header("x-github-event", &d.event)
            .header("x-github-delivery", &d.guid)
            .header(
                "x-hub-signature-256",
                sprintbot::webhook::signature::sign(&secret, &d.body),
            )
            .body(d.body.clone())
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0);
        let status = d.status_code;
        self.with(|s| s.hooks.log.push(d));
        status
    }

    /// Send the redeliveries the bot asked for (the fake's server does this
    /// itself after answering; tests may call it to be sure they are out).
    pub async fn flush_redeliveries(&self) {
        let out: Vec<hooks::HookDelivery> = self.with(|s| std::mem::take(&mut s.hooks.outbox));
        for mut d in out {
            d.id = self.with(|s| s.next_id());
            d.redelivery = true;
            d.delivered_at = self.inner.clock.now();
            self.send_logged(d).await;
        }
    }

    /// The webhook deliveries GitHub logged.
    pub fn deliveries(&self) -> Vec<(String, u16, bool)> {
        self.with(|s| {
            s.hooks
                .log
                .iter()
                .map(|d| (d.guid.clone(), d.status_code, d.redelivery))
                .collect()
        })
    }

    /// GitHub suspends an installation (or lifts it).
    pub fn set_suspended(&self, installation: u64, suspended: bool) {
        self.with(|s| {
            if suspended {
                s.suspended.insert(installation);
            } else {
                s.suspended.remove(&installation);
            }
        });
    }

    /// Refuse an installation's writes over `per_minute` a rolling minute
    /// or `per_hour` a rolling hour, as GitHub's secondary limits do (80
    /// and 500).
    pub fn enforce_write_limits(&self, per_minute: usize, per_hour: usize) {
        self.with(|s| s.limits.enforced = Some((per_minute, per_hour)));
    }

    /// How many writes GitHub refused for a limit.
    pub fn refusals(&self) -> u64 {
        self.with(|s| s.limits.refusals)
    }

    /// Writes sent while a refusal was pending (there should be none).
    pub fn writes_after_refusal(&self) -> Vec<String> {
        self.with(|s| s.limits.after_refusal.clone())
    }

    /// An installation spends its rate limit until `reset`.
    pub fn exhaust_rate_limit(&self, installation: u64, reset: jiff::Timestamp) {
        self.with(|s| {
            s.rate_limited.insert(installation, reset);
        });
    }

    /// Every write (not GET) fails with `status` until `until` (an outage).
    pub fn fail_writes_until(&self, until: jiff::Timestamp, status: u16) {
        self.with(|s| s.writes_fail_until = Some((until, status)));
    }

    /// The App is uninstalled from installation `id`.
    pub fn remove_installation(&self, id: u64) {
        self.with(|s| s.installations.retain(|(i, _, _)| *i != id));
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

    /// Accept `token` as GitHub Actions' token: it acts as
    /// `github-actions[bot]`, and `GET /user` refuses it (403), as on GitHub.
    pub fn add_plain_token(&self, token: &str) {
        self.with(|s| s.plain_tokens.push((token.into(), ACTIONS_BOT.into())));
    }

    /// Accept `token` as a personal token of `login` (`GET /user` answers).
    pub fn add_user_token(&self, token: &str, login: &str) {
        self.with(|s| s.plain_tokens.push((token.into(), login.into())));
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
        let now = github_time(self.inner.clock.now());
        self.with(|s| {
            let id = s.next_id();
            let r = s.repo(repo).expect("repo");
            let number = r.next_number();
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
                    state_reason: None,
                    pull: None,
                },
            );
            number
        })
    }

    /// A comment by `author`; returns its id.
    pub fn add_comment(&self, repo: &str, issue: u64, author: &str, body: &str) -> u64 {
        let now = github_time(self.inner.clock.now());
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

    /// Every comment of a repository.
    pub fn comments_all(&self, repo: &str) -> Vec<FakeComment> {
        self.with(|s| s.repo(repo).map(|r| r.comments.clone()).unwrap_or_default())
    }

    /// (login, content) of the reactions on issue `n` itself.
    pub fn issue_reactions(&self, repo: &str, n: u64) -> Vec<(String, String)> {
        self.with(|s| {
            s.repo(repo)
                .map(|r| {
                    r.issue_reactions
                        .iter()
                        .filter(|(i, _, _)| *i == n)
                        .map(|(_, l, k)| (l.clone(), k.clone()))
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

    /// Node ids of the pinned issues, oldest pin first.
    pub fn pinned(&self) -> Vec<String> {
        self.with(|s| s.pinned.iter().map(|(_, id)| id.clone()).collect())
    }

    /// A person edits an issue's body on GitHub.
    pub fn edit_issue_body(&self, repo: &str, n: u64, edit: impl FnOnce(&str) -> String) {
        self.with(|s| {
            let issue = s
                .repo(repo)
                .and_then(|r| r.issues.get_mut(&n))
                .expect("issue");
            issue.body = edit(&issue.body);
        })
    }

    /// A person edits an issue's title on GitHub.
    pub fn set_issue_title(&self, repo: &str, n: u64, title: &str) {
        self.with(|s| {
            let issue = s
                .repo(repo)
                .and_then(|r| r.issues.get_mut(&n))
                .expect("issue");
            issue.title = title.into();
        })
    }

    /// A person takes a label off an issue on GitHub.
    pub fn remove_issue_label(&self, repo: &str, n: u64, label: &str) {
        self.with(|s| {
            let issue = s
                .repo(repo)
                .and_then(|r| r.issues.get_mut(&n))
                .expect("issue");
            issue.labels.retain(|l| l != label);
        })
    }

    /// A person closes or reopens an issue on GitHub.
    pub fn set_issue_open(&self, repo: &str, n: u64, open: bool) {
        self.with(|s| {
            let issue = s
                .repo(repo)
                .and_then(|r| r.issues.get_mut(&n))
                .expect("issue");
            issue.open = open;
        })
    }

    /// An admin deletes an issue on GitHub: it leaves the lists with its
    /// comments and reactions, and every request about it answers 410.
    pub fn delete_issue(&self, repo: &str, n: u64) {
        self.with(|s| {
            let node = {
                let r = s.repo(repo).expect("repo");
                let issue = r.issues.remove(&n).expect("issue");
                r.deleted_issues.insert(n);
                let gone: Vec<u64> = r
                    .comments
                    .iter()
                    .filter(|c| c.issue == n)
                    .map(|c| c.id)
                    .collect();
                r.comments.retain(|c| c.issue != n);
                r.reactions.retain(|(c, _, _)| !gone.contains(c));
                r.issue_reactions.retain(|(i, _, _)| *i != n);
                r.sub_issues.retain(|(p, c)| *p != n && *c != n);
                issue.node_id
            };
            s.pinned.retain(|(_, id)| *id != node);
        })
    }

    /// A person edits a comment; returns the body it had.
    pub fn edit_comment(&self, repo: &str, id: u64, body: &str) -> String {
        let now = github_time(self.inner.clock.now());
        self.with(|s| {
            let c = s
                .repo(repo)
                .and_then(|r| r.comments.iter_mut().find(|c| c.id == id))
                .expect("comment");
            c.updated_at = now;
            std::mem::replace(&mut c.body, body.to_string())
        })
    }

    /// A person deletes a comment (and its reactions go with it).
    pub fn delete_comment(&self, repo: &str, id: u64) {
        self.with(|s| {
            let r = s.repo(repo).expect("repo");
            r.comments.retain(|c| c.id != id);
            r.reactions.retain(|(c, _, _)| *c != id);
        })
    }

    /// A person reacts to a comment.
    pub fn react(&self, repo: &str, comment: u64, login: &str, content: &str) {
        self.with(|s| {
            s.repo(repo)
                .expect("repo")
                .reactions
                .push((comment, login.into(), content.into()))
        })
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
