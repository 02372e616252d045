//! Sections a body may lack by design: a layout without a goals list
//! (presets 2023 to 2026), or an issue people wrote and sprintbot adopted
//! without one. Their absence is not damage; everywhere else a missing
//! marker still is, so a goals list whose markers were deleted is reported
//! rather than silently dropped from the retro.

use super::{BodyError, Goal, SprintDoc};
use crate::sprint::markers::Section;

impl SprintDoc {
    /// Whether this body should have a goals list: the layout in force has
    /// one (`layout_has_goals`) and the issue is not an adopted one (an
    /// adopted issue keeps the sections people wrote).
    pub fn expects_goals(&self, layout_has_goals: bool) -> bool {
        layout_has_goals && self.metadata().is_none_or(|m| m.adopted.is_none())
    }

    /// The goals, or none when the body has no goals list by design.
    pub fn goals_if_any(&self, layout_has_goals: bool) -> Result<Vec<Goal>, BodyError> {
        match self.goals() {
            Err(BodyError::MissingMarker {
                section: Section::Goals,
            }) if !self.expects_goals(layout_has_goals) => Ok(Vec::new()),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO_GOALS: &str = "<!-- sprintbot:sprint id=2026-01-19 version=1.0.0 part=2/2 handled=0 -->\n# Sprint Planning\n";

    #[test]
    fn no_goals_list_is_damage_only_where_one_is_expected() {
        let doc = SprintDoc::parse(NO_GOALS).unwrap();
        assert_eq!(doc.goals_if_any(false), Ok(Vec::new()));
        assert!(doc.goals_if_any(true).is_err());
        let adopted = NO_GOALS.replace("handled=0", "handled=0 adopted=5");
        let doc = SprintDoc::parse(&adopted).unwrap();
        assert!(doc.metadata().unwrap().adopted.is_some(), "{adopted}");
        assert_eq!(doc.goals_if_any(true), Ok(Vec::new()));
    }
}
