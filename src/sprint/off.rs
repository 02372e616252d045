//! Time off: who is away when. Entries come from the repository config
//! (`[[leave]]`) and from `/off`, which writes them in the sprint issue's
//! "Off this sprint" section (bot-owned, between markers, one line each:
//! `- @ann 2026-11-18..2026-11-20`, dates inclusive). The hero rotation
//! skips people who are off, the retro does not ping them, and
//! [`is_off`] answers "is this login off during [from, to)" for anyone
//! else who needs it (nudges).

use jiff::ToSpan;
use jiff::civil::Date;

use super::Login;
use super::calendar::Sprint;
use super::markers::Section;

/// One person away from `from` to `to`, both days included.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Off {
    pub login: Login,
    pub from: Date,
    pub to: Date,
}

/// The heading the section is written under when sprintbot adds it.
pub const HEADING: &str = "### Off this sprint";

/// The longest time off one `/off` records, in days.
pub const MAX_DAYS: i64 = 92;

impl Off {
    /// Whether it overlaps the days [from, to).
    pub fn overlaps(&self, from: Date, to: Date) -> bool {
        self.from < to && from <= self.to
    }

    fn is(&self, login: &Login) -> bool {
        self.login.0.eq_ignore_ascii_case(&login.0)
    }

    /// Its line in the section (without a line ending).
    pub fn line(&self) -> String {
        if self.from == self.to {
            format!("- @{} {}", self.login, self.from)
        } else {
            format!("- @{} {}..{}", self.login, self.from, self.to)
        }
    }

    /// Read a section line: `- @login DATE` or `- @login DATE..DATE`, any
    /// words after it being a person's note. `None` for anything else.
    pub fn parse_line(line: &str) -> Option<Off> {
        let rest = line
            .trim()
            .strip_prefix("- ")
            .or_else(|| line.trim().strip_prefix("* "))?;
        let mut words = rest.split_whitespace();
        let login = Login::parse(words.next()?.strip_prefix('@')?)?;
        let (from, to) = parse_dates(words.next()?)?;
        Some(Off { login, from, to })
    }
}

/// `2026-11-18` or `2026-11-18..2026-11-20` (also with `–` or `/`), in order.
pub fn parse_dates(s: &str) -> Option<(Date, Date)> {
    let s = s.trim_end_matches([',', ';', ':']);
    let (a, b) = match s.split_once("..") {
        Some(pair) => pair,
        None => s.split_once('–').unwrap_or((s, s)),
    };
    let (from, to): (Date, Date) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (from <= to).then_some((from, to))
}

/// Whether `login` is off on any day of [from, to).
pub fn is_off(entries: &[Off], login: &Login, from: Date, to: Date) -> bool {
    entries.iter().any(|e| e.is(login) && e.overlaps(from, to))
}

/// Which days of a sprint an `/off` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Span {
    /// Week N of the current sprint (its last week runs to the sprint's end).
    Week(u8),
    /// The whole current sprint.
    All,
    /// These days, both included.
    Dates(Date, Date),
}

/// Why an `/off` names no days sprintbot can record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpanError {
    #[error("this sprint has {weeks} weeks, so it has no week {week}")]
    NoSuchWeek { week: u8, weeks: u8 },
    #[error("{from}..{to} is {days} days; record at most {max} at a time")]
    TooLong {
        from: Date,
        to: Date,
        days: i64,
        max: i64,
    },
    #[error("{to} is before this sprint started ({start}): there is nothing left to skip")]
    InThePast { to: Date, start: Date },
}

/// The days of week `week` (1-based) of `sprint`: [from, to), the last
/// week running to the sprint's end.
pub fn week_days(sprint: &Sprint, week: u8) -> (Date, Date) {
    let from = sprint
        .start
        .saturating_add((7 * i64::from(week.max(1) - 1)).days());
    let to = if week >= sprint.weeks {
        sprint.end.saturating_add(1.day())
    } else {
        from.saturating_add(7.days())
    };
    (from, to)
}

/// The days (both included) `span` names in `sprint`.
pub fn resolve(span: Span, sprint: &Sprint) -> Result<(Date, Date), SpanError> {
    let (from, to) = match span {
        Span::Week(w) if w == 0 || w > sprint.weeks => {
            return Err(SpanError::NoSuchWeek {
                week: w,
                weeks: sprint.weeks,
            });
        }
        Span::Week(w) => {
            let (from, to) = week_days(sprint, w);
            (from, to.saturating_sub(1.day()))
        }
        Span::All => (sprint.start, sprint.end),
        Span::Dates(from, to) => (from, to),
    };
    let days = (to - from).get_days() as i64 + 1;
    if days > MAX_DAYS {
        return Err(SpanError::TooLong {
            from,
            to,
            days,
            max: MAX_DAYS,
        });
    }
    if to < sprint.start {
        return Err(SpanError::InThePast {
            to,
            start: sprint.start,
        });
    }
    Ok((from, to))
}

/// The entries that still matter from `sprint` on (they end on or after
/// its first day): what a new sprint issue carries forward.
pub fn from_sprint_on<'a>(entries: &'a [Off], sprint: &Sprint) -> Vec<&'a Off> {
    entries.iter().filter(|e| e.to >= sprint.start).collect()
}

/// The section as sprintbot adds it to a body that lacks it: heading,
/// markers and `entries`' lines, each line ending in `eol`.
pub fn section(entries: &[Off], eol: &str) -> String {
    let mut s = format!("{HEADING}{eol}{eol}{}{eol}", Section::Off.start_marker());
    for e in entries {
        s.push_str(&e.line());
        s.push_str(eol);
    }
    s.push_str(&Section::Off.end_marker());
    s.push_str(eol);
    s
}

/// Every entry once, in date order.
pub fn merged(mut entries: Vec<Off>) -> Vec<Off> {
    entries.sort_by(|a, b| (a.from, a.to, &a.login.0).cmp(&(b.from, b.to, &b.login.0)));
    entries.dedup_by(|a, b| a.from == b.from && a.to == b.to && a.is(&b.login));
    entries
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprint::calendar::{Cadence, weekdays};
    use jiff::civil::{date, time};

    fn sprint() -> Sprint {
        Cadence {
            anchor: date(2026, 11, 16),
            length_weeks: 2,
            tz: jiff::tz::TimeZone::UTC,
            opens_at: time(9, 0, 0, 0),
            working_days: weekdays(),
        }
        .sprint(0)
    }

    fn ann(from: Date, to: Date) -> Off {
        Off {
            login: Login("ann".into()),
            from,
            to,
        }
    }

    #[test]
    fn weeks_and_the_whole_sprint_resolve_to_its_days() {
        let s = sprint();
        assert_eq!(
            resolve(Span::Week(1), &s),
            Ok((date(2026, 11, 16), date(2026, 11, 22)))
        );
        assert_eq!(
            resolve(Span::Week(2), &s),
            Ok((date(2026, 11, 23), date(2026, 11, 29)))
        );
        assert_eq!(
            resolve(Span::All, &s),
            Ok((date(2026, 11, 16), date(2026, 11, 29)))
        );
        assert_eq!(
            resolve(Span::Week(3), &s),
            Err(SpanError::NoSuchWeek { week: 3, weeks: 2 })
        );
        let past = resolve(Span::Dates(date(2026, 11, 2), date(2026, 11, 6)), &s);
        assert!(matches!(past, Err(SpanError::InThePast { .. })));
        let long = resolve(Span::Dates(date(2026, 11, 16), date(2027, 6, 1)), &s);
        assert!(matches!(long, Err(SpanError::TooLong { .. })));
    }

    #[test]
    fn lines_round_trip_and_keep_people_notes_out() {
        let e = ann(date(2026, 11, 18), date(2026, 11, 20));
        assert_eq!(e.line(), "- @ann 2026-11-18..2026-11-20");
        assert_eq!(Off::parse_line(&e.line()), Some(e.clone()));
        assert_eq!(
            Off::parse_line("- @ann 2026-11-18..2026-11-20 (dentist, then a long weekend)"),
            Some(e)
        );
        let one = ann(date(2026, 11, 18), date(2026, 11, 18));
        assert_eq!(Off::parse_line(&one.line()), Some(one));
        assert_eq!(Off::parse_line("- ann is away a lot"), None);
        assert_eq!(Off::parse_line("- @ann 2026-11-20..2026-11-18"), None);
    }

    #[test]
    fn is_off_looks_at_half_open_ranges_and_ignores_case() {
        let entries = vec![ann(date(2026, 11, 18), date(2026, 11, 20))];
        let who = Login("Ann".into());
        assert!(is_off(
            &entries,
            &who,
            date(2026, 11, 20),
            date(2026, 11, 21)
        ));
        assert!(!is_off(
            &entries,
            &who,
            date(2026, 11, 21),
            date(2026, 11, 28)
        ));
        assert!(!is_off(
            &entries,
            &who,
            date(2026, 11, 16),
            date(2026, 11, 18)
        ));
        assert!(!is_off(
            &entries,
            &Login("bob".into()),
            date(2026, 11, 1),
            date(2026, 12, 1)
        ));
    }

    #[test]
    fn the_section_reads_back_as_a_section() {
        let text = section(&[ann(date(2026, 11, 18), date(2026, 11, 20))], "\n");
        assert_eq!(
            text,
            "### Off this sprint\n\n<!-- sprintbot:off:start -->\n- @ann 2026-11-18..2026-11-20\n<!-- sprintbot:off:end -->\n"
        );
    }
}
