//! The small job handlers: `ping` is logged; `installation` and
//! `installation_repositories` keep the store's list of installations and
//! repositories current; `issues` events that open, close or move a sprint
//! issue make the store forget which issue is current when they make it
//! stale (it is looked up again on the next command), and any other issue
//! closed or reopened
//! queues a `link` job, since a goal may link it (see `links`).

use serde::Deserialize;

use super::{BoxFuture, Handler, JobError};
use crate::store::{Effect, ForgetIf, InstallationChange, Job};

/// Logs GitHub's zen and the hook id.
pub struct PingHandler;

#[derive(Deserialize)]
struct Ping {
    zen: Option<String>,
    hook_id: Option<u64>,
}

impl Handler for PingHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(async move {
            let ping: Ping = parse(job)?;
            tracing::info!(
                zen = ping.zen.as_deref().unwrap_or(""),
                hook_id = ping.hook_id,
                "ping from GitHub"
            );
            Ok(Vec::new())
        })
    }
}

/// Records installations and their repositories.
pub struct InstallationHandler;

impl Handler for InstallationHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(async move {
            let event = job.kind.strip_prefix("webhook:").unwrap_or(&job.kind);
            let crate::events::Event::Installation(ev) = crate::events::parse(event, &job.payload)
                .map_err(|e| JobError::Permanent(e.to_string()))?
            else {
                return Ok(Vec::new());
            };
            let pairs = |v: Vec<(u64, crate::github::RepoRef)>| {
                v.into_iter().map(|(id, r)| (id, r.to_string())).collect()
            };
            let installation = ev.installation.0;
            let mut effects = Vec::new();
            // A new installation's repositories are listed and read once; a
            // repository added later has its config read once.
            if ev.action == "created" {
                effects.push(Effect::Enqueue(crate::work::discover_job(installation)));
            } else {
                for (id, repo) in &ev.added {
                    let job = crate::work::RepoJob {
                        installation,
                        repo: repo.to_string(),
                        repo_id: Some(*id),
                    };
                    effects.push(Effect::Enqueue(crate::work::repo_job(
                        crate::work::JobKind::Revalidate,
                        &job,
                    )));
                }
            }
            effects.insert(
                0,
                Effect::Installation(InstallationChange {
                    installation,
                    account: ev.account,
                    action: ev.action,
                    added: pairs(ev.added),
                    removed: pairs(ev.removed),
                    suspended: ev.suspended,
                    source: job.delivery_id.clone(),
                }),
            );
            Ok(effects)
        })
    }
}

/// When an `issues` event about sprint issue `n` makes the remembered
/// current issue stale: the App's own opening of `n` or closing of the
/// previous sprint's issue changes nothing (the opening job recorded `n`),
/// so those never make the scheduler queue an opening again.
fn forget_if(action: &str, n: u64) -> Option<ForgetIf> {
    match action {
        "opened" => Some(ForgetIf::NotCurrent(n)),
        "closed" | "deleted" | "transferred" => Some(ForgetIf::CurrentOrUnknown(n)),
        "reopened" => Some(ForgetIf::Always),
        _ => None,
    }
}

/// A payload that does not have the shape we need will not get better on a
/// retry: it goes to the dead letters with the reason.
fn parse<'de, T: Deserialize<'de>>(job: &'de Job) -> Result<T, JobError> {
    serde_json::from_slice(&job.payload).map_err(|e| {
        JobError::Permanent(format!(
            "payload of {} does not have the expected shape: {e}",
            job.kind
        ))
    })
}

/// Forgets the current sprint issue of a repository when one is opened,
/// closed, reopened, deleted or transferred; queues the `link` job of any
/// other issue closed as completed or reopened.
pub struct IssuesHandler(pub crate::store::Store);

impl Handler for IssuesHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(async move {
            let event = crate::events::parse("issues", &job.payload)
                .map_err(|e| JobError::Permanent(e.to_string()))?;
            let crate::events::Event::Issue(ev) = event else {
                return Ok(Vec::new());
            };
            if let Some(condition) = forget_if(&ev.action, ev.number.0)
                && crate::sprint::markers::carries_metadata(&ev.body)
            {
                self.0
                    .forget_current_issue_if(&ev.origin.repo.to_string(), condition)
                    .await
                    .map_err(|e| JobError::Transient(e.to_string()))?;
            }
            Ok(
                crate::links::webhook::issue_job(&ev, job.delivery_id.as_deref())
                    .map(Effect::Enqueue)
                    .into_iter()
                    .collect(),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_webhooks_that_make_the_current_issue_stale_forget_it() {
        assert_eq!(forget_if("opened", 9), Some(ForgetIf::NotCurrent(9)));
        for gone in ["closed", "deleted", "transferred"] {
            assert_eq!(forget_if(gone, 9), Some(ForgetIf::CurrentOrUnknown(9)));
        }
        assert_eq!(forget_if("reopened", 9), Some(ForgetIf::Always));
        assert_eq!(forget_if("edited", 9), None);
    }
}
