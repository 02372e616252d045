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
use super::layout::{Layout, Preset};
use super::markers::{Metadata, Section};

/// Why an issue cannot be adopted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdoptError {
    #[error("it lacks {}", quoted(.0))]
    Missing(Vec<String>),
    #[error("{} appear(s) more than once", quoted(.0))]
    Twice(Vec<String>),
    #[error(
        "it already carries sprintbot's hidden markers (`<!-- sprintbot:... -->`, copied from another sprint issue?)"
    )]
    HasMarkers,
    #[error("the markers would not read back: {0}")]
    Unreadable(String),
}

fn quoted(names: &[String]) -> String {
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

/// The managed section a line heads, if it is one of their headings (as
/// any era wrote them, or as the layout in force declares them).
fn section_of(line: &str, declared: &[(Section, String)]) -> Option<Section> {
    let n = normalised(line);
    let is = |s: Section| match s {
        Section::Risks => n.ends_with("things that might take us down"),
        Section::RetroGoals => n.contains("status of outcomes from previous sprint"),
        Section::Retro => n.contains("what can we do better next sprint"),
        Section::Heroes => n.starts_with("support hero"),
        Section::Goals => n.contains("proposed goals for next sprint"),
        Section::Notes => n.starts_with("list of incidents"),
        // Optional: sprintbot adds it the first time someone is off.
        Section::Off => false,
    };
    // A list item that mentions a heading's words is not a heading.
    if items::list_item(line.trim_start()).is_some() || n.chars().count() > 80 {
        return None;
    }
    if let Some((s, _)) = declared.iter().find(|(_, h)| *h == n) {
        return Some(*s);
    }
    Section::ALL
        .into_iter()
        .chain([Section::Notes])
        .find(|s| is(*s))
}

/// A line that ends a section: any markdown heading, or a heading of the example.
fn ends_section(line: &str, declared: &[(Section, String)]) -> bool {
    let t = line.trim_start();
    let atx = t.starts_with('#') && t.trim_start_matches('#').starts_with([' ', '\t']);
    atx || section_of(line, declared).is_some()
        || OTHER_HEADINGS.contains(&normalised(line).as_str())
        || declared.iter().any(|(_, h)| *h == normalised(line))
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
/// it cannot be adopted, under today's layout (preset "2022") or any era
/// that fits (see [`adopt_as`]).
pub fn adopt(body: &str, meta: &Metadata) -> Result<String, AdoptError> {
    adopt_as(body, meta, &Layout::default()).map(|a| a.body)
}

/// An adopted body and the era it was written in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adopted {
    pub body: String,
    /// The layout in force fits it (`None`), or this other preset does.
    pub other_era: Option<Preset>,
}

/// The sections a layout needs to find in a hand-written body: today's
/// layout needs all five; an era's needs its defining lists (the B era's
/// retro was sometimes deleted); a declared layout needs its lists. A
/// notes list (the D era's incidents) is optional: teams left it out when
/// there was nothing to list, and a body without it keeps none.
fn required(layout: &Layout) -> Vec<Section> {
    if layout.generated_body {
        match layout.preset {
            Preset::Y2023 if !layout_declared(layout) => vec![Section::Risks, Section::Heroes],
            _ => layout
                .required_sections()
                .into_iter()
                .filter(|s| *s != Section::Notes)
                .collect(),
        }
    } else {
        Section::ALL.to_vec()
    }
}

fn layout_declared(layout: &Layout) -> bool {
    layout.body != layout.preset.layout().body
}

/// Headings every era and the layout in force write: the managed ones by
/// section, the others only to end a section.
struct Known {
    managed: Vec<(Section, String)>,
    other: Vec<String>,
}

impl Known {
    fn of(layout: &Layout) -> Known {
        let mut k = Known {
            managed: Vec::new(),
            other: Vec::new(),
        };
        let all = std::iter::once(layout.clone()).chain(Preset::ALL.map(Preset::layout));
        for l in all {
            for d in l.body.iter().filter(|d| !d.heading.trim().is_empty()) {
                let h = normalised(&d.heading);
                match d.kind.section() {
                    Some(s) => k.managed.push((s, h)),
                    None => k.other.push(h),
                }
            }
        }
        k
    }

    /// How a section's heading is named in a refusal: as the layout in
    /// force writes it, else as the example did.
    fn name(layout: &Layout, s: Section) -> String {
        layout
            .body
            .iter()
            .find(|d| d.kind.section() == Some(s) && !d.heading.trim().is_empty())
            .map(|d| d.heading.trim().to_string())
            .or_else(|| {
                HEADINGS
                    .iter()
                    .find(|(h, _)| *h == s)
                    .map(|(_, n)| n.to_string())
            })
            .unwrap_or_else(|| s.name().to_string())
    }
}

/// [`adopt`] under `layout` (the one in force): its sections are looked
/// for first; when they are not all there, another era whose sections are
/// exactly what the body has is used, and named, so the adoption can say so.
/// Sections a body lacks are never inserted.
pub fn adopt_as(body: &str, meta: &Metadata, layout: &Layout) -> Result<Adopted, AdoptError> {
    let all = lines(body);
    if all
        .iter()
        .any(|l| l.text.trim_start().starts_with("<!-- sprintbot:"))
    {
        return Err(AdoptError::HasMarkers);
    }
    let known = Known::of(layout);
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
        if let Some(s) = section_of(l.text, &known.managed) {
            heads.push((s, i));
        }
        if ends_section(l.text, &known.managed) || known.other.contains(&normalised(l.text)) {
            ends.push(i);
        }
    }
    let count = |s: Section| heads.iter().filter(|(h, _)| *h == s).count();
    let found: Vec<Section> = Section::ALL
        .into_iter()
        .chain(Section::OPTIONAL)
        .filter(|s| count(*s) > 0)
        .collect();
    let fits = |l: &Layout, exact: bool| {
        let all_there = required(l).iter().all(|s| found.contains(s));
        all_there && (!exact || found.iter().all(|s| l.holds(*s) && *s != Section::Off))
    };
    let other_era = if fits(layout, false) {
        None
    } else {
        match Preset::ALL.into_iter().find(|p| fits(&p.layout(), true)) {
            Some(p) => Some(p),
            None => {
                let missing: Vec<String> = required(layout)
                    .into_iter()
                    .filter(|s| count(*s) == 0)
                    .map(|s| Known::name(layout, s))
                    .collect();
                return Err(AdoptError::Missing(missing));
            }
        }
    };
    let twice: Vec<String> = found
        .iter()
        .filter(|s| count(**s) > 1)
        .map(|s| Known::name(layout, *s))
        .collect();
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
    if doc.metadata().is_none() || !found.iter().all(|s| doc.has_section(*s)) {
        return Err(AdoptError::Unreadable("a marker is missing".into()));
    }
    Ok(Adopted {
        body: out,
        other_era,
    })
}

#[cfg(test)]
mod tests;
