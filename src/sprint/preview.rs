//! `/sprint preview`, as a pure function: what the next sprint would be if
//! it opened from the current issue as it is now — its title and opening
//! instant on the calendar (exceptions applied), its support heroes (time
//! off considered), the goals that would roll and where each team's plan
//! items would go. It runs the rollover's
//! own planning ([`rollover::plan`], [`Away`]) rather than a copy of it,
//! so the preview and the rollover cannot disagree.

use jiff::Timestamp;

use super::Login;
use super::body::SprintDoc;
use super::calendar::Sprint;
use super::moving::TeamItems;
use super::numbering::{BeforeFirstVersion, Numbering};
use super::off::Off;
use super::render::TemplateError;
use super::rollover::{self, Away, Previous, Settings};
use super::rotation::Rotation;
use super::team::TeamDoc;
use super::timeline::Calendar;

/// What `/sprint preview` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub title: String,
    pub sprint: Sprint,
    /// The instant it opens, in the team's time zone.
    pub opens_local: String,
    pub opens_at: Timestamp,
    /// Sprints skipped before it (their first days).
    pub skipped: Vec<Sprint>,
    pub heroes: Vec<Option<Login>>,
    /// The retro lines of the goals that are not done.
    pub rolling: Vec<String>,
    /// They are also copied into the new plan (`carry_unfinished_goals`).
    pub copied: bool,
    /// Who the new issue would show as off.
    pub off: Vec<Off>,
    /// Each team's plan items by where they would go.
    pub teams: Vec<TeamItems>,
}

/// Why there is nothing to preview.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error("the sprint metadata marker is missing or damaged")]
    NoMetadata,
    #[error(transparent)]
    Numbering(#[from] BeforeFirstVersion),
    #[error(transparent)]
    Template(#[from] TemplateError),
}

/// What the preview is computed from.
pub struct Inputs<'a> {
    /// The current sprint issue as it is now, and its number.
    pub doc: &'a SprintDoc,
    pub issue: u64,
    pub calendar: &'a Calendar,
    pub numbering: &'a Numbering,
    pub rotation: &'a Rotation,
    pub settings: &'a Settings,
    /// The issue's team comments (sprintbot's and people's own).
    pub team_comments: &'a [TeamDoc],
}

/// The next sprint, if it opened now.
pub fn preview(i: &Inputs<'_>) -> Result<Preview, PreviewError> {
    let meta = i.doc.metadata().ok_or(PreviewError::NoMetadata)?;
    let next = i.calendar.next_after(meta.sprint);
    let label = i.calendar.label(i.numbering, &next)?;
    let previous = Previous {
        issue: i.issue,
        doc: i.doc.clone(),
        // Older history and merged pull requests change the body and
        // comments only, not what is previewed.
        team_comments: i.team_comments.to_vec(),
        earlier: Vec::new(),
        shipped: None,
    };
    let away = Away::new(Some(&previous), i.settings, &next);
    let heroes = i.rotation.heroes_with(i.calendar, &next, &away.all);
    let plan = rollover::plan(Some(&previous), i.settings, &next, &label, heroes.clone())?;
    let goals = i.doc.goals().unwrap_or_default();
    let rolling: Vec<String> = goals
        .iter()
        .filter(|g| !g.done)
        .map(|g| away.retro_line(g))
        .collect();
    debug_assert_eq!(rolling.len(), plan.unfinished);
    Ok(Preview {
        title: plan.title,
        opens_local: i.calendar.local(next.opens_at),
        opens_at: next.opens_at,
        skipped: i.calendar.skipped_after(meta.sprint),
        sprint: next,
        heroes,
        rolling,
        copied: i.settings.carry_unfinished_goals,
        off: away.shown,
        teams: plan.moving.teams,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprint::SprintId;
    use crate::sprint::body::Change;
    use crate::sprint::calendar::{Cadence, weekdays};
    use crate::sprint::exceptions::Exception;
    use crate::sprint::numbering::Bump;
    use crate::sprint::render::Templates;
    use jiff::civil::{date, time};

    fn login(s: &str) -> Login {
        Login(s.into())
    }

    #[test]
    fn the_preview_is_the_next_sprint_the_rollover_would_open() {
        let cadence = Cadence {
            anchor: date(2026, 11, 2),
            length_weeks: 2,
            tz: jiff::tz::TimeZone::get("Europe/London").unwrap(),
            opens_at: time(9, 0, 0, 0),
            working_days: weekdays(),
        };
        let numbering = Numbering {
            first_version: "1.41.0".parse().unwrap(),
            parts: 2,
            bump: Bump::Minor,
        };
        let rotation = Rotation {
            heroes: vec![login("ann"), login("bob"), login("cat")],
            overrides: vec![],
        };
        let settings = Settings {
            templates: Templates::default(),
            teams: vec![],
            carry_unfinished_goals: false,
            carry_counts: true,
            health: false,
            roster: Default::default(),
            shipped: false,
            shipped_per_team: 10,
            pin_summary: false,
            leave: vec![],
            layout: Default::default(),
        };
        let plain = Calendar::plain(&cadence);
        let current = plain.sprint(1);
        let label = plain.label(&numbering, &current).unwrap();
        let heroes = rotation.heroes_for(&current);
        let mut body = rollover::plan(None, &settings, &current, &label, heroes)
            .unwrap()
            .body;
        for change in [
            Change::AddGoal {
                title: "Ship it".into(),
                owner: Some(login("ann")),
                why: None,
            },
            Change::AddGoal {
                title: "Done already".into(),
                owner: Some(login("ann")),
                why: None,
            },
            Change::Tick(2),
            Change::AddOff(Off {
                login: login("bob"),
                from: date(2026, 12, 14),
                to: date(2026, 12, 18),
            }),
            Change::Except(Exception::Skip(SprintId(date(2026, 11, 30)))),
        ] {
            body = SprintDoc::parse(&body)
                .unwrap()
                .apply(&change)
                .unwrap()
                .body;
        }
        let doc = SprintDoc::parse(&body).unwrap();
        let (calendar, _) = Calendar::new(&cadence, &doc.recorded().exceptions(), false);
        let p = preview(&Inputs {
            team_comments: &[],
            doc: &doc,
            issue: 41,
            calendar: &calendar,
            numbering: &numbering,
            rotation: &rotation,
            settings: &settings,
        })
        .unwrap();
        assert_eq!(p.title, "Sprint 1.42.0 1/2 - Dec 14 - Dec 25");
        assert_eq!(p.opens_local, "Mon Dec 14, 2026 at 09:00 (Europe/London)");
        assert_eq!(p.skipped.len(), 1);
        // bob is off its first week: cat swaps in, bob takes week 2.
        assert_eq!(p.heroes, vec![Some(login("cat")), Some(login("bob"))]);
        assert_eq!(p.rolling.len(), 1);
        assert!(
            p.rolling[0].starts_with("⬜ Ship it @ann"),
            "{:?}",
            p.rolling
        );
        assert_eq!(p.off.len(), 1);
    }
}
