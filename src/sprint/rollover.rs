//! Rollover planning, as a pure function: the previous sprint's document and
//! team comments, the repository's settings and the next sprint go in; the
//! new issue's title and body, each team's comment with its hang-overs, and
//! what moved (for the audit comment left on the previous issue, see
//! `moving`) come out.
//!
//! The new body's retro flags each unfinished goal `(carried N×)`, N read
//! from the goal's hidden carry marker (see `carry`); carried goals keep
//! their marker in the new plan. Its sprint health section (see `health`)
//! is computed from the previous issue alone: its goals, its drop records
//! and the history it recorded, plus any older summaries the shell gathered
//! into [`Previous::earlier`]. The same figures make the optional pinned
//! summary comment ([`Plan::summary`]). The pull requests the shell found
//! merged during the previous sprint ([`Previous::shipped`]) become the
//! retro's "shipped" list (see `shipped`); when the body would be too long
//! for GitHub, fewer are listed per team before the retro is cut. The new
//! body carries the previous issue's calendar marker on (see `exceptions`)
//! and says who is off (see `off`); an unfinished goal whose owner is off
//! is not asked about ([`Away`]).

use jiff::ToSpan;
use jiff::civil::Date;

use super::Login;
use super::body::SprintDoc;
use super::calendar::Sprint;
use super::carry::{carried_mark, next_count};
use super::change::Change;
use super::goal::Goal;
use super::health::{self, Health, Roster, SprintSummary, history, section};
use super::items::GoalText;
use super::layout::{Kind, Layout};
use super::markers::Section;
use super::moving::Moving;
use super::numbering::SprintLabel;
use super::off::{self, Off};
use super::render::{self, IssueContent, TeamView, TemplateError, Templates};
use super::shipped::{self, Shipped};
use super::team::TeamDoc;
use super::team_comment;
use super::team_lines;

/// The previous sprint as found on GitHub.
#[derive(Debug, Clone)]
pub struct Previous {
    pub issue: u64,
    pub doc: SprintDoc,
    pub team_comments: Vec<TeamDoc>,
    /// Summaries of sprints before it that its body does not record, read
    /// from older issues with [`health::EarlierSprints`]. Empty is fine: the
    /// summaries the body records are always used.
    pub earlier: Vec<SprintSummary>,
    /// The pull requests merged during it, when the shell looked them up.
    pub shipped: Option<Shipped>,
}

/// What shapes a rollover, from the repository config.
#[derive(Debug, Clone)]
pub struct Settings {
    pub templates: Templates,
    pub teams: Vec<TeamView>,
    /// Unfinished goals are also copied into the new plan.
    pub carry_unfinished_goals: bool,
    /// The retro says how many sprints each unfinished goal has rolled, and
    /// carried goals keep the count (`[switches] carry_counts`).
    pub carry_counts: bool,
    /// The new issue gets a sprint health section (`[switches] health`).
    pub health: bool,
    /// Who is in which team, for the health's per-team figures.
    pub roster: Roster,
    /// The retro lists the pull requests merged last sprint (`[switches] shipped`).
    pub shipped: bool,
    /// At most this many per team (`[switches] shipped_per_team`).
    pub shipped_per_team: usize,
    /// A summary comment of the health is posted and pinned (`[switches] pin_summary`).
    pub pin_summary: bool,
    /// Known time off (`[[leave]]`): shown in the new issue's "Off this
    /// sprint" and spared the retro's questions.
    pub leave: Vec<Off>,
    /// The sections of the body and of team comments (`layout`): which
    /// notes are kept.
    pub layout: Layout,
}

/// One team comment to post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamComment {
    pub slug: String,
    pub body: String,
}

/// Everything a rollover writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub title: String,
    pub body: String,
    pub team_comments: Vec<TeamComment>,
    /// Goals of the previous sprint that were not done.
    pub unfinished: usize,
    /// What moved out of the previous sprint (its unfinished goals, each
    /// team's unticked items), for the audit comment.
    pub moving: Moving,
    /// The health summary comment to post and pin, when asked for.
    pub summary: Option<String>,
}

/// GitHub's limit on a body, in characters (an issue or a comment).
pub const MAX_BODY_CHARS: usize = 65_536;

fn fits(body: &str) -> bool {
    body.chars().count() <= MAX_BODY_CHARS
}

/// The retro when every goal's line would not fit: a summary with a link to
/// the previous issue, then the unfinished goals (they need their owners),
/// as many as fit.
fn summarised_retro(
    goals: &[Goal],
    previous: u64,
    keep: usize,
    line: impl Fn(&Goal) -> String,
) -> Vec<String> {
    let done = goals.iter().filter(|g| g.done).count();
    let unfinished: Vec<&Goal> = goals.iter().filter(|g| !g.done).collect();
    let mut lines = vec![format!(
        "{} goals last sprint: {done} done, {} unfinished. The retro is too long for one issue, so only the unfinished ones are listed here: see #{previous} for every goal.",
        goals.len(),
        unfinished.len()
    )];
    lines.extend(unfinished.iter().take(keep).map(|g| line(g)));
    if unfinished.len() > keep {
        lines.push(format!(
            "… and {} more unfinished goals in #{previous}.",
            unfinished.len() - keep
        ));
    }
    lines
}

/// The items of the previous body's `notes` list, when the layout keeps it.
fn kept_notes(previous: Option<&Previous>, layout: &Layout) -> Vec<String> {
    let keep = layout.body_section(Kind::Notes).is_some_and(|d| d.keep);
    previous
        .filter(|_| keep)
        .and_then(|p| p.doc.list(Section::Notes).ok())
        .unwrap_or_default()
}

/// The members of `team` as the roster knows them.
fn members_of(roster: &Roster, team: &TeamView) -> Vec<Login> {
    roster
        .teams
        .iter()
        .find(|t| t.name == team.name)
        .map(|t| t.members.clone())
        .unwrap_or_default()
}

/// Plan the opening of `next`. A retro or a team's hang-overs too long for
/// GitHub's limit are cut down to what fits, with a link to the previous
/// issue for the rest.
pub fn plan(
    previous: Option<&Previous>,
    settings: &Settings,
    next: &Sprint,
    label: &SprintLabel,
    heroes: Vec<Option<Login>>,
) -> Result<Plan, TemplateError> {
    let goals: Vec<Goal> = previous
        .and_then(|p| p.doc.goals().ok())
        .unwrap_or_default();
    let counts = settings.carry_counts;
    let away = Away::new(previous, settings, next);
    let line = |g: &Goal| away.retro_line(g);
    let recorded = previous.map(|p| p.doc.recorded()).unwrap_or_default();
    let decorate = |body: String| with_off(recorded.write_into(&body), &away.shown);
    let retro_goals: Vec<String> = goals.iter().map(line).collect();
    let ended = previous.and_then(|p| p.doc.metadata()).map(|m| m.sprint);
    let team_comments = previous.map_or(&[][..], |p| p.team_comments.as_slice());
    let moving = Moving::of(&goals, team_comments, &settings.teams);
    let carried = if settings.carry_unfinished_goals {
        moving
            .goals
            .iter()
            .map(|g| GoalText {
                title: g.title.clone(),
                owner: g.owner.clone(),
                why: g.why.clone(),
                mark: counts.then(|| carried_mark(g, ended)),
                ticked_by: None,
            })
            .collect()
    } else {
        Vec::new()
    };
    let figures = previous
        .filter(|_| settings.health || settings.pin_summary)
        .and_then(|p| health_of(p, &goals, settings));
    let health = match figures.as_ref().filter(|_| settings.health) {
        Some(h) => section::section(&settings.templates, h, settings.carry_counts)?,
        None => String::new(),
    };
    let summary = match figures.as_ref().filter(|_| settings.pin_summary) {
        Some(h) => Some(section::summary(&settings.templates, h, next.id)?),
        None => None,
    };
    let merged = previous
        .filter(|_| settings.shipped)
        .and_then(|p| Some((p.issue, p.shipped.as_ref()?)));
    let shipped_section = |cap: usize| match merged {
        Some((issue, s)) => shipped::section(&settings.templates, s, cap, issue),
        None => Ok(String::new()),
    };
    let mut content = IssueContent {
        sprint: next.clone(),
        label: *label,
        previous_issue: previous.map(|p| p.issue),
        heroes,
        retro_goals,
        goals: carried,
        teams: settings.teams.clone(),
        health,
        shipped: shipped_section(settings.shipped_per_team)?,
        notes: kept_notes(previous, &settings.layout),
    };
    let mut body = decorate(render::issue_body(&settings.templates, &content)?);
    // Too long for GitHub: fewer shipped pull requests per team first (the
    // search link lists them all), then a shorter retro.
    let mut cap = settings.shipped_per_team;
    while merged.is_some() && !fits(&body) && cap > 0 {
        cap /= 2;
        content.shipped = shipped_section(cap)?;
        body = decorate(render::issue_body(&settings.templates, &content)?);
    }
    if let Some(p) = previous.filter(|_| !fits(&body)) {
        let mut keep = goals.len();
        loop {
            content.retro_goals = summarised_retro(&goals, p.issue, keep, line);
            body = decorate(render::issue_body(&settings.templates, &content)?);
            if fits(&body) || keep == 0 {
                break;
            }
            keep /= 2;
        }
    }
    let mut team_comments = Vec::new();
    for team in &settings.teams {
        team_comments.push(TeamComment {
            slug: team.slug.clone(),
            body: team_comment::build(
                &settings.templates,
                team,
                next,
                &moving,
                previous.map(|p| p.issue),
                &team_lines::for_team(
                    team,
                    &members_of(&settings.roster, team),
                    next,
                    &away.shown,
                    &moving,
                ),
            )?,
        });
    }
    Ok(Plan {
        title: render::title(&settings.templates, next, label)?,
        body,
        team_comments,
        unfinished: moving.goals.len(),
        summary,
        moving,
    })
}

/// The health of the sprint of `p`, or `None` when its body has no
/// metadata to name that sprint by.
fn health_of(p: &Previous, goals: &[Goal], settings: &Settings) -> Option<Health> {
    let summary = SprintSummary::of(p.issue, &p.doc)?;
    let dropped = p.doc.dropped().unwrap_or_default();
    let mut earlier = history::recorded(&p.doc);
    earlier.extend(p.earlier.iter().cloned());
    Some(health::compute(
        &summary,
        goals,
        &dropped,
        &settings.roster,
        &earlier,
    ))
}

/// Who is off around the opening of a sprint, as its rollover sees it.
#[derive(Debug, Clone)]
pub struct Away {
    /// What the new issue's "Off this sprint" shows: the config's leave
    /// during the sprint, and every entry of the previous issue not over
    /// yet (so it is carried on).
    pub shown: Vec<Off>,
    /// Everything known.
    pub all: Vec<Off>,
    first_day: (Date, Date),
    counts: bool,
}

impl Away {
    pub fn new(previous: Option<&Previous>, settings: &Settings, next: &Sprint) -> Away {
        let mut shown: Vec<Off> = settings
            .leave
            .iter()
            .filter(|e| e.overlaps(next.start, next.end.saturating_add(1.day())))
            .cloned()
            .collect();
        if let Some(p) = previous {
            shown.extend(p.doc.off().into_iter().filter(|e| e.to >= next.start));
        }
        let shown = off::merged(shown);
        let mut all = settings.leave.clone();
        if let Some(p) = previous {
            all.extend(p.doc.off());
        }
        Away {
            shown,
            all: off::merged(all),
            first_day: (next.start, next.start.saturating_add(1.day())),
            counts: settings.carry_counts,
        }
    }

    /// A previous goal's retro line; an owner away on the new sprint's
    /// first day is not asked about it.
    pub fn retro_line(&self, g: &Goal) -> String {
        let (from, to) = self.first_day;
        let away = g
            .owner
            .as_ref()
            .is_some_and(|o| off::is_off(&self.all, o, from, to));
        retro_line_for(g, self.counts, away)
    }
}

/// The body with an "Off this sprint" section listing `entries` (none
/// added when nobody is off, or when the body cannot be read).
fn with_off(body: String, entries: &[Off]) -> String {
    let mut out = body;
    for e in entries {
        match SprintDoc::parse(&out).and_then(|d| d.apply(&Change::AddOff(e.clone()))) {
            Ok(applied) => out = applied.body,
            Err(_) => break,
        }
    }
    out
}

/// [`retro_line_counted`], sparing an owner who is `away`: no mention (so
/// no notification) and no question until they are back.
pub fn retro_line_for(g: &Goal, counts: bool, away: bool) -> String {
    let Some(owner) = g.owner.as_ref().filter(|_| away && !g.done) else {
        return retro_line_counted(g, counts);
    };
    let status = g
        .status
        .as_deref()
        .map(|s| format!(" > {s}"))
        .unwrap_or_default();
    let count = if counts {
        format!(" (carried {}×)", next_count(g))
    } else {
        String::new()
    };
    format!(
        "⬜ {} (owner: {owner}){status} — ⚠️ unfinished; {owner} is off, so nobody is asked yet{count}",
        g.title
    )
}

/// [`retro_line`], and with `counts` an unfinished goal also says how many
/// sprints it will have rolled: `(carried 2×)`.
pub fn retro_line_counted(g: &Goal, counts: bool) -> String {
    let line = retro_line(g);
    if counts && !g.done {
        format!("{line} (carried {}×)", next_count(g))
    } else {
        line
    }
}

/// How a previous goal appears in the retro: done or not, owner, status;
/// unfinished ones ask their owner to report.
pub fn retro_line(g: &Goal) -> String {
    let owner = g
        .owner
        .as_ref()
        .map(|o| format!(" @{o}"))
        .unwrap_or_default();
    let status = g
        .status
        .as_deref()
        .map(|s| format!(" > {s}"))
        .unwrap_or_default();
    if g.done {
        format!("✅ {}{owner}{status}", g.title)
    } else {
        let ask = match &g.owner {
            Some(o) => format!(" — ⚠️ unfinished: @{o}, how did it go?"),
            None => " — ⚠️ unfinished, and it has no owner".to_string(),
        };
        format!("⬜ {}{owner}{status}{ask}", g.title)
    }
}

/// The hidden marker of the closing (audit) comment on the previous issue,
/// searched for before posting one.
pub fn closing_marker(new_issue: u64) -> String {
    format!("<!-- sprintbot:closed next={new_issue} -->")
}
