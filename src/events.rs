//! Webhook payloads become typed events here, in one place: handlers work on
//! these types, never on raw JSON. `X-GitHub-Event` and `action` are read as
//! strings first, so an action GitHub adds later is an [`Event::Other`], not
//! a failure.

mod pull_request;

pub use pull_request::PullRequestEvent;

use serde::Deserialize;

use crate::github::{Comment, CommentId, InstallationId, IssueNumber, ReactionCounts, RepoRef};
use crate::sprint::Login;

/// A webhook, as sprintbot understands it.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Ping {
        zen: Option<String>,
    },
    Comment(CommentEvent),
    Issue(IssueEvent),
    Push(PushEvent),
    PullRequest(PullRequestEvent),
    Installation(InstallationEvent),
    /// An event or action no handler uses.
    Other {
        event: String,
        action: Option<String>,
    },
}

/// Where an event happened and who caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub installation: Option<InstallationId>,
    pub repo: RepoRef,
    pub repo_id: u64,
    pub sender: Login,
    pub sender_is_bot: bool,
}

/// What happened to a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentAction {
    Created,
    /// Edited; GitHub sends the body as it was before when it changed.
    Edited {
        previous_body: Option<String>,
    },
    Deleted,
}

/// `issue_comment`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentEvent {
    pub origin: Origin,
    pub action: CommentAction,
    pub issue: IssueNumber,
    pub on_pull_request: bool,
    pub comment: Comment,
}

/// `issues`: sprint issues opened, closed, reopened, edited or deleted;
/// and any issue closed or reopened, which may tick or untick a goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueEvent {
    pub origin: Origin,
    pub action: String,
    pub number: IssueNumber,
    pub open: bool,
    /// Why it was closed (`completed`, `not_planned`), when GitHub says.
    pub state_reason: Option<String>,
    pub author: Login,
    pub body: String,
}

impl IssueEvent {
    /// Closed as completed (GitHub's default reason when it gives none).
    pub fn closed_as_completed(&self) -> bool {
        self.action == "closed"
            && self
                .state_reason
                .as_deref()
                .is_none_or(|r| r == "completed")
    }
}

/// `push`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushEvent {
    pub origin: Origin,
    pub git_ref: String,
    pub default_branch: String,
    /// Every file added, modified or removed by the pushed commits.
    pub files: Vec<String>,
}

impl PushEvent {
    /// Whether the push is to the repository's default branch.
    pub fn to_default_branch(&self) -> bool {
        self.git_ref == format!("refs/heads/{}", self.default_branch)
    }
}

/// `installation` and `installation_repositories`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallationEvent {
    pub installation: InstallationId,
    pub account: String,
    pub action: String,
    pub added: Vec<(u64, RepoRef)>,
    pub removed: Vec<(u64, RepoRef)>,
    pub suspended: bool,
}

/// A payload that does not have the shape of its event.
#[derive(Debug, thiserror::Error)]
#[error("the {event} payload does not have the expected shape: {reason}")]
pub struct EventError {
    pub event: String,
    pub reason: String,
}

#[derive(Deserialize)]
struct RawUser {
    login: String,
    #[serde(rename = "type", default)]
    kind: String,
}

#[derive(Deserialize)]
struct RawRepo {
    id: u64,
    full_name: String,
    #[serde(default)]
    default_branch: Option<String>,
}

#[derive(Deserialize)]
struct RawInstallationRef {
    id: u64,
}

#[derive(Deserialize)]
struct Envelope {
    action: Option<String>,
    repository: Option<RawRepo>,
    installation: Option<RawInstallationRef>,
    sender: Option<RawUser>,
}

fn origin(env: Envelope, event: &str) -> Result<Origin, EventError> {
    let bad = |reason: &str| EventError {
        event: event.into(),
        reason: reason.into(),
    };
    let repo = env.repository.ok_or_else(|| bad("no repository"))?;
    let sender = env.sender.ok_or_else(|| bad("no sender"))?;
    Ok(Origin {
        installation: env.installation.map(|i| InstallationId(i.id)),
        repo: RepoRef::parse(&repo.full_name)
            .ok_or_else(|| bad(&format!("bad repository name {}", repo.full_name)))?,
        repo_id: repo.id,
        sender_is_bot: sender.kind == "Bot",
        sender: Login(sender.login),
    })
}

/// Turn a delivery's event name and raw body into an [`Event`].
pub fn parse(event: &str, payload: &[u8]) -> Result<Event, EventError> {
    let shape = |e: serde_json::Error| EventError {
        event: event.into(),
        reason: e.to_string(),
    };
    let env: Envelope = serde_json::from_slice(payload).map_err(shape)?;
    let action = env.action.clone();
    let other = || Event::Other {
        event: event.into(),
        action: action.clone(),
    };
    match (event, action.as_deref()) {
        ("ping", _) => {
            #[derive(Deserialize)]
            struct P {
                zen: Option<String>,
            }
            let p: P = serde_json::from_slice(payload).map_err(shape)?;
            Ok(Event::Ping { zen: p.zen })
        }
        ("issue_comment", Some(a @ ("created" | "edited" | "deleted"))) => {
            let a = a.to_string();
            comment(payload, &a, origin(env, event)?).map_err(shape)
        }
        ("issues", Some(_)) => {
            #[derive(Deserialize)]
            struct P {
                issue: I,
            }
            #[derive(Deserialize)]
            struct I {
                number: u64,
                state: String,
                #[serde(default)]
                state_reason: Option<String>,
                user: RawUser,
                body: Option<String>,
            }
            let p: P = serde_json::from_slice(payload).map_err(shape)?;
            Ok(Event::Issue(IssueEvent {
                origin: origin(env, event)?,
                action: action.clone().unwrap_or_default(),
                number: IssueNumber(p.issue.number),
                open: p.issue.state == "open",
                state_reason: p.issue.state_reason,
                author: Login(p.issue.user.login),
                body: p.issue.body.unwrap_or_default(),
            }))
        }
        ("push", _) => {
            #[derive(Deserialize)]
            struct P {
                #[serde(rename = "ref")]
                git_ref: String,
                #[serde(default)]
                commits: Vec<C>,
            }
            #[derive(Deserialize)]
            struct C {
                #[serde(default)]
                added: Vec<String>,
                #[serde(default)]
                modified: Vec<String>,
                #[serde(default)]
                removed: Vec<String>,
            }
            let p: P = serde_json::from_slice(payload).map_err(shape)?;
            let default_branch = env
                .repository
                .as_ref()
                .and_then(|r| r.default_branch.clone())
                .unwrap_or_default();
            let mut files: Vec<String> = p
                .commits
                .into_iter()
                .flat_map(|c| c.added.into_iter().chain(c.modified).chain(c.removed))
                .collect();
            files.sort();
            files.dedup();
            Ok(Event::Push(PushEvent {
                origin: origin(env, event)?,
                git_ref: p.git_ref,
                default_branch,
                files,
            }))
        }
        ("pull_request", Some(a)) => {
            let a = a.to_string();
            pull_request::parse(payload, &a, origin(env, event)?).map_err(shape)
        }
        ("installation" | "installation_repositories", Some(a)) => {
            installation(payload, a).map_err(shape)
        }
        ("issue_comment" | "issues" | "installation" | "installation_repositories", None) => {
            Err(EventError {
                event: event.into(),
                reason: "it has no `action`".into(),
            })
        }
        _ => Ok(other()),
    }
}

fn comment(payload: &[u8], action: &str, origin: Origin) -> Result<Event, serde_json::Error> {
    #[derive(Deserialize)]
    struct P {
        issue: I,
        comment: C,
        #[serde(default)]
        changes: Option<Changes>,
    }
    #[derive(Deserialize)]
    struct I {
        number: u64,
        #[serde(default)]
        pull_request: Option<serde_json::Value>,
    }
    #[derive(Deserialize)]
    struct C {
        id: u64,
        body: Option<String>,
        user: RawUser,
        #[serde(default)]
        created_at: String,
        #[serde(default)]
        updated_at: String,
        #[serde(default)]
        html_url: String,
    }
    #[derive(Deserialize)]
    struct Changes {
        body: Option<From>,
    }
    #[derive(Deserialize)]
    struct From {
        from: String,
    }
    let p: P = serde_json::from_slice(payload)?;
    let action = match action {
        "created" => CommentAction::Created,
        "edited" => CommentAction::Edited {
            previous_body: p.changes.and_then(|c| c.body).map(|b| b.from),
        },
        _ => CommentAction::Deleted,
    };
    Ok(Event::Comment(CommentEvent {
        origin,
        action,
        issue: IssueNumber(p.issue.number),
        on_pull_request: p.issue.pull_request.is_some(),
        comment: Comment {
            id: CommentId(p.comment.id),
            body: p.comment.body.unwrap_or_default(),
            author_is_bot: p.comment.user.kind == "Bot",
            author: Login(p.comment.user.login),
            created_at: p.comment.created_at,
            updated_at: p.comment.updated_at,
            html_url: p.comment.html_url,
            reactions: ReactionCounts::default(),
        },
    }))
}

fn installation(payload: &[u8], action: &str) -> Result<Event, serde_json::Error> {
    #[derive(Deserialize)]
    struct P {
        installation: Inst,
        #[serde(default)]
        repositories: Vec<R>,
        #[serde(default)]
        repositories_added: Vec<R>,
        #[serde(default)]
        repositories_removed: Vec<R>,
    }
    #[derive(Deserialize)]
    struct Inst {
        id: u64,
        account: Option<RawUser>,
        #[serde(default)]
        suspended_at: Option<String>,
    }
    #[derive(Deserialize)]
    struct R {
        id: u64,
        full_name: String,
    }
    let p: P = serde_json::from_slice(payload)?;
    let list = |v: Vec<R>| -> Vec<(u64, RepoRef)> {
        v.into_iter()
            .filter_map(|r| Some((r.id, RepoRef::parse(&r.full_name)?)))
            .collect()
    };
    let mut added = list(p.repositories);
    added.extend(list(p.repositories_added));
    Ok(Event::Installation(InstallationEvent {
        installation: InstallationId(p.installation.id),
        account: p.installation.account.map(|a| a.login).unwrap_or_default(),
        action: action.to_string(),
        added,
        removed: list(p.repositories_removed),
        suspended: action == "suspend"
            || (action != "unsuspend" && p.installation.suspended_at.is_some()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/github/webhooks/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(path).unwrap()
    }

    #[test]
    fn githubs_payloads_become_typed_events() {
        let Event::Comment(c) = parse("issue_comment", &fixture("issue_comment.edited")).unwrap()
        else {
            panic!("not a comment event")
        };
        assert!(matches!(
            c.action,
            CommentAction::Edited {
                previous_body: Some(_)
            }
        ));
        assert!(!c.origin.repo.name.is_empty());
        let Event::Push(p) = parse("push", &fixture("push")).unwrap() else {
            panic!("not a push")
        };
        assert!(!p.to_default_branch());
        let Event::Installation(i) =
            parse("installation", &fixture("installation.suspend")).unwrap()
        else {
            panic!("not an installation event")
        };
        assert!(i.suspended);
        let Event::Installation(i) =
            parse("installation", &fixture("installation.unsuspend")).unwrap()
        else {
            panic!("not an installation event")
        };
        assert!(!i.suspended);
        assert!(matches!(
            parse("issues", &fixture("issues.opened")).unwrap(),
            Event::Issue(IssueEvent { open: true, .. })
        ));
        let Event::PullRequest(pr) =
            parse("pull_request", &fixture("pull_request.opened.2")).unwrap()
        else {
            panic!("not a pull request event")
        };
        assert_eq!((pr.action.as_str(), pr.number.0), ("opened", 2));
        assert_eq!(pr.head_sha.len(), 40);
        assert!(!pr.from_fork());
    }

    #[test]
    fn unknown_actions_are_other_events_and_bad_shapes_are_errors() {
        let body = br#"{"action":"teleported","sender":{"login":"x"}}"#;
        assert!(matches!(
            parse("issue_comment", body).unwrap(),
            Event::Other { .. }
        ));
        assert!(parse("issue_comment", br#"{"action":"created"}"#).is_err());
        assert!(parse("push", b"[]").is_err());
    }
}
