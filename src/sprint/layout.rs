//! The declared document model: which sections the sprint issue's body and
//! each team's comment have, in which order, under which headings
//! (`[[body.sections]]` and `[[team.sections]]` in a repository's config,
//! or a built-in era of the ritual: `preset`). From a layout come the
//! issue and team templates sprintbot renders (`generate`), which commands
//! apply (a command whose section the body lacks is refused, saying so),
//! and which headings adoption looks for. Today's layout (preset "2022")
//! keeps the built-in templates byte for byte. Pure.

mod generate;
mod presets;
#[cfg(test)]
mod tests;

pub use generate::{issue_template, team_template};
pub use presets::Preset;

use super::markers::Section;

/// What a section holds, and so how it is rendered, read and carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    // In the body.
    /// Numbered goals with owner and why, rolled into the next retro.
    Goals,
    /// The risks list ("3 things that might take us down").
    Risks,
    /// Last sprint's goals and their outcomes.
    RetroGoals,
    /// What to do better: a free list, cleared at rollover.
    Retro,
    /// The support-hero rotation, one line per week.
    Heroes,
    /// Who is away (in the body: a managed list; in a team comment: a line).
    Off,
    /// A free list (incidents, agenda, notes), kept or cleared at rollover.
    Notes,
    /// A fixed line, such as an incidents board's address.
    Link,
    /// Fixed text.
    Text,
    /// The previous sprint's issue.
    Previous,
    /// What shipped last sprint (see `shipped`).
    Shipped,
    /// The sprint health section (see `health`).
    Health,
    /// Where teams plan: their comments below.
    Teams,
    // In a team comment.
    /// The team's name line (`Team Search`, `# Team Search`).
    Title,
    /// The status legend the team's comments use.
    Legend,
    /// The team's support hero line (`**Support hero:** @ana`).
    Hero,
    /// Quarter goals or OKRs, carried with their last status.
    QuarterGoals,
    /// Last sprint's retro; lists its done items unless a `tasks` section does.
    TeamRetro,
    /// Last sprint's done items.
    Tasks,
    /// Last sprint's unfinished items.
    HangOver,
    /// The plan's heading.
    Plan,
    /// A priority list of the plan (high, bugs, low); the first holds the
    /// hang-overs when there is no `hang-over` section.
    Priority,
    /// "Are any other teams impacted by this plan?".
    Impacted,
}

/// Where a section may be declared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Body,
    Team,
}

impl Kind {
    pub const ALL: [Kind; 23] = [
        Kind::Goals,
        Kind::Risks,
        Kind::RetroGoals,
        Kind::Retro,
        Kind::Heroes,
        Kind::Off,
        Kind::Notes,
        Kind::Link,
        Kind::Text,
        Kind::Previous,
        Kind::Shipped,
        Kind::Health,
        Kind::Teams,
        Kind::Title,
        Kind::Legend,
        Kind::Hero,
        Kind::QuarterGoals,
        Kind::TeamRetro,
        Kind::Tasks,
        Kind::HangOver,
        Kind::Plan,
        Kind::Priority,
        Kind::Impacted,
    ];

    /// The name a config writes (`kind = "retro-goals"`). A team comment's
    /// retro is `retro` too: the place tells them apart.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Goals => "goals",
            Kind::Risks => "risks",
            Kind::RetroGoals => "retro-goals",
            Kind::Retro | Kind::TeamRetro => "retro",
            Kind::Heroes => "heroes",
            Kind::Off => "off",
            Kind::Notes => "notes",
            Kind::Link => "link",
            Kind::Text => "text",
            Kind::Previous => "previous",
            Kind::Shipped => "shipped",
            Kind::Health => "health",
            Kind::Teams => "teams",
            Kind::Title => "title",
            Kind::Legend => "legend",
            Kind::Hero => "hero",
            Kind::QuarterGoals => "quarter-goals",
            Kind::Tasks => "tasks",
            Kind::HangOver => "hang-over",
            Kind::Plan => "plan",
            Kind::Priority => "priority",
            Kind::Impacted => "impacted",
        }
    }

    /// The kind a config's name means in `place`.
    pub fn parse(name: &str, place: Place) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == name && k.places().contains(&place))
    }

    /// Where it may be declared.
    pub fn places(self) -> &'static [Place] {
        match self {
            Kind::Off | Kind::Text | Kind::Link => &[Place::Body, Place::Team],
            Kind::Goals
            | Kind::Risks
            | Kind::RetroGoals
            | Kind::Retro
            | Kind::Heroes
            | Kind::Notes
            | Kind::Previous
            | Kind::Shipped
            | Kind::Health
            | Kind::Teams => &[Place::Body],
            _ => &[Place::Team],
        }
    }

    /// The body section sprintbot keeps between markers, if it is one.
    pub fn section(self) -> Option<Section> {
        Some(match self {
            Kind::Goals => Section::Goals,
            Kind::Risks => Section::Risks,
            Kind::RetroGoals => Section::RetroGoals,
            Kind::Retro => Section::Retro,
            Kind::Heroes => Section::Heroes,
            Kind::Off => Section::Off,
            Kind::Notes => Section::Notes,
            _ => return None,
        })
    }

    /// Whether a layout may hold it once at most.
    pub fn single(self) -> bool {
        !matches!(self, Kind::Text | Kind::Link | Kind::Priority)
    }
}

/// One declared section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decl {
    pub kind: Kind,
    /// Its heading's words; empty: no heading line.
    pub heading: String,
    /// `#`s before the heading (0: a plain line; a `hero` or `off` line
    /// is written `**heading:** value` at 0).
    pub level: u8,
    /// A line under the heading (the template's guidance, an address for a
    /// `link`, the text of a `text`).
    pub text: String,
    /// A `notes` list is kept at rollover (else cleared).
    pub keep: bool,
}

impl Decl {
    pub fn new(kind: Kind, level: u8, heading: &str) -> Decl {
        Decl {
            kind,
            heading: heading.to_string(),
            level,
            text: String::new(),
            keep: false,
        }
    }

    pub fn text(mut self, text: &str) -> Decl {
        self.text = text.to_string();
        self
    }

    pub fn keep(mut self) -> Decl {
        self.keep = true;
        self
    }
}

/// The sections of the body and of a team comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub preset: Preset,
    pub body: Vec<Decl>,
    pub team: Vec<Decl>,
    /// The body's sections were declared (or a preset other than today's
    /// chosen): the issue template is generated from them.
    pub generated_body: bool,
    pub generated_team: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Preset::Y2022.layout()
    }
}

impl Layout {
    /// Whether the body has a section of this kind.
    pub fn body_has(&self, kind: Kind) -> bool {
        self.body.iter().any(|d| d.kind == kind)
    }

    /// The body's declared section of `kind`.
    pub fn body_section(&self, kind: Kind) -> Option<&Decl> {
        self.body.iter().find(|d| d.kind == kind)
    }

    /// The team comment's declared section of `kind`.
    pub fn team_section(&self, kind: Kind) -> Option<&Decl> {
        self.team.iter().find(|d| d.kind == kind)
    }

    /// The marked sections the body must carry (`off` is added when first
    /// needed, so it is never required).
    pub fn required_sections(&self) -> Vec<Section> {
        self.body
            .iter()
            .filter_map(|d| d.kind.section())
            .filter(|s| *s != Section::Off)
            .collect()
    }

    /// Whether the body holds `section` (a command that writes there
    /// applies); `off` may be added to any body with a heroes section or
    /// an `off` section.
    pub fn holds(&self, section: Section) -> bool {
        match section {
            Section::Off => self.body_has(Kind::Off) || self.body_has(Kind::Heroes),
            s => self.body.iter().any(|d| d.kind.section() == Some(s)),
        }
    }
}
