//! The scheduler inside `serve`: every tick (and at start-up) it works out
//! from the clock and the store — not from a timer having fired — which
//! repositories have a sprint whose opening has passed without its issue,
//! and queues one rollover job each, under a key that lets only one such
//! job ever exist per repository and sprint. It also catches up commands.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};

use crate::commands::apply::{CONFIG_PATH, CommandsHandler, Installations};
use crate::github::clock::Clock;
use crate::github::{GitHub, GitHubApp, InstallationId, RepoRef};
use crate::store::{Effect, Job, NewJob, Store, now_ms};
use crate::worker::{BoxFuture, Handler, JobError};

/// The job kind of a scheduled rollover.
pub const ROLLOVER_JOB: &str = "rollover";

#[derive(Serialize, Deserialize)]
struct RolloverJob {
    installation: u64,
    repo: String,
}

pub struct Scheduler {
    pub app: Arc<GitHubApp>,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub defaults: toml::Table,
    pub commands: Option<Arc<CommandsHandler>>,
    pub jobs_ready: Arc<Notify>,
}

impl Scheduler {
    /// One tick: returns how many rollover jobs it queued.
    pub async fn tick_once(&self) -> Result<usize, String> {
        let mut queued = 0;
        for inst in self
            .app
            .list_installations()
            .await
            .map_err(|e| e.to_string())?
        {
            let gh = self.app.installation(inst.id).map_err(|e| e.to_string())?;
            for repo in gh.repositories().await.map_err(|e| e.to_string())? {
                let config = match super::config::load(
                    gh.as_ref(),
                    &self.store,
                    &repo,
                    &self.defaults,
                )
                .await
                {
                    Ok(Some(config)) => config,
                    Ok(None) => continue,
                    Err(e) => {
                        tracing::warn!(%repo, error = %e, "cannot read the repository config");
                        continue;
                    }
                };
                // Before the cadence anchor nothing is due.
                let Some(sprint) = config.sprint_due(self.clock.now()) else {
                    continue;
                };
                let steps = self
                    .store
                    .steps(&repo.to_string(), &sprint.id.to_string())
                    .await
                    .map_err(|e| e.to_string())?;
                if steps.iter().any(|s| s == "done") {
                    continue;
                }
                let payload = serde_json::to_string(&RolloverJob {
                    installation: inst.id.0,
                    repo: repo.to_string(),
                })
                .map_err(|e| e.to_string())?;
                let job = NewJob {
                    kind: ROLLOVER_JOB.into(),
                    payload,
                    dedupe_key: Some(format!("rollover:{repo}:{}", sprint.id)),
                    run_after_ms: now_ms(),
                };
                if self
                    .store
                    .enqueue(job)
                    .await
                    .map_err(|e| e.to_string())?
                    .is_some()
                {
                    queued += 1;
                    self.jobs_ready.notify_one();
                }
            }
            if let Some(commands) = &self.commands
                && let Err(e) = commands.catch_up(inst.id).await
            {
                tracing::warn!(installation = inst.id.0, error = %e, "catch-up of commands failed");
            }
        }
        Ok(queued)
    }

    /// Tick at start-up and every `period` until `shutdown`.
    pub async fn run(self, period: Duration, mut shutdown: watch::Receiver<bool>) {
        loop {
            match self.tick_once().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(jobs = n, "scheduled rollovers"),
                Err(e) => {
                    tracing::warn!(error = %e, "scheduler tick failed; trying again next tick")
                }
            }
            tokio::select! {
                _ = tokio::time::sleep(period) => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}

/// Runs a scheduled rollover job.
pub struct RolloverHandler {
    pub github: Arc<dyn Installations>,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub defaults: toml::Table,
}

impl RolloverHandler {
    async fn run(&self, job: &Job) -> Result<Vec<Effect>, JobError> {
        let j: RolloverJob = serde_json::from_slice(&job.payload)
            .map_err(|e| JobError::Permanent(format!("bad rollover job: {e}")))?;
        let repo = RepoRef::parse(&j.repo)
            .ok_or_else(|| JobError::Permanent(format!("bad repository {}", j.repo)))?;
        let gh = self
            .github
            .client(InstallationId(j.installation))
            .map_err(|e| JobError::Transient(e.to_string()))?;
        let config = super::config::load(gh.as_ref(), &self.store, &repo, &self.defaults)
            .await
            .map_err(|e| JobError::Transient(e.to_string()))?
            .ok_or_else(|| {
                JobError::Permanent(format!(
                    "{repo} no longer has {CONFIG_PATH}, or no valid version of it"
                ))
            })?;
        match crate::lifecycle::tick(gh.as_ref(), &self.store, &repo, &config, self.clock.now())
            .await
        {
            Ok(Some(r)) => {
                tracing::info!(%repo, sprint = %r.sprint, issue = r.issue.0, created = r.created, "sprint opened")
            }
            Ok(None) => {}
            Err(e) => return Err(JobError::Transient(e.to_string())),
        }
        Ok(Vec::new())
    }
}

impl Handler for RolloverHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(self.run(job))
    }
}
