//! Comments holding `/sprint doctor` or `/sprint adopt` where the sprint
//! issue's own path cannot take them: on an issue that is not a sprint
//! issue (yet), on the issue whose adoption a retry is finishing, and on a
//! sprint issue whose commands are refused as a whole (its config is
//! broken, its markers damaged, a newer issue is current) — a doctor is
//! what helps then. The other lines of such a comment are refused with the
//! reason; the comment is answered once, through the answers machinery.
//! The same holds for comments a catch-up refuses as a whole.

use super::answers::{self, Addressee};
use super::decide::minimum;
use super::doctor::answer_or_doctor;
use super::grammar::{MAX_LINE_CHARS, Who};
use super::messages::{self, Refusal};
use super::parse::{Command, Line};
use super::replay::ItemKind;
use crate::context::Context;
use crate::events::CommentEvent;
use crate::github::{Comment, CommentId, GitHub, Issue};
use crate::sprint::markers::Metadata;
use crate::store::Effect;
use crate::work::decided_prefix;
use crate::worker::{JobError, github_error};

/// The comment being answered.
pub struct Asked<'a> {
    pub ev: &'a CommentEvent,
    pub gh: &'a dyn GitHub,
    pub issue: &'a Issue,
}

/// Whether a comment asks for `/sprint doctor` or `/sprint adopt`.
pub fn wants(lines: &[Line]) -> bool {
    lines.iter().any(|l| {
        matches!(
            l.command,
            Ok(Command::SprintDoctor) | Ok(Command::SprintAdopt)
        )
    })
}

/// Whether `comment` is the `/sprint adopt` that adopted this issue (its
/// metadata's ledger starts right after it).
pub fn adopted_by(meta: &Metadata, comment: CommentId) -> bool {
    meta.adopted.is_some() && meta.ledger.cursor == comment.0
}

impl Context {
    /// Answer a comment's self-service commands; `others` is the reason
    /// every other command line of it is refused. `meta`: the issue's sprint
    /// metadata, when it is a sprint issue.
    pub(super) async fn self_service(
        &self,
        a: &Asked<'_>,
        kind: &ItemKind,
        meta: Option<&Metadata>,
        lines: &[Line],
        others: &str,
    ) -> Result<Vec<Effect>, JobError> {
        let ev = a.ev;
        let repo = &ev.origin.repo;
        let tag = kind.tag();
        let prefix = decided_prefix(repo, ev.comment.id, &tag);
        let store_err = |e: crate::store::StoreError| JobError::Transient(e.to_string());
        if !self
            .store
            .jobs_under(&prefix)
            .await
            .map_err(store_err)?
            .is_empty()
        {
            // Answered (or being answered) already: a redelivery.
            return Ok(Vec::new());
        }
        let author = &ev.comment.author;
        let (have, _) = self
            .facts
            .permission(a.gh, repo, author, self.clock.now())
            .await
            .map_err(github_error)?;
        let allowed = |who: Who| have >= minimum(who).0;
        let mut refused = Vec::new();
        let (mut doctor, mut help, mut adopt_line) = (false, false, None);
        for line in lines {
            let refuse =
                |r: &mut Vec<Refusal>, reason: String| r.push(Refusal::new(&line.text, reason));
            if line.text.chars().count() > MAX_LINE_CHARS {
                refuse(&mut refused, messages::line_too_long(MAX_LINE_CHARS));
                continue;
            }
            match &line.command {
                Ok(Command::SprintHelp) => help = true,
                Ok(Command::SprintDoctor) if allowed(Who::Write) => doctor = true,
                Ok(Command::SprintAdopt) if meta.is_some_and(|m| !adopted_by(m, ev.comment.id)) => {
                    let sprint = meta.map(|m| m.sprint.to_string());
                    refuse(
                        &mut refused,
                        messages::already_sprint_issue(sprint.as_deref()),
                    );
                }
                Ok(Command::SprintAdopt) if allowed(Who::Maintain) => {
                    if adopt_line.is_none() {
                        adopt_line = Some(line.text.clone());
                    }
                }
                Ok(cmd @ (Command::SprintDoctor | Command::SprintAdopt)) => {
                    let name = minimum(super::decide::who(cmd)).1;
                    refuse(&mut refused, messages::needs_access(author, name));
                }
                Ok(_) => refuse(&mut refused, others.to_string()),
                Err(e) => refuse(&mut refused, messages::bad_usage(&e.problem, &e.usage)),
            }
        }
        let to =
            Addressee {
                installation: ev.origin.installation.map(|i| i.0).ok_or_else(|| {
                    JobError::Permanent("the payload names no installation".into())
                })?,
                repo: repo.to_string(),
                issue: a.issue.number.0,
                comment: ev.comment.id.0,
                author: author.0.clone(),
                since: ev.comment.created_at.clone(),
            };
        let mut effects = Vec::new();
        if let Some(line) = adopt_line {
            match self.adopt(a, &to).await? {
                Ok(done) => effects.extend(done),
                Err(reason) => refused.push(Refusal::new(&line, reason)),
            }
        }
        let mut answer = answers::answer(&to, &tag, &refused, help);
        // No ledger records what was answered on an issue that is not a
        // sprint issue: after a lost store, look for the reply first.
        answer.check_first = meta.is_none();
        effects.push(Effect::Enqueue(answer_or_doctor(
            &prefix,
            answer,
            doctor,
            Some(ev.origin.repo_id),
        )));
        Ok(effects)
    }

    /// The answers for comments a catch-up refuses as a whole (`reason`);
    /// a `/sprint doctor` among them still runs for people allowed to.
    pub(super) async fn refuse_caught_up(
        &self,
        s: &super::sync::Subject<'_>,
        pending: &[(&Comment, Vec<Line>)],
        to: &Addressee,
        reason: &str,
    ) -> Result<Vec<Effect>, JobError> {
        let mut effects = Vec::new();
        for (c, lines) in pending {
            let mut doctor = false;
            if wants(lines) {
                let (have, _) = self
                    .facts
                    .permission(s.gh, s.repo, &c.author, self.clock.now())
                    .await
                    .map_err(github_error)?;
                doctor = have >= minimum(Who::Write).0;
            }
            let refused: Vec<Refusal> = lines
                .iter()
                .filter(|l| !(doctor && matches!(l.command, Ok(Command::SprintDoctor))))
                .map(|l| Refusal::new(&l.text, reason.to_string()))
                .collect();
            let to = Addressee {
                comment: c.id.0,
                author: c.author.0.clone(),
                since: c.created_at.clone(),
                ..to.clone()
            };
            let answer = answers::answer(&to, "c", &refused, false);
            let prefix = decided_prefix(s.repo, c.id, "c");
            effects.push(Effect::Enqueue(answer_or_doctor(
                &prefix, answer, doctor, s.repo_id,
            )));
        }
        Ok(effects)
    }
}
