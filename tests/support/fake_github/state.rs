//! What the fake GitHub keeps: repositories with their issues, comments,
//! reactions, labels, collaborators and files; teams; installations and the
//! tokens it has issued; every request in order; faults to inject.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use jiff::Timestamp;
use serde_json::Value;

#[derive(Debug, Clone)]
pub struct FakeIssue {
    pub id: u64,
    pub number: u64,
    pub node_id: String,
    pub title: String,
    pub body: String,
    pub open: bool,
    pub labels: Vec<String>,
    pub author: String,
    pub created_at: String,
    /// Why it was closed (`completed`, `not_planned`), when it is.
    pub state_reason: Option<String>,
    /// It is a pull request.
    pub pull: Option<FakePull>,
}

/// What a pull request has beyond an issue.
#[derive(Debug, Clone, Default)]
pub struct FakePull {
    pub base: String,
    pub author_is_bot: bool,
    pub merged_at: Option<String>,
    pub updated_at: String,
}

#[derive(Debug, Clone)]
pub struct FakeComment {
    pub id: u64,
    pub issue: u64,
    pub body: String,
    pub author: String,
    pub bot: bool,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Default)]
pub struct FakeRepo {
    /// GitHub's id of the repository.
    pub id: u64,
    pub issues: BTreeMap<u64, FakeIssue>,
    pub comments: Vec<FakeComment>,
    pub labels: Vec<String>,
    /// login → role (`read`, `triage`, `write`, `maintain`, `admin`)
    pub roles: HashMap<String, String>,
    pub files: HashMap<String, String>,
    /// (comment id, login, content)
    pub reactions: Vec<(u64, String, String)>,
    /// (issue number, login, content): reactions on issues themselves.
    pub issue_reactions: Vec<(u64, String, String)>,
    /// (parent, sub-issue) numbers, in the order they were added.
    pub sub_issues: Vec<(u64, u64)>,
    /// Comments pinned on their issue.
    pub pinned_comments: Vec<u64>,
    /// Issues people deleted: GitHub answers 410 Gone about them, and
    /// never gives their numbers to new issues.
    pub deleted_issues: std::collections::BTreeSet<u64>,
}

impl FakeRepo {
    /// The number GitHub gives the next issue.
    pub fn next_number(&self) -> u64 {
        let used = self.issues.keys().chain(&self.deleted_issues);
        used.max().copied().unwrap_or(0) + 1
    }
}

/// How a request authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthKind {
    None,
    /// A valid App JWT.
    Jwt,
    /// A valid installation token of this installation (0 = a plain token).
    Token(u64),
    /// Something the fake did not accept.
    Invalid,
    /// A well-formed App JWT for an App that does not exist.
    UnknownApp,
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub body: Option<Value>,
    pub auth: AuthKind,
    /// The fake's clock when the request arrived.
    pub at: Timestamp,
    /// It carried `If-None-Match` (a conditional request).
    pub conditional: bool,
}

/// A change to the fake's state, made when a matching request arrives.
pub type Mutation = std::sync::Arc<dyn Fn(&mut State) + Send + Sync>;

/// What to do to matching requests.
#[derive(Clone)]
pub enum FaultKind {
    /// Answer this status (with these headers) instead of doing the work.
    Status {
        status: u16,
        headers: Vec<(String, String)>,
    },
    /// Start answering, then drop the connection.
    Drop,
    /// Do the work, then wait this long before answering.
    DelayAfter(Duration),
    /// Change the state (as a person on GitHub would) just before the
    /// request is served, which then goes ahead normally.
    Mutate(Mutation),
}

impl std::fmt::Debug for FaultKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FaultKind::Status { status, .. } => write!(f, "Status({status})"),
            FaultKind::Drop => write!(f, "Drop"),
            FaultKind::DelayAfter(d) => write!(f, "DelayAfter({d:?})"),
            FaultKind::Mutate(_) => write!(f, "Mutate"),
        }
    }
}

#[derive(Clone)]
pub struct Fault {
    pub method: String,
    pub path_contains: String,
    /// Matching requests let through before the fault starts.
    pub skip: u32,
    pub remaining: u32,
    pub kind: FaultKind,
}

#[derive(Default)]
pub struct State {
    pub repos: BTreeMap<String, FakeRepo>,
    /// (installation id, account, repositories)
    pub installations: Vec<(u64, String, Vec<String>)>,
    /// token → (installation, expires at)
    pub tokens: HashMap<String, (u64, Timestamp)>,
    pub token_ttl: Duration,
    pub tokens_issued: u64,
    /// (token, the login it acts as)
    pub plain_tokens: Vec<(String, String)>,
    pub next_id: u64,
    pub requests: Vec<Recorded>,
    pub faults: Vec<Fault>,
    pub violations: Vec<String>,
    /// (org, team) → active members
    pub teams: HashMap<(String, String), Vec<String>>,
    /// (repository, issue node id), oldest pin first.
    pub pinned: Vec<(String, String)>,
    pub pulls: super::pulls::PullsState,
    pub manifests: super::manifest::ManifestState,
    pub hooks: super::hooks::HooksState,
    /// Installations GitHub has suspended: their tokens cannot be minted.
    pub suspended: std::collections::HashSet<u64>,
    /// Installations whose rate limit is spent, until when.
    pub rate_limited: HashMap<u64, Timestamp>,
    /// Every write fails with this status until then (an outage).
    pub writes_fail_until: Option<(Timestamp, u16)>,
    /// GitHub's write limits, when enforced, and what they refused.
    pub limits: super::limits::LimitsState,
}

impl State {
    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn repo(&mut self, full: &str) -> Option<&mut FakeRepo> {
        self.repos.get_mut(full)
    }

    /// The first fault matching a request, used up by one.
    pub fn take_fault(&mut self, method: &str, path: &str) -> Option<FaultKind> {
        let f = self.faults.iter_mut().find(|f| {
            f.remaining > 0
                && (f.method.is_empty() || f.method == method)
                && path.contains(&f.path_contains)
        })?;
        if f.skip > 0 {
            f.skip -= 1;
            return None;
        }
        f.remaining -= 1;
        Some(f.kind.clone())
    }
}
