//! Carry-over counts and drop records: the hidden markers that let a goal's
//! history outlive the issue it was written in, so that the next rollover
//! can read it from GitHub alone.
//!
//! - A goal that has rolled over ends its line with
//!   `<!-- sprintbot:goal id=3f9a1c carried=2 -->`: a stable short id and how
//!   many sprints it has rolled. The marker sits on the goal's own line, so it
//!   moves with the line when people reorder goals and survives any edit of
//!   the title, owner or why (by hand or `/goal edit`). A goal whose marker
//!   was deleted, or is damaged, is a goal that never rolled: its count
//!   restarts at 1 the next time it rolls (with a new id). Nothing here panics
//!   on what people typed.
//! - A goal dropped with `/goal drop N` is replaced, in place, by
//!   `<!-- sprintbot:dropped id=3f9a1c owner=ann carried=0 -->` (no `owner=`
//!   when it had none; ` link=#123` at the end when it linked an issue), so
//!   the sprint's health can count it and its sub-issue can be let go.
//!
//! User text can never forge either marker: everything a command writes goes
//! through [`neutralise`](super::markers::neutralise), which escapes `<!--`.

use super::goal::{GOAL_PREFIX, Goal, fields};
pub use super::goal::{GoalId, GoalMark};
use super::{Login, SprintId};

const DROPPED_PREFIX: &str = "<!-- sprintbot:dropped ";
const END: &str = "-->";

/// Take every goal marker out of a goal's line (after its task box): the
/// text without them, and the first that reads. A marker people damaged is
/// removed all the same, so it never shows up in a title or a why.
pub(crate) fn split_mark(rest: &str) -> (String, Option<GoalMark>) {
    let mut text = rest.to_string();
    let mut mark = None;
    while let Some(start) = text.find(GOAL_PREFIX) {
        let Some(len) = text[start..].find(END).map(|i| i + END.len()) else {
            break;
        };
        let comment = &text[start..start + len];
        if mark.is_none() {
            mark = GoalMark::parse(comment);
        }
        let before = text[..start].trim_end();
        let after = text[start + len..].trim_start();
        text = match (before.is_empty(), after.is_empty()) {
            (false, false) => format!("{before} {after}"),
            _ => format!("{before}{after}"),
        };
    }
    (text, mark)
}

/// How many sprints an unfinished goal will have rolled once it rolls now:
/// one more than its marker says, or 1 without one (never rolled, or its
/// marker was deleted).
pub fn next_count(goal: &Goal) -> u32 {
    goal.mark
        .as_ref()
        .map_or(0, |m| m.carried)
        .saturating_add(1)
}

/// The marker an unfinished goal of `sprint` carries into the next one: its
/// id (a new one on its first roll) and its [`next_count`].
pub fn carried_mark(goal: &Goal, sprint: Option<SprintId>) -> GoalMark {
    GoalMark {
        id: goal.mark.as_ref().map_or_else(
            || GoalId::mint(sprint, goal.number, &goal.title),
            |m| m.id.clone(),
        ),
        carried: next_count(goal),
    }
}

/// A goal dropped with `/goal drop N`, as its hidden record keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    pub id: GoalId,
    pub owner: Option<Login>,
    /// How many sprints it had rolled before it was dropped.
    pub carried: u32,
    /// The issue or pull request it linked.
    pub link: Option<u64>,
}

impl Dropped {
    /// The record of dropping `goal` from the plan of sprint `sprint`.
    pub fn of(goal: &Goal, sprint: Option<SprintId>) -> Dropped {
        Dropped {
            id: goal.mark.as_ref().map_or_else(
                || GoalId::mint(sprint, goal.number, &goal.title),
                |m| m.id.clone(),
            ),
            owner: goal.owner.clone(),
            carried: goal.mark.as_ref().map_or(0, |m| m.carried),
            link: goal.link(),
        }
    }

    /// `<!-- sprintbot:dropped id=3f9a1c owner=ann carried=0 -->`
    pub fn render(&self) -> String {
        let owner = self
            .owner
            .as_ref()
            .map(|o| format!(" owner={o}"))
            .unwrap_or_default();
        let link = self.link.map(|l| format!(" link=#{l}")).unwrap_or_default();
        format!(
            "{DROPPED_PREFIX}id={}{owner} carried={}{link} {END}",
            self.id, self.carried
        )
    }

    /// Read a (trimmed) line; `None` when it is not a drop record or is damaged.
    pub fn parse(line: &str) -> Option<Dropped> {
        let inner = line
            .trim()
            .strip_prefix(DROPPED_PREFIX)?
            .strip_suffix(END)?;
        let (mut id, mut owner, mut carried, mut link) = (None, None, None, None);
        for (key, value) in fields(inner)? {
            match key {
                "id" => id = Some(GoalId::parse(value)?),
                "owner" => owner = Some(Login::parse(value)?),
                "carried" => carried = Some(value.parse::<u32>().ok()?),
                "link" => link = super::links::link_of(value),
                _ => {}
            }
        }
        Some(Dropped {
            id: id?,
            owner,
            carried: carried?,
            link,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> GoalId {
        GoalId::parse(s).unwrap()
    }

    #[test]
    fn goal_marks_round_trip_and_damaged_ones_read_as_none() {
        let m = GoalMark {
            id: id("3f9a1c"),
            carried: 2,
        };
        assert_eq!(m.render(), "<!-- sprintbot:goal id=3f9a1c carried=2 -->");
        assert_eq!(GoalMark::parse(&m.render()), Some(m));
        for damaged in [
            "<!-- sprintbot:goal id=3f9a1c -->",
            "<!-- sprintbot:goal id=xyz carried=2 -->",
            "<!-- sprintbot:goal id=3f9a1c carried=two -->",
            "<!-- sprintbot:goal id=3f9a1c carried=0 -->",
            "<!-- sprintbot:goal id=3f9a1c carried -->",
            "<!-- sprintbot:goal carried=1",
        ] {
            assert_eq!(GoalMark::parse(damaged), None, "{damaged}");
        }
    }

    #[test]
    fn the_mark_is_taken_out_of_the_line_wherever_people_left_it() {
        let (text, mark) =
            split_mark("Ship X @ann — Why: y <!-- sprintbot:goal id=3f9a1c carried=2 -->");
        assert_eq!(text, "Ship X @ann — Why: y");
        assert_eq!(mark.map(|m| m.carried), Some(2));
        // Someone typed after it.
        let (text, mark) =
            split_mark("Ship X <!-- sprintbot:goal id=3f9a1c carried=1 --> (blocked) @ann");
        assert_eq!(text, "Ship X (blocked) @ann");
        assert!(mark.is_some());
        // A damaged marker is removed, and the count restarts.
        let (text, mark) = split_mark("Ship X <!-- sprintbot:goal id=3f9a1c carried=lots -->");
        assert_eq!((text.as_str(), mark), ("Ship X", None));
        // An unclosed one is text.
        let (text, mark) = split_mark("Ship <!-- sprintbot:goal id=3f9a1c");
        assert_eq!(
            (text.as_str(), mark),
            ("Ship <!-- sprintbot:goal id=3f9a1c", None)
        );
    }

    #[test]
    fn minted_ids_are_stable_and_tell_goals_apart() {
        let s = Some(SprintId(jiff::civil::date(2022, 11, 14)));
        let a = GoalId::mint(s, 1, "Ship X");
        assert_eq!(a, GoalId::mint(s, 1, "Ship X"));
        assert_ne!(a, GoalId::mint(s, 2, "Ship X"));
        assert_ne!(a, GoalId::mint(None, 1, "Ship X"));
        assert_eq!(GoalId::parse(a.as_str()), Some(a));
    }

    fn goal(mark: Option<GoalMark>) -> Goal {
        Goal {
            number: 2,
            done: false,
            title: "Ship X".into(),
            owner: Some(Login("ann".into())),
            why: None,
            status: None,
            mark,
            ticked_by: None,
        }
    }

    #[test]
    fn a_goal_rolls_with_its_own_id_and_one_more_carry() {
        let s = Some(SprintId(jiff::civil::date(2022, 11, 14)));
        let fresh = goal(None);
        assert_eq!(next_count(&fresh), 1);
        let first = carried_mark(&fresh, s);
        assert_eq!(
            (first.id.clone(), first.carried),
            (GoalId::mint(s, 2, "Ship X"), 1)
        );
        let again = goal(Some(first.clone()));
        assert_eq!(
            carried_mark(&again, None),
            GoalMark {
                id: first.id.clone(),
                carried: 2
            }
        );
        let huge = goal(Some(GoalMark {
            id: first.id,
            carried: u32::MAX,
        }));
        assert_eq!(next_count(&huge), u32::MAX, "no overflow panic");
    }

    #[test]
    fn a_dropped_goal_is_recorded_with_its_owner_id_and_count() {
        let s = Some(SprintId(jiff::civil::date(2022, 11, 14)));
        let d = Dropped::of(&goal(None), s);
        assert_eq!(d.id, GoalId::mint(s, 2, "Ship X"));
        assert_eq!(
            (d.owner.as_ref().map(|o| o.0.as_str()), d.carried),
            (Some("ann"), 0)
        );
        let mark = GoalMark {
            id: id("abcdef"),
            carried: 3,
        };
        let d = Dropped::of(&goal(Some(mark)), s);
        assert_eq!((d.id, d.carried), (id("abcdef"), 3));
    }

    #[test]
    fn drop_records_round_trip() {
        let d = Dropped {
            id: id("00aa11"),
            owner: Some(Login("ann".into())),
            carried: 1,
            link: None,
        };
        assert_eq!(
            d.render(),
            "<!-- sprintbot:dropped id=00aa11 owner=ann carried=1 -->"
        );
        assert_eq!(Dropped::parse(&d.render()), Some(d.clone()));
        let nobody = Dropped { owner: None, ..d };
        assert_eq!(
            nobody.render(),
            "<!-- sprintbot:dropped id=00aa11 carried=1 -->"
        );
        assert_eq!(
            Dropped::parse(format!("  {}\r", nobody.render()).trim()),
            Some(nobody.clone())
        );
        let linked = Dropped {
            link: Some(123),
            ..nobody.clone()
        };
        assert_eq!(
            linked.render(),
            "<!-- sprintbot:dropped id=00aa11 carried=1 link=#123 -->"
        );
        assert_eq!(Dropped::parse(&linked.render()), Some(linked));
        assert_eq!(Dropped::parse("<!-- sprintbot:dropped id=00aa11 -->"), None);
        assert_eq!(
            Dropped::parse("<!-- sprintbot:dropped id=00aa11 owner=-x carried=1 -->"),
            None
        );
        assert_eq!(Dropped::parse("- [ ] a goal"), None);
    }
}
