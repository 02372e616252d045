//! The calendar parts of a repository config: `[[cadence.exceptions]]`
//! (a sprint skipped or extended, named by its first day) and `[[leave]]`
//! (known time off), each bad value reported at its own place with a fix.
//! An exception must name the first day of a sprint of the calendar as the
//! exceptions before it leave it; that is checked once the cadence is known.

use jiff::civil::Date;

use super::Raw;
use super::report::Report;
use crate::sprint::calendar::Cadence;
use crate::sprint::exceptions::{Exception, MAX_EXTENSION_DAYS};
use crate::sprint::off::Off;
use crate::sprint::timeline::Calendar;
use crate::sprint::{Login, SprintId};

/// The exceptions as written, each with its index in the file.
pub(super) fn exceptions(r: &mut Report<'_>, raw: &Raw) -> Vec<(usize, Exception)> {
    let mut out: Vec<(usize, Exception)> = Vec::new();
    for (i, e) in raw.cadence.exceptions.iter().enumerate() {
        let at = |key: &str| format!("cadence.exceptions[{i}].{key}");
        let Some(sprint) = &e.sprint else {
            r.value(
                &format!("cadence.exceptions[{i}]"),
                "this exception names no sprint".into(),
                "add `sprint = \"YYYY-MM-DD\"`, the first day of the sprint it changes",
            );
            continue;
        };
        let Ok(day) = sprint.trim().parse::<Date>() else {
            r.key(
                &at("sprint"),
                format!("`{sprint}` is not a date"),
                "write the sprint's first day as YYYY-MM-DD, e.g. sprint = \"2026-12-21\"",
            );
            continue;
        };
        let id = SprintId(day);
        let exception = match (e.skip, e.extend_days) {
            (Some(true), None) => Exception::Skip(id),
            (Some(true), Some(_)) => {
                r.value(
                    &format!("cadence.exceptions[{i}]"),
                    "this exception both skips and extends its sprint".into(),
                    "keep `skip = true` (no issue opens for it) or `extend_days = N` (it runs N days longer), not both",
                );
                continue;
            }
            (_, Some(days)) => match u16::try_from(days)
                .ok()
                .filter(|d| (1..=MAX_EXTENSION_DAYS).contains(d))
            {
                Some(d) => Exception::Extend(id, d),
                None => {
                    r.key(
                        &at("extend_days"),
                        format!("a sprint cannot be extended by {days} days"),
                        &format!("use 1 to {MAX_EXTENSION_DAYS} days"),
                    );
                    continue;
                }
            },
            (_, None) => {
                r.value(
                    &format!("cadence.exceptions[{i}]"),
                    "this exception neither skips nor extends its sprint".into(),
                    "add `skip = true` (no issue opens for it) or `extend_days = 7` (it ends 7 days later, and later sprints start later)",
                );
                continue;
            }
        };
        if out.iter().any(|(_, o)| o.sprint() == id) {
            r.key(
                &at("sprint"),
                format!("the sprint of {id} has two exceptions"),
                "keep one [[cadence.exceptions]] entry per sprint",
            );
            continue;
        }
        out.push((i, exception));
    }
    out
}

/// Report the exceptions that name no sprint of `cadence`; returns those
/// that do.
pub(super) fn placed(
    r: &mut Report<'_>,
    cadence: &Cadence,
    written: &[(usize, Exception)],
    count_skipped: bool,
) -> Vec<Exception> {
    let all: Vec<Exception> = written.iter().map(|(_, e)| *e).collect();
    let (_, unplaced) = Calendar::new(cadence, &all, count_skipped);
    for u in &unplaced {
        let i = written
            .iter()
            .find(|(_, e)| e.sprint() == u.exception.sprint())
            .map_or(0, |(i, _)| *i);
        r.key(
            &format!("cadence.exceptions[{i}].sprint"),
            u.reason.clone(),
            "name the first day of the sprint, as its issue title shows it (extensions before it move it later)",
        );
    }
    all.into_iter()
        .filter(|e| !unplaced.iter().any(|u| u.exception.sprint() == e.sprint()))
        .collect()
}

/// The known time off.
pub(super) fn leave(r: &mut Report<'_>, raw: &Raw) -> Vec<Off> {
    let mut out = Vec::new();
    for (i, l) in raw.leave.iter().enumerate() {
        let at = |key: &str| format!("leave[{i}].{key}");
        let (Some(login), Some(from)) = (&l.login, &l.from) else {
            r.value(
                &format!("leave[{i}]"),
                "this leave lacks `login` or `from`".into(),
                "write login = \"octocat\", from = \"YYYY-MM-DD\" and, for more than a day, to = \"YYYY-MM-DD\" (included)",
            );
            continue;
        };
        let who = Login::parse(login.trim());
        if who.is_none() {
            r.key(
                &at("login"),
                format!("`{login}` is not a GitHub login"),
                "write logins like \"octocat\"",
            );
        }
        let date = |r: &mut Report<'_>, key: &str, s: &str| match s.trim().parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                r.key(
                    &at(key),
                    format!("`{s}` is not a date"),
                    "write dates as YYYY-MM-DD, e.g. \"2026-12-21\"",
                );
                None
            }
        };
        let start = date(r, "from", from);
        let end = match &l.to {
            Some(to) => date(r, "to", to),
            None => start,
        };
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            r.key(
                &at("to"),
                format!("the leave ends ({e}) before it starts ({s})"),
                "`to` is the last day away, on or after `from`",
            );
            continue;
        }
        if let (Some(login), Some(from), Some(to)) = (who, start, end) {
            out.push(Off { login, from, to });
        }
    }
    out
}
