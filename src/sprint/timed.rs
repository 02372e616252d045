//! The timed reminders of a sprint, as a pure calendar: the review comment
//! some hours before the next opening, the nudge of owners whose unfinished
//! goals have no status some working days before the end, and the nudge of
//! teams whose planning comment is still untouched some hours after the
//! opening. Instants are counted on the team's clock (the cadence's time
//! zone): whole days are calendar days, so "24 hours before a Monday 09:00
//! opening" is Sunday 09:00 local time even across a daylight-saving change.
//! Each reminder is written once per sprint, recognised by the hidden marker
//! [`Reminder::marker`] in a comment sprintbot's own account wrote.

use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use super::SprintId;
use super::calendar::{Cadence, Sprint};

/// One kind of timed write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reminder {
    /// What will roll, before the rollover.
    Review,
    /// Owners of unfinished goals without a status.
    NudgeStatus,
    /// Teams whose planning comment is the untouched template.
    NudgeTeams,
}

impl Reminder {
    pub const ALL: [Reminder; 3] = [
        Reminder::Review,
        Reminder::NudgeStatus,
        Reminder::NudgeTeams,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Reminder::Review => "review",
            Reminder::NudgeStatus => "nudge-status",
            Reminder::NudgeTeams => "nudge-teams",
        }
    }

    /// How the store records that it is done for a sprint (a cache).
    pub fn step(self) -> String {
        format!("timed:{}", self.name())
    }

    /// The hidden marker of its comment for the sprint starting `sprint`,
    /// as written before sprints' ends were in it (still read as done).
    pub fn marker(self, sprint: SprintId) -> String {
        format!("<!-- sprintbot:timed {} sprint={sprint} -->", self.name())
    }

    /// The hidden marker of its comment for `sprint`. The review and the
    /// status nudge name the sprint's end, and so does their marker: a
    /// sprint extended after its review gets a review before its new end.
    pub fn marker_for(self, sprint: &Sprint) -> String {
        match self {
            Reminder::NudgeTeams => self.marker(sprint.id),
            _ => format!(
                "<!-- sprintbot:timed {} sprint={} ends={} -->",
                self.name(),
                sprint.id,
                sprint.end
            ),
        }
    }
}

/// The key the store records a sprint's reminders under: the sprint and
/// its last day, so an extension makes every reminder worth a fresh look.
pub fn record_key(sprint: &Sprint) -> String {
    format!("{}..{}", sprint.id, sprint.end)
}

/// When the reminders happen (`[reminders]` of the repository config).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reminders {
    /// The review comment this many hours before the next opening; 0: none.
    pub review_hours_before_end: u32,
    pub nudge_status: bool,
    /// Working days before the next opening, at the opening time.
    pub nudge_status_days_before_end: u32,
    pub nudge_teams: bool,
    pub nudge_teams_hours_after_opening: u32,
}

impl Default for Reminders {
    fn default() -> Self {
        Reminders {
            review_hours_before_end: 24,
            nudge_status: false,
            nudge_status_days_before_end: 2,
            nudge_teams: false,
            nudge_teams_hours_after_opening: 24,
        }
    }
}

/// `at` moved by `hours` on the wall clock of `tz`: whole days as calendar
/// days, the rest as elapsed hours.
fn shift(tz: &TimeZone, at: Timestamp, hours: i64) -> Timestamp {
    let span = Span::new().days(hours / 24).hours(hours % 24);
    at.to_zoned_datetime(tz.clone())
        .checked_add(span)
        .map_or(at, |z| z.timestamp())
}

/// The opening time on the working day `days` working days before the
/// next opening's date.
fn working_days_before_end(cadence: &Cadence, sprint: &Sprint, days: u32) -> Timestamp {
    let mut date = cadence.tz.to_datetime(sprint.closes_at).date();
    let mut counted = 0;
    // A sprint is at most 8 weeks: 60 steps back reach before any start.
    for _ in 0..60 {
        if counted >= days || date <= sprint.start {
            break;
        }
        date = date.yesterday().unwrap_or(date);
        if cadence.working_days.contains(&date.weekday()) {
            counted += 1;
        }
    }
    cadence
        .tz
        .to_ambiguous_timestamp(date.to_datetime(cadence.opens_at))
        .compatible()
        .unwrap_or(sprint.opens_at)
}

impl Reminders {
    /// Each reminder switched on for `sprint`, with its instant: never
    /// before the sprint opens; one that would fall at or after its end is
    /// left out.
    pub fn instants(&self, cadence: &Cadence, sprint: &Sprint) -> Vec<(Reminder, Timestamp)> {
        let tz = &cadence.tz;
        let mut out = Vec::new();
        if self.review_hours_before_end > 0 {
            let hours = -i64::from(self.review_hours_before_end);
            out.push((Reminder::Review, shift(tz, sprint.closes_at, hours)));
        }
        if self.nudge_status && self.nudge_status_days_before_end > 0 {
            let at = working_days_before_end(cadence, sprint, self.nudge_status_days_before_end);
            out.push((Reminder::NudgeStatus, at));
        }
        if self.nudge_teams {
            let hours = i64::from(self.nudge_teams_hours_after_opening);
            out.push((Reminder::NudgeTeams, shift(tz, sprint.opens_at, hours)));
        }
        out.into_iter()
            .map(|(r, at)| (r, at.max(sprint.opens_at)))
            .filter(|(_, at)| *at < sprint.closes_at)
            .collect()
    }

    /// The reminders due at `now`: their instant has passed and the sprint
    /// has not ended.
    pub fn due(&self, cadence: &Cadence, sprint: &Sprint, now: Timestamp) -> Vec<Reminder> {
        if now >= sprint.closes_at {
            return Vec::new();
        }
        self.instants(cadence, sprint)
            .into_iter()
            .filter(|(_, at)| *at <= now)
            .map(|(r, _)| r)
            .collect()
    }

    /// The first reminder instant of `sprint` after `now`.
    pub fn next(&self, cadence: &Cadence, sprint: &Sprint, now: Timestamp) -> Option<Timestamp> {
        self.instants(cadence, sprint)
            .into_iter()
            .map(|(_, at)| at)
            .filter(|at| *at > now)
            .min()
    }
}

/// An instant as the team reads it: `Mon Nov 28 at 09:00 (Europe/London)`.
pub fn local(tz: &TimeZone, at: Timestamp) -> String {
    let dt = tz.to_datetime(at);
    format!(
        "{} at {} ({})",
        dt.date().strftime("%a %b %-d"),
        dt.time().strftime("%H:%M"),
        tz.iana_name().unwrap_or("UTC")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprint::calendar::weekdays;
    use jiff::civil::{date, time};

    fn london() -> Cadence {
        Cadence {
            anchor: date(2022, 10, 3),
            length_weeks: 2,
            tz: TimeZone::get("Europe/London").unwrap(),
            opens_at: time(9, 0, 0, 0),
            working_days: weekdays(),
        }
    }

    fn all_on() -> Reminders {
        Reminders {
            nudge_status: true,
            nudge_teams: true,
            ..Reminders::default()
        }
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn instants_follow_the_team_clock() {
        // Sprint of Nov 14 2022: opens Mon 09:00 GMT, the next opens Mon Nov 28.
        let c = london();
        let s = c.sprint(3);
        let got = all_on().instants(&c, &s);
        assert_eq!(
            got,
            vec![
                (Reminder::Review, at("2022-11-27T09:00:00Z")),
                (Reminder::NudgeStatus, at("2022-11-24T09:00:00Z")),
                (Reminder::NudgeTeams, at("2022-11-15T09:00:00Z")),
            ]
        );
        assert_eq!(
            all_on().next(&c, &s, at("2022-11-16T00:00:00Z")),
            Some(at("2022-11-24T09:00:00Z"))
        );
        assert_eq!(
            all_on().due(&c, &s, at("2022-11-24T09:00:00Z")),
            vec![Reminder::NudgeStatus, Reminder::NudgeTeams]
        );
        assert!(all_on().due(&c, &s, s.closes_at).is_empty());
    }

    #[test]
    fn a_review_across_the_october_clock_change_keeps_local_time() {
        // The Oct 17 sprint ends Mon Oct 31 09:00 GMT; BST ended Sun Oct 30.
        // 72 hours before, on the wall clock, is Fri Oct 28 09:00 BST.
        let c = london();
        let s = c.sprint(1);
        let r = Reminders {
            review_hours_before_end: 72,
            ..Reminders::default()
        };
        assert_eq!(
            r.instants(&c, &s),
            vec![(Reminder::Review, at("2022-10-28T08:00:00Z"))]
        );
        assert_eq!(
            local(&c.tz, at("2022-10-28T08:00:00Z")),
            "Fri Oct 28 at 09:00 (Europe/London)"
        );
    }

    #[test]
    fn reminders_stay_inside_their_sprint_and_can_be_switched_off() {
        let c = london();
        let s = c.sprint(3);
        let off = Reminders {
            review_hours_before_end: 0,
            ..Reminders::default()
        };
        assert!(off.instants(&c, &s).is_empty());
        let huge = Reminders {
            review_hours_before_end: 10_000,
            nudge_status: true,
            nudge_status_days_before_end: 40,
            nudge_teams: true,
            nudge_teams_hours_after_opening: 10_000,
        };
        // Clamped to the opening, or left out past the end.
        assert_eq!(
            huge.instants(&c, &s),
            vec![
                (Reminder::Review, s.opens_at),
                (Reminder::NudgeStatus, s.opens_at)
            ]
        );
    }

    #[test]
    fn markers_name_the_reminder_and_the_sprint() {
        let id = SprintId(date(2022, 11, 14));
        assert_eq!(
            Reminder::Review.marker(id),
            "<!-- sprintbot:timed review sprint=2022-11-14 -->"
        );
        assert_ne!(
            Reminder::NudgeStatus.marker(id),
            Reminder::NudgeTeams.marker(id)
        );
        assert_eq!(Reminder::NudgeTeams.step(), "timed:nudge-teams");
    }
}
