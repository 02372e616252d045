//! The built-in eras of the ritual (the reading reference, §3), each a
//! layout of the body and of a team comment with that era's headings in
//! that era's order. "2022" is the layout sprintbot was modelled on and
//! renders with the built-in templates; the others are generated.

use super::{Decl, Kind, Layout};

/// A named era.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Preset {
    /// The A′ era (2022-07 → 2023-01): global goals with owners, risks,
    /// retro, support-hero weeks; team retro, hang-overs and priorities.
    #[default]
    Y2022,
    /// The B era (2023-01 → 2023-05): no global goals; team OKRs.
    Y2023,
    /// The C2 era (2024-10 → 2025-01): a support hero per team and an
    /// incidents link.
    Y2024,
    /// The D era (2025-08 → 2026): incidents list; per team: hero, time
    /// off, quarter goals, retro tasks, plan and teams impacted.
    Y2026,
}

/// The template's guidance lines, as the eras wrote them.
const OWN: &str = "Each goal should have a single owner. Owner can only be an engineer.";
const TALK: &str =
    "<!-- Talk about what went well, what didn't go well and any actions to improve next time -->";
const HANG: &str =
    "<!-- For each item, decide to re-prioritise (and add below) or deprioritise -->";
const OWN_TEAM: &str =
    "<!-- Each item should have a single owner. Owner can only be an engineer. -->";
const GRAB: &str = "<!-- Grab the high and low priority items from last time and add whether that item was completed or not -->";
const OKR: &str = "1. OKR, status (red/yellow/green) and action points if yellow/red";
const QG: &str = "1. Quarter goals, status (red/yellow/green) and action points if yellow/red";
const INCIDENTS: &str =
    "<!-- The address of your incidents board: set body.link in .github/sprintbot.toml -->";

impl Preset {
    pub const ALL: [Preset; 4] = [Preset::Y2022, Preset::Y2023, Preset::Y2024, Preset::Y2026];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Y2022 => "2022",
            Preset::Y2023 => "2023",
            Preset::Y2024 => "2024",
            Preset::Y2026 => "2026",
        }
    }

    pub fn parse(name: &str) -> Option<Preset> {
        Preset::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The era's title template (the form its titles took, §2.2).
    pub fn title(self) -> Option<&'static str> {
        match self {
            Preset::Y2022 | Preset::Y2023 => None,
            Preset::Y2024 => Some("Sprint {{ start }} to {{ end }}, {{ year }}"),
            Preset::Y2026 => Some("Sprint - {{ start }} to {{ end }}"),
        }
    }

    pub fn layout(self) -> Layout {
        let (body, team) = match self {
            Preset::Y2022 => (body_2022(), team_2022()),
            Preset::Y2023 => (body_2023(), team_b_c(false)),
            Preset::Y2024 => (body_2024(), team_b_c(true)),
            Preset::Y2026 => (body_2026(), team_2026()),
        };
        let generated = self != Preset::Y2022;
        Layout {
            preset: self,
            body,
            team,
            generated_body: generated,
            generated_team: generated,
        }
    }
}

fn global(level: u8, heading: &str) -> Decl {
    Decl::new(Kind::Text, level, heading)
}

/// What sprintbot adds to every era: the link back, and after the first
/// list, what shipped and how the sprints went.
fn added() -> [Decl; 2] {
    [
        Decl::new(Kind::Shipped, 0, ""),
        Decl::new(Kind::Health, 0, ""),
    ]
}

fn teams(level: u8) -> Decl {
    Decl::new(Kind::Teams, level, "Team sprint planning")
}

fn body_2022() -> Vec<Decl> {
    let mut v = vec![
        global(2, "Global Sprint Planning"),
        Decl::new(Kind::Previous, 0, ""),
        Decl::new(Kind::Risks, 3, "3 things that might take us down"),
        Decl::new(
            Kind::RetroGoals,
            3,
            "Retro: Status of Outcomes from Previous Sprint",
        ),
    ];
    v.extend(added());
    v.extend([
        Decl::new(Kind::Retro, 3, "Retro: What can we do better next sprint?"),
        Decl::new(Kind::Heroes, 3, "Support hero this sprint"),
        Decl::new(Kind::Goals, 3, "Plan: Proposed Goals for Next Sprint").text(OWN),
        teams(3),
    ]);
    v
}

fn team_2022() -> Vec<Decl> {
    vec![
        Decl::new(Kind::Title, 0, "Team"),
        Decl::new(Kind::Legend, 0, ""),
        Decl::new(Kind::TeamRetro, 2, "Retro").text(TALK),
        Decl::new(Kind::HangOver, 2, "Hang over items from previous sprint").text(HANG),
        Decl::new(Kind::Plan, 2, "Planning").text(OWN_TEAM),
        Decl::new(Kind::Priority, 3, "High priority"),
        Decl::new(Kind::Priority, 3, "Bugs"),
        Decl::new(Kind::Priority, 3, "Low priority / side quests"),
    ]
}

fn body_2023() -> Vec<Decl> {
    let mut v = vec![
        global(1, "Global Sprint Planning"),
        Decl::new(Kind::Previous, 0, ""),
        Decl::new(Kind::Risks, 2, "3 things that might take us down"),
    ];
    v.extend(added());
    v.extend([
        Decl::new(Kind::Retro, 2, "Retro: What can we do better next sprint?"),
        Decl::new(Kind::Heroes, 2, "Support hero this sprint"),
        teams(1),
    ]);
    v
}

fn body_2024() -> Vec<Decl> {
    let mut v = vec![
        global(1, "Global Sprint Planning"),
        Decl::new(Kind::Previous, 0, ""),
        Decl::new(Kind::Risks, 2, "3 things that might take us down"),
        Decl::new(Kind::Link, 2, "Urgent incident follow-ups").text(INCIDENTS),
    ];
    v.extend(added());
    v.push(teams(1));
    v
}

/// The team comment of the B era and, with a support-hero line, of C.
fn team_b_c(hero: bool) -> Vec<Decl> {
    let mut v = vec![Decl::new(Kind::Title, 1, "Team")];
    if hero {
        v.push(Decl::new(Kind::Hero, 0, "Support hero"));
    }
    v.extend([
        Decl::new(Kind::Legend, 0, ""),
        Decl::new(Kind::TeamRetro, 2, "Retro").text(GRAB),
        Decl::new(Kind::HangOver, 2, "Hang over items from previous sprint").text(HANG),
        Decl::new(Kind::QuarterGoals, 2, "OKR").text(OKR),
        Decl::new(Kind::Priority, 3, "High priority"),
        Decl::new(Kind::Priority, 3, "Low priority / side quests"),
    ]);
    v
}

fn body_2026() -> Vec<Decl> {
    let mut v = vec![
        global(1, "Sprint Planning"),
        Decl::new(Kind::Previous, 0, ""),
        Decl::new(
            Kind::Notes,
            1,
            "List of incidents + any action items that haven't been scheduled yet",
        )
        .keep(),
    ];
    v.extend(added());
    v.push(teams(1));
    v
}

fn team_2026() -> Vec<Decl> {
    vec![
        Decl::new(Kind::Title, 1, "Team"),
        Decl::new(Kind::Hero, 0, "Support hero"),
        Decl::new(Kind::Off, 0, "Off during the sprint"),
        Decl::new(Kind::Legend, 0, ""),
        Decl::new(Kind::QuarterGoals, 2, "Quarter goals").text(QG),
        Decl::new(Kind::TeamRetro, 2, "Retro"),
        Decl::new(Kind::Tasks, 3, "Tasks").text(GRAB),
        Decl::new(Kind::Plan, 2, "Plan"),
        Decl::new(Kind::Priority, 3, "High priority"),
        Decl::new(Kind::Priority, 3, "Low priority / side quests"),
        Decl::new(
            Kind::Impacted,
            3,
            "Are any other teams impacted by this plan? If so, tag them here",
        ),
    ]
}
