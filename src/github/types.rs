//! Plain domain types for what sprintbot reads from and writes to GitHub.
//! Built from GitHub's JSON at the border (`client.rs`); nothing else in the
//! program sees GitHub's or octocrab's models.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::sprint::Login;

/// `owner/name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RepoRef {
    pub owner: String,
    pub name: String,
}

impl RepoRef {
    pub fn new(owner: impl Into<String>, name: impl Into<String>) -> Self {
        RepoRef {
            owner: owner.into(),
            name: name.into(),
        }
    }

    /// Parse `owner/name`.
    pub fn parse(s: &str) -> Option<RepoRef> {
        let (owner, name) = s.split_once('/')?;
        let ok = |p: &str| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        };
        (ok(owner) && ok(name)).then(|| RepoRef::new(owner, name))
    }
}

impl fmt::Display for RepoRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct IssueNumber(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommentId(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InstallationId(pub u64);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueState {
    Open,
    Closed,
}

/// Which issues to list by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateFilter {
    Open,
    Closed,
    All,
}

impl StateFilter {
    pub fn as_str(self) -> &'static str {
        match self {
            StateFilter::Open => "open",
            StateFilter::Closed => "closed",
            StateFilter::All => "all",
        }
    }
}

/// An issue as sprintbot needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub number: IssueNumber,
    /// GitHub's database id (what the sub-issues API takes, not the number).
    pub id: u64,
    /// GraphQL id, for pinning.
    pub node_id: String,
    pub title: String,
    pub body: String,
    pub state: IssueState,
    /// Why it was closed: `completed`, `not_planned`, ... (`None` when open,
    /// or when GitHub does not say).
    pub state_reason: Option<String>,
    /// It is a pull request (the issues API serves those too), and whether
    /// it was merged.
    pub pull_request: Option<PullMerged>,
    pub labels: Vec<String>,
    pub author: Login,
    pub author_is_bot: bool,
    pub created_at: String,
}

/// A comment on an issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub id: CommentId,
    pub body: String,
    pub author: Login,
    pub author_is_bot: bool,
    pub created_at: String,
    pub updated_at: String,
    /// Its page, `https://github.com/owner/repo/issues/N#issuecomment-ID`.
    pub html_url: String,
    /// How many 👍 and 😕 reactions it has (from anyone), when GitHub says.
    pub reactions: ReactionCounts,
}

impl Comment {
    /// The issue (or pull request) the comment is on, read from its page
    /// address; `None` when GitHub gave no address sprintbot can read.
    pub fn issue(&self) -> Option<IssueNumber> {
        let page = self.html_url.split('#').next()?;
        let (kind, n) = page.trim_end_matches('/').rsplit_once('/')?;
        let kind = kind.rsplit('/').next()?;
        if kind != "issues" && kind != "pull" {
            return None;
        }
        n.parse().ok().map(IssueNumber)
    }
}

/// What the issues API says of a pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullMerged {
    pub merged: bool,
}

/// A pull request from the pulls list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: IssueNumber,
    pub title: String,
    pub author: Login,
    pub author_is_bot: bool,
    /// When it was merged; `None` when it was closed unmerged (or is open).
    pub merged_at: Option<jiff::Timestamp>,
    pub updated_at: jiff::Timestamp,
    /// Its page, `https://github.com/owner/repo/pull/N`.
    pub html_url: String,
}

/// What sprintbot reads about a repository itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoInfo {
    pub default_branch: String,
    /// `https://github.com/owner/repo` (GitHub Enterprise has its own host).
    pub html_url: String,
}

/// The reaction roll-up GitHub includes with a comment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReactionCounts {
    pub plus_one: u32,
    pub confused: u32,
}

impl ReactionCounts {
    /// Nobody has left a 👍 or 😕, so sprintbot has not answered with one.
    pub fn none(&self) -> bool {
        self.plus_one == 0 && self.confused == 0
    }
}

/// A change to an issue made through GraphQL; several go in one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueOp {
    Pin(String),
    Unpin(String),
    /// Close as completed.
    Close(String),
}

impl IssueOp {
    pub fn node_id(&self) -> &str {
        match self {
            IssueOp::Pin(n) | IssueOp::Unpin(n) | IssueOp::Close(n) => n,
        }
    }
}

/// A new issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIssue {
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
}

/// Fields of an issue to change; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IssueUpdate {
    pub title: Option<String>,
    pub body: Option<String>,
    pub state: Option<IssueState>,
    /// Why it is closed (`completed`, `not_planned`); default `completed`.
    pub state_reason: Option<&'static str>,
}

/// A user's permission on a repository, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Permission {
    None,
    Read,
    Triage,
    Write,
    Maintain,
    Admin,
}

impl Permission {
    /// From GitHub's `role_name` (preferred) or legacy `permission`.
    pub fn from_github(name: &str) -> Permission {
        match name {
            "admin" => Permission::Admin,
            "maintain" => Permission::Maintain,
            "write" | "push" => Permission::Write,
            "triage" => Permission::Triage,
            "read" | "pull" => Permission::Read,
            _ => Permission::None,
        }
    }
}

/// Reactions sprintbot leaves on comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reaction {
    PlusOne,
    Confused,
    Eyes,
    /// On an adopted sprint issue: sprintbot's seal, which only its own
    /// account can take off (see `sprint_issues`).
    Rocket,
}

impl Reaction {
    pub fn content(self) -> &'static str {
        match self {
            Reaction::PlusOne => "+1",
            Reaction::Confused => "confused",
            Reaction::Eyes => "eyes",
            Reaction::Rocket => "rocket",
        }
    }

    pub fn from_content(s: &str) -> Option<Reaction> {
        match s {
            "+1" => Some(Reaction::PlusOne),
            "confused" => Some(Reaction::Confused),
            "eyes" => Some(Reaction::Eyes),
            "rocket" => Some(Reaction::Rocket),
            _ => None,
        }
    }
}

/// A repository file, read only if it changed since a known ETag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileRead {
    /// Unchanged since the ETag given (GitHub answered 304).
    NotModified,
    /// There is no such file.
    Missing,
    Found {
        text: String,
        etag: Option<String>,
        /// The blob sha of this version.
        sha: Option<String>,
    },
}

/// GitHub's limit on an issue or comment body, in characters.
pub const MAX_BODY_CHARS: usize = 65_536;

/// Whether a body fits GitHub's limit.
pub fn body_fits(body: &str) -> bool {
    body.chars().count() <= MAX_BODY_CHARS
}

/// An installation of the App.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Installation {
    pub id: InstallationId,
    pub account: String,
    /// GitHub says it is suspended (`suspended_at` is set).
    pub suspended: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_refs_parse_strictly() {
        assert_eq!(
            RepoRef::parse("acme/app.rs"),
            Some(RepoRef::new("acme", "app.rs"))
        );
        assert_eq!(RepoRef::parse("acme"), None);
        assert_eq!(RepoRef::parse("acme/a/b"), None);
        assert_eq!(RepoRef::parse("/x"), None);
    }

    #[test]
    fn permissions_are_ordered_and_read_from_github_names() {
        assert!(Permission::from_github("maintain") > Permission::from_github("write"));
        assert!(Permission::from_github("triage") > Permission::Read);
        assert_eq!(Permission::from_github("push"), Permission::Write);
        assert_eq!(Permission::from_github("weird"), Permission::None);
    }
}
