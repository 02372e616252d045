//! Rendering the sprint issue title, body and team comments from minijinja
//! templates. The defaults in `config/templates/` are built in; a deployment
//! or a repository may override each one. Managed sections are rendered here
//! (not in templates) so their items always read back exactly.

use std::collections::BTreeMap;

use minijinja::{Environment, context};
use serde::Serialize;

use super::Login;
use super::body::render_heroes;
use super::calendar::Sprint;
use super::items::{self, GoalText};
use super::markers::{Metadata, team_marker};
use super::numbering::SprintLabel;

pub const DEFAULT_TITLE: &str = include_str!("../../config/templates/title.j2");
pub const DEFAULT_ISSUE: &str = include_str!("../../config/templates/issue.md.j2");
pub const DEFAULT_TEAM: &str = include_str!("../../config/templates/team.md.j2");

/// The three templates in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates {
    pub title: String,
    pub issue: String,
    pub team: String,
}

impl Default for Templates {
    fn default() -> Self {
        Templates {
            title: DEFAULT_TITLE.into(),
            issue: DEFAULT_ISSUE.into(),
            team: DEFAULT_TEAM.into(),
        }
    }
}

/// A template that could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {which} template does not render: {message}")]
pub struct TemplateError {
    pub which: &'static str,
    pub message: String,
}

/// A team as the templates see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TeamView {
    pub name: String,
    pub slug: String,
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
}

/// Title dates look like `Nov 14`.
pub fn short_date(d: jiff::civil::Date) -> String {
    d.strftime("%b %-d").to_string()
}

fn env() -> Environment<'static> {
    Environment::new()
}

fn render(
    which: &'static str,
    source: &str,
    ctx: minijinja::Value,
) -> Result<String, TemplateError> {
    let env = env();
    env.render_str(source, ctx).map_err(|e| TemplateError {
        which,
        message: e.to_string(),
    })
}

/// The issue title.
pub fn title(
    templates: &Templates,
    sprint: &Sprint,
    label: &SprintLabel,
) -> Result<String, TemplateError> {
    let ctx = context! {
        version => label.version.to_string(), part => label.part, parts => label.parts,
        start => short_date(sprint.start), end => short_date(sprint.last_working_day),
        sprint_id => sprint.id.to_string(),
    };
    Ok(render("title", &templates.title, ctx)?.trim().to_string())
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
    };
    let mut body = render("issue", &templates.issue, ctx)?;
    body.push('\n');
    Ok(body)
}

/// One team's planning comment.
pub fn team_comment(
    templates: &Templates,
    team: &TeamView,
    sprint: &Sprint,
    hang_overs: &[String],
) -> Result<String, TemplateError> {
    let safe: Vec<String> = hang_overs
        .iter()
        .map(|h| super::markers::neutralise(h))
        .collect();
    let ctx = context! {
        marker => team_marker(&team.slug, sprint.id),
        team => context! { name => team.name.clone(), slug => team.slug.clone() },
        hang_overs => safe,
        sprint_id => sprint.id.to_string(),
    };
    let mut body = render("team", &templates.team, ctx)?;
    body.push('\n');
    Ok(body)
}
