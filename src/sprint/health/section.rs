//! The health section of a new sprint issue: the `health` template
//! (`config/templates/health.md.j2`, overridable under `[templates]`)
//! rendered from a [`Health`], between its own hidden markers, followed by
//! the summary lines the next rollover reads (see [`history`](super::history)).
//! People never edit this section, so it is not a body-model section: it is
//! rendered whole, once, by the rollover.
//!
//! The template sees `previous_issue`, `sprint` (the ended sprint's first
//! day, `2022-11-14`), `start` (`Nov 14`), `total` and each of `teams` (with
//! `name`, `planned`, `done`, `carried`, `dropped`, `done_ratio`,
//! `carry_rate`: ratios as `38%`, or `—` when nothing was planned),
//! `longest` (`title`, `owner`, `carried`), `history` (each sprint's `sprint`,
//! `start` and figures, oldest first) and `chart` (Mermaid source).
//!
//! The same figures also make the pinned summary comment ([`summary`], the
//! `summary` template, `config/templates/summary.md.j2`), when a repository
//! asks for one.

use minijinja::{Value, context};

use super::super::markers::neutralise;
use super::super::render::{self, TemplateError, Templates, short_date};
use super::chart;
use super::history::{END_MARKER, START_MARKER};
use super::{Figures, Health, Percent};

/// Longest-carried titles are cut to this many characters in the section
/// (the retro above has them whole).
const TITLE_CHARS: usize = 80;

/// The team row of goals whose owner is in no team.
pub const NO_TEAM: &str = "No team";

/// The whole section, markers included, ending with a line break.
/// `show_longest` is off when carry counts are (every count would be 1×).
pub fn section(
    templates: &Templates,
    health: &Health,
    show_longest: bool,
) -> Result<String, TemplateError> {
    let text = render::render_template("health", &templates.health, view(health, show_longest))?;
    let mut out = format!("{START_MARKER}\n{}\n\n", text.trim_end());
    for s in health.history.iter().rev() {
        out.push_str(&s.render());
        out.push('\n');
    }
    out.push_str(END_MARKER);
    out.push('\n');
    Ok(out)
}

/// The hidden marker of the summary comment of the sprint starting `sprint`
/// (the new one), searched for before posting it.
pub fn summary_marker(sprint: crate::sprint::SprintId) -> String {
    format!("<!-- sprintbot:summary sprint={sprint} -->")
}

/// The summary comment's body for the sprint starting `sprint`: its marker,
/// then the `summary` template rendered with the health section's context.
pub fn summary(
    templates: &Templates,
    health: &Health,
    sprint: crate::sprint::SprintId,
) -> Result<String, TemplateError> {
    let text = render::render_template("summary", &templates.summary, view(health, true))?;
    Ok(format!("{}\n{}\n", summary_marker(sprint), text.trim_end()))
}

fn ratio(p: Option<Percent>) -> String {
    p.map_or_else(|| "—".to_string(), |p| p.to_string())
}

fn figures(f: &Figures) -> Value {
    context! {
        planned => f.planned, done => f.done, carried => f.carried, dropped => f.dropped,
        done_ratio => ratio(f.done_ratio()), carry_rate => ratio(f.carry_rate()),
    }
}

/// Text safe in a Markdown table cell on one line.
fn table_cell(s: &str) -> String {
    neutralise(s).replace('|', "\\|")
}

/// A title cut to [`TITLE_CHARS`], on one line, unable to forge a marker.
fn short_title(title: &str) -> String {
    let safe = neutralise(title);
    if safe.chars().count() <= TITLE_CHARS {
        return safe;
    }
    let cut: String = safe.chars().take(TITLE_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// The template's context.
pub(crate) fn view(health: &Health, show_longest: bool) -> Value {
    let ended = health.history.last();
    let teams: Vec<Value> = health
        .teams
        .iter()
        .map(|t| {
            let name = table_cell(t.team.as_deref().unwrap_or(NO_TEAM));
            context! { name, ..figures(&t.figures) }
        })
        .collect();
    let longest: Vec<Value> = health
        .longest
        .iter()
        .filter(|_| show_longest)
        .map(|g| {
            context! {
                title => short_title(&g.title),
                owner => g.owner.as_ref().map(|o| o.0.clone()),
                carried => g.carried,
            }
        })
        .collect();
    let history: Vec<Value> = health
        .history
        .iter()
        .map(|s| {
            let f = &s.figures;
            context! {
                sprint => s.sprint.to_string(), start => short_date(s.sprint.0), issue => s.issue,
                planned => f.planned, done => f.done, carried => f.carried, dropped => f.dropped,
                done_ratio => ratio(f.done_ratio()), carry_rate => ratio(f.carry_rate()),
            }
        })
        .collect();
    context! {
        previous_issue => health.issue,
        sprint => ended.map(|s| s.sprint.to_string()),
        start => ended.map(|s| short_date(s.sprint.0)),
        total => figures(&health.total),
        teams => teams,
        longest => longest,
        history => history,
        chart => chart::mermaid(&health.history),
    }
}
