//! The jobs sprintbot queues for itself, beside webhook jobs: their kinds,
//! payloads and keys. Answers to commands, rollovers and timed reminders
//! are jobs so that each is retried on its own until it succeeds, and
//! survives a restart.
//! Lives below `commands` and `lifecycle`, which both queue them.

pub mod kind;

use serde::{Deserialize, Serialize};

use crate::github::{CommentId, InstallationId, IssueNumber, RepoRef};
use crate::store::NewJob;
pub use kind::{JobKind, repo_serial_key};

/// How long a rollover lease lasts unless its holder renews it: a holder
/// that died is replaced within this long.
pub const LEASE_MS: i64 = 45_000;

/// The answer a person is owed for a comment: a reaction, and a reply when
/// something was refused or help was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerJob {
    pub installation: u64,
    pub repo: String,
    pub issue: u64,
    pub comment: u64,
    /// GitHub's reaction content: `+1` or `confused`.
    pub reaction: String,
    /// The reply's body, with its hidden marker in it.
    pub reply: Option<String>,
    /// The reply's marker, looked for before a retry posts it again.
    pub marker: Option<String>,
    /// When the comment was written: replies are looked for from then on.
    pub since: String,
    /// Look for an earlier reply before posting even on the first attempt
    /// (the answer was rebuilt after the store that held it was lost).
    #[serde(default)]
    pub check_first: bool,
}

/// Which sprint a rollover job opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RolloverTarget {
    /// Whatever the calendar says is due when the job runs.
    Due,
    /// The sprint after this one (`/sprint rollover` on its issue).
    After(String),
}

/// A rollover to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloverJob {
    pub installation: u64,
    pub repo: String,
    #[serde(default)]
    pub repo_id: Option<u64>,
    pub target: RolloverTarget,
    /// The answer owed to the comment that asked for it, sent once it is done.
    #[serde(default)]
    pub answer: Option<AnswerJob>,
}

/// The key prefix of every job decided for one comment (or one edit of it):
/// `answer/<repo>/<comment>/<tag>`; `tag` is `c` for the comment as written,
/// `e<hash>` for an edit.
pub fn decided_prefix(repo: &RepoRef, comment: CommentId, tag: &str) -> String {
    format!(
        "answer/{}/{}/{tag}",
        repo.to_string().to_ascii_lowercase(),
        comment.0
    )
}

/// The job that sends `answer`, keyed under `prefix`.
pub fn answer_job(prefix: &str, answer: &AnswerJob) -> NewJob {
    NewJob {
        kind: JobKind::Answer.into(),
        payload: serde_json::to_string(answer).unwrap_or_default(),
        dedupe_key: Some(format!("{prefix}/answer")),
        serial_key: None,
        tenant: Some(answer.installation),
        run_after_ms: 0,
    }
}

/// The job that runs `rollover` for its repository (one at a time with the
/// repository's other serial work). `key` makes it unique among live jobs.
pub fn rollover_job(key: String, rollover: &RolloverJob) -> NewJob {
    NewJob {
        kind: JobKind::Rollover.into(),
        payload: serde_json::to_string(rollover).unwrap_or_default(),
        dedupe_key: Some(key),
        serial_key: JobKind::Rollover.serial_key(&rollover.repo),
        tenant: Some(rollover.installation),
        run_after_ms: 0,
    }
}

/// The key prefix of the jobs of one comment's `action` events
/// (`created`, `edited`): an edit waits for the comment's own `created` job.
pub fn comment_event_key(repo: &str, comment: u64, action: &str) -> String {
    format!("comment/{}/{comment}/{action}", repo.to_ascii_lowercase())
}

/// The key of the scheduled rollover of `repo` into `sprint`.
pub fn scheduled_rollover_key(repo: &str, sprint: &str) -> String {
    format!("rollover/{}/{sprint}", repo.to_ascii_lowercase())
}

/// Where an answer goes.
pub fn answer_target(job: &AnswerJob) -> Option<(InstallationId, RepoRef, IssueNumber, CommentId)> {
    Some((
        InstallationId(job.installation),
        RepoRef::parse(&job.repo)?,
        IssueNumber(job.issue),
        CommentId(job.comment),
    ))
}

/// The timed reminders due on a repository's current sprint issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimedJob {
    pub installation: u64,
    pub repo: String,
    #[serde(default)]
    pub repo_id: Option<u64>,
    /// The sprint they belong to (its first day), as the scheduler saw it.
    pub sprint: String,
}

/// The job that writes what is due of `timed`'s sprint, one at a time with
/// the repository's other serial work, once among live jobs.
pub fn timed_job(timed: &TimedJob) -> NewJob {
    NewJob {
        kind: JobKind::Timed.into(),
        payload: serde_json::to_string(timed).unwrap_or_default(),
        dedupe_key: Some(format!(
            "timed/{}/{}",
            timed.repo.to_ascii_lowercase(),
            timed.sprint
        )),
        serial_key: JobKind::Timed.serial_key(&timed.repo),
        tenant: Some(timed.installation),
        run_after_ms: 0,
    }
}

/// A job about one repository of an installation (revalidate, catch up).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoJob {
    pub installation: u64,
    pub repo: String,
    #[serde(default)]
    pub repo_id: Option<u64>,
}

/// A job about a whole installation (discover).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstallationJob {
    pub installation: u64,
}

/// The `discover` job of an installation.
pub fn discover_job(installation: u64) -> NewJob {
    NewJob {
        kind: JobKind::Discover.into(),
        payload: serde_json::to_string(&InstallationJob { installation }).unwrap_or_default(),
        dedupe_key: Some(format!("discover/{installation}")),
        serial_key: None,
        tenant: Some(installation),
        run_after_ms: 0,
    }
}

/// A job of `kind` (`Revalidate`, `CatchUp`) for one repository.
pub fn repo_job(kind: JobKind, job: &RepoJob) -> NewJob {
    NewJob {
        kind: kind.into(),
        payload: serde_json::to_string(job).unwrap_or_default(),
        dedupe_key: Some(format!("{kind}/{}", job.repo.to_ascii_lowercase())),
        // Catching up writes to the sprint issue; a revalidation only reads.
        serial_key: kind.serial_key(&job.repo),
        tenant: Some(job.installation),
        run_after_ms: 0,
    }
}
