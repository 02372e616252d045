//! The job of one `issue_comment` event, in the steps it takes: find the
//! command lines (an edit runs only the lines it added, and only when the
//! comment's author made it), recognise the sprint issue, see whether this
//! comment was decided before (the body's ledger and the store's answers
//! say), refuse it with a link if the issue is not the current one, decide,
//! and write, then answer in the same job. With warm caches a `/goal` costs
//! three calls: read the issue, write its body, react.

use std::collections::HashSet;
use std::sync::Arc;

use super::answers::{self, Addressee, owed};
use super::decide;
use super::doctor::answer_or_doctor;
use super::messages::{self, Refusal};
use super::parse::{self, Line};
use super::replay::{Item, ItemKind, Outcome};
use super::selfservice::{self, Asked};
use super::write::{self, Target};
use crate::config::repo::RepoConfig;
use crate::context::Context;
use crate::events::{CommentAction, CommentEvent, Event};
use crate::github::{GitHub, Issue};
use crate::sprint::Login;
use crate::sprint::body::SprintDoc;
use crate::sprint::ledger::{Ledger, line_hash};
use crate::sprint::markers::Metadata;
use crate::sprint_issues::{self, Currency};
use crate::store::{Effect, Job};
use crate::util::BoxFuture;
use crate::work::{self, decided_prefix};
use crate::worker::{Handler, JobError, github_error};

/// The `webhook:issue_comment` job handler.
pub struct CommentHandler(pub Arc<Context>);

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
    if ev.on_pull_request || ev.comment.author_is_bot {
        return None;
    }
    if matches!(ev.action, CommentAction::Edited { .. }) && ev.origin.sender != ev.comment.author {
        tracing::info!(comment = ev.comment.id.0, editor = %ev.origin.sender,
            "an edit by someone other than the comment's author runs nothing");
        return None;
    }
    let lines = parse::parse(&ev.comment.body);
    let (kind, lines) = match &ev.action {
        CommentAction::Deleted => return None,
        CommentAction::Created => (ItemKind::Created, lines),
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
            (ItemKind::Edit { hashes }, added)
        }
    };
    (!lines.is_empty()).then_some((kind, lines))
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

/// A comment on a sprint issue, once recognised: what every later step
/// of its job reads.
struct OnIssue<'a> {
    ev: &'a CommentEvent,
    gh: &'a dyn GitHub,
    bot: &'a Login,
    issue: &'a Issue,
    meta: &'a Metadata,
    installation: u64,
    /// Whom the answer goes to, and under which keys.
    to: Addressee,
    tag: String,
    prefix: String,
}

/// What applying a comment's commands leads to: the calendar markers of
/// the next sprint, the sub-issues and newly linked goals, and compacting
/// the ledger once it is long.
fn follow_ups(
    config: &RepoConfig,
    installation: u64,
    ev: &CommentEvent,
    issue: &Issue,
    meta: &Metadata,
    body: Option<&str>,
    outcomes: &[Outcome],
) -> Vec<Effect> {
    let (repo, repo_id) = (&ev.origin.repo, Some(ev.origin.repo_id));
    let mut effects = Vec::new();
    if let Some(body) = body {
        effects.extend(write::calendar_moved(repo, issue, meta, body));
    }
    effects.extend(crate::links::sub_issues::after_commands(
        config,
        installation,
        repo,
        repo_id,
        issue.number.0,
        outcomes,
    ));
    effects.extend(crate::links::newly_linked::after_commands(
        config,
        installation,
        repo,
        repo_id,
        outcomes,
    ));
    if body
        .and_then(|b| SprintDoc::parse(b).ok())
        .and_then(|d| d.metadata().map(|m| m.ledger.wants_compaction()))
        .unwrap_or(false)
    {
        effects.push(Effect::Enqueue(super::sync::sync_job(
            installation,
            repo,
            repo_id,
            issue.number.0,
        )));
    }
    effects
}

impl Context {
    /// Handle one comment event.
    pub async fn on_comment(&self, ev: CommentEvent) -> Result<Vec<Effect>, JobError> {
        let Some((kind, lines)) = lines_to_run(&ev) else {
            return Ok(Vec::new());
        };
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
        let (kind, lines) = self.edit_or_created(&ev, &meta, kind, lines).await?;
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
        let c = OnIssue {
            ev: &ev,
            gh: gh.as_ref(),
            bot: &bot,
            issue: &issue,
            meta: &meta,
            installation: installation.0,
            to,
            tag,
            prefix,
        };
        self.on_sprint_issue(&c, &asked, kind, lines, self_service)
            .await
    }

    /// A comment on the current sprint issue: refused as a whole when the
    /// issue is not the current one, the config is broken or the body is
    /// damaged (a doctor still runs); decided and written otherwise.
    async fn on_sprint_issue(
        &self,
        c: &OnIssue<'_>,
        asked: &Asked<'_>,
        kind: ItemKind,
        lines: Vec<Line>,
        self_service: bool,
    ) -> Result<Vec<Effect>, JobError> {
        let repo = &c.ev.origin.repo;
        let answer_now = |refused: Vec<Refusal>| {
            let a = answers::unrecorded(answers::answer(&c.to, &c.tag, &refused, false));
            Ok(vec![Effect::Enqueue(work::answer_job(&c.prefix, &a))])
        };

        let loaded = self
            .config(c.gh, repo, Some(c.ev.origin.repo_id), c.bot)
            .await?;
        let label = loaded
            .config
            .as_ref()
            .map_or("sprint".to_string(), |c| c.sprint_label.clone());
        let (currency, listed) =
            sprint_issues::currency(c.gh, &self.store, repo, &label, c.issue, c.bot)
                .await
                .map_err(|e| JobError::Transient(e.to_string()))?;
        // A command that cannot run here is refused; a doctor still runs.
        let gate = async |reason: String| {
            if self_service {
                self.self_service(asked, &kind, Some(c.meta), &lines, &reason)
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
        let doc = match SprintDoc::parse(&c.issue.body) {
            Ok(doc) => doc,
            Err(e) => return gate(messages::damaged(&e.to_string())).await,
        };
        self.decide_and_write(c, &config, &doc, listed, kind, &lines)
            .await
    }

    /// Decide the comment's lines against `doc`, write what they change,
    /// and answer: at once when nothing changes.
    async fn decide_and_write(
        &self,
        c: &OnIssue<'_>,
        config: &RepoConfig,
        doc: &SprintDoc,
        listed: bool,
        kind: ItemKind,
        lines: &[Line],
    ) -> Result<Vec<Effect>, JobError> {
        let repo = &c.ev.origin.repo;
        let author = &c.ev.comment.author;
        let needs = decide::needs(config, author, lines);
        let (mut facts, looked_up) = self
            .facts
            .gather(c.gh, repo, config, author, &needs, self.clock.now())
            .await
            .map_err(github_error)?;
        facts.team_comments = super::facts::team_comments_for_preview(
            c.gh,
            repo,
            c.issue.number,
            c.bot,
            doc,
            config,
            lines,
        )
        .await
        .map_err(github_error)?;
        let decision = decide::decide(doc, config, repo, author, lines, &facts);
        if decision.planned.is_empty() && !decision.rollover {
            let notes: Vec<String> = decision.notes.iter().map(|(_, n)| n.clone()).collect();
            let a = answers::unrecorded(answers::answer_with(
                &c.to,
                &c.tag,
                &decision.refused,
                decision.help.then_some(&config.layout),
                &notes,
            ));
            let job = answer_or_doctor(&c.prefix, a, decision.doctor, Some(c.ev.origin.repo_id));
            return Ok(vec![Effect::Enqueue(job)]);
        }
        let item = Item {
            comment: c.ev.comment.id.0,
            author: author.clone(),
            since: c.ev.comment.created_at.clone(),
            kind,
            decision,
        };
        let prepare = owed(&c.to, c.meta, c.ev.origin.repo_id, &config.layout);
        let target = Target {
            gh: c.gh,
            store: &self.store,
            repo,
            config: Some(config),
        };
        let written = write::write(
            &target,
            c.issue,
            listed || looked_up,
            vec![item],
            None,
            &prepare,
        )
        .await?;
        let mut effects = written.effects;
        let owed = written.outcomes.iter().map(&prepare);
        answers::send_at_once(c.gh, owed, &mut effects).await;
        effects.extend(follow_ups(
            config,
            c.installation,
            c.ev,
            c.issue,
            c.meta,
            written.body.as_deref(),
            &written.outcomes,
        ));
        Ok(effects)
    }

    /// The lines an event runs. An edit of a comment that was never handled
    /// waits for the comment's own `created` job if it is still to run (it
    /// runs the text as written, not lines someone else may have added
    /// since); if that event never came, the comment runs as it is now.
    /// Answers held for a write that may not have landed do not count.
    async fn edit_or_created(
        &self,
        ev: &CommentEvent,
        meta: &Metadata,
        kind: ItemKind,
        lines: Vec<Line>,
    ) -> Result<(ItemKind, Vec<Line>), JobError> {
        let repo = &ev.origin.repo;
        let answered = self
            .store
            .jobs_under(&decided_prefix(repo, ev.comment.id, "c"))
            .await
            .map_err(|e| JobError::Transient(e.to_string()))?
            .jobs
            .iter()
            .any(|(_, state)| state != "held");
        Ok(match kind {
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
        })
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
