//! What a valid config means on a given day. `check-config` (for today) and
//! `preview` (for the day shown) both call [`on_day`], so they can never
//! disagree about a file. The one thing that depends on the day is an
//! anchor still to come: no sprint opens before it.

use jiff::Timestamp;
use jiff::civil::Date;

use super::RepoConfig;
use crate::config::diag::{Diagnostic, Severity};
use crate::config::schema::Spans;
use crate::sprint::render;

/// The day a config is checked for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Day {
    /// A given date (`--today`, `preview --date`).
    On(Date),
    /// The date it is at this instant in the cadence's time zone.
    At(Timestamp),
}

impl Day {
    pub fn date(self, config: &RepoConfig) -> Date {
        match self {
            Day::On(d) => d,
            Day::At(t) => config.cadence.tz.to_datetime(t).date(),
        }
    }
}

/// Warnings and notes about `config` on `day`; never errors, since a file
/// that is valid today stays valid tomorrow.
pub(super) fn on_day(
    file: &str,
    source: &str,
    spans: &Spans,
    config: &RepoConfig,
    day: Date,
) -> Vec<Diagnostic> {
    let anchor = config.cadence.anchor;
    if day >= anchor {
        return Vec::new();
    }
    let at = |message: String| match spans.key("cadence.anchor") {
        Some(span) => Diagnostic::at_span(file, source, span, message),
        None => Diagnostic::whole_file(file, message),
    };
    let calendar = config.config_calendar();
    let first = calendar.first();
    let title = calendar
        .label(&config.numbering, &first)
        .ok()
        .and_then(|label| render::title(&config.templates, &first, &label).ok())
        .unwrap_or_else(|| format!("sprint {anchor}"));
    let tz = &config.cadence.tz;
    let opens = tz.to_datetime(first.opens_at);
    vec![
        at(format!(
            "the cadence anchor {anchor} is after {day}: no sprint opens before {anchor}"
        ))
        .with_severity(Severity::Warning)
        .with_help(
            "to start sooner, set `anchor` to the first day of a sprint that has already begun (sprints are numbered from it)",
        ),
        at(format!(
            "the first sprint issue, \"{title}\", opens on {} at {} ({})",
            opens.date(),
            opens.time().strftime("%H:%M"),
            tz.iana_name().unwrap_or("UTC"),
        ))
        .with_severity(Severity::Note),
    ]
}
