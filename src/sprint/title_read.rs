//! A sprint title as people wrote it, read into dates (the reading
//! reference, §2): an optional `-` or `Planning` after "Sprint", an
//! optional version and half (`3.8.0 1/2 -`), two dates joined by `to` or
//! `-` (month first or day first, full, short or four-letter month names,
//! ordinals, or numeric `M-D`), and an optional year at the end, which is
//! the end's. Without a year, the start takes the year that puts it
//! nearest the creation, and the end is the first such date on or
//! after the start (so `Dec 27 - Jan 7` ends in the next year). The
//! template's placeholder (`Sprint 1.n.0 m/2 - Jan 1 to Jan 12`) is
//! recognised as such, never dated. Also when the next sprint starts after
//! a sprint that ended on a given day (§2.3). Pure.

use jiff::civil::{Date, Weekday};

/// What a title says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TitleRead {
    Dated(TitleDates),
    /// The template's title, unedited: letters where numbers belong.
    Placeholder,
    /// Not a dated sprint title.
    NotDated,
}

/// The dates (and version, when written) of a dated title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TitleDates {
    /// `(major, minor, patch)` as written.
    pub version: Option<(u64, u64, u64)>,
    /// `(part, parts)`, as in `1/2`.
    pub part: Option<(u32, u32)>,
    pub start: Date,
    /// The last day as written (a Monday end is exclusive: see [`next_start`]).
    pub end: Date,
}

/// Read `title`, written on an issue created on `created`.
pub fn read_title(title: &str, created: Date) -> TitleRead {
    let t = title.trim();
    let Some(rest) = strip_prefix_ci(t, "sprint") else {
        return TitleRead::NotDated;
    };
    let mut rest = rest.trim_start();
    for p in ["planning", "-"] {
        if let Some(r) = strip_prefix_ci(rest, p) {
            rest = r.trim_start();
        }
    }
    let (version, part, rest) = match version_and_part(rest) {
        Ok(v) => v,
        Err(Placeholder) => return TitleRead::Placeholder,
    };
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('-').unwrap_or(rest).trim();
    match dates(rest, created) {
        Some((start, end)) => TitleRead::Dated(TitleDates {
            version,
            part,
            start,
            end,
        }),
        None => TitleRead::NotDated,
    }
}

/// The first day of the sprint after one that ended on `end`: the first
/// Monday after a Friday, Saturday or Sunday (or any other weekday) end,
/// or the end day itself when it is a Monday (a Monday end is exclusive).
pub fn next_start(end: Date) -> Date {
    if end.weekday() == Weekday::Monday {
        return end;
    }
    let mut d = end;
    loop {
        d = d.tomorrow().unwrap_or(d);
        if d.weekday() == Weekday::Monday || d == end {
            return d;
        }
    }
}

fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let head = s.get(..p.len())?;
    head.eq_ignore_ascii_case(p).then(|| &s[p.len()..])
}

/// The marker of the template's placeholder title.
struct Placeholder;

/// A title's version and half, when written.
type Version = Option<(u64, u64, u64)>;
type Part = Option<(u32, u32)>;

/// A leading `N.N.N P/Q` (either may be missing); letters in either mean
/// the template's placeholder.
fn version_and_part(s: &str) -> Result<(Version, Part, &str), Placeholder> {
    let mut out: (Version, Part) = (None, None);
    let mut rest = s;
    let word = |r: &str| r.split_whitespace().next().unwrap_or("").to_string();
    let w = word(rest);
    let pieces: Vec<&str> = w.split('.').collect();
    if pieces.len() == 3 {
        let nums: Vec<Option<u64>> = pieces.iter().map(|p| p.parse().ok()).collect();
        match nums[..] {
            [Some(a), Some(b), Some(c)] => out.0 = Some((a, b, c)),
            _ => return Err(Placeholder),
        }
        rest = rest.trim_start()[w.len()..].trim_start();
    }
    let w = word(rest);
    if let Some((p, q)) = w.split_once('/')
        && !p.is_empty()
        && !q.is_empty()
    {
        match (p.parse(), q.parse()) {
            (Ok(p), Ok(q)) => out.1 = Some((p, q)),
            _ => return Err(Placeholder),
        }
        rest = rest.trim_start()[w.len()..].trim_start();
    }
    Ok((out.0, out.1, rest))
}

/// A month from its name: full, three or four letters (`Sept`), any case.
fn month(w: &str) -> Option<i8> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = w.trim_end_matches('.').to_lowercase();
    if w.len() < 3 {
        return None;
    }
    let at = NAMES
        .iter()
        .position(|n| *n == w || (n.starts_with(&w) && (w.len() == 3 || w == "sept")))?;
    i8::try_from(at + 1).ok()
}

/// A day of the month, with an optional ordinal suffix.
fn day(w: &str) -> Option<i8> {
    let w = w.to_lowercase();
    let digits = ["st", "nd", "rd", "th"]
        .iter()
        .find_map(|s| w.strip_suffix(s))
        .unwrap_or(&w);
    let d: i8 = digits.parse().ok()?;
    (1..=31).contains(&d).then_some(d)
}

/// `(month, day)` from one written date: `Feb 1`, `1 Feb`, `1st Feb`,
/// `February 1st`, or `2-1`.
fn month_day(s: &str) -> Option<(i8, i8)> {
    let words: Vec<&str> = s.split_whitespace().collect();
    match words[..] {
        [a, b] => month(a)
            .zip(day(b))
            .or_else(|| day(a).zip(month(b)).map(|(d, m)| (m, d))),
        [one] => {
            let (m, d) = one.split_once('-')?;
            let m: i8 = m.parse().ok()?;
            ((1..=12).contains(&m)).then_some(())?;
            Some((m, day(d)?))
        }
        _ => None,
    }
}

/// The two dates of `s` (`A to B` or `A - B`, then an optional year).
fn dates(s: &str, created: Date) -> Option<(Date, Date)> {
    let (s, year) = match s.rsplit_once(',') {
        Some((head, y)) if y.trim().len() == 4 => (head, Some(y.trim().parse::<i16>().ok()?)),
        _ => (s, None),
    };
    let lower = s.to_lowercase();
    let (a, b) = match lower.find(" to ") {
        Some(at) => (&s[..at], &s[at + 4..]),
        None => s.split_once(" - ")?,
    };
    let (sm, sd) = month_day(a.trim())?;
    let (em, ed) = month_day(b.trim())?;
    let start = match year {
        Some(y) => {
            let end = Date::new(y, em, ed).ok()?;
            let start = Date::new(y, sm, sd).ok()?;
            if start > end {
                Date::new(y - 1, sm, sd).ok()?
            } else {
                start
            }
        }
        None => [-1i16, 0, 1]
            .iter()
            .filter_map(|off| Date::new(created.year() + off, sm, sd).ok())
            .min_by_key(|d| {
                created
                    .since(*d)
                    .map_or(i32::MAX, |span| span.get_days().saturating_abs())
            })?,
    };
    let end = [0i16, 1]
        .iter()
        .filter_map(|off| Date::new(start.year() + off, em, ed).ok())
        .find(|d| *d >= start)?;
    Some((start, end))
}

#[cfg(test)]
#[path = "title_read_tests.rs"]
mod tests;
