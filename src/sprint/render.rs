//! Rendering the sprint issue title, body and team comments from minijinja
//! templates. The defaults in `config/templates/` are built in; a deployment
//! or a repository may override each one. Managed sections are rendered here
//! (not in templates) so their items always read back exactly.

use std::collections::BTreeMap;

use minijinja::context;
use serde::Serialize;

use super::Login;
use super::body::render_heroes;
use super::calendar::Sprint;
use super::items::{self, GoalText};
use super::markers::{Metadata, team_marker};
use super::numbering::SprintLabel;
use super::team_read::Legend;

pub const DEFAULT_TITLE: &str = include_str!("../../config/templates/title.j2");
pub const DEFAULT_ISSUE: &str = include_str!("../../config/templates/issue.md.j2");
pub const DEFAULT_TEAM: &str = include_str!("../../config/templates/team.md.j2");
pub const DEFAULT_HEALTH: &str = include_str!("../../config/templates/health.md.j2");
pub const DEFAULT_SHIPPED: &str = include_str!("../../config/templates/shipped.md.j2");
pub const DEFAULT_SUMMARY: &str = include_str!("../../config/templates/summary.md.j2");
pub const DEFAULT_REVIEW: &str = include_str!("../../config/templates/review.md.j2");
pub const DEFAULT_NUDGE_STATUS: &str = include_str!("../../config/templates/nudge_status.md.j2");
pub const DEFAULT_NUDGE_TEAMS: &str = include_str!("../../config/templates/nudge_teams.md.j2");

/// The templates in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates {
    pub title: String,
    pub issue: String,
    pub team: String,
    /// The sprint health section (see `sprint::health::section`).
    pub health: String,
    /// The "shipped last sprint" section (see `sprint::shipped`).
    pub shipped: String,
    /// The pinned summary comment (see `sprint::health::section::summary`).
    pub summary: String,
    /// The review comment before the rollover (see `sprint::reminders`).
    pub review: String,
    /// The nudge of owners whose goals have no status.
    pub nudge_status: String,
    /// The nudge of teams whose planning comment is untouched.
    pub nudge_teams: String,
}

impl Default for Templates {
    fn default() -> Self {
        Templates {
            title: DEFAULT_TITLE.into(),
            issue: DEFAULT_ISSUE.into(),
            team: DEFAULT_TEAM.into(),
            health: DEFAULT_HEALTH.into(),
            shipped: DEFAULT_SHIPPED.into(),
            summary: DEFAULT_SUMMARY.into(),
            review: DEFAULT_REVIEW.into(),
            nudge_status: DEFAULT_NUDGE_STATUS.into(),
            nudge_teams: DEFAULT_NUDGE_TEAMS.into(),
        }
    }
}

/// A template that could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {which} template does not render: {message}")]
pub struct TemplateError {
    pub which: &'static str,
    pub message: String,
    /// What kind of mistake it is, so a config check can say how to fix it.
    pub problem: TemplateProblem,
}

/// The kinds of template mistake a fix can be written for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateProblem {
    /// Not valid minijinja; `line` is the line in the template itself.
    Syntax { line: Option<usize> },
    /// The template names variables its context does not have.
    Undefined {
        names: Vec<String>,
        available: Vec<String>,
    },
    /// Anything else minijinja refused (a failing filter, a bad argument).
    Other { line: Option<usize> },
    /// Refused before parsing: too long, or a tag too long (`limits`).
    OverLimit { line: usize, column: usize },
}

/// A team as the templates see it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TeamView {
    pub name: String,
    pub slug: String,
    /// Slugs of the team's earlier names (`previous_names`): its comments
    /// written under them are still its own (see `team_identity`).
    #[serde(skip)]
    pub aliases: Vec<String>,
    /// The team's status legend (`legend` in the config), for its comments
    /// that write none of their own.
    #[serde(skip)]
    pub legend: Option<Legend>,
    /// The team writes its plan in a comment of its own (`own_comment`):
    /// sprintbot's comment for it holds only its hang-overs.
    #[serde(skip)]
    pub own_comment: bool,
    /// The team's own support-hero rotation (`heroes`), for the layouts
    /// with a hero line per team.
    #[serde(skip)]
    pub heroes: Vec<Login>,
}

/// Everything the issue body shows, already decided.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueContent {
    pub sprint: Sprint,
    pub label: SprintLabel,
    pub previous_issue: Option<u64>,
    pub heroes: Vec<Option<Login>>,
    /// Lines of the previous sprint's outcomes (without list markers).
    pub retro_goals: Vec<String>,
    /// Goals the plan starts with (carried over, when configured).
    pub goals: Vec<GoalText>,
    pub teams: Vec<TeamView>,
    /// The rendered sprint health section, markers included, or empty.
    pub health: String,
    /// The rendered "shipped last sprint" section, markers included, or empty.
    pub shipped: String,
    /// A kept `notes` list's items, carried from the previous sprint.
    pub notes: Vec<String>,
}

/// A team comment's lines besides its items: its support hero, who is
/// off, and its quarter goals carried with their last status (the
/// layouts that declare them show them; the others ignore them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamLines {
    /// `@ana`, or empty: not decided (shown as `___`, as the template did).
    pub hero: String,
    /// Who is away, or empty.
    pub off: String,
    /// The quarter goals block as the team last wrote it, or empty.
    pub quarter_goals: String,
}

/// Title dates look like `Nov 14`.
pub fn short_date(d: jiff::civil::Date) -> String {
    d.strftime("%b %-d").to_string()
}

mod engine;
mod isolate;
pub mod limits;

pub use engine::MAX_OUTPUT_BYTES;
pub(crate) use engine::render_template;

/// The issue title.
pub fn title(
    templates: &Templates,
    sprint: &Sprint,
    label: &SprintLabel,
) -> Result<String, TemplateError> {
    let ctx = context! {
        version => label.version.to_string(), part => label.part, parts => label.parts,
        start => short_date(sprint.start), end => short_date(sprint.last_working_day),
        sprint_id => sprint.id.to_string(), year => sprint.last_working_day.year(),
    };
    Ok(render_template("title", &templates.title, ctx)?
        .trim()
        .to_string())
}

/// The issue body, with every managed section and the metadata marker.
pub fn issue_body(templates: &Templates, c: &IssueContent) -> Result<String, TemplateError> {
    let meta = Metadata {
        sprint: c.sprint.id,
        version: c.label.version.to_string(),
        part: c.label.part,
        parts: c.label.parts,
        ledger: Default::default(),
        previous: c.previous_issue,
        adopted: None,
    };
    let heroes: BTreeMap<u8, Login> = c
        .heroes
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.clone().map(|h| (i as u8 + 1, h)))
        .collect();
    let lines = |v: &[String]| {
        v.iter()
            .map(|l| format!("1. {}\n", super::markers::neutralise(l)))
            .collect::<String>()
    };
    let goals: String = c
        .goals
        .iter()
        .map(|g| items::render_goal(false, g, "\n"))
        .collect();
    let ctx = context! {
        metadata => meta.render(),
        version => c.label.version.to_string(), part => c.label.part, parts => c.label.parts,
        start => short_date(c.sprint.start), end => short_date(c.sprint.last_working_day),
        sprint_id => c.sprint.id.to_string(),
        previous_issue => c.previous_issue,
        risks => "", retro => "",
        retro_goals => lines(&c.retro_goals),
        heroes => render_heroes(&heroes, c.sprint.weeks, "\n"),
        goals => goals,
        teams => c.teams.iter().map(|t| t.name.clone()).collect::<Vec<_>>(),
        health => c.health.clone(),
        shipped => c.shipped.clone(),
        notes => lines(&c.notes), off => "",
    };
    let mut body = render_template("issue", &templates.issue, ctx)?;
    body.push('\n');
    Ok(body)
}

/// One team's planning comment: `hang_overs` are last sprint's
/// unfinished items, `done` its done ones (for the retro), `legend` the
/// legend its comments wrote, carried so that it still governs.
pub fn team_comment(
    templates: &Templates,
    team: &TeamView,
    sprint: &Sprint,
    hang_overs: &[String],
    done: &[String],
    legend: Option<&Legend>,
    extra: &TeamLines,
) -> Result<String, TemplateError> {
    let or_blank = |s: &str| {
        if s.trim().is_empty() {
            "___".to_string()
        } else {
            super::markers::neutralise(s)
        }
    };
    let quarter_goals: String = extra
        .quarter_goals
        .lines()
        .map(carried_line)
        .collect::<Vec<_>>()
        .join("\n");
    let safe: Vec<String> = hang_overs.iter().map(|h| safe_hang_over(h)).collect();
    let done: Vec<String> = done.iter().map(|h| safe_hang_over(h)).collect();
    let ctx = context! {
        marker => team_marker(&team.slug, sprint.id),
        team => context! { name => team.name.clone(), slug => team.slug.clone() },
        hang_overs => safe,
        done,
        legend => legend.map(Legend::line).unwrap_or_default(),
        sprint_id => sprint.id.to_string(),
        hero => or_blank(&extra.hero), off => or_blank(&extra.off),
        quarter_goals,
    };
    let mut body = render_template("team", &templates.team, ctx)?;
    body.push('\n');
    Ok(body)
}

/// A line people wrote, carried as it is (its HTML, such as a legend's
/// `<details>`, still works, and its handles are put in code) unless it is
/// a whole-line HTML comment, which could be a marker: that is escaped.
fn carried_line(l: &str) -> String {
    if l.trim_start().starts_with("<!--") {
        let body = l.trim_start();
        format!(
            "{}{}",
            &l[..l.len() - body.len()],
            super::markers::neutralise(body)
        )
    } else {
        // Carried by sprintbot, its handles must not notify people again.
        super::team_read::quiet(l)
    }
}

/// A hang-over made safe from markers line by line, keeping its nested
/// lines' indent and sprintbot's own guess mark.
fn safe_hang_over(h: &str) -> String {
    use super::team_read::GUESS_MARK;
    let lines: Vec<String> = h
        .lines()
        .map(|l| {
            let (l, mark) = match l.strip_suffix(GUESS_MARK) {
                Some(rest) => (rest, true),
                None => (l, false),
            };
            let body = l.trim_start();
            let mut s = format!(
                "{}{}",
                &l[..l.len() - body.len()],
                super::markers::neutralise(body)
            );
            if mark {
                s.push(' ');
                s.push_str(GUESS_MARK);
            }
            s
        })
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprint::calendar::{Cadence, weekdays};
    use crate::sprint::numbering::Version;
    use jiff::civil::{Time, date};

    fn sprint() -> (Sprint, SprintLabel) {
        let cadence = Cadence {
            anchor: date(2022, 10, 3),
            length_weeks: 2,
            tz: jiff::tz::TimeZone::UTC,
            opens_at: Time::midnight(),
            working_days: weekdays(),
        };
        let version = Version {
            major: 1,
            minor: 42,
            patch: 0,
        };
        let label = SprintLabel {
            version,
            part: 2,
            parts: 2,
        };
        (cadence.sprint(6), label)
    }

    #[test]
    fn a_template_that_would_loop_for_long_runs_out_of_fuel() {
        let (sprint, label) = sprint();
        let looping = Templates {
            title:
                "{% for a in range(10000) %}{% for b in range(10000) %}x{% endfor %}{% endfor %}"
                    .into(),
            ..Templates::default()
        };
        let started = std::time::Instant::now();
        let err = title(&looping, &sprint, &label).unwrap_err();
        assert!(
            matches!(err.problem, TemplateProblem::Other { .. }),
            "{err}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn the_default_templates_render_for_a_large_organisation_within_the_fuel() {
        let (sprint, label) = sprint();
        let teams: Vec<TeamView> = (0..50)
            .map(|i| TeamView {
                name: format!("Team {i}"),
                slug: format!("team-{i}"),
                ..TeamView::default()
            })
            .collect();
        let content = IssueContent {
            sprint: sprint.clone(),
            label,
            previous_issue: Some(41),
            heroes: vec![Login::parse("octocat"), None],
            retro_goals: (0..200).map(|i| format!("Goal {i} @octocat")).collect(),
            goals: vec![],
            teams: teams.clone(),
            health: String::new(),
            shipped: String::new(),
            notes: Vec::new(),
        };
        let t = Templates::default();
        assert!(issue_body(&t, &content).is_ok());
        let hang_overs: Vec<String> = (0..200).map(|i| format!("Item {i}")).collect();
        assert!(
            team_comment(
                &t,
                &teams[0],
                &sprint,
                &hang_overs,
                &[],
                None,
                &TeamLines::default()
            )
            .is_ok()
        );
    }
}
