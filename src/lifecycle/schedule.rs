//! Rollovers as jobs. The `rollover` job opens what is due (or, asked for
//! by `/sprint rollover`, the sprint after the asking issue's) and then
//! sends the answer owed to the comment that asked. It is retried until it
//! succeeds; an error that cannot heal (a template that does not render,
//! numbering before the first version) is reported once in the
//! repository's configuration-error issue. The scheduler that queues it
//! lives in `scheduler.rs`.

use std::sync::Arc;
use std::time::Duration;

use super::LifecycleError;
use super::lease::leased;
use super::{Goal, Repo, open};
use crate::commands::answers::Addressee;
use crate::commands::messages::{self, Refusal};
use crate::context::Context;
use crate::github::{CommentId, RepoRef};
use crate::sprint::SprintId;
use crate::store::{Effect, Job};
use crate::util::BoxFuture;
use crate::work::{self, AnswerJob, RolloverJob, RolloverTarget};
use crate::worker::{Handler, JobError};

/// Runs rollover jobs.
pub struct RolloverHandler(pub Arc<Context>);

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
        let c = &self.0;
        let crate::context::RepoContext {
            repo,
            gh,
            bot,
            loaded,
        } = c.open_repo(j.installation, &j.repo, j.repo_id).await?;
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
            Err(e) if e.is_permanent() => {
                // It will not heal by itself: say so where the people who
                // can fix the config will see it (once: the issue is only
                // written when its text changes).
                let problem = format!(
                    "the sprint could not be opened: {e} (sprintbot tries again in 6 hours; \
                     after a fix, `/sprint rollover` on the current sprint issue opens it at once)"
                );
                if let Err(report) =
                    crate::repos::report_problem(gh.as_ref(), &repo, &bot, &problem).await
                {
                    tracing::warn!(%repo, error = %report, "could not report a failed rollover");
                }
                fail(e.to_string())
            }
            Err(e) => Err(JobError::Transient(e.to_string())),
        }
    }
}

impl Handler for RolloverHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(self.run(job))
    }
}
