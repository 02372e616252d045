//! Deciding what one comment's command lines do, as a pure function: who may
//! run each (from facts the shell looked up), the change each makes to the
//! sprint document, and what it targets, so the change can be re-applied to
//! a fresher copy of the body and refused if its target moved. Limits are
//! refusals here: an over-long line, too many commands in one comment.

use std::collections::HashMap;

use super::grammar::{MAX_COMMANDS, MAX_LINE_CHARS, Who};
use super::messages::{self, Refusal};
use super::parse::{Command, Line};
use crate::config::repo::RepoConfig;
use crate::github::{Permission, RepoRef};
use crate::sprint::Login;
use crate::sprint::body::{BodyError, Change, SprintDoc};
use crate::sprint::links::{self, LinkRef};
use crate::sprint::markers::Section;
use crate::sprint::team::TeamDoc;

mod calendar;
pub mod layout;
pub use calendar::retitle;

/// What the shell looked up about the people a comment involves.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The author's permission on the repository, when a command needs it.
    pub permission: Option<Permission>,
    /// Whether each login (lower-case) is an engineer.
    pub engineers: HashMap<String, bool>,
    /// The sprint issue's team comments, when a `/sprint preview` asks
    /// what each team's items would become.
    pub team_comments: Vec<TeamDoc>,
}

impl Facts {
    fn is_engineer(&self, login: &Login) -> bool {
        self.engineers
            .get(&login.0.to_ascii_lowercase())
            .copied()
            .unwrap_or(false)
    }
}

/// The look-ups a comment's lines need before they can be decided.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Needs {
    pub permission: bool,
    /// Logins whose engineer status must be known.
    pub engineers: Vec<Login>,
}

/// The item a numbered change targets, as the planner saw it: the change is
/// re-applied only if the item at that number is still this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub section: Section,
    pub n: usize,
    pub identity: String,
}

/// One change a command line makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    /// The command line as written.
    pub line: String,
    pub change: Change,
    /// The audit log's name for it (`goal.add`, ...).
    pub action: &'static str,
    pub target: Option<Target>,
}

/// What a comment's lines do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decision {
    pub planned: Vec<Planned>,
    pub refused: Vec<Refusal>,
    pub help: bool,
    /// `/sprint rollover`, asked by someone allowed to.
    pub rollover: bool,
    /// `/sprint doctor`, asked by someone allowed to: the answer waits for
    /// its checklist (see `doctor`).
    pub doctor: bool,
    /// What to tell the author about a line that was run (a calendar
    /// command's new dates, a preview): (the line, the note).
    pub notes: Vec<(String, String)>,
}

pub(crate) fn who(cmd: &Command) -> Who {
    match cmd {
        Command::GoalAdd { .. }
        | Command::GoalDone(_)
        | Command::GoalUndone(_)
        | Command::GoalDrop(_)
        | Command::GoalOwner(..)
        | Command::GoalStatus(..)
        | Command::GoalEdit(..) => Who::Engineer,
        Command::RiskAdd(_)
        | Command::RiskDrop(_)
        | Command::Retro(_)
        | Command::Hero { .. }
        | Command::Off { .. } => Who::Triage,
        Command::SprintRollover
        | Command::SprintSkipNext
        | Command::SprintExtend(_)
        | Command::SprintAdopt => Who::Maintain,
        Command::SprintDoctor => Who::Write,
        Command::SprintHelp | Command::SprintPreview => Who::Anyone,
    }
}

/// The least permission a command needs, and its name for the refusal.
pub(crate) fn minimum(who: Who) -> (Permission, &'static str) {
    match who {
        Who::Maintain => (Permission::Maintain, "maintain"),
        Who::Write => (Permission::Write, "write"),
        Who::Engineer | Who::Triage => (Permission::Triage, "triage"),
        Who::Anyone => (Permission::None, "no"),
    }
}

/// The lines that will be considered at all (the caps), and the refusals
/// of those that will not.
fn capped(lines: &[Line]) -> (Vec<&Line>, Vec<Refusal>) {
    let mut run = Vec::new();
    let mut refused = Vec::new();
    for line in lines {
        if line.text.chars().count() > MAX_LINE_CHARS {
            refused.push(Refusal::new(
                &line.text,
                messages::line_too_long(MAX_LINE_CHARS),
            ));
        } else if run.len() >= MAX_COMMANDS {
            refused.push(Refusal::new(
                &line.text,
                messages::too_many_commands(MAX_COMMANDS),
            ));
        } else {
            run.push(line);
        }
    }
    (run, refused)
}

/// What must be looked up to decide `lines` written by `author`.
pub fn needs(config: &RepoConfig, author: &Login, lines: &[Line]) -> Needs {
    let mut n = Needs::default();
    let mut want = |login: &Login| {
        if !config.is_listed_engineer(login)
            && config.engineers.github_team.is_some()
            && !n.engineers.contains(login)
        {
            n.engineers.push(login.clone());
        }
    };
    let (run, _) = capped(lines);
    for line in run {
        let Ok(cmd) = &line.command else { continue };
        let w = who(cmd);
        if w != Who::Anyone {
            n.permission = true;
        }
        if w == Who::Engineer {
            want(author);
        }
        match cmd {
            Command::GoalAdd { owner: Some(o), .. } | Command::GoalOwner(_, o) => want(o),
            _ => {}
        }
    }
    n
}

/// Whether `login` is an engineer, from the config and the looked-up facts.
fn engineer(config: &RepoConfig, facts: &Facts, login: &Login) -> bool {
    config.is_listed_engineer(login) || facts.is_engineer(login)
}

/// The identity of item `n` of `section`: a goal's title and owner (not its
/// box or status, which people change by hand), a list item's text.
pub fn identity(doc: &SprintDoc, section: Section, n: usize) -> Option<String> {
    if section == Section::Goals {
        let g = doc.goals().ok()?.into_iter().nth(n.checked_sub(1)?)?;
        Some(match g.owner {
            Some(o) => format!("{} @{o}", g.title),
            None => g.title,
        })
    } else {
        doc.list(section).ok()?.into_iter().nth(n.checked_sub(1)?)
    }
}

fn target_of(change: &Change) -> Option<(Section, usize)> {
    match change {
        Change::Tick(n)
        | Change::Untick(n)
        | Change::Drop(n)
        | Change::Edit(n, _)
        | Change::SetOwner(n, _)
        | Change::SetStatus(n, _) => Some((Section::Goals, *n)),
        Change::DropRisk(n) => Some((Section::Risks, *n)),
        _ => None,
    }
}

/// Decide `lines` of a comment by `author` against `doc` (the body as just
/// read, with any changes decided before this comment already applied),
/// on a sprint issue of `repo` (a goal links issues of that repository only).
pub fn decide(
    doc: &SprintDoc,
    config: &RepoConfig,
    repo: &RepoRef,
    author: &Login,
    lines: &[Line],
    facts: &Facts,
) -> Decision {
    let (run, refused) = capped(lines);
    let mut d = Decision {
        refused,
        ..Decision::default()
    };
    let mut scratch = doc.clone();
    for line in run {
        let refuse =
            |d: &mut Decision, reason: String| d.refused.push(Refusal::new(&line.text, reason));
        let cmd = match &line.command {
            Ok(cmd) => cmd,
            Err(e) => {
                refuse(&mut d, messages::bad_usage(&e.problem, &e.usage));
                continue;
            }
        };
        if let Err(reason) = allowed(config, facts, author, cmd) {
            refuse(&mut d, reason);
            continue;
        }
        if let Some(decided) = calendar::decide(&scratch, config, author, cmd, &facts.team_comments)
        {
            decide_calendar(&mut d, &mut scratch, &line.text, decided);
            continue;
        }
        if flag(&mut d, cmd) {
            continue;
        }
        let (change, action) = match asked(cmd, doc, config, repo, author, facts) {
            Asked::Change(change, action) => (change, action),
            Asked::Refused(reason) => {
                refuse(&mut d, reason);
                continue;
            }
            Asked::Nothing => continue,
        };
        if let Some(reason) = layout::missing(&scratch, config, &change) {
            refuse(&mut d, reason);
            continue;
        }
        let target = target_of(&change).and_then(|(section, n)| {
            identity(&scratch, section, n).map(|identity| Target {
                section,
                n,
                identity,
            })
        });
        match scratch
            .apply(&change)
            .and_then(|a| SprintDoc::parse(&a.body))
        {
            Ok(next) => {
                scratch = next;
                d.planned.push(Planned {
                    line: line.text.clone(),
                    change,
                    action,
                    target,
                });
            }
            Err(e) => refuse(&mut d, body_reason(&e)),
        }
    }
    d
}

/// Record what a calendar command decided for `line`, applying its
/// changes to `scratch` all or none.
fn decide_calendar(
    d: &mut Decision,
    scratch: &mut SprintDoc,
    line: &str,
    decided: calendar::Decided,
) {
    match decided {
        calendar::Decided::Refused(reason) => d.refused.push(Refusal::new(line, reason)),
        calendar::Decided::Note(note) => d.notes.push((line.to_string(), note)),
        calendar::Decided::Changes(changes, note) => match plan_all(scratch, line, changes) {
            Ok((next, planned)) => {
                *scratch = next;
                d.planned.extend(planned);
                d.notes.extend(note.map(|n| (line.to_string(), n)));
            }
            Err(e) => d.refused.push(Refusal::new(line, body_reason(&e))),
        },
    }
}

/// Whether `author` may run `cmd`: the reason they may not, if so.
fn allowed(
    config: &RepoConfig,
    facts: &Facts,
    author: &Login,
    cmd: &Command,
) -> Result<(), String> {
    let needed = who(cmd);
    if needed == Who::Anyone {
        return Ok(());
    }
    let have = facts.permission.unwrap_or(Permission::None);
    let (min, name) = minimum(needed);
    if have < min {
        return Err(messages::needs_access(author, name));
    }
    if needed == Who::Engineer && !engineer(config, facts, author) {
        return Err(messages::not_an_engineer_author(author));
    }
    Ok(())
}

/// Apply a calendar command's `changes` to `scratch`, all or none: the body
/// after them and what was planned, or the first refusal of the body model.
fn plan_all(
    scratch: &SprintDoc,
    line: &str,
    changes: Vec<(Change, &'static str)>,
) -> Result<(SprintDoc, Vec<Planned>), BodyError> {
    let mut next = scratch.clone();
    let mut planned = Vec::new();
    for (change, action) in changes {
        next = next
            .apply(&change)
            .and_then(|a| SprintDoc::parse(&a.body))?;
        planned.push(Planned {
            line: line.to_string(),
            change,
            action,
            target: None,
        });
    }
    Ok((next, planned))
}

/// What one command asks of the body.
enum Asked {
    Change(Change, &'static str),
    Refused(String),
    /// Nothing of the body: a flag on the decision (help, rollover,
    /// doctor), or a command decided elsewhere.
    Nothing,
}

/// Set the flag of a command that changes nothing in the body but what is
/// done after it (help, rollover, doctor); whether `cmd` is one.
fn flag(d: &mut Decision, cmd: &Command) -> bool {
    match cmd {
        Command::SprintHelp => d.help = true,
        Command::SprintRollover => d.rollover = true,
        Command::SprintDoctor => d.doctor = true,
        _ => return false,
    }
    true
}

/// The change `cmd` asks for, or why it is refused.
fn asked(
    cmd: &Command,
    doc: &SprintDoc,
    config: &RepoConfig,
    repo: &RepoRef,
    author: &Login,
    facts: &Facts,
) -> Asked {
    let (change, action) = match cmd {
        Command::Off { .. }
        | Command::SprintSkipNext
        | Command::SprintExtend(_)
        | Command::SprintPreview => return Asked::Nothing,
        // Flags on the decision (see `flag`).
        Command::SprintHelp | Command::SprintRollover | Command::SprintDoctor => {
            return Asked::Nothing;
        }
        Command::SprintAdopt => {
            let sprint = doc.metadata().map(|m| m.sprint.to_string());
            return Asked::Refused(messages::already_sprint_issue(sprint.as_deref()));
        }
        Command::GoalAdd {
            title,
            owner,
            why,
            link,
        } => {
            let owner = owner.clone().unwrap_or_else(|| author.clone());
            if let Err(reason) = goal_allowed(config, repo, facts, &owner, why, link) {
                return Asked::Refused(reason);
            }
            let title = match link {
                Some(l) => links::with_link(title, l.number),
                None => title.clone(),
            };
            (
                Change::AddGoal {
                    title,
                    owner: Some(owner),
                    why: why.clone(),
                },
                "goal.add",
            )
        }
        Command::GoalDone(n) => (Change::Tick(*n), "goal.done"),
        Command::GoalUndone(n) => (Change::Untick(*n), "goal.undone"),
        Command::GoalDrop(n) => (Change::Drop(*n), "goal.drop"),
        Command::GoalOwner(n, login) => {
            if !engineer(config, facts, login) {
                return Asked::Refused(messages::owner_not_engineer(login));
            }
            (Change::SetOwner(*n, login.clone()), "goal.owner")
        }
        Command::GoalStatus(n, text) => (Change::SetStatus(*n, text.clone()), "goal.status"),
        Command::GoalEdit(n, title) => (Change::Edit(*n, title.clone()), "goal.edit"),
        Command::RiskAdd(text) => (
            Change::AddRisk {
                text: text.clone(),
                max: config.switches.max_risks,
            },
            "risk.add",
        ),
        Command::RiskDrop(n) => (Change::DropRisk(*n), "risk.drop"),
        Command::Retro(text) => (Change::AddRetro(text.clone()), "retro.add"),
        Command::Hero { week, login } => (
            Change::SetHero {
                week: *week,
                login: login.clone(),
            },
            "hero.set",
        ),
    };
    Asked::Change(change, action)
}

/// Whether a goal may be added for `owner`: an engineer, with a why when
/// the repository wants one, linking an issue of this repository only.
fn goal_allowed(
    config: &RepoConfig,
    repo: &RepoRef,
    facts: &Facts,
    owner: &Login,
    why: &Option<String>,
    link: &Option<LinkRef>,
) -> Result<(), String> {
    if !engineer(config, facts, owner) {
        return Err(messages::owner_not_engineer(owner));
    }
    if config.switches.require_why && why.is_none() {
        return Err(messages::why_required());
    }
    if let Some(l) = link.as_ref().filter(|l| !l.is_in(&repo.owner, &repo.name)) {
        return Err(messages::link_elsewhere(l, repo));
    }
    Ok(())
}

/// The reason a change the body model refused gives the person.
pub fn body_reason(e: &BodyError) -> String {
    match e {
        BodyError::NoSuchItem { section, n, count } => messages::no_such_item(*section, *n, *count),
        BodyError::TooManyRisks { max } => messages::too_many_risks(*max),
        BodyError::NoSuchWeek { week } => messages::no_such_week(*week),
        other => messages::damaged(&other.to_string()),
    }
}
