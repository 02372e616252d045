//! The `[reminders]` table of a repository config: the review comment
//! before each rollover and the two nudges, with their switches and
//! timings, each bad value reported at its place with a fix.

use serde::Deserialize;

use super::report::Report;
use crate::sprint::timed::Reminders;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawReminders {
    review_hours_before_end: i64,
    nudge_status: bool,
    nudge_status_days_before_end: i64,
    nudge_teams: bool,
    nudge_teams_hours_after_opening: i64,
}

impl Default for RawReminders {
    fn default() -> Self {
        let d = Reminders::default();
        RawReminders {
            review_hours_before_end: d.review_hours_before_end.into(),
            nudge_status: d.nudge_status,
            nudge_status_days_before_end: d.nudge_status_days_before_end.into(),
            nudge_teams: d.nudge_teams,
            nudge_teams_hours_after_opening: d.nudge_teams_hours_after_opening.into(),
        }
    }
}

/// `value` when it lies in `range`, else reported at `reminders.{key}`.
fn within(
    r: &mut Report<'_>,
    key: &str,
    value: i64,
    range: std::ops::RangeInclusive<i64>,
    help: &str,
) -> Option<u32> {
    if range.contains(&value) {
        return u32::try_from(value).ok();
    }
    r.key(
        &format!("reminders.{key}"),
        format!(
            "{key} must be from {} to {}, not {value}",
            range.start(),
            range.end()
        ),
        help,
    );
    None
}

/// The reminders, for sprints of `weeks` weeks (a timing must fall inside
/// a sprint).
pub(super) fn build(r: &mut Report<'_>, raw: &RawReminders, weeks: u8) -> Option<Reminders> {
    let hours = i64::from(weeks.max(1)) * 7 * 24;
    let review = within(
        r,
        "review_hours_before_end",
        raw.review_hours_before_end,
        0..=hours - 1,
        "set review_hours_before_end = 24 (0: no review comment); it must be shorter than a sprint",
    );
    let days = within(
        r,
        "nudge_status_days_before_end",
        raw.nudge_status_days_before_end,
        1..=hours / 24 - 1,
        "set nudge_status_days_before_end = 2: working days before the next opening",
    );
    let after = within(
        r,
        "nudge_teams_hours_after_opening",
        raw.nudge_teams_hours_after_opening,
        1..=hours - 1,
        "set nudge_teams_hours_after_opening = 24; it must be shorter than a sprint",
    );
    Some(Reminders {
        review_hours_before_end: review?,
        nudge_status: raw.nudge_status,
        nudge_status_days_before_end: days?,
        nudge_teams: raw.nudge_teams,
        nudge_teams_hours_after_opening: after?,
    })
}
