//! Re-applying decided changes to the body as it is right now (pure). The
//! changes were decided against an earlier read; a person may have edited
//! the issue since. Each numbered change is applied only if its target is
//! still the item the planner saw; a change that would push the body past
//! GitHub's limit is refused; and the ledger records every comment in the
//! same text, so the write that applies a comment also marks it handled.

use super::decide::{Decision, identity};
use super::messages::{self, Refusal};
use crate::github::{MAX_BODY_CHARS, body_fits};
use crate::sprint::Login;
use crate::sprint::body::{BodyError, Change, SprintDoc};
use crate::sprint::ledger::Ledger;

/// Which of a comment's commands an item carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemKind {
    /// The comment as written.
    Created,
    /// Lines an edit added, by hash (recorded whether applied or refused).
    Edit { hashes: Vec<String> },
}

impl ItemKind {
    /// The tag of this item's answer: `c`, or `e` and a hash of the edit's lines.
    pub fn tag(&self) -> String {
        match self {
            ItemKind::Created => "c".into(),
            ItemKind::Edit { hashes } => {
                format!(
                    "e{}",
                    &crate::sprint::ledger::line_hash(&hashes.join(","))[..8]
                )
            }
        }
    }
}

/// One comment's decided commands.
#[derive(Debug, Clone)]
pub struct Item {
    pub comment: u64,
    pub author: Login,
    /// When the comment was written.
    pub since: String,
    pub kind: ItemKind,
    pub decision: Decision,
}

/// One applied change, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub line: String,
    pub action: &'static str,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// How one comment's commands went in the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub comment: u64,
    pub author: Login,
    pub since: String,
    pub kind: ItemKind,
    pub refused: Vec<Refusal>,
    pub help: bool,
    pub rollover: bool,
    /// `/sprint doctor`: the answer carries its checklist.
    pub doctor: bool,
    pub applied: Vec<Applied>,
    /// Notes for the answer, of the lines that were run.
    pub notes: Vec<String>,
}

/// The body to write and each comment's outcome.
#[derive(Debug, Clone)]
pub struct Replayed {
    pub doc: SprintDoc,
    pub outcomes: Vec<Outcome>,
    /// The comments are recorded in the body's ledger (false only when even
    /// that would not fit: then their answers alone mark them handled).
    pub recorded: bool,
}

fn record(ledger: &mut Ledger, item: &Item, refused: bool) {
    match &item.kind {
        ItemKind::Created => ledger.record(item.comment, refused),
        ItemKind::Edit { hashes } => {
            for h in hashes {
                ledger.record_edit(item.comment, h.clone());
            }
        }
    }
}

fn with_ledger(doc: &SprintDoc, ledger: &Ledger) -> Result<SprintDoc, BodyError> {
    SprintDoc::parse(&doc.apply(&Change::SetLedger(ledger.clone()))?.body)
}

/// Apply `items` in order to `doc`, the body as just read; `compact` moves
/// the ledger's cursor (and listing time) on once they are recorded.
pub fn replay(
    doc: SprintDoc,
    items: Vec<Item>,
    compact: Option<(u64, Option<String>)>,
) -> Result<Replayed, BodyError> {
    let mut ledger = doc.metadata().ok_or(BodyError::NoMetadata)?.ledger.clone();
    let original = doc.clone();
    let mut doc = doc;
    let mut outcomes = Vec::new();
    for item in &items {
        let mut out = Outcome {
            comment: item.comment,
            author: item.author.clone(),
            since: item.since.clone(),
            kind: item.kind.clone(),
            refused: item.decision.refused.clone(),
            help: item.decision.help,
            rollover: item.decision.rollover,
            doctor: item.decision.doctor,
            applied: Vec::new(),
            notes: Vec::new(),
        };
        for p in &item.decision.planned {
            if let Some(t) = &p.target {
                let now = identity(&doc, t.section, t.n);
                if now.as_deref() != Some(t.identity.as_str()) {
                    out.refused.push(Refusal::new(
                        &p.line,
                        messages::target_moved(t.section, t.n, now.as_deref()),
                    ));
                    continue;
                }
            }
            let applied = match doc.apply(&p.change) {
                Ok(a) => a,
                Err(e) => {
                    out.refused
                        .push(Refusal::new(&p.line, super::decide::body_reason(&e)));
                    continue;
                }
            };
            let next = SprintDoc::parse(&applied.body)?;
            // The ledger entry this comment will add must fit too.
            let mut tentative = ledger.clone();
            record(&mut tentative, item, true);
            if !body_fits(with_ledger(&next, &tentative)?.text()) {
                out.refused.push(Refusal::new(
                    &p.line,
                    messages::body_too_long(MAX_BODY_CHARS),
                ));
                continue;
            }
            doc = next;
            out.applied.push(Applied {
                line: p.line.clone(),
                action: p.action,
                before: applied.before,
                after: applied.after,
            });
        }
        out.notes = item
            .decision
            .notes
            .iter()
            .filter(|(line, _)| !out.refused.iter().any(|r| &r.line == line))
            .map(|(_, note)| note.clone())
            .collect();
        record(&mut ledger, item, !out.refused.is_empty());
        outcomes.push(out);
    }
    if let Some((to, since)) = compact {
        ledger.compact(to, since);
    }
    let written = with_ledger(&doc, &ledger)?;
    if body_fits(written.text()) {
        return Ok(Replayed {
            doc: written,
            outcomes,
            recorded: true,
        });
    }
    // Not even the ledger fits (the body was already at the limit): change
    // nothing, refuse everything; the answers mark the comments handled.
    for out in &mut outcomes {
        out.notes.clear();
        for a in out.applied.drain(..) {
            out.refused.push(Refusal::new(
                &a.line,
                messages::body_too_long(MAX_BODY_CHARS),
            ));
        }
    }
    Ok(Replayed {
        doc: original,
        outcomes,
        recorded: false,
    })
}
