//! Rollovers as jobs. The `rollover` job opens what is due (or, asked for
//! by `/sprint rollover`, the sprint after the asking issue's) and then
//! sends the answer owed to the comment that asked. The scheduler inside
//! `serve` queues one rollover job per repository whose current sprint is
//! not open yet, under a key that keeps one such job alive at a time.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};

use super::LifecycleError;
use super::lease::leased;
use super::open::{Goal, Repo, open};
use crate::commands::Commands;
use crate::commands::answers::Addressee;
use crate::commands::messages::{self, Refusal};
use crate::github::{CommentId, GitHubApp, InstallationId, RepoRef};
use crate::sprint::SprintId;
use crate::store::{Effect, Job};
use crate::util::BoxFuture;
use crate::work::{self, AnswerJob, RolloverJob, RolloverTarget};
use crate::worker::{Handler, JobError, github_error};

/// Runs rollover jobs.
pub struct RolloverHandler(pub Arc<Commands>);

/// The answer owed for a rollover asked by comment, as a job.
fn answer_effect(a: &AnswerJob, refusal: Option<String>) -> Option<Effect> {
    let repo = RepoRef::parse(&a.repo)?;
    let prefix = work::decided_prefix(&repo, CommentId(a.comment), "c");
    let answer = match refusal {
        None => a.clone(),
        Some(reason) => {
            let to = Addressee {
                installation: a.installation,
                repo: a.repo.clone(),
                issue: a.issue,
                comment: a.comment,
                author: String::new(),
                since: a.since.clone(),
            };
            let mut refused = vec![Refusal::new("/sprint rollover", reason)];
            if a.reaction == "confused" {
                refused.push(Refusal::new(
                    "(the other commands of this comment)",
                    "See my earlier reply.".into(),
                ));
            }
            crate::commands::answers::answer(&to, "c", &refused, false)
        }
    };
    Some(Effect::Enqueue(work::answer_job(&prefix, &answer)))
}

impl RolloverHandler {
    async fn run(&self, job: &Job) -> Result<Vec<Effect>, JobError> {
        let j: RolloverJob = serde_json::from_slice(&job.payload)
            .map_err(|e| JobError::Permanent(format!("bad rollover job: {e}")))?;
        let repo = RepoRef::parse(&j.repo)
            .ok_or_else(|| JobError::Permanent(format!("bad repository {}", j.repo)))?;
        let c = &self.0;
        let gh = c
            .github
            .client(InstallationId(j.installation))
            .map_err(github_error)?;
        let bot = c.github.bot_login().await.map_err(github_error)?;
        let loaded = c.config(gh.as_ref(), &repo, j.repo_id, &bot).await?;
        let fail = |reason: String| -> Result<Vec<Effect>, JobError> {
            match j
                .answer
                .as_ref()
                .and_then(|a| answer_effect(a, Some(messages::rollover_failed(&reason))))
            {
                Some(effect) => Ok(vec![effect]),
                None => Err(JobError::Permanent(reason)),
            }
        };
        let Some(config) = loaded.config.as_ref() else {
            return fail(format!(
                "{repo} has no valid {}: {}",
                crate::repos::CONFIG_PATH,
                loaded
                    .problem_summary()
                    .unwrap_or_else(|| "the file is missing".into())
            ));
        };
        let goal = match &j.target {
            RolloverTarget::Due => Goal::Due(c.clock.now()),
            RolloverTarget::After(id) => Goal::After(SprintId(
                id.parse()
                    .map_err(|_| JobError::Permanent(format!("bad sprint id {id}")))?,
            )),
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
        match leased(&c.store, &repo, Duration::ZERO, c.lease_ms, async || {
            open(&r, goal).await
        })
        .await
        {
            Ok(done) => {
                if let Some(report) = &done.report {
                    tracing::info!(%repo, sprint = %report.sprint, issue = report.issue.0, created = report.created, "sprint opened");
                }
                let mut effects = done.effects;
                effects.extend(j.answer.as_ref().and_then(|a| answer_effect(a, None)));
                Ok(effects)
            }
            Err(LifecycleError::Busy(_)) => Err(JobError::Defer {
                until_ms: c.clock.now().as_millisecond() + c.lease_ms,
                reason: "another process holds this repository's rollover lease".into(),
            }),
            Err(e @ LifecycleError::Damaged { .. }) => Err(JobError::Defer {
                until_ms: c.clock.now().as_millisecond() + 10 * 60 * 1000,
                reason: e.to_string(),
            }),
            Err(e) if e.is_permanent() => fail(e.to_string()),
            Err(e) => Err(JobError::Transient(e.to_string())),
        }
    }
}

impl Handler for RolloverHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(self.run(job))
    }
}

/// The scheduler inside `serve`.
pub struct Scheduler {
    pub app: Arc<GitHubApp>,
    pub commands: Arc<Commands>,
    pub jobs_ready: Arc<Notify>,
}

impl Scheduler {
    /// One pass: returns how many rollover jobs it queued. A failing
    /// installation or repository is logged and skipped.
    pub async fn tick_once(&self) -> usize {
        let installations = match self.app.list_installations().await {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!(error = %e, "cannot list the App's installations");
                return 0;
            }
        };
        let mut queued = 0;
        for inst in installations {
            match self.tick_installation(inst.id).await {
                Ok(n) => queued += n,
                Err(e) => {
                    metrics::counter!("sprintbot_scheduler_errors_total", "scope" => "installation").increment(1);
                    tracing::warn!(installation = inst.id.0, error = %e, "skipping an installation this tick");
                }
            }
        }
        queued
    }

    async fn tick_installation(&self, id: InstallationId) -> Result<usize, String> {
        let c = &self.commands;
        let gh = c.github.client(id).map_err(|e| e.to_string())?;
        let bot = c.github.bot_login().await.map_err(|e| e.to_string())?;
        let mut queued = 0;
        for repo in gh.repositories().await.map_err(|e| e.to_string())? {
            let loaded = match c.config(gh.as_ref(), &repo, None, &bot).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(%repo, error = %e, "cannot read the repository config");
                    continue;
                }
            };
            let Some(config) = loaded.config else {
                continue;
            };
            // Before the cadence anchor nothing is due.
            let Some(sprint) = config.sprint_due(c.clock.now()) else {
                continue;
            };
            let open = c
                .store
                .current_issue(&repo.to_string())
                .await
                .map_err(|e| e.to_string())?;
            if open.is_some_and(|(_, s)| s >= sprint.id.to_string()) {
                continue;
            }
            let job = RolloverJob {
                installation: id.0,
                repo: repo.to_string(),
                repo_id: None,
                target: RolloverTarget::Due,
                answer: None,
            };
            let key = work::scheduled_rollover_key(&repo.to_string(), &sprint.id.to_string());
            if c.store
                .enqueue(work::rollover_job(key, &job))
                .await
                .map_err(|e| e.to_string())?
                .is_some()
            {
                queued += 1;
                self.jobs_ready.notify_one();
            }
        }
        Ok(queued)
    }

    /// At start-up, catch up on commands written while the bot was down.
    pub async fn catch_up(&self) {
        let Ok(installations) = self.app.list_installations().await else {
            return;
        };
        for inst in installations {
            let Ok(gh) = self.commands.github.client(inst.id) else {
                continue;
            };
            let Ok(repos) = gh.repositories().await else {
                continue;
            };
            for repo in repos {
                match self.commands.catch_up_repo(inst.id, &repo, None).await {
                    Ok(effects) => {
                        if let Err(e) = self.commands.store.apply_effects(effects).await {
                            tracing::warn!(%repo, error = %e, "could not record a catch-up");
                        }
                        self.jobs_ready.notify_one();
                    }
                    Err(e) => tracing::warn!(%repo, error = %e, "catch-up of commands failed"),
                }
            }
        }
    }

    /// Catch up once, then tick at start-up and every `period` until `shutdown`.
    pub async fn run(self, period: Duration, mut shutdown: watch::Receiver<bool>) {
        self.catch_up().await;
        loop {
            let n = self.tick_once().await;
            if n > 0 {
                tracing::info!(jobs = n, "scheduled rollovers");
            }
            tokio::select! {
                _ = tokio::time::sleep(period) => {}
                _ = shutdown.changed() => return,
            }
        }
    }
}
