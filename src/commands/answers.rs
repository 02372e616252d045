//! Answers to comments: what a person is owed (👍, or 😕 and one reply that
//! quotes each refused line with the reason; the help text when asked; a
//! note when a command has something to tell, such as a calendar command's
//! new dates or a preview), and
//! the `answer` job that sends it. Answers are jobs, written before the body
//! change they report (held until it lands), so each is sent until it
//! succeeds, one failed answer never blocks another, and a deleted comment
//! is simply skipped. A 👍 alone is sent at once by the job that applied
//! the command ([`send_at_once`]), its held job then done without running:
//! a command is one job, not two at different places in the queue.
//!
//! What shows that a comment was answered is sprintbot's own 👍 or 😕 on
//! it: only sprintbot's account can add or remove it. A reply's marker is
//! only a shortcut: a collaborator can edit it (its id, its `edit=` tag,
//! its text). So an answer that may already have been sent before a lost
//! store (one rebuilt from the body's ledger, or one for a comment the
//! ledger cannot record: refused as a whole, a help request, a preview)
//! is `check_first`: it looks for the reaction first, then for its reply,
//! and writes its reaction last, after the reply, so the reaction proves
//! the whole answer was sent. Other answers react first, so people see
//! at once that their command was read.

use std::sync::Arc;

use super::doctor::{DoctorJob, answer_or_doctor, doctor_job};
use super::messages::{self, Refusal};
use super::replay::Outcome;
use crate::github::types::{CommentId, RepoRef};
use crate::github::{GitHub, GitHubError, Installations, Reaction};
use crate::sprint::layout::Layout;
use crate::sprint::markers::Metadata;
use crate::store::{Effect, Job, NewJob};
use crate::util::BoxFuture;
use crate::work::{self, AnswerJob, RolloverJob, RolloverTarget, answer_target, decided_prefix};
use crate::worker::{Handler, JobError, github_error};

/// Who is owed an answer, and where.
#[derive(Debug, Clone)]
pub struct Addressee {
    pub installation: u64,
    pub repo: String,
    pub issue: u64,
    pub comment: u64,
    pub author: String,
    /// When the comment was written.
    pub since: String,
}

/// The answer to a comment whose commands went this way. `tag` tells the
/// comment as written (`c`) from an edit (`e<hash>`).
pub fn answer(to: &Addressee, tag: &str, refused: &[Refusal], help: bool) -> AnswerJob {
    let today = Layout::default();
    answer_with(to, tag, refused, help.then_some(&today), &[])
}

/// [`answer`], also telling the author `notes` about the lines that ran (a
/// calendar command's new dates, a preview), in the same one reply.
pub fn answer_with(
    to: &Addressee,
    tag: &str,
    refused: &[Refusal],
    help: Option<&Layout>,
    notes: &[String],
) -> AnswerJob {
    let marker = messages::reply_marker(to.comment, tag);
    let reply = match (refused.is_empty(), help) {
        (true, None) if notes.is_empty() => None,
        (true, None) => Some(messages::notes(&marker, &to.author, notes)),
        (true, Some(layout)) if notes.is_empty() => {
            Some(format!("{marker}\n{}", super::grammar::help_for(layout)))
        }
        (true, Some(layout)) => {
            let mut text = messages::notes(&marker, &to.author, notes);
            text.push('\n');
            text.push_str(&super::grammar::help_for(layout));
            Some(text)
        }
        (false, help) => {
            let mut text = messages::refusals(&marker, &to.author, refused);
            for n in notes {
                text.push('\n');
                text.push_str(n);
                text.push('\n');
            }
            if let Some(layout) = help {
                text.push('\n');
                text.push_str(&super::grammar::help_for(layout));
            }
            Some(text)
        }
    };
    // Whatever went in, the reply fits GitHub's limit (a longer one is
    // refused with 422, and the author would get no answer at all).
    let reply = reply.map(crate::sprint::moving::bounded);
    AnswerJob {
        installation: to.installation,
        repo: to.repo.clone(),
        issue: to.issue,
        comment: to.comment,
        reaction: if refused.is_empty() { "+1" } else { "confused" }.into(),
        marker: reply.as_ref().map(|_| marker),
        reply,
        since: to.since.clone(),
        check_first: false,
    }
}

/// An answer whose comment changes nothing, so the body's ledger never
/// records it (a comment refused as a whole, a help request): after a lost
/// store, a redelivery of its comment decides it again. When it carries a
/// reply to a first comment, it looks for sprintbot's own reaction and its
/// own reply first and reacts last, so the second decision sends nothing
/// (two reads, only for these; see the module's first lines).
pub fn unrecorded(mut a: AnswerJob) -> AnswerJob {
    if a.reply.is_some() && a.marker == Some(messages::reply_marker(a.comment, "c")) {
        a.check_first = true;
    }
    a
}

/// The answer rebuilt from the body's ledger alone, when the store that
/// held the real one is gone: 👍, or 😕 with a note that details were lost.
pub fn rebuilt(to: &Addressee, tag: &str, refused: bool) -> AnswerJob {
    let mut a = answer(to, tag, &[], false);
    a.check_first = true;
    if refused {
        let marker = messages::reply_marker(to.comment, tag);
        a.reaction = "confused".into();
        a.reply = Some(messages::lost_details(&marker, &to.author));
        a.marker = Some(marker);
    }
    a
}

/// Send, right after the write that released them, the held answers in
/// `owed` (each prefix's jobs) that are a reaction alone, and mark each
/// sent one done in `effects` (before its prefix's release). An answer with
/// a reply, a rollover or a checklist, or one GitHub did not take, stays a
/// job: released, it is sent (and retried) as before. A reaction is the
/// same one however often it is sent, so a crash before the job completes
/// costs at most a second, harmless, request.
pub async fn send_at_once(
    gh: &dyn GitHub,
    owed: impl IntoIterator<Item = (String, Vec<NewJob>)>,
    effects: &mut Vec<Effect>,
) {
    for (prefix, jobs) in owed {
        let Some(at) = effects
            .iter()
            .position(|e| matches!(e, Effect::Release(p) if *p == prefix))
        else {
            continue;
        };
        let [job] = jobs.as_slice() else { continue };
        let Some(a) = (job.kind == crate::work::JobKind::Answer.as_str())
            .then(|| serde_json::from_str::<AnswerJob>(&job.payload).ok())
            .flatten()
            .filter(|a| a.reply.is_none())
        else {
            continue;
        };
        let (Some((_, repo, _, comment)), Some(key)) = (answer_target(&a), job.dedupe_key.clone())
        else {
            continue;
        };
        let reaction = Reaction::from_content(&a.reaction).unwrap_or(Reaction::PlusOne);
        match gh.add_reaction(&repo, comment, reaction).await {
            Ok(()) | Err(GitHubError::NotFound { .. }) => {
                effects.insert(at, Effect::DoneHeld(key));
            }
            Err(e) => {
                tracing::debug!(error = %e, "the answer is sent by its own job");
            }
        }
    }
}

/// Sends answers.
pub struct AnswerHandler {
    pub github: Arc<dyn Installations>,
}

impl AnswerHandler {
    async fn run(&self, job: &Job) -> Result<Vec<Effect>, JobError> {
        let a: AnswerJob = serde_json::from_slice(&job.payload)
            .map_err(|e| JobError::Permanent(format!("bad answer job: {e}")))?;
        let (installation, repo, issue, comment) = answer_target(&a)
            .ok_or_else(|| JobError::Permanent(format!("bad repository {}", a.repo)))?;
        let gh = self.github.client(installation).map_err(github_error)?;
        if a.check_first && a.marker == Some(messages::reply_marker(a.comment, "c")) {
            // A comment's first answer, maybe sent before the store was
            // lost: it writes its reaction last (below), so sprintbot's own
            // reaction, which only its account can add or take away, shows
            // the whole answer was sent, whatever a person has since done
            // to the reply's marker. (An edit's answer cannot tell: the
            // reaction may be the first version's.)
            let bot = self.github.bot_login().await.map_err(github_error)?;
            let reactions = match gh.list_reactions(&repo, comment).await {
                Ok(r) => r,
                Err(GitHubError::NotFound { .. }) => return Ok(Vec::new()),
                Err(e) => return Err(github_error(e)),
            };
            // The very reaction this answer writes: an edit's later answer
            // may have added the other one.
            if reactions
                .iter()
                .any(|(login, content)| *login == bot && *content == a.reaction)
            {
                return Ok(Vec::new());
            }
        }
        if !a.check_first && !react(gh.as_ref(), &repo, comment, &a.reaction).await? {
            // The comment was deleted: nobody is left to answer.
            return Ok(Vec::new());
        }
        if let (Some(reply), Some(marker)) = (&a.reply, &a.marker) {
            let mut posted = false;
            if job.attempt > 1 || a.check_first {
                // An earlier attempt may have posted it before failing.
                let bot = self.github.bot_login().await.map_err(github_error)?;
                posted = gh
                    .list_comments(&repo, issue, Some(&a.since))
                    .await
                    .map_err(github_error)?
                    .iter()
                    .any(|c| crate::sprint_issues::bot_marked(c, &bot, issue, marker));
            }
            if !posted {
                match gh.create_comment(&repo, issue, reply, Some(marker)).await {
                    Ok(_) => {}
                    Err(GitHubError::NotFound { .. }) => return Ok(Vec::new()),
                    Err(e) => return Err(github_error(e)),
                }
            }
        }
        if a.check_first {
            react(gh.as_ref(), &repo, comment, &a.reaction).await?;
        }
        Ok(Vec::new())
    }
}

/// Add sprintbot's reaction to a comment (the same one however often it is
/// sent); false when the comment is gone.
async fn react(
    gh: &dyn GitHub,
    repo: &RepoRef,
    comment: CommentId,
    content: &str,
) -> Result<bool, JobError> {
    let reaction = Reaction::from_content(content).unwrap_or(Reaction::PlusOne);
    match gh.add_reaction(repo, comment, reaction).await {
        Ok(()) => Ok(true),
        Err(GitHubError::NotFound { .. }) => Ok(false),
        Err(e) => Err(github_error(e)),
    }
}

impl Handler for AnswerHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(self.run(job))
    }
}

/// The jobs owed for an outcome, keyed under its comment's prefix: its
/// answer, or, when it asked for a rollover, the rollover job that sends
/// the answer once it is done. `to` names the issue; the comment, its
/// author and time come from `since` and the outcome.
pub fn owed(
    to: &Addressee,
    meta: &Metadata,
    repo_id: u64,
    layout: &Layout,
) -> impl Fn(&Outcome) -> (String, Vec<NewJob>) + Send + Sync {
    let (to, sprint, layout) = (to.clone(), meta.sprint, layout.clone());
    move |o: &Outcome| {
        let to = Addressee {
            comment: o.comment,
            author: o.author.0.clone(),
            since: o.since.clone(),
            ..to.clone()
        };
        let tag = o.kind.tag();
        let prefix = match crate::github::RepoRef::parse(&to.repo) {
            Some(repo) => decided_prefix(&repo, crate::github::CommentId(o.comment), &tag),
            None => format!("answer/{}/{}/{tag}", to.repo, o.comment),
        };
        let answer: AnswerJob =
            answer_with(&to, &tag, &o.refused, o.help.then_some(&layout), &o.notes);
        if !o.rollover {
            let job = answer_or_doctor(&prefix, answer, o.doctor, Some(repo_id));
            return (prefix, vec![job]);
        }
        let mut jobs = Vec::new();
        if o.doctor {
            // The rollover sends the answer; the checklist is a reply of its own.
            let doctor = DoctorJob {
                prefix: prefix.clone(),
                repo_id: Some(repo_id),
                answer: answer.clone(),
                own_reply: true,
            };
            jobs.push(doctor_job(&prefix, &doctor));
        }
        let rollover = RolloverJob {
            installation: to.installation,
            repo: to.repo.clone(),
            repo_id: Some(repo_id),
            target: RolloverTarget::After(sprint.to_string()),
            answer: Some(answer),
        };
        jobs.push(work::rollover_job(format!("{prefix}/rollover"), &rollover));
        (prefix, jobs)
    }
}
