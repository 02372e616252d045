//! A command whose section the sprint issue does not have: under a layout
//! without a goals list (presets 2023, 2024, 2026), or on an adopted issue
//! people wrote without one. It is refused, saying why and where the same
//! thing is written under this repository's layout instead.

use crate::config::repo::RepoConfig;
use crate::sprint::body::{Change, SprintDoc};
use crate::sprint::layout::{Kind, Layout};
use crate::sprint::markers::Section;

/// The section `change` writes to.
pub(super) fn section_of(change: &Change) -> Option<Section> {
    Some(match change {
        Change::AddGoal { .. }
        | Change::Tick(_)
        | Change::Untick(_)
        | Change::Drop(_)
        | Change::Edit(..)
        | Change::SetOwner(..)
        | Change::SetStatus(..)
        | Change::LinkTick(..)
        | Change::LinkUntick(_) => Section::Goals,
        Change::AddRisk { .. } | Change::DropRisk(_) => Section::Risks,
        Change::AddRetro(_) => Section::Retro,
        Change::SetHero { .. } => Section::Heroes,
        _ => return None,
    })
}

/// Why `change` cannot be made on `doc`, if its section is missing.
pub(super) fn missing(doc: &SprintDoc, config: &RepoConfig, change: &Change) -> Option<String> {
    let section = section_of(change)?;
    if doc.has_section(section) {
        return None;
    }
    Some(reason(section, &config.layout))
}

fn heading(layout: &Layout, kinds: &[Kind]) -> Option<String> {
    kinds.iter().find_map(|k| {
        layout
            .team_section(*k)
            .filter(|d| !d.heading.trim().is_empty())
            .map(|d| format!("`{}`", d.heading.trim()))
    })
}

/// The refusal for a command whose section the issue lacks.
pub fn reason(section: Section, layout: &Layout) -> String {
    let what = match section {
        Section::Goals => "goals list",
        Section::Risks => "risks list",
        Section::Retro => "retro list",
        Section::Heroes => "support-hero list",
        Section::RetroGoals => "retro of last sprint's goals",
        Section::Off => "time-off list",
        Section::Notes => "notes list",
    };
    let preset = if layout.generated_body && layout.preset.name() != "2022" {
        format!(
            " (this repository writes the {} layout)",
            layout.preset.name()
        )
    } else {
        String::new()
    };
    let instead = match section {
        Section::Goals => match heading(layout, &[Kind::Priority, Kind::Plan, Kind::HangOver]) {
            Some(h) => format!(
                "write it as an item in your team's comment under {h}: unticked items there roll over to the next sprint"
            ),
            None => "write it in your team's comment: unticked items there roll over to the next sprint".into(),
        },
        Section::Retro => match heading(layout, &[Kind::TeamRetro]) {
            Some(h) => format!("write it in your team's comment under {h}"),
            None => "write it in your team's comment".into(),
        },
        Section::Heroes if layout.team_section(Kind::Hero).is_some() => {
            "each team names its support hero on its own comment's hero line (or in `heroes` of its [[teams]] entry in .github/sprintbot.toml)".into()
        }
        _ => format!(
            "add a `{}` section to [[body.sections]] in .github/sprintbot.toml (or choose a preset that has one), then use the command on the next sprint's issue",
            match section {
                Section::RetroGoals => "retro-goals",
                s => s.name(),
            }
        ),
    };
    format!("this sprint issue has no {what}{preset}: {instead}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprint::layout::Preset;

    #[test]
    fn each_refusal_says_where_to_write_instead() {
        let d = Preset::Y2026.layout();
        let goals = reason(Section::Goals, &d);
        assert!(goals.contains("2026 layout"), "{goals}");
        assert!(goals.contains("under `High priority`"), "{goals}");
        assert!(reason(Section::Heroes, &d).contains("hero line"));
        assert!(reason(Section::Retro, &d).contains("under `Retro`"));
        let risks = reason(Section::Risks, &d);
        assert!(risks.contains("[[body.sections]]"), "{risks}");
        assert_eq!(
            section_of(&Change::AddRetro("x".into())),
            Some(Section::Retro)
        );
        assert_eq!(section_of(&Change::SetLedger(Default::default())), None);
    }
}
