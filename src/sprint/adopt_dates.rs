//! Which sprint an adopted issue is, by the dates in its title (the
//! reading reference, §2.3): the sprint starts on the title's first day
//! and ends when the title says, and the next one starts on the first
//! Monday after a Friday, Saturday or Sunday end (a Monday end is
//! exclusive), whatever the adopted sprint's length. The difference from
//! the cadence is recorded as calendar exceptions, as `/sprint extend`
//! records one: a start later than the cadence's extends the sprint before
//! it, an end later than the cadence's extends the adopted sprint, an end
//! earlier than the cadence's shortens it. The
//! numbering still comes from the config (a title's version is not used).
//! Pure.

use jiff::ToSpan;
use jiff::civil::Date;

use super::SprintId;
use super::calendar::Sprint;
use super::exceptions::{Exception, MAX_EXTENSION_DAYS, Recorded};
use super::title_read::{TitleDates, TitleRead, next_start, read_title};
use crate::config::repo::RepoConfig;

/// The adopted sprint, placed on the calendar.
#[derive(Debug, Clone, PartialEq)]
pub struct Dated {
    /// What the title says.
    pub title: TitleDates,
    /// The sprint on the calendar with `recorded` applied: it starts on the
    /// title's first day and the next starts on `next`.
    pub sprint: Sprint,
    /// The first day of the sprint after it.
    pub next: Date,
    /// The exceptions the adopted issue records (its calendar marker).
    pub recorded: Recorded,
}

/// Why a title's dates cannot be adopted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatesError {
    /// The template's placeholder title.
    Placeholder,
    /// Not a dated sprint title.
    NotDated,
    /// The title's dates do not fit the cadence; the reason says how.
    Unfit(String),
}

/// The sprint `title` (on an issue created on `created`) names, on the
/// calendar of `config` with the exceptions `before` already records.
pub fn dated(
    title: &str,
    created: Date,
    config: &RepoConfig,
    before: &Recorded,
) -> Result<Dated, DatesError> {
    let t = match read_title(title, created) {
        TitleRead::Dated(t) => t,
        TitleRead::Placeholder => return Err(DatesError::Placeholder),
        TitleRead::NotDated => return Err(DatesError::NotDated),
    };
    let next = next_start(t.end);
    let unfit = |why: String| Err(DatesError::Unfit(why));
    if next <= t.start {
        return unfit(format!(
            "its title's sprint ends ({}) before it starts ({})",
            t.end, t.start
        ));
    }
    let anchor = config.cadence.anchor;
    if t.start < anchor {
        return unfit(format!(
            "its title's sprint starts on {}, before the cadence anchor {anchor} of .github/sprintbot.toml: move the anchor to a sprint's first day on or before it",
            t.start
        ));
    }
    let mut recorded = before.clone();
    // A start later than the cadence's: the sprint before it ran longer.
    let calendar = config.calendar(&recorded);
    let around = calendar.containing(t.start);
    if around.start != t.start {
        let late = (t.start - around.start).get_days();
        if around.index < 1 {
            return unfit(format!(
                "its title's sprint starts on {}, not on a sprint's first day by the cadence ({} is one): move the cadence anchor of .github/sprintbot.toml to {}",
                t.start, around.start, t.start
            ));
        }
        let before_it = calendar.sprint(around.index - 1);
        recorded = with_extension(&recorded, before_it.id, late)?;
    }
    // An end later than the cadence's: the adopted sprint runs longer.
    let placed = config.calendar(&recorded).containing(t.start);
    let natural_next = placed.end.saturating_add(1.day());
    let longer = (next - natural_next).get_days();
    if longer > 0 {
        recorded = with_extension(&recorded, SprintId(t.start), longer)?;
    } else if longer < 0 {
        // An end earlier than the cadence's: the adopted sprint is shorter.
        let days = u16::try_from(-longer).unwrap_or(u16::MAX);
        recorded = recorded.with(Exception::Shorten(SprintId(t.start), days));
    }
    let sprint = config.calendar(&recorded).containing(t.start);
    debug_assert_eq!(
        (sprint.start, sprint.end.saturating_add(1.day())),
        (t.start, next)
    );
    Ok(Dated {
        title: t,
        sprint,
        next,
        recorded,
    })
}

fn with_extension(r: &Recorded, sprint: SprintId, days: i32) -> Result<Recorded, DatesError> {
    let already = r.extensions.get(&sprint).copied().unwrap_or(0);
    match u16::try_from(days) {
        Ok(d) if already.saturating_add(d) <= MAX_EXTENSION_DAYS => {
            Ok(r.with(Exception::Extend(sprint, d)))
        }
        _ => Err(DatesError::Unfit(format!(
            "its title's dates would extend the sprint of {sprint} by {days} days, more than the {MAX_EXTENSION_DAYS} a sprint may be extended by"
        ))),
    }
}

/// Another open issue whose title is a dated sprint title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Other {
    pub number: u64,
    pub title: String,
    pub start: Date,
    pub end: Date,
}

/// Among hand-written sprint issues, which is current is told by the
/// dates in their titles, never by open state (§2.3): `Err(newer)` when
/// another open issue's sprint started after `adopted`'s and by `today`
/// (that one is current), otherwise the open ones whose sprints started
/// before it (older: offered for closing), oldest first. Issues for
/// sprints that have not started are neither.
pub fn older_open(
    adopted: &TitleDates,
    today: Date,
    others: &[(u64, String, Date)],
) -> Result<Vec<Other>, Other> {
    let mut older = Vec::new();
    let mut newer: Option<Other> = None;
    for (number, title, created) in others {
        let TitleRead::Dated(t) = read_title(title, *created) else {
            continue;
        };
        let other = Other {
            number: *number,
            title: title.clone(),
            start: t.start,
            end: t.end,
        };
        if t.start < adopted.start {
            older.push(other);
        } else if t.start > adopted.start
            && t.start <= today
            && newer.as_ref().is_none_or(|n| t.start > n.start)
        {
            newer = Some(other);
        }
    }
    if let Some(n) = newer {
        return Err(n);
    }
    older.sort_by_key(|o| (o.start, o.number));
    Ok(older)
}

#[cfg(test)]
#[path = "adopt_dates_tests.rs"]
mod tests;
