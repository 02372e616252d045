//! Why a rollover could not finish, and which of those reasons no retry
//! heals.

use crate::github::GitHubError;
use crate::sprint::numbering::BeforeFirstVersion;
use crate::sprint::render::TemplateError;
use crate::store::StoreError;

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
