//! Timed reminders in App mode: what the scheduler needs to queue them
//! without asking GitHub ([`plan`]: each enabled repository's next reminder
//! instant, and whether one is due and not known to be done), and the
//! `timed` job that writes them ([`TimedHandler`]), under the repository's
//! serial key and rollover lease. A reminder found done is remembered in
//! memory ([`Memo`]), so once done it costs not even a store read; one
//! found not current (see `not_current_step`) costs a store read a step
//! and no GitHub call until something changes.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;

use super::super::LifecycleError;
use super::super::Repo;
use super::super::lease::leased;
use crate::config::repo::RepoConfig;
use crate::context::Context;

use crate::sprint::timed::Reminder;
use crate::store::{Effect, EnabledRepo, Job, NewJob, Store, StoreError};
use crate::util::BoxFuture;
use crate::work::{TimedJob, timed_job};
use crate::worker::{Handler, JobError, github_error};

/// Reminders the scheduler has seen recorded as done.
#[derive(Debug, Default)]
pub struct Memo(Mutex<HashSet<String>>);

impl Memo {
    fn key(repo: &str, sprint: &str, d: Reminder) -> String {
        format!("{}/{sprint}/{}", repo.to_ascii_lowercase(), d.name())
    }

    fn has(&self, key: &str) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(key)
    }

    fn insert(&self, key: String) {
        let mut set = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // Old sprints' entries are never asked for again.
        if set.len() > 10_000 {
            set.clear();
        }
        set.insert(key);
    }
}

/// What the scheduler does about one repository's reminders.
#[derive(Debug, Default)]
pub struct Planned {
    /// The job to queue: something is due and not recorded as done.
    pub job: Option<NewJob>,
    /// When the next reminder of its current sprint falls due.
    pub next: Option<Timestamp>,
}

/// The reminders of `r`'s current sprint (as the store last saw it) at
/// `now`, from the store alone: no GitHub call.
pub async fn plan(
    store: &Store,
    memo: &Memo,
    r: &EnabledRepo,
    config: &RepoConfig,
    now: Timestamp,
) -> Result<Planned, StoreError> {
    let Some(sprint) = r
        .current_sprint
        .as_deref()
        .and_then(|note| super::current_sprint(config, note))
    else {
        return Ok(Planned::default());
    };
    let cadence = &config.cadence;
    // Reminders are recorded under the sprint and its end (an extension
    // makes them worth a fresh look).
    let id = crate::sprint::timed::record_key(&sprint);
    let next = config.reminders.next(cadence, &sprint, now);
    let unknown: Vec<Reminder> = config
        .reminders
        .due(cadence, &sprint, now)
        .into_iter()
        .filter(|d| !memo.has(&Memo::key(&r.full_name, &id, *d)))
        .collect();
    if unknown.is_empty() {
        return Ok(Planned { job: None, next });
    }
    let recorded = store.steps(&r.full_name, &id).await?;
    let mut pending = false;
    for d in unknown {
        if recorded.contains(&d.step()) {
            memo.insert(Memo::key(&r.full_name, &id, d));
        } else if !super::settled(&recorded, d) {
            pending = true;
        }
        // Found not current: settled, but not remembered here, since a
        // webhook about a sprint issue makes it worth a look again.
    }
    let job = pending.then(|| {
        timed_job(&TimedJob {
            installation: r.installation,
            repo: r.full_name.clone(),
            repo_id: r.repo_id,
            sprint: sprint.id.to_string(),
        })
    });
    Ok(Planned { job, next })
}

/// Runs `timed` jobs.
pub struct TimedHandler(pub Arc<Context>);

impl TimedHandler {
    async fn run(&self, job: &Job) -> Result<Vec<Effect>, JobError> {
        let j: TimedJob = serde_json::from_slice(&job.payload)
            .map_err(|e| JobError::Permanent(format!("bad timed job: {e}")))?;
        let c = &self.0;
        let crate::context::RepoContext {
            repo,
            gh,
            bot,
            loaded,
        } = c.open_repo(j.installation, &j.repo, j.repo_id).await?;
        // No valid config: no sprint to remind anyone of.
        let Some(config) = loaded.config.as_ref() else {
            return Ok(Vec::new());
        };
        let r = Repo {
            commands: c,
            gh: gh.as_ref(),
            installation: j.installation,
            repo: &repo,
            repo_id: j.repo_id,
            bot: &bot,
            loaded: &loaded,
            config,
        };
        let now = c.clock.now();
        let result = leased(&c.store, &repo, Duration::ZERO, c.lease_ms, async || {
            super::run(&r, now).await
        })
        .await;
        // The scheduler looks again: what is done no longer wakes it.
        c.wake.notify_one();
        match result {
            // Live while it waits, so the scheduler queues no other.
            Ok(ran) => match ran.later {
                Some(at) => Err(JobError::Defer {
                    until_ms: at.as_millisecond(),
                    reason: "the team comments were posted late; the nudge counts from then".into(),
                }),
                None => Ok(Vec::new()),
            },
            Err(LifecycleError::Busy(_)) => Err(JobError::Defer {
                until_ms: now.as_millisecond() + c.lease_ms,
                reason: "another process holds this repository's rollover lease".into(),
            }),
            Err(e @ LifecycleError::Damaged { .. }) => Err(JobError::Defer {
                until_ms: now.as_millisecond() + 10 * 60 * 1000,
                reason: e.to_string(),
            }),
            Err(LifecycleError::GitHub(e)) => Err(github_error(e)),
            Err(e) if e.is_permanent() => Err(JobError::Permanent(e.to_string())),
            Err(e) => Err(JobError::Transient(e.to_string())),
        }
    }
}

impl Handler for TimedHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(self.run(job))
    }
}
