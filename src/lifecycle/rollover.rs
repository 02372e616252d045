//! What a rollover takes and gives: the repository as it sees it, which
//! sprint to open, and what it did. Shared by every step of `open` and by
//! the timed reminders.

use jiff::Timestamp;

use crate::config::repo::RepoConfig;
use crate::context::Context;
use crate::github::{GitHub, IssueNumber, RepoRef};
use crate::repos::Loaded;
use crate::sprint::{Login, SprintId};
use crate::store::Effect;

/// Which sprint to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// The sprint the calendar says is current at this instant, if it is
    /// newer than the newest sprint issue (missed sprints are skipped).
    Due(Timestamp),
    /// The sprint after this one (`/sprint rollover` on its issue).
    After(SprintId),
    /// The sprint after the newest sprint issue (`sprintbot rollover`).
    Next(Timestamp),
}

/// A repository, as a rollover sees it.
pub struct Repo<'a> {
    pub commands: &'a Context,
    pub gh: &'a dyn GitHub,
    pub installation: u64,
    pub repo: &'a RepoRef,
    pub repo_id: Option<u64>,
    pub bot: &'a Login,
    pub loaded: &'a Loaded,
    pub config: &'a RepoConfig,
}

/// What a rollover did, and what to commit with it.
#[derive(Debug, Default)]
pub struct Done {
    pub report: Option<Report>,
    pub effects: Vec<Effect>,
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
