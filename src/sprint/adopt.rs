//! Taking over a sprint issue people wrote by hand (`/sprint adopt`), as
//! a pure function: find the sprint's sections by their headings, as the
//! hand-run example wrote them, and insert sprintbot's hidden markers around
//! each section's items and its metadata line at the top. Nothing else
//! changes: take the inserted marker lines out again and the body is the
//! one people wrote, byte for byte (line endings included). An issue that
//! lacks a section, has one twice, or already carries sprintbot's markers is
//! refused with every problem named.

use std::ops::Range;

use super::body::SprintDoc;
use super::items;
use super::markers::{Metadata, Section};

/// Why an issue cannot be adopted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdoptError {
    #[error("it lacks {}", quoted(.0))]
    Missing(Vec<&'static str>),
    #[error("{} appear(s) more than once", quoted(.0))]
    Twice(Vec<&'static str>),
    #[error(
        "it already carries sprintbot's hidden markers (`<!-- sprintbot:... -->`, copied from another sprint issue?)"
    )]
    HasMarkers,
    #[error("the markers would not read back: {0}")]
    Unreadable(String),
}

fn quoted(names: &[&str]) -> String {
    let q: Vec<String> = names
        .iter()
        .map(|n| format!("the heading \"{n}\""))
        .collect();
    q.join(", ")
}

/// Each managed section's heading as the default template (and the
/// hand-run example) writes it, and how a hand-written heading is matched
/// (lower case, without `#`, emphasis and a trailing colon).
pub const HEADINGS: [(Section, &str); 5] = [
    (Section::Risks, "3 things that might take us down"),
    (
        Section::RetroGoals,
        "Retro: Status of Outcomes from Previous Sprint",
    ),
    (Section::Retro, "Retro: What can we do better next sprint?"),
    (Section::Heroes, "Support hero this sprint"),
    (Section::Goals, "Plan: Proposed Goals for Next Sprint"),
];

/// Other headings of the example that end a section.
const OTHER_HEADINGS: [&str; 2] = ["global sprint planning", "team sprint planning"];

/// A line's words in lower case, without heading marks, emphasis and a
/// trailing colon: `### **Support hero this sprint:**` → `support hero this sprint`.
fn normalised(line: &str) -> String {
    let t = line.trim().trim_start_matches('#').trim();
    let t = t.trim_matches(|c| c == '*' || c == '_').trim();
    let t = t.trim_end_matches(':').trim();
    t.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The managed section a line heads, if it is one of their headings.
fn section_of(line: &str) -> Option<Section> {
    let n = normalised(line);
    let is = |s: Section| match s {
        Section::Risks => n.ends_with("things that might take us down"),
        Section::RetroGoals => n.contains("status of outcomes from previous sprint"),
        Section::Retro => n.contains("what can we do better next sprint"),
        Section::Heroes => n.starts_with("support hero"),
        Section::Goals => n.contains("proposed goals for next sprint"),
        // Optional: sprintbot adds it the first time someone is off.
        Section::Off | Section::Notes => false,
    };
    // A list item that mentions a heading's words is not a heading.
    if items::list_item(line.trim_start()).is_some() || n.chars().count() > 60 {
        return None;
    }
    HEADINGS.iter().map(|(s, _)| *s).find(|s| is(*s))
}

/// A line that ends a section: any markdown heading, or a heading of the example.
fn ends_section(line: &str) -> bool {
    let t = line.trim_start();
    let atx = t.starts_with('#') && t.trim_start_matches('#').starts_with([' ', '\t']);
    atx || section_of(line).is_some() || OTHER_HEADINGS.contains(&normalised(line).as_str())
}

/// One line of the body: its text (without line ending) and byte range
/// (with it).
struct Line<'a> {
    text: &'a str,
    range: Range<usize>,
}

fn lines(body: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in body.split_inclusive('\n') {
        out.push(Line {
            text: items::text(raw),
            range: offset..offset + raw.len(),
        });
        offset += raw.len();
    }
    out
}

/// Where a section's markers go: before its first item (or, with no
/// list, its first non-blank line) and after its last non-blank line, so
/// an introduction above the list stays outside and items sprintbot adds
/// join the list people wrote. An empty section gets both right after its
/// heading.
fn marker_places(all: &[Line<'_>], heading: usize, end: usize) -> (usize, usize) {
    let body = &all[heading + 1..end];
    let after_heading = all[heading].range.end;
    let first_item = body
        .iter()
        .position(|l| items::list_item(l.text).is_some() || items::task(l.text).is_some());
    let first_text = body.iter().position(|l| !l.text.trim().is_empty());
    let last_text = body.iter().rposition(|l| !l.text.trim().is_empty());
    match (first_item.or(first_text), last_text) {
        (Some(first), Some(last)) => (body[first].range.start, body[last].range.end),
        _ => (after_heading, after_heading),
    }
}

/// The body with sprintbot's markers inserted for `meta`, or every reason
/// it cannot be adopted.
pub fn adopt(body: &str, meta: &Metadata) -> Result<String, AdoptError> {
    let all = lines(body);
    if all
        .iter()
        .any(|l| l.text.trim_start().starts_with("<!-- sprintbot:"))
    {
        return Err(AdoptError::HasMarkers);
    }
    let mut fenced = false;
    let mut heads: Vec<(Section, usize)> = Vec::new();
    let mut ends: Vec<usize> = Vec::new();
    for (i, l) in all.iter().enumerate() {
        let t = l.text.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if let Some(s) = section_of(l.text) {
            heads.push((s, i));
        }
        if ends_section(l.text) {
            ends.push(i);
        }
    }
    let count = |s: Section| heads.iter().filter(|(h, _)| *h == s).count();
    let named = |pick: &dyn Fn(usize) -> bool| -> Vec<&'static str> {
        HEADINGS
            .iter()
            .filter(|(s, _)| pick(count(*s)))
            .map(|(_, name)| *name)
            .collect()
    };
    let missing = named(&|n| n == 0);
    if !missing.is_empty() {
        return Err(AdoptError::Missing(missing));
    }
    let twice = named(&|n| n > 1);
    if !twice.is_empty() {
        return Err(AdoptError::Twice(twice));
    }
    let eol = if body.contains("\r\n") { "\r\n" } else { "\n" };
    // (offset, text) to insert; at one offset, in the order pushed.
    let mut inserts: Vec<(usize, String)> = vec![(0, format!("{}{eol}", meta.render()))];
    for (section, at) in &heads {
        let end = ends.iter().copied().find(|e| e > at).unwrap_or(all.len());
        let (start, stop) = marker_places(&all, *at, end);
        // A body whose last line has no line ending gets one before a marker.
        let glue = if stop > 0 && !body[..stop].ends_with('\n') {
            eol
        } else {
            ""
        };
        inserts.push((start, format!("{}{eol}", section.start_marker())));
        inserts.push((stop, format!("{glue}{}{eol}", section.end_marker())));
    }
    inserts.sort_by_key(|(at, _)| *at);
    let mut out = String::with_capacity(body.len() + 512);
    let mut from = 0;
    for (at, text) in inserts {
        out.push_str(&body[from..at]);
        out.push_str(&text);
        from = at;
    }
    out.push_str(&body[from..]);
    let doc = SprintDoc::parse(&out).map_err(|e| AdoptError::Unreadable(e.to_string()))?;
    if doc.metadata().is_none() || !Section::ALL.iter().all(|s| doc.has_section(*s)) {
        return Err(AdoptError::Unreadable("a marker is missing".into()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
