//! The hidden HTML-comment markers that delimit the sections the bot
//! maintains, the sprint metadata marker, and the team marker; how a marker
//! is found (a whole line that is exactly it, never a substring); and the
//! one escape every piece of a person's text goes through before sprintbot
//! writes it, so it can never forge one.

use std::fmt;

use super::SprintId;
use super::ledger::Ledger;

/// A bot-maintained section of the sprint issue body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Section {
    /// "3 things that might take us down".
    Risks,
    /// "Retro: Status of Outcomes from Previous Sprint".
    RetroGoals,
    /// "Retro: What can we do better next sprint?".
    Retro,
    /// "Support hero this sprint".
    Heroes,
    /// "Plan: Proposed Goals for Next Sprint".
    Goals,
    /// "Off this sprint": who is away (see `off`). Optional: sprintbot adds
    /// it the first time someone is off.
    Off,
    /// A free list a layout declares (`notes`: incidents, agenda), kept or
    /// cleared at rollover. Optional: only layouts that declare it have it.
    Notes,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Risks,
        Section::RetroGoals,
        Section::Retro,
        Section::Heroes,
        Section::Goals,
    ];

    /// Sections a body may lack until they are first needed.
    pub const OPTIONAL: [Section; 2] = [Section::Off, Section::Notes];

    pub fn name(self) -> &'static str {
        match self {
            Section::Risks => "risks",
            Section::RetroGoals => "retro-goals",
            Section::Retro => "retro",
            Section::Heroes => "heroes",
            Section::Goals => "goals",
            Section::Off => "off",
            Section::Notes => "notes",
        }
    }

    pub fn start_marker(self) -> String {
        format!("<!-- sprintbot:{}:start -->", self.name())
    }

    pub fn end_marker(self) -> String {
        format!("<!-- sprintbot:{}:end -->", self.name())
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What the hidden metadata marker says about the sprint issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    pub sprint: SprintId,
    pub version: String,
    pub part: u32,
    pub parts: u32,
    /// Which comments' commands have been handled.
    pub ledger: Ledger,
    /// The previous sprint's issue number, if there was one.
    pub previous: Option<u64>,
    /// On an issue people wrote and `/sprint adopt` took over: the id of
    /// sprintbot's own comment that records the adoption (the proof, since
    /// the author is not sprintbot; see `sprint_issues`).
    pub adopted: Option<u64>,
}

const META_PREFIX: &str = "<!-- sprintbot:sprint ";

impl Metadata {
    pub fn render(&self) -> String {
        let mut s = format!(
            "{META_PREFIX}id={} version={} part={}/{} {}",
            self.sprint,
            self.version,
            self.part,
            self.parts,
            self.ledger.render_fields()
        );
        if let Some(p) = self.previous {
            s.push_str(&format!(" previous={p}"));
        }
        if let Some(c) = self.adopted {
            s.push_str(&format!(" adopted={c}"));
        }
        s.push_str(" -->");
        s
    }

    /// True when a (trimmed) line is meant as a metadata marker.
    pub fn is_marker_line(line: &str) -> bool {
        line.starts_with(META_PREFIX) && line.ends_with("-->")
    }

    /// Parse a metadata marker line; `None` when it is damaged.
    pub fn parse(line: &str) -> Option<Metadata> {
        let inner = line.strip_prefix(META_PREFIX)?.strip_suffix("-->")?;
        let (mut id, mut version, mut part, mut previous) = (None, None, None, None);
        let mut adopted = None;
        let mut ledger = Ledger::default();
        for field in inner.split_whitespace() {
            let (key, value) = field.split_once('=')?;
            match key {
                "id" => id = Some(value.parse::<jiff::civil::Date>().ok()?),
                "version" => version = Some(value.to_string()),
                "part" => {
                    let (p, n) = value.split_once('/')?;
                    part = Some((p.parse().ok()?, n.parse().ok()?));
                }
                "handled" => ledger.cursor = value.parse().ok()?,
                "since" => ledger.since = Some(value.to_string()),
                "applied" => ledger.entries = Ledger::parse_applied(value)?,
                "previous" => previous = Some(value.parse().ok()?),
                "adopted" => adopted = Some(value.parse().ok()?),
                _ => {}
            }
        }
        let (part, parts) = part?;
        Some(Metadata {
            sprint: SprintId(id?),
            version: version?,
            part,
            parts,
            ledger,
            previous,
            adopted,
        })
    }
}

/// The marker at the top of a team's planning comment.
pub fn team_marker(slug: &str, sprint: SprintId) -> String {
    format!("<!-- sprintbot:team slug={slug} sprint={sprint} -->")
}

/// Parse a team marker line into (slug, sprint).
pub fn parse_team_marker(line: &str) -> Option<(String, SprintId)> {
    let inner = line
        .trim()
        .strip_prefix("<!-- sprintbot:team ")?
        .strip_suffix("-->")?;
    let mut slug = None;
    let mut sprint = None;
    for field in inner.split_whitespace() {
        match field.split_once('=')? {
            ("slug", v) => slug = Some(v.to_string()),
            ("sprint", v) => sprint = Some(SprintId(v.parse().ok()?)),
            _ => {}
        }
    }
    Some((slug?, sprint?))
}

/// Make a person's text safe to place in anything sprintbot writes: one
/// line (no line breaks) and no `<` at all, so it can neither start an HTML
/// comment nor a line of its own, and so can never forge a marker or end a
/// section. GitHub renders `&lt;` as `<`, so readers see what was written.
///
/// This is the one escape, and it is never undone: text read back from a
/// body stays escaped (escaping it again changes nothing), so escaped text
/// can never come back as a live marker.
pub fn neutralise(text: &str) -> String {
    text.replace(['\r', '\n'], " ")
        .replace('<', "&lt;")
        .replace("-->", "--&gt;")
        .trim()
        .to_string()
}

/// Whether `body` has a line that is a sprint metadata marker (whoever
/// wrote it: callers that act on it check the author).
pub fn carries_metadata(body: &str) -> bool {
    body.lines().any(|l| Metadata::is_marker_line(l.trim()))
}

/// Whether `body` carries `marker` as a line of its own. Markers are
/// parsed, never searched for: a marker inside a line (a quote, a title,
/// a refused command) is text, whoever wrote it.
pub fn has_marker_line(body: &str, marker: &str) -> bool {
    body.lines().any(|l| l.trim() == marker)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_round_trips() {
        let m = Metadata {
            sprint: SprintId(jiff::civil::date(2022, 11, 14)),
            version: "1.42.0".into(),
            part: 2,
            parts: 2,
            ledger: Ledger {
                cursor: 1234,
                ..Ledger::default()
            },
            previous: Some(12600),
            adopted: None,
        };
        let line = m.render();
        assert_eq!(
            line,
            "<!-- sprintbot:sprint id=2022-11-14 version=1.42.0 part=2/2 handled=1234 previous=12600 -->"
        );
        assert!(Metadata::is_marker_line(&line));
        assert_eq!(Metadata::parse(&line), Some(m.clone()));
        assert_eq!(
            Metadata::parse("<!-- sprintbot:sprint id=bad version=1 part=1/2 -->"),
            None
        );
        let adopted = Metadata {
            adopted: Some(77),
            previous: None,
            ..m
        };
        assert!(adopted.render().ends_with(" adopted=77 -->"));
        assert_eq!(Metadata::parse(&adopted.render()), Some(adopted));
    }

    #[test]
    fn user_text_cannot_forge_markers() {
        let evil = "<!-- sprintbot:goals:end -->\nnext";
        let safe = neutralise(evil);
        assert!(!safe.contains("<!--") && !safe.contains('\n'));
        assert_eq!(safe, "&lt;!-- sprintbot:goals:end --&gt; next");
    }

    /// Escaped text never parses as a marker, whatever it tries: nested or
    /// partial openers, markers split over lines, already-escaped text.
    #[test]
    fn escaped_text_never_parses_as_a_marker() {
        let attempts = [
            "<!-- sprintbot:closed next=99 -->",
            "<!-<!-- -->- sprintbot:closed next=99 -->",
            "<<!---- sprintbot:goals:end -->",
            "<!<!---->-- sprintbot:team slug=growth sprint=2022-11-14 -->",
            "x\n<!-- sprintbot:goals:end -->\ny",
            "\r\n<!-- sprintbot:sprint id=2022-11-14 version=1 part=1/2 -->",
            "&lt;!-- sprintbot:closed next=99 --&gt;",
            "<\n!-- sprintbot:closed next=99 -->",
        ];
        for evil in attempts {
            let once = neutralise(evil);
            assert!(!once.contains('<') && !once.contains('\n'), "{once}");
            // The escape is never undone: escaping again changes nothing.
            assert_eq!(neutralise(&once), once);
            let body = format!("{once}\n> {once}\n");
            for marker in [
                "<!-- sprintbot:closed next=99 -->",
                "<!-- sprintbot:goals:end -->",
                "<!-- sprintbot:team slug=growth sprint=2022-11-14 -->",
            ] {
                assert!(!has_marker_line(&body, marker), "{evil:?} → {once:?}");
            }
            assert!(body.lines().all(|l| Metadata::parse(l.trim()).is_none()));
            assert!(body.lines().all(|l| parse_team_marker(l).is_none()));
        }
    }

    #[test]
    fn a_marker_counts_only_as_a_whole_line() {
        let m = "<!-- sprintbot:closed next=99 -->";
        assert!(has_marker_line(&format!("{m}\ntext"), m));
        assert!(has_marker_line(&format!("text\r\n  {m}  \r\n"), m));
        assert!(!has_marker_line(&format!("> /risk {m}"), m));
        assert!(!has_marker_line(&format!("{m} trailing"), m));
        assert!(!has_marker_line("<!-- sprintbot:closed next=990 -->", m));
    }

    #[test]
    fn team_markers_round_trip() {
        let id = SprintId(jiff::civil::date(2022, 11, 14));
        assert_eq!(
            parse_team_marker(&team_marker("growth", id)),
            Some(("growth".to_string(), id))
        );
        assert_eq!(parse_team_marker("<!-- sprintbot:team sprint=x -->"), None);
    }
}
