//! The sprint lifecycle: opening each sprint exactly once, on schedule
//! (`tick`, the `rollover` job) or on demand (`sprintbot rollover`,
//! `/sprint rollover`), with GitHub as the record of what is done: every
//! step looks for its own earlier effect, so a crash, a failed call, an
//! empty store or a second process never duplicates or skips anything.
//! Also the timed reminders of the current sprint (`timed`: the review
//! before the rollover, the nudges), kept to the same rule.

pub mod discovery;
pub mod dry_run;
mod extras;
mod history;
pub mod installations;
pub mod leader;
pub mod lease;
pub mod next;
pub mod open;
pub mod plan;
pub mod push;
mod queue_plan;
pub mod redeliver;
mod relabel;
pub mod schedule;
pub mod scheduler;
mod steps;
pub mod team_docs;
pub mod timed;
mod unmarked;

use crate::github::{GitHubError, IssueNumber};
use crate::sprint::numbering::BeforeFirstVersion;
use crate::sprint::render::TemplateError;
use crate::store::StoreError;

pub use open::{Done, Goal, Repo, open};

/// Why a rollover could not finish (it resumes where it stopped next time).
#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error(transparent)]
    GitHub(#[from] GitHubError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Template(#[from] TemplateError),
    #[error(transparent)]
    Numbering(#[from] BeforeFirstVersion),
    #[error("another process is rolling {0} over; try again when it is done")]
    Busy(String),
    #[error(
        "sprint issue #{issue} is damaged ({problem}); fix its markers and the rollover resumes"
    )]
    Damaged { issue: u64, problem: String },
    #[error("applying the previous sprint's commands failed: {0}")]
    Commands(String),
    #[error(
        "the sprint issues of {repo} are written by `{theirs}` (the newest is #{issue}), but this run acts as `{ours}`, so it writes nothing: run it as `{theirs}` (the App's credentials, or the token that wrote them), or hand the repository over as docs/src/actions.md#one-identity-per-repository says"
    )]
    OtherAccount {
        repo: String,
        ours: String,
        theirs: String,
        issue: u64,
    },
}

impl LifecycleError {
    /// Errors that cannot heal by retrying: the configuration must change.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            LifecycleError::Template(_)
                | LifecycleError::Numbering(_)
                | LifecycleError::OtherAccount { .. }
        ) || matches!(self, LifecycleError::GitHub(e) if !e.is_transient() && !matches!(e, GitHubError::RateLimited { .. }))
    }
}

/// What a rollover did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub sprint: String,
    pub issue: IssueNumber,
    /// Whether this run created the issue (false: it existed and was finished).
    pub created: bool,
    pub team_comments_posted: usize,
    pub previous: Option<IssueNumber>,
}
