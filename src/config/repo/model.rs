//! What a validated repository config is: [`RepoConfig`] and its parts,
//! and what the rest of sprintbot asks of it (the calendar, the roster, the
//! rollover settings). Built by `validate`, read everywhere.

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

impl Team {
    /// The team as the templates see it.
    pub fn view(&self) -> TeamView {
        TeamView {
            name: self.name.clone(),
            slug: self.slug.clone(),
            aliases: self.aliases.clone(),
            legend: self.legend.clone(),
            own_comment: self.own_comment,
            heroes: self.heroes.clone(),
        }
    }
}

impl RepoConfig {
    /// Teams as the templates see them.
    pub fn team_views(&self) -> Vec<TeamView> {
        self.teams.iter().map(Team::view).collect()
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
