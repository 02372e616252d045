//! Learning which repositories run sprints, without polling: an
//! installation's repositories are listed once (`discover`), each new
//! repository's config is read once (`revalidate`), and from then on a push
//! that changes a config, an `installation_repositories` event, or the
//! daily conditional revalidation (a free 304 when nothing changed) keeps
//! the registry current. A repository whose config appears gets its
//! current sprint opened at once. Background reads wait when the
//! installation's rate budget is low, so commands and openings have room.
//! Also the start-up catch-up of commands, one job per repository.

use std::sync::Arc;

use crate::context::Context;
use crate::github::{InstallationId, RepoRef};
use crate::store::{Effect, InstallationChange, Job, RepoKey};
use crate::util::BoxFuture;
use crate::work::{self, InstallationJob, JobKind, RepoJob, RolloverJob, RolloverTarget};
use crate::worker::{Handler, JobError, github_error};

fn store_err(e: crate::store::StoreError) -> JobError {
    JobError::Transient(e.to_string())
}

fn parse<'a, T: serde::Deserialize<'a>>(job: &'a Job) -> Result<T, JobError> {
    serde_json::from_slice(&job.payload)
        .map_err(|e| JobError::Permanent(format!("bad {} job: {e}", job.kind)))
}

/// Background work for an installation waits while its budget is low.
fn wait_for_budget(c: &Context, installation: u64) -> Result<(), JobError> {
    let budget = c.github.budget(InstallationId(installation));
    match budget.reset {
        Some(reset) if budget.is_low() => Err(JobError::Defer {
            until_ms: reset.as_millisecond(),
            reason: format!(
                "installation {installation} has {} of {} requests left until the reset; background work waits",
                budget.remaining.unwrap_or(0),
                budget.limit.unwrap_or(0)
            ),
        }),
        _ => Ok(()),
    }
}

/// The rollover of a repository whose config just appeared: its current
/// sprint opens now, not at the next opening instant.
pub fn open_now(installation: u64, repo: &RepoRef, repo_id: Option<u64>) -> Effect {
    let job = RolloverJob {
        installation,
        repo: repo.to_string(),
        repo_id,
        target: RolloverTarget::Due,
        answer: None,
    };
    Effect::Enqueue(work::rollover_job(
        format!(
            "rollover/{}/new-config",
            repo.to_string().to_ascii_lowercase()
        ),
        &job,
    ))
}

/// Lists an installation's repositories and queues a config read for each
/// one never read.
pub struct DiscoverHandler(pub Arc<Context>);

impl DiscoverHandler {
    async fn run(&self, job: &Job) -> Result<Vec<Effect>, JobError> {
        let j: InstallationJob = parse(job)?;
        let c = &self.0;
        wait_for_budget(c, j.installation)?;
        let gh = c
            .github
            .client(InstallationId(j.installation))
            .map_err(github_error)?;
        let listed = gh.repositories().await.map_err(github_error)?;
        let known = c
            .store
            .repositories(j.installation)
            .await
            .map_err(store_err)?;
        let removed: Vec<(u64, String)> = known
            .into_iter()
            .filter(|k| !listed.iter().any(|(_, r)| r.to_string() == *k))
            .map(|k| (0, k))
            .collect();
        let account = c
            .store
            .installations()
            .await
            .map_err(store_err)?
            .into_iter()
            .find(|i| i.id == j.installation);
        c.store
            .record_installation(InstallationChange {
                installation: j.installation,
                account: account
                    .as_ref()
                    .map(|a| a.account.clone())
                    .unwrap_or_default(),
                action: "discovered".into(),
                added: listed.iter().map(|(id, r)| (*id, r.to_string())).collect(),
                removed,
                suspended: account.is_some_and(|a| a.suspended),
                source: None,
            })
            .await
            .map_err(store_err)?;
        let mut effects = Vec::new();
        for (name, repo_id) in c
            .store
            .unread_repos(j.installation)
            .await
            .map_err(store_err)?
        {
            let job = RepoJob {
                installation: j.installation,
                repo: name,
                repo_id,
            };
            effects.push(Effect::Enqueue(work::repo_job(JobKind::Revalidate, &job)));
        }
        c.store
            .mark_discovered(j.installation)
            .await
            .map_err(store_err)?;
        Ok(effects)
    }
}

impl Handler for DiscoverHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(self.run(job))
    }
}

/// Reads one repository's config (conditionally when a copy is cached).
pub struct RevalidateHandler(pub Arc<Context>);

impl RevalidateHandler {
    async fn run(&self, job: &Job) -> Result<Vec<Effect>, JobError> {
        let j: RepoJob = parse(job)?;
        let repo = RepoRef::parse(&j.repo)
            .ok_or_else(|| JobError::Permanent(format!("bad repository {}", j.repo)))?;
        let c = &self.0;
        wait_for_budget(c, j.installation)?;
        let key = RepoKey {
            full_name: repo.to_string(),
            id: j.repo_id,
        };
        let was_enabled = c
            .store
            .cached_config(key)
            .await
            .map_err(store_err)?
            .is_some_and(|cached| cached.source.is_some());
        let gh = c
            .github
            .client(InstallationId(j.installation))
            .map_err(github_error)?;
        let bot = c.github.bot_login().await.map_err(github_error)?;
        let loaded = c
            .revalidated_config(gh.as_ref(), &repo, j.repo_id, &bot)
            .await?;
        c.wake.notify_one();
        if loaded.enabled && !was_enabled && loaded.config.is_some() {
            tracing::info!(%repo, "a sprintbot config appeared; opening the current sprint");
            return Ok(vec![open_now(j.installation, &repo, j.repo_id)]);
        }
        Ok(Vec::new())
    }
}

impl Handler for RevalidateHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(self.run(job))
    }
}

/// Catches up on the commands of one repository's open sprint issues.
pub struct CatchUpHandler(pub Arc<Context>);

impl Handler for CatchUpHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(async move {
            let j: RepoJob = parse(job)?;
            let repo = RepoRef::parse(&j.repo)
                .ok_or_else(|| JobError::Permanent(format!("bad repository {}", j.repo)))?;
            self.0
                .catch_up_repo(InstallationId(j.installation), &repo, j.repo_id)
                .await
        })
    }
}
