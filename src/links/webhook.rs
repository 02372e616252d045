//! App mode: the webhooks that may tick or untick a linked goal become
//! `link` jobs (an issue closed as completed or reopened, a pull request
//! merged), and the `link` job applies one of them to the current sprint
//! issue. It costs one call for an issue no goal links (the sprint issue's
//! body), and four for one a goal links: the body, the linked issue read
//! again (a redelivered old event must not tick a goal whose issue is open
//! now), the body read again just before the write, and the write.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::write::{self, Ticks};
use super::{LinkJob, current_issue, link_job, state_of};
use crate::context::Context;
use crate::events::{IssueEvent, PullRequestEvent};
use crate::github::{GitHubError, IssueNumber};
use crate::sprint::body::SprintDoc;
use crate::store::{Effect, Job, NewJob};
use crate::util::BoxFuture;
use crate::worker::{Handler, JobError, github_error};

/// The `link` job of an `issues` event, when it may change a goal: an
/// issue (not a sprint issue) closed as completed, or reopened.
pub fn issue_job(ev: &IssueEvent, delivery: Option<&str>) -> Option<NewJob> {
    let relevant = ev.closed_as_completed() || ev.action == "reopened";
    if !relevant || crate::sprint::markers::carries_metadata(&ev.body) {
        return None;
    }
    Some(link_job(&LinkJob {
        installation: ev.origin.installation?.0,
        repo: ev.origin.repo.to_string(),
        repo_id: Some(ev.origin.repo_id),
        number: ev.number.0,
        event: format!("issues.{}", ev.action),
        actor: ev.origin.sender.0.clone(),
        delivery: delivery.map(String::from),
    }))
}

/// The `link` job of a `pull_request` event: a pull request merged.
pub fn pull_request_job(ev: &PullRequestEvent, delivery: Option<&str>) -> Option<NewJob> {
    (ev.action == "closed" && ev.merged).then_some(())?;
    Some(link_job(&LinkJob {
        installation: ev.origin.installation?.0,
        repo: ev.origin.repo.to_string(),
        repo_id: Some(ev.origin.repo_id),
        number: ev.number.0,
        event: "pull_request.closed".into(),
        actor: ev.origin.sender.0.clone(),
        delivery: delivery.map(String::from),
    }))
}

/// Runs `link` jobs.
pub struct LinkHandler(pub Arc<Context>);

impl LinkHandler {
    async fn run(&self, job: &Job) -> Result<Vec<Effect>, JobError> {
        let j: LinkJob = serde_json::from_slice(&job.payload)
            .map_err(|e| JobError::Permanent(format!("bad link job: {e}")))?;
        let c = &self.0;
        let crate::context::RepoContext {
            repo,
            gh,
            bot,
            loaded,
        } = c.open_repo(j.installation, &j.repo, j.repo_id).await?;
        let Some(config) = loaded.config.as_ref() else {
            return Ok(Vec::new());
        };
        if !config.switches.tick_linked_goals {
            return Ok(Vec::new());
        }
        let Some(issue) =
            current_issue(gh.as_ref(), &c.store, &repo, &config.sprint_label, &bot).await?
        else {
            return Ok(Vec::new());
        };
        let goals = SprintDoc::parse(&issue.body)
            .and_then(|d| d.goals())
            .unwrap_or_default();
        let n = j.number;
        if !goals
            .iter()
            .any(|g| g.link() == Some(n) || g.ticked_by == Some(n))
        {
            return Ok(Vec::new());
        }
        let linked = match gh.get_issue(&repo, IssueNumber(n)).await {
            Ok(linked) => linked,
            // Deleted or moved away since: nothing to tick.
            Err(GitHubError::NotFound { .. }) => return Ok(Vec::new()),
            Err(e) => return Err(github_error(e)),
        };
        let states = BTreeMap::from([(n, state_of(&linked))]);
        let delivery = j
            .delivery
            .clone()
            .or_else(|| job.delivery_id.clone())
            .unwrap_or_else(|| format!("job {}", job.id));
        let prefix = format!(
            "linked/{}/{n}/{delivery}",
            repo.to_string().to_ascii_lowercase()
        );
        let source = format!("delivery {delivery}: {} #{n}", j.event);
        let ticks = Ticks {
            gh: gh.as_ref(),
            store: &c.store,
            repo: &repo,
            actor: &j.actor,
            source: &source,
            prefix: &prefix,
        };
        let done = write::write(&ticks, issue.number, &states).await?;
        if done.changed > 0 {
            tracing::info!(%repo, issue = issue.number.0, link = n, changed = done.changed, "linked goals updated");
        }
        Ok(done.effects)
    }
}

impl Handler for LinkHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(self.run(job))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Event, parse};

    fn fixture(name: &str) -> serde_json::Value {
        let path = format!(
            "{}/tests/fixtures/github/webhooks/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    fn issue_event(p: &serde_json::Value) -> IssueEvent {
        match parse("issues", &serde_json::to_vec(p).unwrap()).unwrap() {
            Event::Issue(ev) => ev,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn issues_closed_as_completed_or_reopened_queue_a_link_job() {
        let mut p = fixture("issues.reopened");
        let reopened = issue_event(&p);
        let job = issue_job(&reopened, Some("d-1")).expect("a reopen may untick a goal");
        assert!(
            job.payload.contains("\"event\":\"issues.reopened\""),
            "{}",
            job.payload
        );
        p["action"] = "closed".into();
        p["issue"]["state"] = "closed".into();
        for (reason, queued) in [
            (serde_json::json!("completed"), true),
            (serde_json::Value::Null, true),
            (serde_json::json!("not_planned"), false),
        ] {
            p["issue"]["state_reason"] = reason.clone();
            let ev = issue_event(&p);
            assert_eq!(issue_job(&ev, None).is_some(), queued, "{reason}");
        }
        // A sprint issue closing is the rollover's business, not a link's.
        p["issue"]["state_reason"] = "completed".into();
        p["issue"]["body"] = "<!-- sprintbot:sprint id=2022-11-14 -->".into();
        assert!(issue_job(&issue_event(&p), None).is_none());
        p["action"] = "edited".into();
        assert!(issue_job(&issue_event(&p), None).is_none());
    }

    #[test]
    fn only_a_merged_pull_request_queues_a_link_job() {
        let mut p = fixture("pull_request.closed");
        let pr =
            |p: &serde_json::Value| match parse("pull_request", &serde_json::to_vec(p).unwrap())
                .unwrap()
            {
                Event::PullRequest(pr) => pr,
                other => panic!("{other:?}"),
            };
        assert!(!pr(&p).merged);
        assert!(pull_request_job(&pr(&p), None).is_none());
        p["pull_request"]["merged"] = true.into();
        p["pull_request"]["merged_at"] = "2022-11-17T10:00:00Z".into();
        let job = pull_request_job(&pr(&p), Some("d-2")).expect("merged");
        assert!(
            job.dedupe_key
                .unwrap()
                .ends_with("/pull_request.closed/d-2")
        );
        p.as_object_mut().unwrap().remove("installation");
        assert!(
            pull_request_job(&pr(&p), None).is_none(),
            "no installation, no job"
        );
    }
}
