//! The job worker: claims due jobs from the store, runs the handler for each
//! job's kind, and records the outcome — done (with the handler's store
//! effects in the same transaction), retrying with exponential backoff and
//! jitter, or dead after the configured number of attempts. Each worker
//! claims under its own name and renews its claims by heartbeat, so workers
//! of several processes share one queue and a dead one's jobs are taken
//! over once its claims lapse.

mod budget_wait;
mod handlers;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

pub use handlers::{InstallationHandler, IssuesHandler, PingHandler};

use crate::config::deploy::WorkerConfig;
use crate::github::clock::{Clock, SystemClock};
use crate::store::{Effect, Job, Store, now_ms};
pub use crate::util::{BoxFuture, backoff};

pub use crate::work::kind::HANDLED_EVENTS;
use crate::work::kind::JobKind;

/// Whether an event's job needs its repository to itself: commands on a
/// sprint issue and rollovers of the same repository never run at once.
pub fn is_serial(event: &str) -> bool {
    JobKind::of_event(event).is_some_and(JobKind::serial)
}

/// The job kind for a webhook event, or `None` when nobody handles it.
pub fn job_kind_for(event: &str) -> Option<String> {
    JobKind::of_event(event).map(String::from)
}

/// Why a job attempt failed. Every failure is retried until the attempts run
/// out, except `Permanent`, which goes straight to the dead letters, and
/// `Defer`, which runs the job again later without counting an attempt.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    #[error("{0}")]
    Transient(String),
    #[error("{0}")]
    Permanent(String),
    /// Not a failure: something the job needs is not ready (a rate limit's
    /// reset, another process's lease). The worker never sleeps for it.
    #[error("deferred until {until_ms}: {reason}")]
    Defer { until_ms: i64, reason: String },
}

/// A failed GitHub call as a job outcome: a rate limit puts the job back
/// until GitHub takes requests again; otherwise worth retrying, or not.
pub fn github_error(e: crate::github::GitHubError) -> JobError {
    if let crate::github::GitHubError::RateLimited {
        until: Some(until), ..
    } = &e
    {
        return JobError::Defer {
            until_ms: until.as_millisecond(),
            reason: e.to_string(),
        };
    }
    if e.is_transient() {
        JobError::Transient(e.to_string())
    } else {
        JobError::Permanent(e.to_string())
    }
}

/// Runs one kind of job.
pub trait Handler: Send + Sync {
    /// Do the job's work; return what to write to the store with "done".
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>>;
}

impl<T: Handler + ?Sized> Handler for Arc<T> {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        (**self).handle(job)
    }
}

/// Job kind → handler. Kinds without a handler complete as counted no-ops.
#[derive(Clone, Default)]
pub struct Handlers {
    by_kind: HashMap<String, Arc<dyn Handler>>,
}

impl Handlers {
    /// The handlers of the ingress slice: ping and installation bookkeeping.
    pub fn standard() -> Handlers {
        let mut h = Handlers::default();
        h.insert(JobKind::Ping, PingHandler);
        h.insert(JobKind::Installation, InstallationHandler);
        h.insert(JobKind::InstallationRepositories, InstallationHandler);
        h
    }

    /// Register (or replace) the handler of a job kind.
    pub fn insert(&mut self, kind: impl AsRef<str>, handler: impl Handler + 'static) {
        self.by_kind
            .insert(kind.as_ref().to_string(), Arc::new(handler));
    }
}

/// The worker pool.
#[derive(Clone)]
pub struct Worker {
    store: Store,
    handlers: Arc<Handlers>,
    config: WorkerConfig,
    jobs_ready: Arc<Notify>,
    /// When jobs are due: the system clock, or a test's.
    clock: Arc<dyn Clock>,
    /// The name this worker claims jobs under: host, process and a nonce.
    claimant: Arc<str>,
}

/// How often a worker looks again at due jobs it could not claim, when none
/// of its own jobs finished meanwhile (another replica's may have).
const BLOCKED_RECHECK: Duration = Duration::from_millis(200);

/// The task renewing a worker's claims; stopped when dropped.
struct Heartbeat(tokio::task::JoinHandle<()>);

impl Drop for Heartbeat {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A name no other worker has: `host:pid:nonce`.
pub fn claimant_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "sprintbot".into());
    format!(
        "{host}:{}:{:08x}",
        std::process::id(),
        rand::random::<u32>()
    )
}

impl Worker {
    pub fn new(
        store: Store,
        handlers: Handlers,
        config: WorkerConfig,
        jobs_ready: Arc<Notify>,
    ) -> Worker {
        Worker {
            store,
            handlers: Arc::new(handlers),
            config,
            jobs_ready,
            clock: Arc::new(SystemClock),
            claimant: claimant_name().into(),
        }
    }

    /// The name this worker claims jobs under.
    pub fn claimant(&self) -> &str {
        &self.claimant
    }

    fn claim_ms(&self) -> i64 {
        self.config.claim_ms.max(100) as i64
    }

    /// Renew this worker's claims every third of their length, until the
    /// returned guard is dropped (with the worker, even when it is aborted).
    fn heartbeat(&self) -> Heartbeat {
        let (store, claimant, claim_ms) =
            (self.store.clone(), self.claimant.clone(), self.claim_ms());
        Heartbeat(tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis((claim_ms / 3) as u64)).await;
                if let Err(e) = store.renew_claims(&claimant, claim_ms).await {
                    tracing::warn!(error = %e, "could not renew job claims; they may be taken over");
                }
            }
        }))
    }

    /// Decide when jobs are due by `clock` (tests move a manual one).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Worker {
        self.clock = clock;
        self
    }

    fn now_ms(&self) -> i64 {
        self.clock.now().as_millisecond()
    }

    async fn claim(&self) -> Result<Option<Job>, crate::store::StoreError> {
        self.store
            .claim(
                self.now_ms(),
                self.config.per_installation.max(1),
                &self.claimant,
                self.claim_ms(),
            )
            .await
    }

    /// Run until `shutdown` turns true; then let running jobs finish within
    /// the configured deadline and return. Jobs not started stay queued.
    pub async fn run(self, shutdown: watch::Receiver<bool>) {
        // Only jobs whose claims lapsed: other processes' live jobs stay theirs.
        match self.store.requeue_expired().await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                jobs = n,
                "requeued jobs whose worker stopped while running them"
            ),
            Err(e) => tracing::error!(error = %e, "could not requeue abandoned jobs"),
        }
        let heartbeat = self.heartbeat();
        let mut loops = tokio::task::JoinSet::new();
        for _ in 0..self.config.concurrency.max(1) {
            loops.spawn(self.clone().run_loop(shutdown.clone()));
        }
        let mut stop = shutdown.clone();
        let _ = stop.wait_for(|s| *s).await;
        let deadline = Duration::from_secs(self.config.shutdown_deadline_secs);
        if tokio::time::timeout(deadline, async {
            while loops.join_next().await.is_some() {}
        })
        .await
        .is_err()
        {
            tracing::warn!(
                "shutdown deadline passed with jobs still running; they are put back for another worker"
            );
            loops.abort_all();
            while loops.join_next().await.is_some() {}
            if let Err(e) = self.store.release_claims(&self.claimant).await {
                tracing::error!(error = %e, "could not put back unfinished jobs; they run again once their claims lapse");
            }
        }
        drop(heartbeat);
    }

    /// Run jobs one at a time until none is waiting, or until `deadline`
    /// passes while some wait to be retried (the one-shot mode: whatever is
    /// left is found again on GitHub by the next run). Returns how many
    /// jobs are still waiting.
    pub async fn run_until_idle(&self, deadline: std::time::Instant) -> u64 {
        let heartbeat = self.heartbeat();
        let waiting = self.run_until_idle_inner(deadline).await;
        drop(heartbeat);
        waiting
    }

    async fn run_until_idle_inner(&self, deadline: std::time::Instant) -> u64 {
        loop {
            match self.claim().await {
                Ok(Some(job)) => self.run_job(job).await,
                Ok(None) => {
                    let waiting = self
                        .store
                        .queue_stats()
                        .await
                        .map(|s| s.pending + s.retrying + s.running)
                        .unwrap_or(0);
                    let next = self.store.next_due_ms().await.ok().flatten();
                    let Some(at) = next.filter(|_| waiting > 0) else {
                        return waiting;
                    };
                    let wait = Duration::from_millis((at - self.now_ms()).clamp(1, 60_000) as u64);
                    if std::time::Instant::now() + wait > deadline {
                        return waiting;
                    }
                    tokio::time::sleep(wait).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "could not claim a job");
                    return 0;
                }
            }
        }
    }

    async fn run_loop(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                return;
            }
            match self.claim().await {
                Ok(Some(job)) => {
                    // There may be more: let another idle loop look too.
                    self.jobs_ready.notify_one();
                    self.run_job(job).await;
                }
                Ok(None) => {
                    let next = self.store.next_due_ms().await;
                    let now = self.now_ms();
                    match next {
                        // Jobs are due but none can be claimed: their serial
                        // keys or their installation's share are busy. The
                        // loop running the busy job claims the next one when
                        // it finishes, so this one only looks again now and
                        // then (another replica's jobs may finish, a claim
                        // lapse): claiming past a long backlog costs the
                        // database a scan, too much to repeat per delivery.
                        Ok(Some(at)) if at <= now => {
                            tokio::select! {
                                _ = tokio::time::sleep(BLOCKED_RECHECK) => {}
                                _ = shutdown.changed() => {}
                            }
                        }
                        _ => {
                            let wait = match next {
                                Ok(Some(at)) => {
                                    Duration::from_millis((at - now).clamp(1, 1000) as u64)
                                }
                                _ => Duration::from_secs(1),
                            };
                            tokio::select! {
                                _ = self.jobs_ready.notified() => {}
                                _ = tokio::time::sleep(wait) => {}
                                _ = shutdown.changed() => {}
                            }
                        }
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "could not claim a job");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }

    /// Run one claimed job and record its outcome.
    async fn run_job(&self, job: Job) {
        use tracing::Instrument as _;
        let span = tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempt,
            delivery = job.delivery_id.as_deref().unwrap_or(""));
        self.run_job_in_span(job).instrument(span).await
    }

    async fn run_job_in_span(&self, job: Job) {
        let started = std::time::Instant::now();
        let class = crate::github::budget::WriteClass::of_job(&job.kind);
        let handler = self.handlers.by_kind.get(&job.kind);
        let aside = match handler {
            Some(_) => budget_wait::stand_aside(&self.store, &job, class, self.now_ms()).await,
            None => None,
        };
        let result = match (handler, aside) {
            (_, Some(wait)) => Err(wait),
            (Some(handler), None) => {
                let (result, waited) =
                    crate::github::budget::as_class(class, handler.handle(&job)).await;
                budget_wait::outcome(result, waited, self.now_ms())
            }
            (None, None) => {
                metrics::counter!("sprintbot_jobs_unhandled_total", "kind" => job.kind.clone())
                    .increment(1);
                Ok(Vec::new())
            }
        };
        metrics::histogram!("sprintbot_job_duration_seconds", "kind" => job.kind.clone())
            .record(started.elapsed().as_secs_f64());
        let recorded = match result {
            Ok(effects) => {
                let done = self.store.complete(job.id, &self.claimant, effects).await;
                if done.as_ref().is_ok_and(|held| !held) {
                    lost_claim(&job);
                }
                if done.as_ref().is_ok_and(|held| *held) {
                    let latency = (now_ms() - job.created_ms).max(0) as f64 / 1000.0;
                    metrics::histogram!("sprintbot_job_latency_seconds", "kind" => job.kind.clone()).record(latency);
                    metrics::counter!("sprintbot_jobs_completed_total", "kind" => job.kind.clone())
                        .increment(1);
                }
                done.map(|_| ())
            }
            Err(JobError::Defer { until_ms, reason }) => {
                metrics::counter!("sprintbot_jobs_deferred_total", "kind" => job.kind.clone())
                    .increment(1);
                // Budget waits are counted (gauges, `sprintbot jobs`), not
                // logged one by one: an opening morning defers hundreds.
                if reason.starts_with(crate::github::budget::BUDGET_WAIT) {
                    tracing::debug!(until_ms, reason = %reason, "job waits for the write budget");
                } else {
                    tracing::info!(until_ms, reason = %reason, "job deferred");
                }
                self.store
                    .defer(job.id, &self.claimant, until_ms, reason)
                    .await
                    .map(|held| {
                        if !held {
                            lost_claim(&job)
                        }
                    })
            }
            Err(err) => {
                metrics::counter!("sprintbot_job_failures_total", "kind" => job.kind.clone())
                    .increment(1);
                let permanent = matches!(err, JobError::Permanent(_));
                let persistent = JobKind::parse(&job.kind).is_some_and(JobKind::persistent);
                let retry_at = (!permanent
                    && (persistent || job.attempt < self.config.max_attempts))
                    .then(|| {
                        // Work owed to someone is tried again soon, forever.
                        let max = if persistent {
                            self.config
                                .backoff_max_ms
                                .min(self.config.persistent_backoff_max_ms)
                        } else {
                            self.config.backoff_max_ms
                        };
                        let delay = backoff(
                            job.attempt,
                            self.config.backoff_base_ms,
                            max,
                            rand::random::<f64>(),
                        );
                        self.now_ms() + delay.as_millis() as i64
                    });
                if retry_at.is_none() {
                    metrics::counter!("sprintbot_jobs_dead_total", "kind" => job.kind.clone())
                        .increment(1);
                    tracing::error!(error = %err, "job is dead: no attempts left");
                } else {
                    tracing::warn!(error = %err, "job failed; will retry");
                }
                self.store
                    .fail(
                        job.id,
                        &self.claimant,
                        job.attempt,
                        err.to_string(),
                        retry_at,
                    )
                    .await
                    .map(|held| {
                        if !held {
                            lost_claim(&job)
                        }
                    })
            }
        };
        if let Err(e) = recorded {
            // The job stays `running` until its claim lapses; then it runs again.
            tracing::error!(error = %e, "could not record a job outcome");
        }
    }
}

/// The job's claim lapsed while it ran (this worker was cut off from the
/// database for longer than a claim lasts) and another worker took it: the
/// outcome is that worker's to record. Every handler's writes look for
/// their own earlier effect, so running twice does not write twice.
fn lost_claim(job: &Job) {
    metrics::counter!("sprintbot_job_claims_lost_total", "kind" => job.kind.clone()).increment(1);
    tracing::warn!(
        "the job's claim lapsed and another worker took it; its outcome is left to that worker"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_handled_events_get_jobs() {
        assert_eq!(
            job_kind_for("issue_comment").as_deref(),
            Some("webhook:issue_comment")
        );
        assert_eq!(job_kind_for("star"), None);
    }
}
