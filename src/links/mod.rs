//! Goals linked to issues and pull requests, on GitHub (the pure rules are
//! in `sprint::links`): a goal is ticked when the issue it links is closed
//! as completed or the pull request it links is merged, and unticked when
//! that issue is reopened, if sprintbot ticked it. In App mode the
//! `issues.closed`, `issues.reopened` and `pull_request.closed` webhooks
//! queue a `link` job (`webhook.rs`); the one-shot `tick` looks at every
//! link of the current sprint issue instead (`check.rs`). Both write the
//! body the way commands do (`write.rs`). Optionally the linked issues are
//! also sub-issues of the sprint issue (`sub_issues.rs`).
//!
//! A webhook is only a hint: the linked issue is read again before anything
//! changes, so a late redelivery of an old "closed" event does not tick a
//! goal whose issue is open again. The tick marker on the goal's line makes
//! a repeated event a no-op.

pub mod check;
pub mod newly_linked;
pub mod sub_issues;
pub mod webhook;
mod write;

use serde::{Deserialize, Serialize};

use crate::github::{GitHub, Issue, IssueNumber, IssueState, RepoRef, StateFilter};
use crate::sprint::Login;
use crate::sprint::links::LinkState;
use crate::sprint_issues;
use crate::store::{NewJob, Store};
use crate::work::JobKind;
use crate::worker::{JobError, github_error};

/// What happened to a linked issue or pull request, as a webhook said
/// (or `goal.linked`: a command linked it, see `newly_linked`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkJob {
    pub installation: u64,
    pub repo: String,
    #[serde(default)]
    pub repo_id: Option<u64>,
    /// The issue or pull request.
    pub number: u64,
    /// What the webhook said: `issues.closed`, `issues.reopened`,
    /// `pull_request.closed` (merged).
    pub event: String,
    /// Who did it (the webhook's sender).
    pub actor: String,
    /// The delivery, for the audit log.
    #[serde(default)]
    pub delivery: Option<String>,
}

/// The job for a link event: one per delivery, one at a time with the
/// repository's other writes to its sprint issue.
pub fn link_job(j: &LinkJob) -> NewJob {
    let repo = j.repo.to_ascii_lowercase();
    NewJob {
        kind: JobKind::Link.into(),
        payload: serde_json::to_string(j).unwrap_or_default(),
        dedupe_key: Some(format!(
            "link/{repo}/{}/{}/{}",
            j.number,
            j.event,
            j.delivery.as_deref().unwrap_or("-")
        )),
        serial_key: JobKind::Link.serial_key(&j.repo),
        tenant: Some(j.installation),
        run_after_ms: 0,
    }
}

/// What the state of a linked issue or pull request means for its goal.
pub fn state_of(issue: &Issue) -> LinkState {
    match (&issue.pull_request, issue.state) {
        (_, IssueState::Open) => LinkState::Open,
        (Some(pr), IssueState::Closed) if pr.merged => LinkState::Finished,
        (Some(_), IssueState::Closed) => LinkState::Abandoned,
        // GitHub's default reason, and what older issues have none of.
        (None, IssueState::Closed) => match issue.state_reason.as_deref() {
            None | Some("completed") => LinkState::Finished,
            Some(_) => LinkState::Abandoned,
        },
    }
}

/// The current sprint issue of `repo` (the newest open one sprintbot
/// wrote): the store's note of it read back in one call, else the open
/// sprint issues listed once.
pub(crate) async fn current_issue(
    gh: &dyn GitHub,
    store: &Store,
    repo: &RepoRef,
    label: &str,
    bot: &Login,
) -> Result<Option<Issue>, JobError> {
    let known = store
        .current_issue(&repo.to_string())
        .await
        .map_err(|e| JobError::Transient(e.to_string()))?;
    if let Some((n, _)) = known {
        match gh.get_issue(repo, IssueNumber(n)).await {
            Ok(issue) if issue.state == IssueState::Open => {
                if sprint_issues::recognise_on_github(gh, repo, &issue, bot)
                    .await
                    .map_err(github_error)?
                    .is_some()
                {
                    return Ok(Some(issue));
                }
            }
            Ok(_) | Err(crate::github::GitHubError::NotFound { .. }) => {}
            Err(e) => return Err(github_error(e)),
        }
    }
    let open = sprint_issues::list(gh, repo, label, StateFilter::Open, bot)
        .await
        .map_err(github_error)?;
    Ok(open.into_iter().next().map(|(_, issue)| issue))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::PullMerged;

    fn issue(state: IssueState, reason: Option<&str>, pr: Option<bool>) -> Issue {
        Issue {
            number: IssueNumber(5),
            id: 50,
            node_id: String::new(),
            title: String::new(),
            body: String::new(),
            state,
            state_reason: reason.map(String::from),
            pull_request: pr.map(|merged| PullMerged { merged }),
            labels: Vec::new(),
            author: Login("ann".into()),
            author_is_bot: false,
            created_at: String::new(),
        }
    }

    #[test]
    fn completed_issues_and_merged_pull_requests_finish_their_goals() {
        use IssueState::*;
        assert_eq!(
            state_of(&issue(Closed, Some("completed"), None)),
            LinkState::Finished
        );
        assert_eq!(state_of(&issue(Closed, None, None)), LinkState::Finished);
        assert_eq!(
            state_of(&issue(Closed, Some("not_planned"), None)),
            LinkState::Abandoned
        );
        assert_eq!(
            state_of(&issue(Closed, Some("duplicate"), None)),
            LinkState::Abandoned
        );
        assert_eq!(
            state_of(&issue(Open, Some("reopened"), None)),
            LinkState::Open
        );
        assert_eq!(
            state_of(&issue(Closed, None, Some(true))),
            LinkState::Finished
        );
        assert_eq!(
            state_of(&issue(Closed, None, Some(false))),
            LinkState::Abandoned
        );
        assert_eq!(state_of(&issue(Open, None, Some(false))), LinkState::Open);
    }

    #[test]
    fn each_delivery_is_its_own_serial_job() {
        let j = LinkJob {
            installation: 7,
            repo: "Acme/App".into(),
            repo_id: None,
            number: 12,
            event: "issues.closed".into(),
            actor: "ann".into(),
            delivery: Some("d-1".into()),
        };
        let job = link_job(&j);
        assert_eq!(
            job.dedupe_key.as_deref(),
            Some("link/acme/app/12/issues.closed/d-1")
        );
        assert_eq!(job.serial_key.as_deref(), Some("repo/acme/app"));
        let back: LinkJob = serde_json::from_str(&job.payload).unwrap();
        assert_eq!(back, j);
    }
}
