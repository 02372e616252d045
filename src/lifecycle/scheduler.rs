//! The scheduler inside `serve`, event-driven. At start-up it learns the
//! installations (one list call), queues the discovery of any it has never
//! seen, and queues a catch-up of commands per repository that runs
//! sprints; from its first step on it asks GitHub, in the background, to
//! redeliver the webhooks that failed while it was down (`redeliver.rs`).
//! After that it works from the store alone: each step computes every
//! enabled repository's opening instants, reminder instants and config
//! ages, queues the rollovers (at their places in the opening plan,
//! `queue_plan.rs`), reminders and revalidations that are due, and sleeps
//! until the next one (or until a webhook changes a config or a job
//! finishes). A step makes no GitHub call.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::{Notify, watch};

use super::next::Next;
use super::queue_plan::{DueOpening, Found, place};
use super::timed::job::{Memo, plan};
use crate::context::Context;
use crate::github::{GitHubApp, RepoRef};
use crate::store::{EnabledRepo, InstallationChange};
use crate::work::{self, JobKind, RepoJob, RolloverJob, RolloverTarget};

/// How the scheduler paces itself.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A config read this long ago is revalidated (conditionally).
    pub revalidate_ms: i64,
    /// A rollover not done this long after its opening instant is overdue.
    pub overdue_ms: i64,
    /// The longest the scheduler sleeps between steps.
    pub max_sleep_ms: i64,
    /// How far back failed webhook deliveries are redelivered at start-up.
    pub redeliver_ms: i64,
    /// How long after a rollover failed for good (an error that cannot
    /// heal, reported in the configuration-error issue) it is tried again.
    pub permanent_retry_ms: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            revalidate_ms: 24 * 3600 * 1000,
            overdue_ms: 15 * 60 * 1000,
            max_sleep_ms: 15 * 60 * 1000,
            redeliver_ms: 3 * 24 * 3600 * 1000,
            permanent_retry_ms: 6 * 3600 * 1000,
        }
    }
}

pub struct Scheduler {
    pub app: Arc<GitHubApp>,
    pub commands: Arc<Context>,
    pub jobs_ready: Arc<Notify>,
    pub settings: Settings,
    /// Reminders already found done (see `timed::job`).
    pub reminders_done: Memo,
}

/// What one step found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Step {
    pub rollovers_queued: usize,
    pub revalidations_queued: usize,
    /// Repositories whose due reminders were queued.
    pub reminders_queued: usize,
    pub overdue: usize,
    /// Openings due but planned for later: more are due at one instant
    /// than the hour allows (`plan.rs`).
    pub planned_later: usize,
    /// When the last planned opening is expected.
    pub planned_last: Option<Timestamp>,
    /// When to look again.
    pub next: Option<Timestamp>,
}

pub(super) fn count(scope: &'static str) {
    metrics::counter!("sprintbot_scheduler_errors_total", "scope" => scope).increment(1);
}

impl Scheduler {
    /// Learn the installations, discover new ones and catch up on
    /// commands. Each part fails on its own.
    pub async fn start_up(&self) {
        let store = &self.commands.store;
        match self.app.list_installations().await {
            Ok(list) => {
                for inst in list {
                    let change = InstallationChange {
                        installation: inst.id.0,
                        account: inst.account.clone(),
                        action: "seen".into(),
                        added: Vec::new(),
                        removed: Vec::new(),
                        suspended: inst.suspended,
                        source: None,
                    };
                    if let Err(e) = store.record_installation(change).await {
                        count("installation");
                        tracing::warn!(installation = inst.id.0, error = %e, "cannot record an installation");
                    }
                }
            }
            Err(e) => {
                count("installations");
                tracing::warn!(error = %e, "cannot list the App's installations; working from the store");
            }
        }
        match store.installations().await {
            Ok(all) => {
                for inst in all.iter().filter(|i| !i.discovered && !i.suspended) {
                    let _ = store.enqueue(work::discover_job(inst.id)).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the installations"),
        }
        match store.enabled_repos().await {
            Ok(repos) => {
                for r in repos {
                    let job = RepoJob {
                        installation: r.installation,
                        repo: r.full_name,
                        repo_id: r.repo_id,
                    };
                    let _ = store.enqueue(work::repo_job(JobKind::CatchUp, &job)).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot read the enabled repositories"),
        }
        self.jobs_ready.notify_waiters();
    }

    /// One step at `now`, from the store alone.
    pub async fn step(&self, now: Timestamp) -> Step {
        let mut step = Step::default();
        let repos = match self.commands.store.enabled_repos().await {
            Ok(r) => r,
            Err(e) => {
                count("store");
                tracing::warn!(error = %e, "cannot read the enabled repositories");
                step.next = now.checked_add(Duration::from_secs(60)).ok();
                return step;
            }
        };
        metrics::gauge!("sprintbot_repos_enabled").set(repos.len() as f64);
        let mut found = Found::default();
        for r in &repos {
            if let Err(e) = self.step_repo(r, now, &mut step, &mut found).await {
                count("repository");
                tracing::warn!(repo = %r.full_name, error = %e, "skipping a repository this step");
            }
        }
        self.queue_openings(found, now, &mut step).await;
        metrics::gauge!("sprintbot_rollovers_overdue").set(step.overdue as f64);
        metrics::gauge!("sprintbot_openings_planned").set(step.planned_later as f64);
        metrics::gauge!("sprintbot_openings_planned_last_seconds").set(
            step.planned_last
                .map_or(0.0, |t| t.as_millisecond() as f64 / 1000.0),
        );
        let cap = now
            .checked_add(Duration::from_millis(self.settings.max_sleep_ms as u64))
            .unwrap_or(now);
        step.next = Some(step.next.map_or(cap, |n| n.min(cap)));
        if step.rollovers_queued + step.revalidations_queued + step.reminders_queued > 0 {
            self.jobs_ready.notify_waiters();
        }
        step
    }

    async fn step_repo(
        &self,
        r: &EnabledRepo,
        now: Timestamp,
        step: &mut Step,
        found: &mut Found,
    ) -> Result<(), String> {
        let c = &self.commands;
        let repo = RepoRef::parse(&r.full_name).ok_or("bad repository name")?;
        let mut wake = |at: Timestamp| {
            if at > now {
                step.next = Some(step.next.map_or(at, |n| n.min(at)));
            }
        };
        // Revalidation, conditionally, once the cached copy is old.
        let stale_at = Timestamp::from_millisecond(r.read_ms + self.settings.revalidate_ms)
            .map_err(|e| e.to_string())?;
        if stale_at <= now {
            let job = RepoJob {
                installation: r.installation,
                repo: r.full_name.clone(),
                repo_id: r.repo_id,
            };
            if c.store
                .enqueue(work::repo_job(JobKind::Revalidate, &job))
                .await
                .map_err(|e| e.to_string())?
                .is_some()
            {
                step.revalidations_queued += 1;
            }
        } else {
            wake(stale_at);
        }
        let Some(config) = crate::repos::cached(&c.store, &c.defaults, &repo, r.repo_id)
            .await
            .map_err(|e| e.to_string())?
        else {
            return Ok(());
        };
        // The calendar with the exceptions the current issue records, as
        // the store noted them when the issue was last seen.
        let (calendar, current) = super::next::calendar(&config, r.current_sprint.as_deref());
        let due = match super::next::next(&calendar, current, now) {
            // Nothing opens before the cadence anchor.
            Next::First(first) => {
                wake(first.opens_at);
                return Ok(());
            }
            // The current sprint is open: sleep until the next opening, or
            // until one of its timed reminders is due.
            Next::Opens(following) => {
                wake(following.opens_at);
                if let Some(current) = calendar.due(now) {
                    found.places.push(place(r, current.opens_at, false));
                }
                let timed = plan(&c.store, &self.reminders_done, r, &config, now)
                    .await
                    .map_err(|e| e.to_string())?;
                if let Some(at) = timed.next {
                    wake(at);
                }
                if let Some(job) = timed.job
                    && c.store
                        .enqueue(job)
                        .await
                        .map_err(|e| e.to_string())?
                        .is_some()
                {
                    step.reminders_queued += 1;
                }
                return Ok(());
            }
            Next::Due(due) => {
                // Its issue was closed by a person: nothing is due before
                // the next opening (see `next::CLOSED_BY_PERSON`).
                let recorded = c
                    .store
                    .steps(&r.full_name, &due.id.to_string())
                    .await
                    .map_err(|e| e.to_string())?;
                if recorded.iter().any(|s| s == super::next::CLOSED_BY_PERSON) {
                    found.places.push(place(r, due.opens_at, false));
                    wake(calendar.next_after(due.id).opens_at);
                    return Ok(());
                }
                due
            }
        };
        let job = RolloverJob {
            installation: r.installation,
            repo: r.full_name.clone(),
            repo_id: r.repo_id,
            target: RolloverTarget::Due,
            answer: None,
        };
        let key = work::scheduled_rollover_key(&r.full_name, &due.id.to_string());
        found.places.push(place(r, due.opens_at, true));
        found.due.push(DueOpening {
            job,
            key,
            sprint: due.id.to_string(),
            instant: due.opens_at,
        });
        // Look again soon: the job's completion records the open sprint.
        wake(now.checked_add(Duration::from_secs(60)).unwrap_or(now));
        Ok(())
    }

    /// Start up, then step whenever the next thing is due or a webhook
    /// changed a repository, until `shutdown`. The webhooks that failed
    /// while sprintbot was down are asked for in the background from the
    /// first step on, so no opening waits for them.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) {
        self.start_up().await;
        // Polled first in the first step's wait, so after that step.
        let redelivery = self.redeliver_failed();
        tokio::pin!(redelivery);
        let mut redelivering = true;
        loop {
            let now = self.commands.clock.now();
            let step = self.step(now).await;
            if step.rollovers_queued > 0 {
                tracing::info!(jobs = step.rollovers_queued, "scheduled rollovers");
            }
            if step.reminders_queued > 0 {
                tracing::info!(jobs = step.reminders_queued, "scheduled reminders");
            }
            let sleep = step
                .next
                .map(|n| n.as_millisecond() - now.as_millisecond())
                .unwrap_or(self.settings.max_sleep_ms)
                .clamp(1_000, self.settings.max_sleep_ms);
            let sleeping = tokio::time::sleep(Duration::from_millis(sleep as u64));
            tokio::pin!(sleeping);
            loop {
                tokio::select! {
                    _ = &mut sleeping => break,
                    _ = self.commands.wake.notified() => break,
                    _ = shutdown.changed() => return,
                    _ = &mut redelivery, if redelivering => redelivering = false,
                }
            }
        }
    }
}
