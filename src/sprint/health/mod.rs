//! Sprint health, as a pure computation: what happened to the goals of the
//! sprint that just ended, per team and in total, and how the last sprints
//! compare. The rollover puts it in the new issue (see [`section`]).
//!
//! Inputs: the ended sprint's goals and drop records (read from its issue by
//! [`SprintDoc`](super::body::SprintDoc)), a [`Roster`] that maps an owner's
//! login to a team (the config's `teams[].members`), and up to five earlier
//! sprints' [`SprintSummary`]s (see [`history`]). Output: a [`Health`].
//!
//! Definitions, for one sprint:
//! - **planned**: every goal that was in the plan: the ones still there at
//!   the end plus the ones dropped with `/goal drop`;
//! - **done**: ticked at the end; **carried**: not ticked at the end (they
//!   roll over); **dropped**: dropped during the sprint;
//! - **done ratio** = done / planned, **carry-over rate** = carried /
//!   planned, in whole percent; no ratio when nothing was planned;
//! - a goal counts for the first team (in config order) whose members
//!   include its owner, case-insensitively; goals without an owner or whose
//!   owner is in no team count under "no team";
//! - the **longest-carried** goals are the three unfinished goals that will
//!   have rolled most often once this rollover carries them (ties: the
//!   earlier goal first).

pub mod chart;
pub mod history;
pub mod section;

use std::fmt;

use serde::Serialize;

use super::Login;
use super::carry::{Dropped, GoalId, next_count};
use super::goal::Goal;
pub use history::{EarlierSprints, SprintSummary};

/// How many sprints the chart shows, the ended one included.
pub const HISTORY_LEN: usize = 6;

/// How many longest-carried goals are listed.
pub const LONGEST_LEN: usize = 3;

/// Goal counts of one sprint, or of one team in it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    pub planned: u32,
    pub done: u32,
    pub carried: u32,
    pub dropped: u32,
}

/// A share of the planned goals, in whole percent (rounded half up).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Percent(pub u32);

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

impl Figures {
    fn share(&self, part: u32) -> Option<Percent> {
        let planned = u64::from(self.planned);
        (planned > 0).then(|| {
            let p = (u64::from(part) * 100 + planned / 2) / planned;
            Percent(u32::try_from(p).unwrap_or(u32::MAX))
        })
    }

    /// Done / planned; `None` when nothing was planned.
    pub fn done_ratio(&self) -> Option<Percent> {
        self.share(self.done)
    }

    /// Carried / planned; `None` when nothing was planned.
    pub fn carry_rate(&self) -> Option<Percent> {
        self.share(self.carried)
    }

    fn count(&mut self, outcome: Outcome) {
        self.planned += 1;
        match outcome {
            Outcome::Done => self.done += 1,
            Outcome::Carried => self.carried += 1,
            Outcome::Dropped => self.dropped += 1,
        }
    }
}

/// What became of one planned goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Done,
    Carried,
    Dropped,
}

/// One team as the health sees it: a name and who is in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterTeam {
    pub name: String,
    pub members: Vec<Login>,
}

/// The teams, in config order, to attribute goals by owner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Roster {
    pub teams: Vec<RosterTeam>,
}

impl Roster {
    /// The index of the first team that has `login` as a member.
    pub fn team_of(&self, login: &Login) -> Option<usize> {
        self.teams
            .iter()
            .position(|t| t.members.iter().any(|m| m.0.eq_ignore_ascii_case(&login.0)))
    }
}

/// One row of the per-team table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamFigures {
    /// `None`: goals whose owner is in no team, or who have none.
    pub team: Option<String>,
    pub figures: Figures,
}

/// An unfinished goal that keeps rolling over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LongCarried {
    pub title: String,
    pub owner: Option<Login>,
    /// Sprints it will have rolled once this rollover carries it.
    pub carried: u32,
    /// Its id, when it had rolled before (a first carry has none yet).
    pub id: Option<GoalId>,
}

/// The health of the sprint that just ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Health {
    pub total: Figures,
    /// Every roster team in config order, then "no team" when it has goals.
    pub teams: Vec<TeamFigures>,
    /// At most [`LONGEST_LEN`], longest first.
    pub longest: Vec<LongCarried>,
    /// Oldest first, the ended sprint last; at most [`HISTORY_LEN`].
    pub history: Vec<SprintSummary>,
    /// The ended sprint's issue.
    pub issue: u64,
}

/// Figures of a sprint from its goals at the end and its drop records.
pub fn figures(goals: &[Goal], dropped: &[Dropped]) -> Figures {
    let mut f = Figures::default();
    for outcome in outcomes(goals, dropped) {
        f.count(outcome.1);
    }
    f
}

fn outcomes<'a>(
    goals: &'a [Goal],
    dropped: &'a [Dropped],
) -> impl Iterator<Item = (Option<&'a Login>, Outcome)> {
    let kept = goals.iter().map(|g| {
        let o = if g.done {
            Outcome::Done
        } else {
            Outcome::Carried
        };
        (g.owner.as_ref(), o)
    });
    kept.chain(dropped.iter().map(|d| (d.owner.as_ref(), Outcome::Dropped)))
}

/// The health of the ended sprint `summary` (its own figures must be those of
/// `goals` and `dropped`), with the earlier sprints' summaries (any order,
/// duplicates and later sprints ignored; the newest five are kept).
pub fn compute(
    summary: &SprintSummary,
    goals: &[Goal],
    dropped: &[Dropped],
    roster: &Roster,
    earlier: &[SprintSummary],
) -> Health {
    let mut teams: Vec<TeamFigures> = roster
        .teams
        .iter()
        .map(|t| TeamFigures {
            team: Some(t.name.clone()),
            figures: Figures::default(),
        })
        .collect();
    let mut nobody = Figures::default();
    let mut total = Figures::default();
    for (owner, outcome) in outcomes(goals, dropped) {
        total.count(outcome);
        match owner.and_then(|o| roster.team_of(o)) {
            Some(i) => teams[i].figures.count(outcome),
            None => nobody.count(outcome),
        }
    }
    if nobody.planned > 0 {
        teams.push(TeamFigures {
            team: None,
            figures: nobody,
        });
    }
    Health {
        total,
        teams,
        longest: longest_carried(goals),
        history: history::last_sprints(summary, earlier),
        issue: summary.issue,
    }
}

/// The unfinished goals that will have rolled most often, longest first.
pub fn longest_carried(goals: &[Goal]) -> Vec<LongCarried> {
    let mut unfinished: Vec<LongCarried> = goals
        .iter()
        .filter(|g| !g.done)
        .map(|g| LongCarried {
            title: g.title.clone(),
            owner: g.owner.clone(),
            carried: next_count(g),
            id: g.mark.as_ref().map(|m| m.id.clone()),
        })
        .collect();
    // Stable: among equals, the goal listed first stays first.
    unfinished.sort_by_key(|g| std::cmp::Reverse(g.carried));
    unfinished.truncate(LONGEST_LEN);
    unfinished
}

#[cfg(test)]
mod tests;
