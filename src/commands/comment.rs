//! The job of one `issue_comment` event, in the steps it takes: find the
//! command lines (an edit runs only the lines it added, and only when the
//! comment's author made it), recognise the sprint issue, see whether this
//! comment was decided before (the body's ledger and the store's answers
//! say), refuse it with a link if the issue is not the current one, decide,
//! and write, then answer in the same job. With warm caches a `/goal` costs
//! three calls: read the issue, write its body, react.

use std::collections::HashSet;
use std::sync::Arc;

use super::Commands;
use super::answers::{self, Addressee};
use super::decide;
use super::doctor::{DoctorJob, answer_or_doctor, doctor_job};
use super::messages::{self, Refusal};
use super::parse::{self, Line};
use super::replay::{Item, ItemKind, Outcome};
use super::selfservice::{self, Asked};
use super::write::{self, Target};
use crate::events::{CommentAction, CommentEvent, Event};
use crate::sprint::body::SprintDoc;
use crate::sprint::layout::Layout;
use crate::sprint::ledger::{Ledger, line_hash};
use crate::sprint::markers::Metadata;
use crate::sprint_issues::{self, Currency};
use crate::store::{Effect, Job, NewJob};
use crate::util::BoxFuture;
use crate::work::{self, AnswerJob, RolloverJob, RolloverTarget, decided_prefix};
use crate::worker::{Handler, JobError, github_error};

/// The `webhook:issue_comment` job handler.
pub struct CommentHandler(pub Arc<Commands>);

impl Handler for CommentHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(async move {
            match crate::events::parse("issue_comment", &job.payload)
                .map_err(|e| JobError::Permanent(e.to_string()))?
            {
                Event::Comment(ev) => self.0.on_comment(ev).await,
                _ => Ok(Vec::new()),
            }
        })
    }
}

/// The lines an edit added (by text), or every line of a new comment.
fn lines_to_run(ev: &CommentEvent) -> Option<(ItemKind, Vec<Line>)> {
    let lines = parse::parse(&ev.comment.body);
    match &ev.action {
        CommentAction::Deleted => None,
        CommentAction::Created => Some((ItemKind::Created, lines)),
        CommentAction::Edited { previous_body } => {
            let before: HashSet<String> = previous_body
                .as_deref()
                .map(parse::parse)
                .unwrap_or_default()
                .into_iter()
                .map(|l| l.text.trim().to_string())
                .collect();
            let added: Vec<Line> = lines
                .into_iter()
                .filter(|l| !before.contains(l.text.trim()))
                .collect();
            let hashes = added.iter().map(|l| line_hash(&l.text)).collect();
            Some((ItemKind::Edit { hashes }, added))
        }
    }
}

fn in_ledger(ledger: &Ledger, comment: u64, kind: &ItemKind) -> bool {
    match kind {
        ItemKind::Created => ledger.is_applied(comment),
        ItemKind::Edit { hashes } => hashes.iter().all(|h| ledger.has_edit(comment, h)),
    }
}

/// Refuse every line of a comment with one reason.
fn refuse_all(lines: &[Line], reason: &str) -> Vec<Refusal> {
    lines
        .iter()
        .map(|l| Refusal::new(&l.text, reason.to_string()))
        .collect()
}

impl Commands {
    /// Handle one comment event.
    pub async fn on_comment(&self, ev: CommentEvent) -> Result<Vec<Effect>, JobError> {
        if ev.on_pull_request || ev.comment.author_is_bot {
            return Ok(Vec::new());
        }
        if matches!(ev.action, CommentAction::Edited { .. })
            && ev.origin.sender != ev.comment.author
        {
            tracing::info!(comment = ev.comment.id.0, editor = %ev.origin.sender,
                "an edit by someone other than the comment's author runs nothing");
            return Ok(Vec::new());
        }
        let Some((kind, lines)) = lines_to_run(&ev) else {
            return Ok(Vec::new());
        };
        if lines.is_empty() {
            return Ok(Vec::new());
        }
        let installation = ev
            .origin
            .installation
            .ok_or_else(|| JobError::Permanent("the payload names no installation".into()))?;
        let gh = self.github.client(installation).map_err(github_error)?;
        let bot = self.github.bot_login().await.map_err(github_error)?;
        let repo = &ev.origin.repo;
        let issue = gh.get_issue(repo, ev.issue).await.map_err(github_error)?;
        let meta = sprint_issues::recognise_on_github(gh.as_ref(), repo, &issue, &bot)
            .await
            .map_err(github_error)?;
        // `/sprint doctor` and `/sprint adopt` work where other commands do
        // not: on any issue, and on the one an adoption is being finished on.
        let asked = Asked {
            ev: &ev,
            gh: gh.as_ref(),
            issue: &issue,
        };
        let self_service = selfservice::wants(&lines);
        let meta = match meta {
            None if self_service => {
                let reason = messages::not_a_sprint_issue();
                return self
                    .self_service(&asked, &kind, None, &lines, &reason)
                    .await;
            }
            // Once a sprint issue, always answered.
            None => {
                return self
                    .on_unreadable(gh.as_ref(), &ev, &issue, &bot, &kind, &lines)
                    .await;
            }
            Some(m) if self_service && selfservice::adopted_by(&m, ev.comment.id) => {
                let reason = messages::already_sprint_issue(Some(&m.sprint.to_string()));
                return self
                    .self_service(&asked, &kind, Some(&m), &lines, &reason)
                    .await;
            }
            Some(m) => m,
        };
        // An edit of a comment that was never handled waits for the
        // comment's own `created` job if it is still to run (it runs the
        // text as written, not lines someone else may have added since);
        // if that event never came, the comment runs as it is now.
        // Answers held for a write that may not have landed do not count.
        let answered = self
            .store
            .jobs_under(&decided_prefix(repo, ev.comment.id, "c"))
            .await
            .map_err(|e| JobError::Transient(e.to_string()))?
            .jobs
            .iter()
            .any(|(_, state)| state != "held");
        let (kind, lines) = match kind {
            // A comment that was refused outright is handled too: it is in
            // the store's answers, not in the ledger.
            ItemKind::Edit { .. } if !meta.ledger.is_applied(ev.comment.id.0) && !answered => {
                let created =
                    work::comment_event_key(&repo.to_string(), ev.comment.id.0, "created");
                let waiting = self
                    .store
                    .jobs_under(&created)
                    .await
                    .map_err(|e| JobError::Transient(e.to_string()))?
                    .jobs
                    .iter()
                    .any(|(_, state)| state != "done" && state != "dead");
                if waiting {
                    return Err(JobError::Defer {
                        until_ms: self.clock.now().as_millisecond() + 1_000,
                        reason: "the comment's own event has not been handled yet".into(),
                    });
                }
                (ItemKind::Created, parse::parse(&ev.comment.body))
            }
            other => (other, lines),
        };
        let to = Addressee {
            installation: installation.0,
            repo: repo.to_string(),
            issue: issue.number.0,
            comment: ev.comment.id.0,
            author: ev.comment.author.0.clone(),
            since: ev.comment.created_at.clone(),
        };
        let tag = kind.tag();
        let prefix = decided_prefix(repo, ev.comment.id, &tag);
        if let Some(done) = self
            .decided_before(&meta, &to, &kind, &tag, &prefix)
            .await?
        {
            return Ok(done);
        }
        let answer_now = |refused: Vec<Refusal>| {
            let a = answers::unrecorded(answers::answer(&to, &tag, &refused, false));
            Ok(vec![Effect::Enqueue(work::answer_job(&prefix, &a))])
        };

        let loaded = self
            .config(gh.as_ref(), repo, Some(ev.origin.repo_id), &bot)
            .await?;
        let label = loaded
            .config
            .as_ref()
            .map_or("sprint".to_string(), |c| c.sprint_label.clone());
        let (currency, listed) =
            sprint_issues::currency(gh.as_ref(), &self.store, repo, &label, &issue, &bot)
                .await
                .map_err(|e| JobError::Transient(e.to_string()))?;
        // A command that cannot run here is refused; a doctor still runs.
        let gate = async |reason: String| {
            if self_service {
                self.self_service(&asked, &kind, Some(&meta), &lines, &reason)
                    .await
            } else {
                answer_now(refuse_all(&lines, &reason))
            }
        };
        if let Currency::Superseded { current } = currency {
            return gate(messages::not_current(current.map(|n| n.0))).await;
        }
        let Some(config) = loaded.config.clone() else {
            let problem = loaded.problem_summary().unwrap_or_default();
            return gate(messages::config_broken(&problem)).await;
        };
        let doc = match SprintDoc::parse(&issue.body) {
            Ok(doc) => doc,
            Err(e) => return gate(messages::damaged(&e.to_string())).await,
        };
        let author = &ev.comment.author;
        let needs = decide::needs(&config, author, &lines);
        let (mut facts, looked_up) = self
            .facts
            .gather(gh.as_ref(), repo, &config, author, &needs, self.clock.now())
            .await
            .map_err(github_error)?;
        facts.team_comments = super::facts::team_comments_for_preview(
            gh.as_ref(),
            repo,
            issue.number,
            &bot,
            &doc,
            &config,
            &lines,
        )
        .await
        .map_err(github_error)?;
        let decision = decide::decide(&doc, &config, repo, author, &lines, &facts);
        if decision.planned.is_empty() && !decision.rollover {
            let notes: Vec<String> = decision.notes.iter().map(|(_, n)| n.clone()).collect();
            let a = answers::unrecorded(answers::answer_with(
                &to,
                &tag,
                &decision.refused,
                decision.help.then_some(&config.layout),
                &notes,
            ));
            let job = answer_or_doctor(&prefix, a, decision.doctor, Some(ev.origin.repo_id));
            return Ok(vec![Effect::Enqueue(job)]);
        }
        let item = Item {
            comment: ev.comment.id.0,
            author: author.clone(),
            since: ev.comment.created_at.clone(),
            kind,
            decision,
        };
        let prepare = owed(&to, &meta, ev.origin.repo_id, &config.layout);
        let target = Target {
            gh: gh.as_ref(),
            store: &self.store,
            repo,
            config: Some(&config),
        };
        let written = write::write(
            &target,
            &issue,
            listed || looked_up,
            vec![item],
            None,
            &prepare,
        )
        .await?;
        let mut effects = written.effects;
        let owed = written.outcomes.iter().map(&prepare);
        answers::send_at_once(gh.as_ref(), owed, &mut effects).await;
        if let Some(body) = &written.body {
            effects.extend(write::calendar_moved(repo, &issue, &meta, body));
        }
        effects.extend(crate::links::sub_issues::after_commands(
            &config,
            installation.0,
            repo,
            Some(ev.origin.repo_id),
            issue.number.0,
            &written.outcomes,
        ));
        effects.extend(crate::links::newly_linked::after_commands(
            &config,
            installation.0,
            repo,
            Some(ev.origin.repo_id),
            &written.outcomes,
        ));
        if written
            .body
            .as_deref()
            .and_then(|b| SprintDoc::parse(b).ok())
            .and_then(|d| d.metadata().map(|m| m.ledger.wants_compaction()))
            .unwrap_or(false)
        {
            effects.push(Effect::Enqueue(super::sync::sync_job(
                installation.0,
                repo,
                Some(ev.origin.repo_id),
                issue.number.0,
            )));
        }
        Ok(effects)
    }

    /// What to do when this comment (or edit) was decided before: the body's
    /// ledger has it (release its held answers, or rebuild a lost one), or
    /// the store has its answer already. `None`: decide it now.
    async fn decided_before(
        &self,
        meta: &Metadata,
        to: &Addressee,
        kind: &ItemKind,
        tag: &str,
        prefix: &str,
    ) -> Result<Option<Vec<Effect>>, JobError> {
        let store_err = |e: crate::store::StoreError| JobError::Transient(e.to_string());
        let known = self.store.jobs_under(prefix).await.map_err(store_err)?;
        if in_ledger(&meta.ledger, to.comment, kind) {
            if known.any_held() {
                return Ok(Some(vec![Effect::Release(prefix.to_string())]));
            }
            if known.is_empty() {
                let refused = *kind == ItemKind::Created && meta.ledger.was_refused(to.comment);
                let a = answers::rebuilt(to, tag, refused);
                return Ok(Some(vec![Effect::Enqueue(work::answer_job(prefix, &a))]));
            }
            return Ok(Some(Vec::new()));
        }
        if known.any_held() {
            // Held for a write that never landed: decide again.
            self.store.drop_held(prefix).await.map_err(store_err)?;
            return Ok(None);
        }
        Ok((!known.is_empty()).then(Vec::new))
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
            answers::answer_with(&to, &tag, &o.refused, o.help.then_some(&layout), &o.notes);
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
