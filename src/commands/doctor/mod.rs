//! `/sprint doctor`: a checklist of what sprintbot needs in a repository
//! (the App's permissions and events, the config, the labels, the pinned
//! sprint issue, webhook deliveries, the API budget) and what happens next.
//! Deciding a comment queues a `doctor` job carrying the answer the comment
//! is owed; the job looks everything up (`checks`), writes the checklist
//! (`report`) into that answer's reply and queues the answer, which the
//! answers machinery sends exactly once. Runs on any issue, for people with
//! write access: it costs a few API calls, and its fixes need that access.

mod checks;
mod plan;
pub mod report;
mod teams;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::messages::doctor_marker;
use crate::context::Context;
use crate::github::MAX_BODY_CHARS;
use crate::store::{Effect, Job, NewJob};
use crate::util::BoxFuture;
use crate::work::{self, AnswerJob};
use crate::worker::{Handler, JobError, github_error};

/// A checklist to write, and the answer it goes into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoctorJob {
    /// The key prefix of the asking comment's jobs (`work::decided_prefix`).
    pub prefix: String,
    #[serde(default)]
    pub repo_id: Option<u64>,
    /// The answer owed to the asking comment (it names the installation,
    /// repository, issue and comment); the checklist is added to its reply.
    pub answer: AnswerJob,
    /// The answer went with a rollover the same comment asked for: the
    /// checklist is a reply of its own.
    #[serde(default)]
    pub own_reply: bool,
}

/// The job that writes the checklist into `answer`, keyed under the
/// comment's `prefix` (so a redelivery finds it and queues nothing).
pub fn doctor_job(prefix: &str, job: &DoctorJob) -> NewJob {
    NewJob {
        kind: work::JobKind::Doctor.into(),
        payload: serde_json::to_string(job).unwrap_or_default(),
        dedupe_key: Some(format!("{prefix}/doctor")),
        // It only reads: it need not wait for the repository's other work.
        serial_key: None,
        tenant: Some(job.answer.installation),
        run_after_ms: 0,
    }
}

/// The job that sends `answer`: directly, or through a doctor job when the
/// comment asked for `/sprint doctor`.
pub fn answer_or_doctor(
    prefix: &str,
    answer: AnswerJob,
    doctor: bool,
    repo_id: Option<u64>,
) -> NewJob {
    if doctor {
        doctor_job(
            prefix,
            &DoctorJob {
                prefix: prefix.to_string(),
                repo_id,
                answer,
                own_reply: false,
            },
        )
    } else {
        work::answer_job(prefix, &answer)
    }
}

/// `answer` with the checklist in its reply (after any refusals).
fn with_report(mut answer: AnswerJob, report: impl Fn(&str) -> String, own: bool) -> AnswerJob {
    if own {
        let marker = doctor_marker(answer.comment);
        answer.reply = Some(report(&marker));
        answer.marker = Some(marker);
        answer.reaction = "+1".into();
        return answer;
    }
    let reply = match (&answer.reply, &answer.marker) {
        (Some(refusals), Some(_)) => {
            let both = format!("{refusals}\n{}", report(""));
            if both.chars().count() <= MAX_BODY_CHARS {
                both
            } else {
                format!(
                    "{refusals}\n**sprintbot doctor**: the checklist does not fit in this reply; post `/sprint doctor` in a comment of its own.\n"
                )
            }
        }
        _ => {
            let marker = super::messages::reply_marker(answer.comment, "c");
            answer.marker = Some(marker.clone());
            report(&marker)
        }
    };
    answer.reply = Some(reply);
    answer
}

/// Runs doctor jobs.
pub struct DoctorHandler(pub Arc<Context>);

impl DoctorHandler {
    async fn run(&self, job: &Job) -> Result<Vec<Effect>, JobError> {
        let j: DoctorJob = serde_json::from_slice(&job.payload)
            .map_err(|e| JobError::Permanent(format!("bad doctor job: {e}")))?;
        let (installation, repo, _, comment) = work::answer_target(&j.answer)
            .ok_or_else(|| JobError::Permanent(format!("bad repository {}", j.answer.repo)))?;
        let c = &self.0;
        let gh = c.github.client(installation).map_err(github_error)?;
        let bot = c.github.bot_login().await.map_err(github_error)?;
        let asked_at = j
            .answer
            .since
            .parse::<jiff::Timestamp>()
            .unwrap_or_else(|_| c.clock.now());
        let subject = checks::Subject {
            gh: gh.as_ref(),
            installation,
            repo: &repo,
            repo_id: j.repo_id,
            bot: &bot,
            asked_at,
        };
        let items = c.doctor_checks(&subject).await;
        let bad = items.iter().filter(|i| i.needs_fixing()).count();
        tracing::info!(%repo, comment = comment.0, problems = bad, "doctor checklist written");
        let answer = with_report(
            j.answer.clone(),
            |marker| report::render(marker, &repo.to_string(), &items),
            j.own_reply,
        );
        let prefix = if j.own_reply {
            format!("{}/doctor", j.prefix)
        } else {
            j.prefix.clone()
        };
        Ok(vec![Effect::Enqueue(work::answer_job(&prefix, &answer))])
    }
}

impl Handler for DoctorHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(self.run(job))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(reply: Option<&str>) -> AnswerJob {
        AnswerJob {
            installation: 7,
            repo: "acme/app".into(),
            issue: 1,
            comment: 42,
            reaction: if reply.is_some() { "confused" } else { "+1" }.into(),
            reply: reply.map(String::from),
            marker: reply.map(|_| "<!-- sprintbot:reply-to=42 -->".to_string()),
            since: "2022-11-16T12:00:00Z".into(),
            check_first: false,
        }
    }

    #[test]
    fn the_checklist_goes_into_the_reply_the_comment_is_owed() {
        let report = |m: &str| format!("{m}\nCHECKLIST\n");
        let plain = with_report(answer(None), report, false);
        assert_eq!(plain.reaction, "+1");
        assert_eq!(
            plain.reply.as_deref(),
            Some("<!-- sprintbot:reply-to=42 -->\nCHECKLIST\n")
        );
        assert_eq!(
            plain.marker.as_deref(),
            Some("<!-- sprintbot:reply-to=42 -->")
        );
        let refused = with_report(
            answer(Some("<!-- sprintbot:reply-to=42 -->\nno\n")),
            report,
            false,
        );
        assert_eq!(refused.reaction, "confused");
        assert_eq!(
            refused.reply.as_deref(),
            Some("<!-- sprintbot:reply-to=42 -->\nno\n\n\nCHECKLIST\n")
        );
        let own = with_report(answer(Some("x")), report, true);
        assert_eq!(
            own.marker.as_deref(),
            Some("<!-- sprintbot:reply-to=42 doctor -->")
        );
    }
}
