//! `pull_request` payloads: which pull request, its head commit, where
//! that commit comes from (the repository itself or a fork), and whether a
//! closed one was merged.

use serde::Deserialize;

use super::{Event, Origin};
use crate::github::{IssueNumber, RepoRef};

/// `pull_request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequestEvent {
    pub origin: Origin,
    pub action: String,
    pub number: IssueNumber,
    pub head_sha: String,
    /// Where the head commit comes from; `None` when that fork was deleted.
    pub head_repo: Option<RepoRef>,
    /// It was merged (GitHub's `merged`; false for an open pull request).
    pub merged: bool,
}

impl PullRequestEvent {
    /// Whether the head commit comes from another repository (a fork).
    pub fn from_fork(&self) -> bool {
        self.head_repo.as_ref() != Some(&self.origin.repo)
    }
}

pub(super) fn parse(
    payload: &[u8],
    action: &str,
    origin: Origin,
) -> Result<Event, serde_json::Error> {
    #[derive(Deserialize)]
    struct P {
        pull_request: Pr,
    }
    #[derive(Deserialize)]
    struct Pr {
        number: u64,
        head: Head,
        #[serde(default)]
        merged: Option<bool>,
    }
    #[derive(Deserialize)]
    struct Head {
        sha: String,
        // GitHub sends `null` once a fork is deleted.
        repo: Option<Repo>,
    }
    #[derive(Deserialize)]
    struct Repo {
        full_name: String,
    }
    let p: P = serde_json::from_slice(payload)?;
    Ok(Event::PullRequest(PullRequestEvent {
        origin,
        action: action.to_string(),
        number: IssueNumber(p.pull_request.number),
        head_sha: p.pull_request.head.sha,
        head_repo: p
            .pull_request
            .head
            .repo
            .and_then(|r| RepoRef::parse(&r.full_name)),
        merged: p.pull_request.merged.unwrap_or(false),
    }))
}
