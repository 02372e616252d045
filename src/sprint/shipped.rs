//! "Shipped last sprint", as a pure computation: the pull requests merged
//! into the default branch during the sprint that just ended, grouped by
//! team (an author belongs to the first team, in config order, that lists
//! them or whose GitHub team has them), at most `cap` per team, bots left
//! out, with a link to GitHub's search for all of them. The rollover puts
//! it in the new issue's retro, between its own hidden markers, rendered
//! from the `shipped` template (`config/templates/shipped.md.j2`).
//!
//! The template sees `previous_issue`, `base` (the default branch),
//! `start` and `end` (`Nov 14`, `Nov 25`), `total`, `search_url` and
//! `teams`, each with `name`, `more` (how many were left out) and `pulls`
//! (`number`, `title`, `author`, `url`).

use jiff::Timestamp;
use jiff::civil::Date;
use minijinja::{Value, context};

use super::Login;
use super::health::Roster;
use super::markers::neutralise;
use super::render::{self, TemplateError, Templates, short_date};

pub const START_MARKER: &str = "<!-- sprintbot:shipped:start -->";
pub const END_MARKER: &str = "<!-- sprintbot:shipped:end -->";

/// The group of authors who are in no team.
pub const NO_TEAM: &str = "Other";

/// A merged pull request, as the shell found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergedPull {
    pub number: u64,
    pub title: String,
    pub author: Login,
    /// The author is a bot (GitHub's user `type`, or a `[bot]` login).
    pub author_is_bot: bool,
    pub merged_at: Timestamp,
}

/// When the sprint ran: `[start, end)` as instants, and its first and last
/// calendar days for people (and GitHub's search).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub start: Timestamp,
    pub end: Timestamp,
    pub first_day: Date,
    pub last_day: Date,
}

/// What the shell gathered for one sprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipped {
    /// `https://github.com/owner/repo` (GitHub Enterprise has its own host).
    pub repo_url: String,
    /// The default branch the pull requests were merged into.
    pub base: String,
    pub window: Window,
    /// Pull requests merged into `base`, at any time (those outside the
    /// window and those by bots are left out here).
    pub pulls: Vec<MergedPull>,
    /// Who is in which team: the config's members, and the members of each
    /// team's GitHub team when it names one.
    pub roster: Roster,
}

/// One team's shipped pull requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamShipped {
    /// `None`: authors in no team.
    pub team: Option<String>,
    /// Newest first, at most `cap`.
    pub pulls: Vec<MergedPull>,
    /// How many more the team merged.
    pub more: usize,
}

/// GitHub's search for the pull requests merged into `base` during the window.
pub fn search_url(s: &Shipped) -> String {
    format!(
        "{}/pulls?q=is:pr+is:merged+base:{}+merged:{}..{}",
        s.repo_url.trim_end_matches('/'),
        s.base,
        s.window.first_day,
        s.window.last_day
    )
}

/// The pull requests that count: merged in the window, not by a bot;
/// newest first.
pub fn counted(s: &Shipped) -> Vec<MergedPull> {
    let mut pulls: Vec<MergedPull> = s
        .pulls
        .iter()
        .filter(|p| p.merged_at >= s.window.start && p.merged_at < s.window.end)
        .filter(|p| !p.author_is_bot && !p.author.0.ends_with("[bot]"))
        .cloned()
        .collect();
    pulls.sort_by(|a, b| b.merged_at.cmp(&a.merged_at).then(b.number.cmp(&a.number)));
    pulls.dedup_by_key(|p| p.number);
    pulls
}

/// The counted pull requests by team: roster teams in config order that
/// merged any, then authors in no team; at most `cap` shown per team.
pub fn by_team(s: &Shipped, cap: usize) -> Vec<TeamShipped> {
    let mut groups: Vec<(Option<usize>, Vec<MergedPull>)> = Vec::new();
    for p in counted(s) {
        let team = s.roster.team_of(&p.author);
        match groups.iter_mut().find(|(t, _)| *t == team) {
            Some((_, list)) => list.push(p),
            None => groups.push((team, vec![p])),
        }
    }
    // Config order; "no team" last.
    groups.sort_by_key(|(t, _)| t.unwrap_or(usize::MAX));
    groups
        .into_iter()
        .map(|(t, mut pulls)| {
            let more = pulls.len().saturating_sub(cap);
            pulls.truncate(cap);
            TeamShipped {
                team: t
                    .and_then(|i| s.roster.teams.get(i))
                    .map(|t| t.name.clone()),
                pulls,
                more,
            }
        })
        .collect()
}

/// The whole section, markers included, ending with a line break.
pub fn section(
    templates: &Templates,
    s: &Shipped,
    cap: usize,
    previous_issue: u64,
) -> Result<String, TemplateError> {
    let text =
        render::render_template("shipped", &templates.shipped, view(s, cap, previous_issue))?;
    Ok(format!(
        "{START_MARKER}\n{}\n{END_MARKER}\n",
        text.trim_end()
    ))
}

/// The template's context.
pub(crate) fn view(s: &Shipped, cap: usize, previous_issue: u64) -> Value {
    let teams: Vec<Value> = by_team(s, cap)
        .iter()
        .map(|t| {
            let pulls: Vec<Value> = t
                .pulls
                .iter()
                .map(|p| {
                    context! {
                        number => p.number,
                        title => neutralise(&p.title),
                        author => p.author.0.clone(),
                        url => format!("{}/pull/{}", s.repo_url.trim_end_matches('/'), p.number),
                    }
                })
                .collect();
            context! {
                name => neutralise(t.team.as_deref().unwrap_or(NO_TEAM)),
                pulls => pulls,
                more => t.more,
            }
        })
        .collect();
    context! {
        previous_issue => previous_issue,
        base => s.base.clone(),
        start => short_date(s.window.first_day),
        end => short_date(s.window.last_day),
        total => counted(s).len(),
        search_url => search_url(s),
        teams => teams,
    }
}

#[cfg(test)]
mod tests;
