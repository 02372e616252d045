//! Cadence exceptions: a sprint that is skipped (an offsite, the holidays:
//! no issue opens for it), a sprint that is extended (it ends later, and
//! every later sprint starts later by as much) and a sprint that is
//! shortened (an adopted issue's title ends it earlier than the cadence,
//! and every later sprint starts earlier by as much). They come from the
//! repository config, from `/sprint skip next` and `/sprint extend` on a
//! sprint issue, or from adopting an issue whose title's dates differ from
//! the cadence's, each recorded in the hidden calendar marker.
//! Each new sprint issue carries the marker forward, so the newest issue
//! alone tells the calendar: GitHub stays the source of truth. This module
//! owns the exception types and that marker; `timeline` applies them.

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;

use super::SprintId;
use super::markers::Metadata;

/// The most days one sprint may be extended by, in all.
pub const MAX_EXTENSION_DAYS: u16 = 28;

/// One change to the cadence, naming a sprint by its first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exception {
    /// No issue opens for this sprint; the one before stays current.
    Skip(SprintId),
    /// This sprint ends `days` later, and every later sprint starts later.
    Extend(SprintId, u16),
    /// This sprint ends `days` earlier, and every later sprint starts
    /// earlier (only adoption records it, from an issue title's dates).
    Shorten(SprintId, u16),
}

impl Exception {
    pub fn sprint(self) -> SprintId {
        match self {
            Exception::Skip(s) | Exception::Extend(s, _) | Exception::Shorten(s, _) => s,
        }
    }
}

/// The exceptions commands recorded, as the calendar marker carries them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    pub skips: BTreeSet<SprintId>,
    /// Days each extended sprint runs longer.
    pub extensions: BTreeMap<SprintId, u16>,
    /// Days each shortened sprint runs shorter.
    pub shortenings: BTreeMap<SprintId, u16>,
}

const MARKER_PREFIX: &str = "<!-- sprintbot:calendar ";

impl Recorded {
    pub fn is_empty(&self) -> bool {
        self.skips.is_empty() && self.extensions.is_empty() && self.shortenings.is_empty()
    }

    /// Every recorded exception, in date order.
    pub fn exceptions(&self) -> Vec<Exception> {
        let mut out: Vec<Exception> = self.skips.iter().map(|s| Exception::Skip(*s)).collect();
        out.extend(
            self.extensions
                .iter()
                .map(|(s, d)| Exception::Extend(*s, *d)),
        );
        out.extend(
            self.shortenings
                .iter()
                .map(|(s, d)| Exception::Shorten(*s, *d)),
        );
        out.sort_by_key(|e| e.sprint());
        out
    }

    /// These exceptions and `e`: an extension adds to any earlier one of
    /// the same sprint.
    pub fn with(&self, e: Exception) -> Recorded {
        let mut next = self.clone();
        match e {
            Exception::Skip(s) => {
                next.skips.insert(s);
            }
            Exception::Extend(s, days) => {
                let total = next.extensions.entry(s).or_insert(0);
                *total = total.saturating_add(days);
            }
            Exception::Shorten(s, days) => {
                let total = next.shortenings.entry(s).or_insert(0);
                *total = total.saturating_add(days);
            }
        }
        next
    }

    /// `skip=2026-12-21,2027-08-02 extend=2026-11-30+7 shorten=2027-01-11+3`;
    /// empty when there is nothing to say.
    pub fn fields(&self) -> String {
        let mut parts = Vec::new();
        if !self.skips.is_empty() {
            let list: Vec<String> = self.skips.iter().map(|s| s.to_string()).collect();
            parts.push(format!("skip={}", list.join(",")));
        }
        for (key, days) in [("extend", &self.extensions), ("shorten", &self.shortenings)] {
            if !days.is_empty() {
                let list: Vec<String> = days.iter().map(|(s, d)| format!("{s}+{d}")).collect();
                parts.push(format!("{key}={}", list.join(",")));
            }
        }
        parts.join(" ")
    }

    /// Read [`Recorded::fields`] back; `None` when a field is damaged.
    pub fn parse_fields(s: &str) -> Option<Recorded> {
        let mut r = Recorded::default();
        for field in s.split_whitespace() {
            let (key, value) = field.split_once('=')?;
            for item in value.split(',').filter(|v| !v.is_empty()) {
                match key {
                    "skip" => {
                        r.skips.insert(SprintId(item.parse::<Date>().ok()?));
                    }
                    "extend" | "shorten" => {
                        let (date, days) = item.split_once('+')?;
                        let days: u16 = days.parse().ok()?;
                        let sprint = SprintId(date.parse().ok()?);
                        if key == "extend" {
                            r.extensions.insert(sprint, days.min(MAX_EXTENSION_DAYS));
                        } else {
                            // The calendar refuses a shortening that would
                            // leave its sprint no day.
                            r.shortenings.insert(sprint, days);
                        }
                    }
                    _ => {}
                }
            }
        }
        Some(r)
    }

    /// The hidden marker line, or `None` when nothing is recorded.
    pub fn marker(&self) -> Option<String> {
        (!self.is_empty()).then(|| format!("{MARKER_PREFIX}{} -->", self.fields()))
    }

    /// Whether a (trimmed) line is meant as a calendar marker.
    pub fn is_marker_line(line: &str) -> bool {
        line.starts_with(MARKER_PREFIX) && line.ends_with("-->")
    }

    /// What a body's calendar marker records (nothing when it has none, or
    /// when the marker is damaged: the config's exceptions still hold).
    pub fn from_body(body: &str) -> Recorded {
        body.lines()
            .map(str::trim)
            .find(|l| Recorded::is_marker_line(l))
            .and_then(|l| l.strip_prefix(MARKER_PREFIX)?.strip_suffix("-->"))
            .and_then(Recorded::parse_fields)
            .unwrap_or_default()
    }

    /// `body` with its calendar marker saying `self`: the existing marker
    /// line replaced, or a new one put right after the metadata marker.
    /// Nothing else moves.
    pub fn write_into(&self, body: &str) -> String {
        let marker = self.marker();
        let mut out = String::with_capacity(body.len() + 80);
        let mut placed = false;
        for line in body.split_inclusive('\n') {
            let text = line.trim_end_matches(['\n', '\r']);
            let eol = &line[text.len()..];
            if Recorded::is_marker_line(text.trim()) {
                if let (Some(m), false) = (&marker, placed) {
                    out.push_str(m);
                    out.push_str(eol);
                    placed = true;
                }
                continue;
            }
            out.push_str(line);
            if !placed
                && Metadata::is_marker_line(text.trim())
                && let Some(m) = &marker
            {
                let eol = if eol.is_empty() { "\n" } else { eol };
                if line.ends_with('\n') {
                    out.push_str(m);
                    out.push_str(eol);
                } else {
                    out.push_str(eol);
                    out.push_str(m);
                }
                placed = true;
            }
        }
        if !placed && let Some(m) = marker {
            out = format!("{m}\n{out}");
        }
        out
    }
}

/// What the store notes about a repository's current sprint, so the
/// scheduler knows the calendar without asking GitHub: the sprint's id,
/// then the calendar fields its issue records (`2026-11-30 extend=2026-11-30+7`).
pub fn note(sprint: SprintId, recorded: &Recorded) -> String {
    let fields = recorded.fields();
    if fields.is_empty() {
        sprint.to_string()
    } else {
        format!("{sprint} {fields}")
    }
}

/// Read a [`note`] back: the sprint and what it records (`None` for a note
/// that is not one).
pub fn parse_note(note: &str) -> Option<(SprintId, Recorded)> {
    let (id, rest) = note.split_once(' ').unwrap_or((note, ""));
    let sprint = SprintId(id.trim().parse().ok()?);
    Some((sprint, Recorded::parse_fields(rest).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn id(y: i16, m: i8, d: i8) -> SprintId {
        SprintId(date(y, m, d))
    }

    #[test]
    fn the_marker_round_trips_and_extensions_add_up() {
        let r = Recorded::default()
            .with(Exception::Skip(id(2026, 12, 21)))
            .with(Exception::Extend(id(2026, 11, 30), 3))
            .with(Exception::Extend(id(2026, 11, 30), 4));
        let m = r.marker().unwrap();
        assert_eq!(
            m,
            "<!-- sprintbot:calendar skip=2026-12-21 extend=2026-11-30+7 -->"
        );
        assert_eq!(Recorded::from_body(&format!("x\n{m}\ny")), r);
        assert_eq!(Recorded::default().marker(), None);
        assert_eq!(
            r.exceptions(),
            vec![
                Exception::Extend(id(2026, 11, 30), 7),
                Exception::Skip(id(2026, 12, 21))
            ]
        );
    }

    #[test]
    fn a_shortening_round_trips_beside_the_others() {
        let r = Recorded::default()
            .with(Exception::Extend(id(2026, 11, 30), 2))
            .with(Exception::Shorten(id(2027, 1, 11), 3))
            .with(Exception::Shorten(id(2027, 1, 11), 1));
        let m = r.marker().unwrap();
        assert_eq!(
            m,
            "<!-- sprintbot:calendar extend=2026-11-30+2 shorten=2027-01-11+4 -->"
        );
        assert_eq!(Recorded::from_body(&m), r);
        assert_eq!(
            r.exceptions(),
            vec![
                Exception::Extend(id(2026, 11, 30), 2),
                Exception::Shorten(id(2027, 1, 11), 4)
            ]
        );
    }

    #[test]
    fn a_damaged_marker_records_nothing() {
        let body = "<!-- sprintbot:calendar skip=2026-13-45 -->\n";
        assert!(Recorded::from_body(body).is_empty());
    }

    #[test]
    fn the_marker_goes_after_the_metadata_and_is_replaced_in_place() {
        let body =
            "<!-- sprintbot:sprint id=2026-11-30 version=1.0.0 part=1/2 -->\n## Plan\nmine\n";
        let r = Recorded::default().with(Exception::Skip(id(2026, 12, 14)));
        let once = r.write_into(body);
        assert_eq!(
            once,
            "<!-- sprintbot:sprint id=2026-11-30 version=1.0.0 part=1/2 -->\n<!-- sprintbot:calendar skip=2026-12-14 -->\n## Plan\nmine\n"
        );
        let twice = r
            .with(Exception::Extend(id(2026, 11, 30), 2))
            .write_into(&once);
        assert!(twice.contains("skip=2026-12-14 extend=2026-11-30+2 -->\n## Plan\nmine\n"));
        assert_eq!(twice.matches("sprintbot:calendar").count(), 1);
        // Nothing recorded: the body stays as it was.
        assert_eq!(Recorded::default().write_into(body), body);
    }

    #[test]
    fn notes_carry_the_sprint_and_its_calendar() {
        let r = Recorded::default().with(Exception::Extend(id(2026, 11, 30), 7));
        let n = note(id(2026, 11, 30), &r);
        assert_eq!(n, "2026-11-30 extend=2026-11-30+7");
        assert_eq!(parse_note(&n), Some((id(2026, 11, 30), r)));
        assert_eq!(
            parse_note("2026-11-30"),
            Some((id(2026, 11, 30), Recorded::default()))
        );
        assert_eq!(parse_note("garbage"), None);
    }
}
