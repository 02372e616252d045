//! `preset`, `[[body.sections]]` and `[[team.sections]]`: the repository's
//! document model (see `sprint::layout`). Declared sections replace the
//! preset's list for their place; `body.link` fills the preset's link
//! line. Every unknown kind, misplaced kind and doubled section is
//! reported at its line:column with a fix.

use serde::Deserialize;

use super::report::Report;
use crate::config::schema::{Key, Shape, closest};
use crate::sprint::layout::{Decl, Kind, Layout, Place, Preset};

pub(super) const SECTION: &[Key] = &[
    Key::str("kind", "\"goals\""),
    Key::str("heading", "\"Plan: Proposed Goals for Next Sprint\""),
    Key::new("level", Shape::Int { min: 0, max: 6 }, "2"),
    Key::str("text", "\"Each goal should have a single owner.\""),
    Key::bool("keep", "true"),
];

pub(super) const BODY: &[Key] = &[
    Key::tables("sections", SECTION),
    Key::str(
        "link",
        "\"https://github.com/orgs/acme/projects/7/views/2\"",
    ),
];

pub(super) const TEAM: &[Key] = &[Key::tables("sections", SECTION)];

pub(super) const PRESETS: &[&str] = &["2022", "2023", "2024", "2026"];

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawPlace {
    pub(super) sections: Vec<RawSection>,
    pub(super) link: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub(super) struct RawSection {
    pub(super) kind: Option<String>,
    pub(super) heading: Option<String>,
    pub(super) level: Option<i64>,
    pub(super) text: Option<String>,
    pub(super) keep: bool,
}

/// The layout the file declares.
pub(super) fn build(
    r: &mut Report<'_>,
    preset: Option<&str>,
    body: &RawPlace,
    team: &RawPlace,
) -> Layout {
    // An unknown name was reported by the schema walk (a choice).
    let preset = preset.and_then(Preset::parse).unwrap_or_default();
    let mut layout = preset.layout();
    if !body.sections.is_empty() {
        layout.body = sections(r, "body", Place::Body, &body.sections);
        layout.generated_body = true;
    }
    if !team.sections.is_empty() {
        layout.team = sections(r, "team", Place::Team, &team.sections);
        layout.generated_team = true;
    }
    if let Some(link) = body.link.as_deref() {
        let links: Vec<&mut Decl> = layout
            .body
            .iter_mut()
            .filter(|d| d.kind == Kind::Link)
            .collect();
        if links.is_empty() {
            r.key(
                "body.link",
                format!(
                    "the body of preset {} has no link section to put this address in",
                    preset.name()
                ),
                "use preset = \"2024\", or declare [[body.sections]] with kind = \"link\" and this address as its text",
            );
        }
        for d in links {
            d.text = link.trim().to_string();
        }
    }
    layout
}

fn sections(r: &mut Report<'_>, table: &str, place: Place, raw: &[RawSection]) -> Vec<Decl> {
    let mut out: Vec<Decl> = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        let at = |key: &str| format!("{table}.sections[{i}].{key}");
        let Some(name) = s.kind.as_deref().map(str::trim) else {
            r.value(
                &format!("{table}.sections[{i}]"),
                "this section has no kind".into(),
                &format!(
                    "add `kind = \"{}\"` (one of {})",
                    example(place),
                    names(place)
                ),
            );
            continue;
        };
        let Some(kind) = Kind::parse(name, place) else {
            let other = match place {
                Place::Body => Place::Team,
                Place::Team => Place::Body,
            };
            let help = if Kind::parse(name, other).is_some() {
                let there = if other == Place::Team { "team" } else { "body" };
                format!(
                    "`{name}` is a section of the {}: declare it under [[{there}.sections]]",
                    if other == Place::Team {
                        "team comment"
                    } else {
                        "issue body"
                    }
                )
            } else {
                let known: Vec<&str> = Kind::ALL
                    .iter()
                    .filter(|k| k.places().contains(&place))
                    .map(|k| k.name())
                    .collect();
                match closest(name, known.iter().copied()) {
                    Some(c) => format!(
                        "did you mean `kind = \"{c}\"`? The kinds here: {}",
                        names(place)
                    ),
                    None => format!("use one of {}", names(place)),
                }
            };
            r.key(
                &at("kind"),
                format!("`{name}` is not a kind of section here"),
                &help,
            );
            continue;
        };
        if kind.single() && out.iter().any(|d| d.kind == kind) {
            r.key(
                &at("kind"),
                format!("a second `{name}` section: sprintbot keeps one"),
                "remove one of them, or make this one kind = \"text\"",
            );
            continue;
        }
        let heading = s.heading.as_deref().unwrap_or("").trim();
        if heading.contains('\n') {
            r.key(
                &at("heading"),
                "a heading is one line".into(),
                "put the rest in `text`",
            );
            continue;
        }
        let level = s.level.map_or(default_level(kind), |l| l.clamp(0, 6) as u8);
        let mut d = Decl::new(kind, level, heading).text(s.text.as_deref().unwrap_or(""));
        d.keep = s.keep;
        if s.keep && kind != Kind::Notes {
            r.key(
                &at("keep"),
                "only a `notes` list is kept or cleared at rollover".into(),
                "remove `keep` from this section",
            );
        }
        out.push(d);
    }
    out
}

/// The level a section is written at when its declaration says none.
fn default_level(kind: Kind) -> u8 {
    match kind {
        Kind::Hero | Kind::Off | Kind::Legend | Kind::Previous | Kind::Shipped | Kind::Health => 0,
        Kind::Title => 1,
        Kind::Priority | Kind::Tasks => 3,
        _ => 2,
    }
}

fn example(place: Place) -> &'static str {
    match place {
        Place::Body => "goals",
        Place::Team => "plan",
    }
}

fn names(place: Place) -> String {
    Kind::ALL
        .iter()
        .filter(|k| k.places().contains(&place))
        .map(|k| format!("`{}`", k.name()))
        .collect::<Vec<_>>()
        .join(", ")
}
