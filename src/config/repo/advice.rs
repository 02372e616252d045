//! Warnings about a valid config that is wrong in practice: a team nobody is
//! in, an anchor on a day off, a support hero or engineer who belongs to no
//! team, a team member who may not own goals. None is an error (the bot
//! runs), so `check-config` still exits 0; each says what would happen and
//! how to fix it.

use jiff::ToSpan;
use jiff::civil::Date;

use super::RepoConfig;
use crate::config::diag::{Diagnostic, Severity};
use crate::config::schema::Spans;
use crate::sprint::Login;

/// Every warning about `config`, written in `source` as `file`.
pub(super) fn warnings(
    file: &str,
    source: &str,
    spans: &Spans,
    config: &RepoConfig,
) -> Vec<Diagnostic> {
    let mut out = Warnings {
        file,
        source,
        spans,
        found: Vec::new(),
    };
    empty_teams(&mut out, config);
    anchor_day(&mut out, config);
    outsiders(&mut out, config);
    members_who_cannot_own_goals(&mut out, config);
    out.found
}

struct Warnings<'a> {
    file: &'a str,
    source: &'a str,
    spans: &'a Spans,
    found: Vec<Diagnostic>,
}

impl Warnings<'_> {
    /// A warning at the value (or, failing that, the key) at `path`; about
    /// the whole file when the value came from the deployment defaults.
    fn at(&mut self, path: &str, message: String, help: &str) {
        let span = self.spans.value(path).or_else(|| self.spans.key(path));
        let d = match span {
            Some(span) => Diagnostic::at_span(self.file, self.source, span, message),
            None => Diagnostic::whole_file(
                self.file,
                format!("{message} (`{path}`, from the defaults this file builds on)"),
            ),
        };
        self.found
            .push(d.with_severity(Severity::Warning).with_help(help));
    }
}

fn same(a: &Login, b: &Login) -> bool {
    // GitHub logins are case-insensitive.
    a.0.eq_ignore_ascii_case(&b.0)
}

fn in_a_team(config: &RepoConfig, login: &Login) -> bool {
    config
        .teams
        .iter()
        .any(|t| t.members.iter().any(|m| same(m, login)))
}

/// Whether the config says who is in which team: some team is listed, and
/// no team's members come from GitHub (which only the running bot can ask).
fn membership_is_known(config: &RepoConfig) -> bool {
    !config.teams.is_empty() && config.teams.iter().all(|t| t.github_team.is_none())
}

fn empty_teams(out: &mut Warnings<'_>, config: &RepoConfig) {
    for (i, team) in config.teams.iter().enumerate() {
        if !team.members.is_empty() || team.github_team.is_some() {
            continue;
        }
        let nudge = if config.reminders.nudge_teams {
            ", and the team nudge would mention no one"
        } else {
            ""
        };
        out.at(
            &format!("teams[{i}]"),
            format!(
                "team \"{}\" has no members and no github_team: its planning comment has no one to fill it in{nudge}",
                team.name
            ),
            "add `members = [\"octocat\"]` or `github_team = \"org/team-slug\"` to the team, or remove it",
        );
    }
}

fn anchor_day(out: &mut Warnings<'_>, config: &RepoConfig) {
    let cadence = &config.cadence;
    let anchor = cadence.anchor;
    if cadence.working_days.is_empty() || cadence.working_days.contains(&anchor.weekday()) {
        return;
    }
    // Sprints last whole weeks, so every one starts on the anchor's weekday.
    let next: Option<Date> = (1..7)
        .map(|d| anchor.saturating_add(d.days()))
        .find(|d| cadence.working_days.contains(&d.weekday()));
    let help = match next {
        Some(d) => format!(
            "set `anchor` to a working day, e.g. anchor = \"{d}\" (a {})",
            d.strftime("%A")
        ),
        None => "set `anchor` to a working day".to_string(),
    };
    out.at(
        "cadence.anchor",
        format!(
            "the cadence anchor {anchor} is a {day}, which is not in `working_days`: every sprint would start, and its issue open, on a {day}",
            day = anchor.strftime("%A"),
        ),
        &help,
    );
}

/// Support heroes and engineers who belong to no team: the hero is on call
/// for no team's work, the engineer owns goals no team plans.
fn outsiders(out: &mut Warnings<'_>, config: &RepoConfig) {
    if !membership_is_known(config) {
        return;
    }
    for (j, hero) in config.rotation.heroes.iter().enumerate() {
        if !in_a_team(config, hero) {
            out.at(
                &format!("rotation.heroes[{j}]"),
                format!("support hero `{hero}` is in no team"),
                "check the spelling, or add them to a team's `members`",
            );
        }
    }
    for (i, o) in config.rotation.overrides.iter().enumerate() {
        if !in_a_team(config, &o.login) {
            out.at(
                &format!("rotation.overrides[{i}].login"),
                format!("`{}`, support hero by override, is in no team", o.login),
                "check the spelling, or add them to a team's `members`",
            );
        }
    }
    for (j, engineer) in config.engineers.logins.iter().enumerate() {
        if !in_a_team(config, engineer) {
            out.at(
                &format!("engineers.logins[{j}]"),
                format!("engineer `{engineer}` is in no team"),
                "check the spelling, or add them to a team's `members`",
            );
        }
    }
}

/// With `engineers.logins` listed, only they may own goals; a team member
/// left out of it is refused when given a goal.
fn members_who_cannot_own_goals(out: &mut Warnings<'_>, config: &RepoConfig) {
    let engineers = &config.engineers;
    if engineers.logins.is_empty() || engineers.github_team.is_some() {
        return;
    }
    for (i, team) in config.teams.iter().enumerate() {
        for (j, member) in team.members.iter().enumerate() {
            if !engineers.logins.iter().any(|e| same(e, member)) {
                out.at(
                    &format!("teams[{i}].members[{j}]"),
                    format!(
                        "`{member}` of team \"{}\" is not in `engineers.logins`, so cannot own goals",
                        team.name
                    ),
                    "add them to `engineers.logins`, or set `engineers.team` to a GitHub team they are in",
                );
            }
        }
    }
}
