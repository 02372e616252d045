//! The plain types the store takes and gives, the same for every backend:
//! deliveries, jobs and their effects, the registry of installations and
//! repositories, cached configs, the audit log. No database type appears
//! here.

/// A verified delivery, as the webhook edge hands it over.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub id: String,
    pub event: String,
    pub action: Option<String>,
    pub installation: Option<u64>,
    pub payload: Vec<u8>,
    /// The job kind to queue for it, or `None` when nobody handles the event.
    pub job_kind: Option<String>,
    /// Its job's serial key (e.g. the repository for comment events).
    pub serial_key: Option<String>,
    /// A key naming what the job is about (e.g. one comment's `created`
    /// event), so related jobs can be found; unique with the delivery id.
    pub subject_key: Option<String>,
}

/// The newest delivery recorded for an installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastDelivery {
    /// Its `X-GitHub-Delivery`.
    pub id: String,
    pub event: String,
    pub action: Option<String>,
    /// When it arrived, by this process's clock (ms since the epoch).
    pub received_ms: i64,
}

/// What recording a delivery did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryOutcome {
    /// Stored, and its job queued.
    Queued { job_id: i64 },
    /// Stored; no handler wants this event.
    Ignored,
    /// This delivery id was seen before; nothing new was stored.
    Duplicate,
}

impl DeliveryOutcome {
    /// A short label for metrics and logs.
    pub fn label(self) -> &'static str {
        match self {
            DeliveryOutcome::Queued { .. } => "queued",
            DeliveryOutcome::Ignored => "ignored",
            DeliveryOutcome::Duplicate => "duplicate",
        }
    }
}

/// What the store knows of the jobs under one key prefix.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyedJobs {
    /// (dedupe key, state) of every job whose key starts with the prefix.
    pub jobs: Vec<(String, String)>,
    /// How many times the worker claimed any of them.
    pub runs: u64,
}

impl KeyedJobs {
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }
    pub fn any_held(&self) -> bool {
        self.jobs.iter().any(|(_, s)| s == "held")
    }
}

/// A job to enqueue that does not come from a webhook delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    pub kind: String,
    /// JSON payload.
    pub payload: String,
    /// At most one live (not done, not dead) job exists per key, e.g.
    /// `rollover/acme/app/2022-11-14`.
    pub dedupe_key: Option<String>,
    /// Jobs with the same serial key never run at the same time.
    pub serial_key: Option<String>,
    /// The installation it works for: only so many of one installation's
    /// jobs run at once.
    pub tenant: Option<u64>,
    /// When it may run; 0 (or any past instant) means now.
    pub run_after_ms: i64,
}

/// A claimed job, ready to run.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub delivery_id: Option<String>,
    /// The delivery's raw body for webhook jobs, else the job's JSON payload.
    pub payload: Vec<u8>,
    /// 1 on the first run.
    pub attempt: u32,
    pub created_ms: i64,
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Written but not to be run until released (see `held.rs`).
    Held,
    Pending,
    Running,
    Retrying,
    Done,
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Held => "held",
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Retrying => "retrying",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }
}

/// Counts of jobs by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    pub held: u64,
    pub pending: u64,
    pub running: u64,
    pub retrying: u64,
    pub dead: u64,
    pub done: u64,
    /// Jobs deferred until GitHub's write budget has room again, and the
    /// latest time one of them waits for (Unix ms).
    pub budget_waiting: u64,
    pub budget_until_ms: Option<i64>,
}

/// One job as `sprintbot jobs` shows it.
#[derive(Debug, Clone)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub state: String,
    pub attempts: u32,
    pub delivery_id: Option<String>,
    pub last_error: Option<String>,
}

/// One failed attempt of a job.
#[derive(Debug, Clone)]
pub struct AttemptError {
    pub attempt: u32,
    pub at_ms: i64,
    pub error: String,
    /// When the job was scheduled to run again; `None` when it went dead.
    pub retry_at_ms: Option<i64>,
}

/// What a handler wants written together with its job's completion, so that
/// its effect and "done" are one atomic fact: a crash never runs it twice.
#[derive(Debug, Clone)]
pub enum Effect {
    Audit(AuditEntry),
    Installation(InstallationChange),
    /// Queue another job (live-unique by its dedupe key).
    Enqueue(NewJob),
    /// Let held jobs run: those whose dedupe key starts with this prefix.
    Release(String),
    /// The held job of this dedupe key was done by the job that held it
    /// (a command's answer sent at once): it is done, never run.
    DoneHeld(String),
    /// Remember a repository's current sprint issue.
    CurrentIssue {
        repo: String,
        issue: u64,
        sprint: String,
    },
}

/// An installation event, reduced to what the store keeps.
#[derive(Debug, Clone)]
pub struct InstallationChange {
    pub installation: u64,
    pub account: String,
    /// `created`, `deleted`, `suspend`, `unsuspend`, `added`, `removed`, ...
    pub action: String,
    /// Repositories added: (GitHub id, `owner/name`).
    pub added: Vec<(u64, String)>,
    pub removed: Vec<(u64, String)>,
    /// Whether the installation is suspended after this event.
    pub suspended: bool,
    pub source: Option<String>,
}

/// An installation as the store knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallationRow {
    pub id: u64,
    pub account: String,
    pub suspended: bool,
    /// Its repositories have been listed and their configs read once.
    pub discovered: bool,
}

/// Steps recorded under this prefix are outcomes, not work done: a job
/// found nothing it could do for that sprint (a reminder whose issue is
/// not current, a sprint issue a person closed). The scheduler queues no
/// job for them again; a webhook about a sprint issue
/// ([`Store::forget_current_issue`](super::Store::forget_current_issue))
/// forgets them, so the next look is a fresh one.
pub const OUTCOME_STEP_PREFIX: &str = "outcome:";

/// When a webhook about a sprint issue makes the store forget the current
/// issue ([`Store::forget_current_issue_if`](super::Store::forget_current_issue_if)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForgetIf {
    /// Whatever is remembered: an issue reopened, or found gone.
    Always,
    /// Unless issue `n` is the one remembered: `n` was opened, and the
    /// App's own opening already recorded it (its webhook often runs after
    /// the opening job finished).
    NotCurrent(u64),
    /// Unless another issue is remembered: `n` was closed, deleted or
    /// transferred (a rollover closes the previous sprint's issue after
    /// opening the current one).
    CurrentOrUnknown(u64),
}

/// A repository whose config file exists (it runs sprints).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnabledRepo {
    pub full_name: String,
    pub repo_id: Option<u64>,
    pub installation: u64,
    /// When its config was last read or revalidated.
    pub read_ms: i64,
    /// The sprint of its current sprint issue, as last seen.
    pub current_sprint: Option<String>,
}

/// A repository config file as last read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedConfig {
    /// `None`: the repository had no config file.
    pub source: Option<String>,
    pub etag: Option<String>,
    pub sha: Option<String>,
    pub read_ms: i64,
}

/// Which repository a row is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoKey {
    pub full_name: String,
    pub id: Option<u64>,
}

impl RepoKey {
    pub fn named(full_name: impl Into<String>) -> RepoKey {
        RepoKey {
            full_name: full_name.into(),
            id: None,
        }
    }
}

/// One change the bot made, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Who caused it: a login, `scheduler`, or `github` for webhook-driven bookkeeping.
    pub actor: String,
    /// What happened, e.g. `goal.add`, `installation.created`.
    pub action: String,
    /// What it happened to, e.g. `acme/app#12`.
    pub target: String,
    /// The item before the change (JSON or text), if any.
    pub before: Option<String>,
    /// The item after the change, if any.
    pub after: Option<String>,
    /// Where it came from: a delivery id, a comment id.
    pub source: Option<String>,
}

/// Milliseconds since the Unix epoch, the store's time unit.
pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}
