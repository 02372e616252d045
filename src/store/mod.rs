//! Storage: the one place that knows how sprintbot persists things.
//!
//! [`Store`] is the interface the rest of the program sees: typed methods
//! and plain types (`types.rs`), no database type. Behind it, two backends:
//! an embedded SQLite file for one process (`sqlite/`), and PostgreSQL for
//! several replicas sharing one database (`postgres/`). The database URL
//! picks one: `sqlite://path` or a plain path, `postgres://` or
//! `postgresql://`. Both apply the migrations listed in `migrations.rs`.

mod migrations;
mod payload;
mod postgres;
mod sqlite;
mod types;

use std::path::Path;
use std::sync::Arc;

pub use types::*;

use crate::github::budget::{Grant, WriteClass, WriteLimits};

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the database {what}: {message}")]
    Open { what: String, message: String },
    #[error("database error: {0}")]
    Database(String),
    #[error("the database could not commit: {0}")]
    Commit(String),
    #[error("the database worker has stopped")]
    Closed,
    #[error("database migration {version} failed: {message}")]
    Migration { version: u32, message: String },
    #[error("{0}")]
    Url(String),
}

enum Backend {
    Sqlite(sqlite::Sqlite),
    Postgres(postgres::Postgres),
}

/// Scheduler leadership, held until dropped.
pub enum Leader {
    /// The only process on an SQLite file.
    Alone,
    /// The holder of the leader lock on PostgreSQL, on a connection of its
    /// own; dropping it closes the connection and lets another lead.
    Postgres(postgres::Leader),
}

impl Leader {
    /// Whether this process still leads (a lost database connection ends
    /// leadership on PostgreSQL).
    pub async fn still_leading(&self) -> bool {
        match self {
            Leader::Alone => true,
            Leader::Postgres(leader) => leader.still_leading().await,
        }
    }
}

/// A handle on the store; cheap to clone, usable from any task or thread.
#[derive(Clone)]
pub struct Store {
    backend: Arc<Backend>,
}

/// Call the same method on whichever backend is in use.
macro_rules! dispatch {
    ($self:ident . $method:ident ( $($arg:expr),* )) => {
        match &*$self.backend {
            Backend::Sqlite(b) => b.$method($($arg),*).await,
            Backend::Postgres(b) => b.$method($($arg),*).await,
        }
    };
}

/// Which backend a database URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Location {
    /// `sqlite://path` or a plain path; `postgres://…` or `postgresql://…`;
    /// any other scheme is refused with the schemes there are.
    pub fn parse(url: &str) -> Result<Location, StoreError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(StoreError::Url(
                "the database URL is empty: give a file path, sqlite://path or postgres://…".into(),
            ));
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            return Ok(Location::Sqlite(path.into()));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Location::Postgres(url.to_string()));
        }
        match url.split_once("://") {
            Some((scheme, _)) => Err(StoreError::Url(format!(
                "`{scheme}://` is not a database sprintbot can use: give a file path, sqlite://path, or postgres://user@host/db"
            ))),
            None => Ok(Location::Sqlite(url.into())),
        }
    }
}

impl Store {
    /// Open (or create) the SQLite file at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        Ok(Store {
            backend: Arc::new(Backend::Sqlite(sqlite::Sqlite::open(path)?)),
        })
    }

    /// Open the store a database URL names (see [`Location::parse`]).
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        match Location::parse(url)? {
            Location::Sqlite(path) => Store::open(&path),
            Location::Postgres(url) => Ok(Store {
                backend: Arc::new(Backend::Postgres(postgres::Postgres::connect(&url).await?)),
            }),
        }
    }

    /// Which backend this is: `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match &*self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// Try to become the one scheduler leader among the processes sharing
    /// this database; `None` while another leads. SQLite is used by one
    /// process at a time: it always leads. On PostgreSQL the leader holds
    /// an advisory lock on a connection of its own.
    pub async fn try_lead(&self) -> Result<Option<Leader>, StoreError> {
        match &*self.backend {
            Backend::Sqlite(_) => Ok(Some(Leader::Alone)),
            Backend::Postgres(b) => Ok(b.try_lead().await?.map(Leader::Postgres)),
        }
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        dispatch!(self.ping())
    }

    pub async fn audit(&self, entry: AuditEntry) -> Result<(), StoreError> {
        dispatch!(self.audit(entry))
    }

    /// Audit entries, oldest first, optionally only those of one action.
    pub async fn audit_entries(
        &self,
        action: Option<String>,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        dispatch!(self.audit_entries(action))
    }

    // ----- deliveries -----

    /// Store a delivery and, when it has a job kind, its job, in one
    /// transaction, on disk before this returns.
    pub async fn record_delivery(&self, d: NewDelivery) -> Result<DeliveryOutcome, StoreError> {
        dispatch!(self.record_delivery(d))
    }

    pub async fn delivery_count(&self, outcome: &str) -> Result<u64, StoreError> {
        dispatch!(self.delivery_count(outcome))
    }

    /// The stored event name of a delivery, if it was stored.
    pub async fn delivery_event(&self, id: &str) -> Result<Option<String>, StoreError> {
        dispatch!(self.delivery_event(id))
    }

    /// The newest delivery recorded for `installation`, if any arrived.
    pub async fn last_delivery(
        &self,
        installation: u64,
    ) -> Result<Option<LastDelivery>, StoreError> {
        dispatch!(self.last_delivery(installation))
    }

    /// Drop the payloads of deliveries whose jobs finished before
    /// `before_ms`; returns how many were dropped.
    pub async fn prune_payloads(&self, before_ms: i64) -> Result<u64, StoreError> {
        dispatch!(self.prune_payloads(before_ms))
    }

    // ----- jobs -----

    /// Enqueue a job; its id, or `None` when a live job has its dedupe key.
    pub async fn enqueue(&self, job: NewJob) -> Result<Option<i64>, StoreError> {
        dispatch!(self.enqueue(job))
    }

    /// Claim the next due job for `claimant` until `claim_ms` from now; at
    /// most `per_tenant` of one installation's jobs run at once, and never
    /// two with one serial key.
    pub async fn claim(
        &self,
        now_ms: i64,
        per_tenant: usize,
        claimant: &str,
        claim_ms: i64,
    ) -> Result<Option<Job>, StoreError> {
        dispatch!(self.claim(now_ms, per_tenant, claimant, claim_ms))
    }

    /// Keep `claimant`'s claims alive `claim_ms` longer.
    pub async fn renew_claims(&self, claimant: &str, claim_ms: i64) -> Result<u64, StoreError> {
        dispatch!(self.renew_claims(claimant, claim_ms))
    }

    /// Mark a job done with its effects, if `claimant` still holds it;
    /// returns whether it did (false: the claim had expired and was taken).
    pub async fn complete(
        &self,
        job_id: i64,
        claimant: &str,
        effects: Vec<Effect>,
    ) -> Result<bool, StoreError> {
        dispatch!(self.complete(job_id, claimant, effects))
    }

    /// Commit effects decided outside a job (start-up catch-up, `tick`).
    pub async fn apply_effects(&self, effects: Vec<Effect>) -> Result<(), StoreError> {
        dispatch!(self.apply_effects(effects))
    }

    /// Record a failed attempt (retry at `retry_at_ms`, or dead when
    /// `None`), if `claimant` still holds the job.
    pub async fn fail(
        &self,
        job_id: i64,
        claimant: &str,
        attempt: u32,
        error: String,
        retry_at_ms: Option<i64>,
    ) -> Result<bool, StoreError> {
        dispatch!(self.fail(job_id, claimant, attempt, error, retry_at_ms))
    }

    /// Run a job again at `at_ms` without counting the attempt.
    pub async fn defer(
        &self,
        job_id: i64,
        claimant: &str,
        at_ms: i64,
        reason: String,
    ) -> Result<bool, StoreError> {
        dispatch!(self.defer(job_id, claimant, at_ms, reason))
    }

    /// Put back jobs whose claims expired (their worker died); returns how many.
    pub async fn requeue_expired(&self) -> Result<u64, StoreError> {
        dispatch!(self.requeue_expired())
    }

    /// Give up every claim of `claimant` (a worker stopping with jobs
    /// unfinished), so they run again at once instead of when they lapse.
    pub async fn release_claims(&self, claimant: &str) -> Result<u64, StoreError> {
        dispatch!(self.release_claims(claimant))
    }

    /// The earliest time a waiting job becomes due.
    pub async fn next_due_ms(&self) -> Result<Option<i64>, StoreError> {
        dispatch!(self.next_due_ms())
    }

    pub async fn queue_stats(&self) -> Result<QueueStats, StoreError> {
        dispatch!(self.queue_stats())
    }

    /// How many jobs people wait for (`PEOPLE_KINDS`) of installation
    /// `tenant` are due at `now_ms` and not running: openings and
    /// background work stand aside while there are any.
    pub async fn people_waiting(&self, tenant: u64, now_ms: i64) -> Result<u64, StoreError> {
        dispatch!(self.people_waiting(tenant, now_ms))
    }

    /// Jobs not done (pending, running, retrying, dead), oldest first.
    pub async fn open_jobs(&self, limit: u32) -> Result<Vec<JobRow>, StoreError> {
        dispatch!(self.open_jobs(limit))
    }

    pub async fn job_errors(&self, job_id: i64) -> Result<Vec<AttemptError>, StoreError> {
        dispatch!(self.job_errors(job_id))
    }

    /// The last error of the newest job whose dedupe key starts with `prefix`.
    pub async fn last_error_under(&self, prefix: &str) -> Result<Option<String>, StoreError> {
        dispatch!(self.last_error_under(prefix))
    }

    /// When the newest job whose dedupe key starts with `prefix` went dead,
    /// if it did (`None` when it is live or done, or there is none).
    pub async fn dead_since_under(&self, prefix: &str) -> Result<Option<i64>, StoreError> {
        dispatch!(self.dead_since_under(prefix))
    }

    // ----- held jobs -----

    /// Write jobs as held (each unless its key exists in any state) with
    /// the audit entries of the write they wait for.
    pub async fn hold(
        &self,
        jobs: Vec<NewJob>,
        audit: Vec<(String, AuditEntry)>,
    ) -> Result<(), StoreError> {
        dispatch!(self.hold(jobs, audit))
    }

    pub async fn release_held(&self, prefix: &str) -> Result<(), StoreError> {
        dispatch!(self.release_held(prefix))
    }

    pub async fn drop_held(&self, prefix: &str) -> Result<(), StoreError> {
        dispatch!(self.drop_held(prefix))
    }

    pub async fn jobs_under(&self, prefix: &str) -> Result<KeyedJobs, StoreError> {
        dispatch!(self.jobs_under(prefix))
    }

    // ----- leases and rollover steps -----

    /// Take the lease `name` for `holder` for `ttl_ms`, by the database's
    /// clock, unless another holder's is still running.
    pub async fn try_lease(
        &self,
        name: &str,
        holder: &str,
        ttl_ms: i64,
    ) -> Result<bool, StoreError> {
        dispatch!(self.try_lease(name, holder, ttl_ms))
    }

    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<(), StoreError> {
        dispatch!(self.release_lease(name, holder))
    }

    pub async fn record_step(
        &self,
        repo: &str,
        sprint: &str,
        step: &str,
        detail: Option<String>,
    ) -> Result<(), StoreError> {
        dispatch!(self.record_step(repo, sprint, step, detail))
    }

    pub async fn steps(&self, repo: &str, sprint: &str) -> Result<Vec<String>, StoreError> {
        dispatch!(self.steps(repo, sprint))
    }

    /// Decide one write of an installation against its budget (shared by
    /// every replica) and count it when it may go: one atomic step.
    pub async fn take_write(
        &self,
        installation: u64,
        now_ms: i64,
        class: WriteClass,
        limits: WriteLimits,
        interval_ms: i64,
    ) -> Result<Grant, StoreError> {
        dispatch!(self.take_write(installation, now_ms, class, limits, interval_ms))
    }

    /// Uncount one write of an installation taken at `at_ms` (it created
    /// nothing).
    pub async fn refund_write(&self, installation: u64, at_ms: i64) -> Result<(), StoreError> {
        dispatch!(self.refund_write(installation, at_ms))
    }

    /// Record that GitHub refuses an installation's requests until `until_ms`.
    pub async fn note_rate_limited(
        &self,
        installation: u64,
        until_ms: i64,
    ) -> Result<(), StoreError> {
        dispatch!(self.note_rate_limited(installation, until_ms))
    }

    // ----- registry -----

    pub async fn record_installation(&self, change: InstallationChange) -> Result<(), StoreError> {
        dispatch!(self.record_installation(change))
    }

    pub async fn repositories(&self, installation: u64) -> Result<Vec<String>, StoreError> {
        dispatch!(self.repositories(installation))
    }

    pub async fn installations(&self) -> Result<Vec<InstallationRow>, StoreError> {
        dispatch!(self.installations())
    }

    pub async fn mark_discovered(&self, installation: u64) -> Result<(), StoreError> {
        dispatch!(self.mark_discovered(installation))
    }

    pub async fn unread_repos(
        &self,
        installation: u64,
    ) -> Result<Vec<(String, Option<u64>)>, StoreError> {
        dispatch!(self.unread_repos(installation))
    }

    pub async fn enabled_repos(&self) -> Result<Vec<EnabledRepo>, StoreError> {
        dispatch!(self.enabled_repos())
    }

    // ----- repositories' configs and current issues -----

    pub async fn cached_config(&self, key: RepoKey) -> Result<Option<CachedConfig>, StoreError> {
        dispatch!(self.cached_config(key))
    }

    pub async fn cache_config(&self, key: RepoKey, config: CachedConfig) -> Result<(), StoreError> {
        dispatch!(self.cache_config(key, config))
    }

    pub async fn forget_config(&self, key: RepoKey) -> Result<(), StoreError> {
        dispatch!(self.forget_config(key))
    }

    pub async fn save_good_config(&self, repo: &str, source: &str) -> Result<(), StoreError> {
        dispatch!(self.save_good_config(repo, source))
    }

    pub async fn good_config(&self, repo: &str) -> Result<Option<String>, StoreError> {
        dispatch!(self.good_config(repo))
    }

    pub async fn current_issue(&self, repo: &str) -> Result<Option<(u64, String)>, StoreError> {
        dispatch!(self.current_issue(repo))
    }

    pub async fn set_current_issue(
        &self,
        repo: &str,
        issue: u64,
        sprint: &str,
    ) -> Result<(), StoreError> {
        dispatch!(self.set_current_issue(repo, issue, sprint))
    }

    /// Forget the repository's current sprint issue and the outcomes
    /// recorded about it (steps under [`OUTCOME_STEP_PREFIX`], any sprint).
    pub async fn forget_current_issue(&self, repo: &str) -> Result<(), StoreError> {
        self.forget_current_issue_if(repo, ForgetIf::Always)
            .await
            .map(|_| ())
    }

    /// [`Store::forget_current_issue`] when `condition` holds, in one
    /// statement (a rollover recording its issue meanwhile is not undone);
    /// whether anything was forgotten.
    pub async fn forget_current_issue_if(
        &self,
        repo: &str,
        condition: ForgetIf,
    ) -> Result<bool, StoreError> {
        dispatch!(self.forget_current_issue_if(repo, condition))
    }
}
