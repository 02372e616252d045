//! What can go wrong talking to GitHub, in terms the rest of the program can
//! act on.

/// A failed GitHub call, after retries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GitHubError {
    #[error("GitHub has no such {what}")]
    NotFound { what: String },
    #[error("GitHub refused the credentials (401): {message}")]
    Unauthorized { message: String },
    #[error("GitHub forbids this (403): {message}")]
    Forbidden { message: String },
    #[error("GitHub's rate limit is exhausted: {message}")]
    RateLimited {
        message: String,
        /// When GitHub will take requests again (its reset, or Retry-After).
        until: Option<jiff::Timestamp>,
    },
    #[error("GitHub rejected the request (422): {message}")]
    Validation { message: String },
    #[error("GitHub answered {status}: {message}")]
    Status { status: u16, message: String },
    #[error("GitHub did not answer in time")]
    Timeout,
    #[error("cannot reach GitHub: {0}")]
    Transport(String),
    #[error("GitHub's answer was not what we expected: {0}")]
    Decode(String),
    #[error("GitHub App credentials are unusable: {0}")]
    Credentials(String),
}

impl GitHubError {
    /// The thing asked about is not there: never was, or was deleted (an
    /// issue an admin deleted answers 410 Gone).
    pub fn is_gone(&self) -> bool {
        matches!(
            self,
            GitHubError::NotFound { .. } | GitHubError::Status { status: 410, .. }
        )
    }

    /// Worth trying again later (the job queue retries these).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            GitHubError::Timeout
                | GitHubError::Transport(_)
                | GitHubError::RateLimited { .. }
                | GitHubError::Status {
                    status: 500..=599,
                    ..
                }
        )
    }
}
