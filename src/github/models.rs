//! GitHub's JSON shapes as sprintbot reads them, converted to the domain
//! types at once, and the path helpers of the REST API.

use serde::Deserialize;

use super::types::*;
use crate::sprint::Login;

#[derive(Deserialize)]
pub(super) struct User {
    pub(super) login: String,
    #[serde(rename = "type", default)]
    pub(super) kind: String,
}

#[derive(Deserialize)]
pub(super) struct Label {
    pub(super) name: String,
}

#[derive(Deserialize)]
pub(super) struct RawIssue {
    pub(super) number: u64,
    #[serde(default)]
    pub(super) id: u64,
    pub(super) node_id: String,
    pub(super) title: String,
    pub(super) body: Option<String>,
    pub(super) state: IssueState,
    #[serde(default)]
    pub(super) labels: Vec<Label>,
    pub(super) user: User,
    pub(super) created_at: String,
    #[serde(default)]
    pub(super) pull_request: Option<RawPullRef>,
    #[serde(default)]
    pub(super) state_reason: Option<String>,
}

/// The `pull_request` object of an issue that is a pull request.
#[derive(Deserialize)]
pub(super) struct RawPullRef {
    #[serde(default)]
    merged_at: Option<String>,
}

impl From<RawIssue> for Issue {
    fn from(r: RawIssue) -> Issue {
        Issue {
            number: IssueNumber(r.number),
            id: r.id,
            node_id: r.node_id,
            title: r.title,
            body: r.body.unwrap_or_default(),
            state: r.state,
            state_reason: r.state_reason,
            pull_request: r.pull_request.map(|p| PullMerged {
                merged: p.merged_at.is_some(),
            }),
            labels: r.labels.into_iter().map(|l| l.name).collect(),
            author_is_bot: r.user.kind == "Bot",
            author: Login(r.user.login),
            created_at: r.created_at,
        }
    }
}

#[derive(Deserialize)]
pub(super) struct RawComment {
    pub(super) id: u64,
    pub(super) body: Option<String>,
    pub(super) user: User,
    pub(super) created_at: String,
    pub(super) updated_at: String,
    #[serde(default)]
    pub(super) html_url: String,
    #[serde(default)]
    pub(super) reactions: Option<RawRollup>,
}

/// GitHub's `reaction-rollup`.
#[derive(Deserialize)]
pub(super) struct RawRollup {
    #[serde(rename = "+1", default)]
    pub(super) plus_one: u32,
    #[serde(default)]
    pub(super) confused: u32,
}

impl From<RawComment> for Comment {
    fn from(r: RawComment) -> Comment {
        Comment {
            id: CommentId(r.id),
            body: r.body.unwrap_or_default(),
            author_is_bot: r.user.kind == "Bot",
            author: Login(r.user.login),
            created_at: r.created_at,
            updated_at: r.updated_at,
            html_url: r.html_url,
            reactions: r
                .reactions
                .map(|x| ReactionCounts {
                    plus_one: x.plus_one,
                    confused: x.confused,
                })
                .unwrap_or_default(),
        }
    }
}

pub(super) fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub(super) fn repo_path(repo: &RepoRef) -> String {
    format!(
        "/repos/{}/{}",
        path_segment(&repo.owner),
        path_segment(&repo.name)
    )
}
