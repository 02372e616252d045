//! One comment's commands: who may run each, the change each makes to the
//! sprint document, the audit entries, and the answer (👍, or 😕 and one
//! reply quoting every refused line with the reason and the fix).

use super::grammar::Who;
use super::messages::{self, Refusal};
use super::parse::{Command, Line};
use crate::config::repo::RepoConfig;
use crate::github::{Comment, GitHub, GitHubError, IssueNumber, Permission, Reaction, RepoRef};
use crate::sprint::Login;
use crate::sprint::body::{BodyError, Change, SprintDoc};
use crate::store::{AuditEntry, Effect};

/// What the commands of one comment need to know.
pub struct Context<'a> {
    pub gh: &'a dyn GitHub,
    pub repo: &'a RepoRef,
    pub config: &'a RepoConfig,
    pub permissions: &'a super::permissions::PermissionCache,
    pub now: jiff::Timestamp,
}

/// How one comment's commands went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub refused: Vec<Refusal>,
    pub help: bool,
    /// `/sprint rollover` was asked for, by someone allowed to.
    pub rollover: bool,
}

impl Outcome {
    pub fn refused(line: &str, reason: &str) -> Outcome {
        Outcome {
            refused: vec![Refusal {
                line: line.into(),
                reason: reason.into(),
            }],
            help: false,
            rollover: false,
        }
    }
}

fn who(cmd: &Command) -> Who {
    match cmd {
        Command::GoalAdd { .. }
        | Command::GoalDone(_)
        | Command::GoalUndone(_)
        | Command::GoalDrop(_)
        | Command::GoalOwner(..)
        | Command::GoalStatus(..)
        | Command::GoalEdit(..) => Who::Engineer,
        Command::RiskAdd(_) | Command::RiskDrop(_) | Command::Retro(_) | Command::Hero { .. } => {
            Who::Triage
        }
        Command::SprintRollover => Who::Maintain,
        Command::SprintHelp => Who::Anyone,
    }
}

async fn is_engineer(ctx: &Context<'_>, login: &Login) -> Result<bool, GitHubError> {
    if ctx.config.is_listed_engineer(login) {
        return Ok(true);
    }
    match ctx
        .config
        .engineers
        .github_team
        .as_deref()
        .and_then(|t| t.split_once('/'))
    {
        Some((org, team)) => ctx.gh.is_team_member(org, team, login).await,
        None => Ok(false),
    }
}

fn body_reason(e: &BodyError) -> String {
    match e {
        BodyError::NoSuchItem { section, n, count } => {
            format!(
                "There is no item {n} in the {section} list: it has {count}. Use the number shown in the issue."
            )
        }
        BodyError::TooManyRisks { max } => {
            format!("There are already {max} risks. Drop one with `/risk drop N` first.")
        }
        BodyError::NoSuchWeek { week } => {
            format!("Week {week} is not a week of this sprint; use week1 or week2.")
        }
        other => format!(
            "The sprint issue's structure is damaged ({other}); restore its marker lines, then try again."
        ),
    }
}

/// Apply `lines` of comment `c` to `doc`. GitHub errors (permission look-ups)
/// fail the whole job so it is retried; user errors become refusals.
pub async fn apply_lines(
    ctx: &Context<'_>,
    mut doc: SprintDoc,
    c: &Comment,
    lines: &[Line],
) -> Result<(SprintDoc, Outcome, Vec<Effect>), GitHubError> {
    let mut outcome = Outcome::default();
    let mut effects = Vec::new();
    let mut permission: Option<Permission> = None;
    for line in lines {
        let refuse = |outcome: &mut Outcome, reason: String| {
            outcome.refused.push(Refusal {
                line: line.text.clone(),
                reason,
            })
        };
        let cmd = match &line.command {
            Ok(cmd) => cmd,
            Err(e) => {
                refuse(
                    &mut outcome,
                    format!("{}. Write it as {}.", e.problem, e.usage),
                );
                continue;
            }
        };
        let needed = who(cmd);
        if needed != Who::Anyone {
            let have = match permission {
                Some(p) => p,
                None => *permission.insert(
                    ctx.permissions
                        .get(ctx.gh, ctx.repo, &c.author, ctx.now)
                        .await?,
                ),
            };
            let (min, name) = if needed == Who::Maintain {
                (Permission::Maintain, "maintain")
            } else {
                (Permission::Triage, "triage")
            };
            if have < min {
                refuse(
                    &mut outcome,
                    format!(
                        "@{} needs {name} access or more to {} to run this; ask a maintainer to grant it.",
                        c.author, ctx.repo
                    ),
                );
                continue;
            }
            if needed == Who::Engineer && !is_engineer(ctx, &c.author).await? {
                refuse(
                    &mut outcome,
                    format!(
                        "Goals are managed by engineers, and @{} is not listed as one in .github/sprintbot.toml.",
                        c.author
                    ),
                );
                continue;
            }
        }
        let (change, action) = match cmd {
            Command::SprintHelp => {
                outcome.help = true;
                continue;
            }
            Command::SprintRollover => {
                outcome.rollover = true;
                continue;
            }
            Command::GoalAdd { title, owner, why } => {
                let owner = owner.clone().unwrap_or_else(|| c.author.clone());
                if !is_engineer(ctx, &owner).await? {
                    refuse(
                        &mut outcome,
                        format!(
                            "@{owner} is not an engineer, and a goal's owner must be one: name an engineer listed in .github/sprintbot.toml."
                        ),
                    );
                    continue;
                }
                if ctx.config.switches.require_why && why.is_none() {
                    refuse(
                        &mut outcome,
                        "This repository asks every goal for a reason: add `why: <reason>`.".into(),
                    );
                    continue;
                }
                (
                    Change::AddGoal {
                        title: title.clone(),
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
                if !is_engineer(ctx, login).await? {
                    refuse(
                        &mut outcome,
                        format!("@{login} is not an engineer, and a goal's owner must be one."),
                    );
                    continue;
                }
                (Change::SetOwner(*n, login.clone()), "goal.owner")
            }
            Command::GoalStatus(n, text) => (Change::SetStatus(*n, text.clone()), "goal.status"),
            Command::GoalEdit(n, title) => (Change::Edit(*n, title.clone()), "goal.edit"),
            Command::RiskAdd(text) => (
                Change::AddRisk {
                    text: text.clone(),
                    max: ctx.config.switches.max_risks,
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
        match doc.apply(&change) {
            Ok(applied) => match SprintDoc::parse(&applied.body) {
                Ok(next) => {
                    doc = next;
                    effects.push(Effect::Audit(AuditEntry {
                        actor: c.author.0.clone(),
                        action: action.into(),
                        target: ctx.repo.to_string(),
                        before: applied.before,
                        after: applied.after,
                        source: Some(format!("comment {}", c.id.0)),
                    }));
                }
                Err(e) => refuse(&mut outcome, body_reason(&e)),
            },
            Err(e) => refuse(&mut outcome, body_reason(&e)),
        }
    }
    Ok((doc, outcome, effects))
}

/// Answer a comment: 👍 when all went well, else 😕 and one reply. Both are
/// safe to repeat: GitHub keeps one reaction per kind and person, and the
/// reply carries a marker that is looked for before posting.
pub async fn send(
    gh: &dyn GitHub,
    repo: &RepoRef,
    issue: IssueNumber,
    c: &Comment,
    outcome: &Outcome,
) -> Result<(), GitHubError> {
    let reaction = if outcome.refused.is_empty() {
        Reaction::PlusOne
    } else {
        Reaction::Confused
    };
    gh.add_reaction(repo, c.id, reaction).await?;
    let reply = match (outcome.refused.is_empty(), outcome.help) {
        (true, false) => return Ok(()),
        (true, true) => messages::help(c.id.0),
        (false, help) => {
            let mut text = messages::refusals(c.id.0, &c.author.0, &outcome.refused);
            if help {
                text.push('\n');
                text.push_str(&super::grammar::help());
            }
            text
        }
    };
    let marker = messages::reply_marker(c.id.0);
    gh.create_comment(repo, issue, &reply, Some(&marker))
        .await
        .map(|_| ())
}
