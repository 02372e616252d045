//! The invariants of the randomized command scenarios, and the pure model
//! they compare the sprint issue against. What happened is recorded as the
//! scenario runs (who wrote which command lines, which lines others added,
//! what people typed into the issue by hand); afterwards GitHub's state and
//! the bot's audit log must agree with it:
//!
//! 1. every command line of a person's comment is applied exactly once or
//!    refused exactly once (lines someone else added never run);
//! 2. every handled comment has an answer, 😕 exactly when something was
//!    refused, and no reply twice;
//! 3. every note typed into the issue and every box ticked by hand survive;
//! 4. the issue body equals a pure model: its first version with the
//!    applied commands replayed in the audit log's order, through the same
//!    parser and body model, plus the hand edits.

use std::collections::HashMap;

use sprintbot::commands::parse::{Command, parse};
use sprintbot::sprint::Login;
use sprintbot::sprint::body::{Change, SprintDoc};
use sprintbot::store::AuditEntry;

use super::fake_github::FakeComment;

/// A comment as the scenario wrote it.
#[derive(Debug, Clone)]
pub struct Written {
    pub id: u64,
    pub issue: u64,
    pub author: String,
    /// Command lines the author wrote (its text and the author's edits).
    pub lines: Vec<String>,
    /// Command lines someone else added by editing it: they never run.
    pub foreign: Vec<String>,
    pub deleted: bool,
}

/// A hand edit of a sprint issue.
#[derive(Debug, Clone)]
pub enum HandEdit {
    /// A line appended to the end of the body.
    Note(String),
    /// A goal's box ticked.
    Tick(String),
}

/// Everything the scenario did that the checks need.
#[derive(Debug, Default)]
pub struct Record {
    pub comments: Vec<Written>,
    /// Per issue: its body as first seen, and the hand edits in order.
    pub issues: HashMap<u64, (String, Vec<HandEdit>)>,
}

/// `comment 12: /goal Ship` → (12, "/goal Ship").
fn source(e: &AuditEntry) -> Option<(u64, String)> {
    let s = e.source.as_deref()?.strip_prefix("comment ")?;
    let (id, line) = s.split_once(": ")?;
    Some((id.parse().ok()?, line.to_string()))
}

/// The lines a bot reply quotes as refused.
fn quoted(reply: &str) -> Vec<String> {
    reply
        .lines()
        .filter_map(|l| l.strip_prefix("> "))
        .map(|l| l.trim().to_string())
        .collect()
}

/// The hand-edit operation, as the scenario applies it to GitHub's body.
pub fn apply_hand_edit(body: &str, edit: &HandEdit) -> String {
    match edit {
        HandEdit::Note(n) => format!("{body}\n{n}\n"),
        HandEdit::Tick(title) => {
            body.replacen(&format!("- [ ] {title} @"), &format!("- [x] {title} @"), 1)
        }
    }
}

fn change_for(cmd: &Command, author: &str, max_risks: usize) -> Option<Change> {
    Some(match cmd {
        Command::GoalAdd {
            title, owner, why, ..
        } => Change::AddGoal {
            title: title.clone(),
            owner: Some(owner.clone().unwrap_or_else(|| Login(author.into()))),
            why: why.clone(),
        },
        Command::GoalDone(n) => Change::Tick(*n),
        Command::GoalStatus(n, t) => Change::SetStatus(*n, t.clone()),
        Command::RiskAdd(t) => Change::AddRisk {
            text: t.clone(),
            max: max_risks,
        },
        Command::Retro(t) => Change::AddRetro(t.clone()),
        _ => return None,
    })
}

fn without_metadata(body: &str) -> String {
    body.lines()
        .filter(|l| !l.trim_start().starts_with("<!-- sprintbot:sprint "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Check every invariant; `Err` says which one broke and how.
pub fn check(
    record: &Record,
    audit: &[AuditEntry],
    comments: &[FakeComment],
    reactions: &dyn Fn(u64) -> Vec<String>,
    bodies: &HashMap<u64, String>,
    bot: &str,
    max_risks: usize,
) -> Result<(), String> {
    let mut applied: HashMap<(u64, String), usize> = HashMap::new();
    for e in audit {
        let key =
            source(e).ok_or_else(|| format!("audit entry without a comment source: {e:?}"))?;
        *applied.entry(key).or_default() += 1;
    }
    let mut refused: HashMap<(u64, String), usize> = HashMap::new();
    let mut markers: HashMap<String, usize> = HashMap::new();
    for c in comments.iter().filter(|c| c.author == bot) {
        let Some(to) = sprintbot::commands::messages::replied_to(&c.body) else {
            continue;
        };
        let marker = c.body.lines().next().unwrap_or("").to_string();
        *markers.entry(marker.clone()).or_default() += 1;
        if markers[&marker] > 1 {
            return Err(format!("reply posted twice: {marker}"));
        }
        for line in quoted(&c.body) {
            *refused.entry((to, line)).or_default() += 1;
        }
    }
    // 1. exactly once, applied or refused.
    for w in &record.comments {
        let mut expected: HashMap<&str, usize> = HashMap::new();
        for l in &w.lines {
            *expected.entry(l.trim()).or_default() += 1;
        }
        for (line, n) in &expected {
            let key = (w.id, line.to_string());
            let got =
                applied.get(&key).copied().unwrap_or(0) + refused.get(&key).copied().unwrap_or(0);
            let ok = if w.deleted { got <= *n } else { got == *n };
            if !ok {
                return Err(format!(
                    "comment {} line {line:?}: expected {n} application(s) or refusal(s), got {got} (applied {:?}, refused {:?})",
                    w.id,
                    applied.get(&key),
                    refused.get(&key)
                ));
            }
        }
        for line in &w.foreign {
            if applied.contains_key(&(w.id, line.trim().to_string())) {
                return Err(format!(
                    "comment {}: a line someone else added ran: {line:?}",
                    w.id
                ));
            }
        }
        // 2. answered: 😕 exactly when something was refused.
        if !w.deleted && !w.lines.is_empty() {
            let r = reactions(w.id);
            let was_refused = refused.keys().any(|(id, _)| *id == w.id);
            if r.is_empty() {
                return Err(format!("comment {} was never answered", w.id));
            }
            if r.contains(&"confused".to_string()) != was_refused {
                return Err(format!(
                    "comment {}: reactions {r:?}, refused: {was_refused}",
                    w.id
                ));
            }
        }
    }
    for ((id, line), _) in applied.iter() {
        if !record
            .comments
            .iter()
            .any(|w| w.id == *id && w.lines.iter().any(|l| l.trim() == line))
        {
            return Err(format!(
                "applied a line nobody wrote: comment {id} {line:?}"
            ));
        }
    }
    // 3 and 4. hand edits survive; the body equals the model.
    for (issue, (first, edits)) in &record.issues {
        let body = bodies.get(issue).ok_or(format!("no body for #{issue}"))?;
        let mut model = first.clone();
        let target = format!("acme/app#{issue}");
        for e in audit.iter().filter(|e| e.target == target) {
            let (_, line) = source(e).unwrap_or_default();
            let Some(Ok(cmd)) = parse(&line).into_iter().next().map(|l| l.command) else {
                return Err(format!("audit line does not parse: {line:?}"));
            };
            let change = change_for(&cmd, &e.actor, max_risks)
                .ok_or(format!("unexpected command {line:?}"))?;
            model = SprintDoc::parse(&model)
                .map_err(|e| e.to_string())?
                .apply(&change)
                .map_err(|err| format!("the model cannot apply {line:?} to #{issue}: {err}"))?
                .body;
        }
        for edit in edits {
            model = apply_hand_edit(&model, edit);
            let present = match edit {
                HandEdit::Note(n) => body.contains(n.as_str()),
                HandEdit::Tick(t) => body.contains(&format!("- [x] {t} @")),
            };
            if !present {
                return Err(format!("#{issue}: a hand edit was lost: {edit:?}"));
            }
        }
        if without_metadata(body) != without_metadata(&model) {
            return Err(format!(
                "#{issue}: the body differs from the model\n--- body\n{body}\n--- model\n{model}"
            ));
        }
    }
    Ok(())
}
