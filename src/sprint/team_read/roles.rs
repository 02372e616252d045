//! Which part of a team comment a heading opens, from its words (§4.2 of
//! the reading reference): hero, people off, goals, retro notes or tasks,
//! hang-overs, plan, a priority list, or the "other teams impacted" list.
//! Decorations (emoji, a status key, a quarter, a joke tail) are ignored.

/// What a heading says its part of the comment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Hero,
    Off,
    Goals,
    RetroNotes,
    RetroTasks,
    HangOver,
    Plan,
    Priority,
    Impacted,
    Legend,
    /// A heading whose words name no role: a person, an area, a theme.
    None,
}

impl Role {
    /// Whether items under this role are last sprint's (the retro).
    pub(crate) fn is_retro(self) -> bool {
        matches!(self, Role::RetroNotes | Role::RetroTasks)
    }
}

/// The lowercase words of a heading, letters, digits and `'` only.
fn words(heading: &str) -> String {
    let mut out = String::new();
    for c in heading.chars() {
        if c.is_alphanumeric() || c == '\'' || c == '’' {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    format!(" {} ", out.trim())
}

/// The role a heading's words name.
pub(crate) fn role(heading: &str) -> Role {
    let w = words(heading);
    let has = |p: &str| w.contains(&format!(" {p} "));
    let starts = |p: &str| w.starts_with(&format!(" {p}"));
    if has("legend") && w.split_whitespace().count() <= 2 {
        return Role::Legend;
    }
    if has("impacted") {
        return Role::Impacted;
    }
    if w.contains("hang over") || w.contains("hangover") || w.contains("hang-over") {
        return if w.contains("retro") {
            Role::RetroTasks
        } else {
            Role::HangOver
        };
    }
    if has("high priority")
        || has("high prio")
        || has("low priority")
        || has("low prio")
        || has("side quest")
        || has("side quests")
        || has("bugs")
        || has("stretch")
        || has("medium priority")
    {
        return Role::Priority;
    }
    if w.contains("support") && !w.contains("tasks") {
        return Role::Hero;
    }
    if has("off")
        || has("days off")
        || has("ooo")
        || has("pto")
        || has("afk")
        || has("away")
        || has("vacation")
    {
        return Role::Off;
    }
    if has("okr")
        || has("okrs")
        || has("objective")
        || has("objectives")
        || has("key results")
        || has("quarter goals")
    {
        return Role::Goals;
    }
    if has("tasks")
        || w.contains("things we got done")
        || w.contains("things shipped")
        || w.contains("what we shipped")
        || w.contains("what we did")
        || w.contains("items from previous sprint")
        || has("team prs")
    {
        return Role::RetroTasks;
    }
    if has("retro")
        || w.contains("went well")
        || w.contains("gone better")
        || w.contains("been better")
        || has("changelog")
    {
        return Role::RetroNotes;
    }
    if starts("plan")
        || has("planning")
        || has("this sprint")
        || has("next sprint")
        || has("sprint goals")
        || w == " sprint "
        || has("looking ahead")
        || has("goals")
    {
        return Role::Plan;
    }
    Role::None
}

/// A priority heading's name without decoration, to tell a second set of
/// priority headings (pasted into the retro) from the first.
pub(crate) fn priority_key(heading: &str) -> String {
    let w = words(heading);
    for key in ["high", "low", "side", "bugs", "stretch", "medium"] {
        if w.contains(key) {
            return key.to_string();
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_matched_on_their_words_whatever_the_decoration() {
        assert_eq!(role("## Retro ✅ 🔴 🟡 🚫"), Role::RetroNotes);
        assert_eq!(role("Retro - Tasks"), Role::RetroTasks);
        assert_eq!(
            role("### Low priority / side quests / someday"),
            Role::Priority
        );
        assert_eq!(role("Hang over items from previous sprint"), Role::HangOver);
        assert_eq!(role("OKR Q3 2031"), Role::Goals);
        assert_eq!(role("**Support hero:**"), Role::Hero);
        assert_eq!(role("Days off:"), Role::Off);
        assert_eq!(role("## Plan"), Role::Plan);
        assert_eq!(role("Planning"), Role::Plan);
        assert_eq!(role("### Rosa"), Role::None);
        assert_eq!(role("Legend"), Role::Legend);
        assert_eq!(
            role("Are any other teams impacted by this plan? If so, tag them here"),
            Role::Impacted
        );
    }
}
