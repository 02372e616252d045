//! A repository's `.github/sprintbot.toml`: teams, engineers, cadence (with
//! its skipped and extended sprints), numbering, rotation, known time off,
//! labels, switches, reminders and template overrides. Defaults
//! come from the deployment config's `[defaults]` table; the repository file
//! wins key by key. Every problem names file, line and column and a fix,
//! and all of them are reported at once.

use serde::Deserialize;

use super::diag::{self, Diagnostic};
use super::schema;
use crate::sprint::Login;
use crate::sprint::calendar::{Cadence, Sprint};
use crate::sprint::exceptions::{Exception, Recorded};
use crate::sprint::health::{Roster, RosterTeam};
use crate::sprint::layout::Layout;
use crate::sprint::numbering::Numbering;
use crate::sprint::off::Off;
use crate::sprint::render::{TeamView, Templates};
use crate::sprint::rollover::Settings;
use crate::sprint::rotation::Rotation;
use crate::sprint::team_read::{Legend, People};
use crate::sprint::timed::Reminders;
use crate::sprint::timeline::Calendar;
use raw::Raw;

mod advice;
mod calendar;
pub mod keys;
mod layout;
mod people;
mod raw;
mod reminders;
mod templates;
mod timing;
mod validate;

pub use timing::Day;

/// A validated repository configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct RepoConfig {
    pub teams: Vec<Team>,
    pub engineers: Engineers,
    pub cadence: Cadence,
    pub numbering: Numbering,
    pub rotation: Rotation,
    /// The label every sprint issue carries.
    pub sprint_label: String,
    pub switches: Switches,
    /// The review comment before each rollover, and the nudges.
    pub reminders: Reminders,
    pub templates: Templates,
    /// Skipped and extended sprints (`[[cadence.exceptions]]`).
    pub exceptions: Vec<Exception>,
    /// A skipped sprint still takes a release number (`numbering.count_skipped`).
    pub count_skipped: bool,
    /// Known time off (`[[leave]]`).
    pub leave: Vec<Off>,
    /// First names people write in their plans, with their logins (`[people]`).
    pub people: People,
    /// The sections of the body and of team comments (`preset`,
    /// `[[body.sections]]`, `[[team.sections]]`).
    pub layout: Layout,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub name: String,
    pub slug: String,
    /// Slugs of the team's earlier names (`previous_names`), so that a
    /// rename keeps its comments and hang-overs.
    pub aliases: Vec<String>,
    pub members: Vec<Login>,
    /// `org/team-slug` whose members also belong to the team.
    pub github_team: Option<String>,
    /// What its status marks mean (`legend`), for comments without one.
    pub legend: Option<Legend>,
    /// It writes its plan in a comment of its own (`own_comment`).
    pub own_comment: bool,
    /// Its own support-hero rotation (`heroes`).
    pub heroes: Vec<Login>,
}

/// Who may own goals. When nothing is configured, team members are engineers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Engineers {
    pub logins: Vec<Login>,
    /// `org/team-slug` whose members are engineers.
    pub github_team: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Switches {
    pub close_previous: bool,
    pub pin: bool,
    pub carry_unfinished_goals: bool,
    pub require_why: bool,
    pub max_risks: usize,
    /// A sprint health section in each new issue.
    pub health: bool,
    /// The retro says how many sprints an unfinished goal has rolled.
    pub carry_counts: bool,
    /// A goal is ticked when the issue it links is closed as completed or
    /// the pull request it links is merged (and unticked on a reopen).
    pub tick_linked_goals: bool,
    /// Linked issues are also sub-issues of the sprint issue.
    pub goals_as_sub_issues: bool,
    /// The retro lists the pull requests merged last sprint, by team.
    pub shipped: bool,
    /// At most this many per team (the rest are behind a search link).
    pub shipped_per_team: usize,
    /// The new issue gets a pinned comment with the health summary.
    pub pin_summary: bool,
}

impl RepoConfig {
    /// Teams as the templates see them.
    pub fn team_views(&self) -> Vec<TeamView> {
        self.teams
            .iter()
            .map(|t| TeamView {
                name: t.name.clone(),
                slug: t.slug.clone(),
                aliases: t.aliases.clone(),
                legend: t.legend.clone(),
                own_comment: t.own_comment,
                heroes: t.heroes.clone(),
            })
            .collect()
    }

    /// What a rollover needs from this config.
    pub fn rollover_settings(&self) -> Settings {
        Settings {
            templates: self.templates.clone(),
            teams: self.team_views(),
            carry_unfinished_goals: self.switches.carry_unfinished_goals,
            carry_counts: self.switches.carry_counts,
            health: self.switches.health,
            roster: self.roster(),
            shipped: self.switches.shipped,
            shipped_per_team: self.switches.shipped_per_team,
            pin_summary: self.switches.pin_summary,
            leave: self.leave.clone(),
            layout: self.layout.clone(),
        }
    }

    /// Who is in which team, from the config's member lists.
    pub fn roster(&self) -> Roster {
        Roster {
            teams: self
                .teams
                .iter()
                .map(|t| RosterTeam {
                    name: t.name.clone(),
                    members: t.members.clone(),
                })
                .collect(),
        }
    }

    /// Whether a login is a configured engineer (team membership on GitHub
    /// is checked by the caller when `engineers.github_team` is set).
    pub fn is_listed_engineer(&self, login: &Login) -> bool {
        let eq = |l: &Login| l.0.eq_ignore_ascii_case(&login.0);
        if self.engineers.logins.is_empty() && self.engineers.github_team.is_none() {
            return self.teams.iter().any(|t| t.members.iter().any(eq));
        }
        self.engineers.logins.iter().any(eq)
    }

    /// The calendar: the cadence with the config's exceptions and those
    /// the newest sprint issue records (`recorded`) applied. Exceptions
    /// that name no sprint are left out (the config's are refused when it
    /// is checked).
    pub fn calendar(&self, recorded: &Recorded) -> Calendar {
        let (calendar, _) = Calendar::new(&self.cadence, &self.exceptions, self.count_skipped);
        calendar.place(&recorded.exceptions()).0
    }

    /// The calendar of the config alone (no sprint issue read).
    pub fn config_calendar(&self) -> Calendar {
        self.calendar(&Recorded::default())
    }

    /// The sprint whose issue should be open at `now` by the config alone,
    /// or `None` before the first one opens.
    pub fn sprint_due(&self, now: jiff::Timestamp) -> Option<Sprint> {
        self.config_calendar().due(now)
    }

    /// The sprint a preview of `date` shows: the one containing it, or the
    /// first sprint for a date before the anchor (none opens before it).
    pub fn sprint_on(&self, date: jiff::civil::Date) -> Sprint {
        let calendar = self.config_calendar();
        let sprint = calendar.containing(date);
        if sprint.index < 0 {
            calendar.first()
        } else {
            sprint
        }
    }

    /// Everything known about time off: the config's leave and the
    /// entries of the given sprint documents' "Off this sprint" sections.
    pub fn known_off<'d>(
        &self,
        docs: impl IntoIterator<Item = &'d crate::sprint::body::SprintDoc>,
    ) -> Vec<Off> {
        let mut all = self.leave.clone();
        for d in docs {
            all.extend(d.off());
        }
        crate::sprint::off::merged(all)
    }
}

/// The longest repository config read, in bytes (the example is about
/// 5 KB; GitHub serves files of up to 1 MB).
pub const MAX_CONFIG_BYTES: usize = 256 * 1024;

/// Parse and validate a repository config. `file` names it in diagnostics;
/// `defaults` is the deployment config's `[defaults]` table. The error holds
/// every error in the file (not warnings), in file order.
pub fn parse(
    file: &str,
    source: &str,
    defaults: &toml::Table,
) -> Result<RepoConfig, Vec<Diagnostic>> {
    let checked = check(file, source, defaults, None);
    checked.config.ok_or_else(|| {
        checked
            .diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect()
    })
}

/// The outcome of checking a repository config.
#[derive(Debug)]
pub struct Checked {
    /// The config, when the file has no errors.
    pub config: Option<RepoConfig>,
    /// Every error, warning and note, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Check a repository config and, when it is valid, build it. With a `day`,
/// also warn about what is valid but wrong in practice (a team with no
/// members, an anchor on a day off) and say what the config means on that
/// day (an anchor still to come);
/// `check-config` and `preview` both come through here so they agree.
pub fn check(file: &str, source: &str, defaults: &toml::Table, day: Option<Day>) -> Checked {
    // Bounded before it is parsed: the file may be a stranger's.
    if source.len() > MAX_CONFIG_BYTES {
        return Checked {
            config: None,
            diagnostics: vec![
                Diagnostic::whole_file(
                    file,
                    format!(
                        "the file is {} bytes long; at most {MAX_CONFIG_BYTES} are read",
                        source.len()
                    ),
                )
                .with_help(
                    "keep the config short: move long lists (leave, people) out, or trim them",
                ),
            ],
        };
    }
    let walked = schema::walk(file, source, keys::TOP);
    let mut diagnostics = walked.problems;
    let mut config = None;
    // A file that is not valid TOML was only partly read: checking what its
    // values mean would report keys it does have as missing.
    if walked.parsed {
        let mut merged = defaults.clone();
        merge(&mut merged, walked.table);
        match Raw::deserialize(toml::Value::Table(merged)) {
            Ok(raw) => {
                let mut report = validate::Report {
                    file,
                    source,
                    spans: &walked.spans,
                    flagged: &walked.flagged,
                    problems: Vec::new(),
                };
                config = validate::build(&mut report, raw);
                diagnostics.extend(report.problems);
            }
            // The file's own keys were checked above, so this is the defaults.
            Err(e) => diagnostics.push(
                Diagnostic::whole_file(
                    file,
                    format!("with the deployment defaults applied: {}", e.message()),
                )
                .with_help(
                    "fix the [defaults] table of the deployment config (sprintbot check-config)",
                ),
            ),
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        config = None;
    } else if config.is_none() {
        diagnostics.push(Diagnostic::whole_file(
            file,
            "the file is not a valid repository config",
        ));
    }
    if let (Some(c), Some(day)) = (&config, day) {
        diagnostics.extend(advice::warnings(file, source, &walked.spans, c));
        diagnostics.extend(timing::on_day(file, source, &walked.spans, c, day.date(c)));
    }
    diag::sort(&mut diagnostics);
    Checked {
        config,
        diagnostics,
    }
}

/// Overlay `top` on `base`: tables merge key by key, anything else replaces.
pub fn merge(base: &mut toml::Table, top: toml::Table) {
    for (key, value) in top {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(t)) => merge(b, t),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}
