//! Support-hero rotation: each week of every sprint gets the next person in
//! a list, in turn. The turn is derived from the week's index since the
//! anchor, so it is stable for any date; per-sprint overrides win.

use super::calendar::Sprint;
use super::{Login, SprintId};

/// Who is support hero when.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rotation {
    pub heroes: Vec<Login>,
    pub overrides: Vec<HeroOverride>,
}

/// "In sprint X, week N's hero is Y instead."
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeroOverride {
    pub sprint: SprintId,
    /// 1-based week within the sprint.
    pub week: u8,
    pub login: Login,
}

impl Rotation {
    /// The heroes of each week of `sprint` (week 1 first); `None` for a week
    /// when the rotation is empty and no override names anyone.
    pub fn heroes_for(&self, sprint: &Sprint) -> Vec<Option<Login>> {
        (1..=sprint.weeks)
            .map(|week| {
                if let Some(o) = self
                    .overrides
                    .iter()
                    .rev()
                    .find(|o| o.sprint == sprint.id && o.week == week)
                {
                    return Some(o.login.clone());
                }
                if self.heroes.is_empty() {
                    return None;
                }
                let turn = sprint.index * i64::from(sprint.weeks) + i64::from(week - 1);
                let i = turn.rem_euclid(self.heroes.len() as i64) as usize;
                Some(self.heroes[i].clone())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprint::calendar::{Cadence, weekdays};
    use jiff::civil::{date, time};

    fn cadence() -> Cadence {
        Cadence {
            anchor: date(2022, 10, 17),
            length_weeks: 2,
            tz: jiff::tz::TimeZone::UTC,
            opens_at: time(9, 0, 0, 0),
            working_days: weekdays(),
        }
    }

    fn logins(names: &[&str]) -> Vec<Login> {
        names.iter().map(|n| Login(n.to_string())).collect()
    }

    fn names(heroes: Vec<Option<Login>>) -> Vec<String> {
        heroes
            .into_iter()
            .map(|h| h.map(|l| l.0).unwrap_or_default())
            .collect()
    }

    #[test]
    fn each_week_gets_the_next_person_in_turn() {
        let r = Rotation {
            heroes: logins(&["ann", "bob", "cat"]),
            overrides: vec![],
        };
        let c = cadence();
        assert_eq!(names(r.heroes_for(&c.sprint(0))), ["ann", "bob"]);
        assert_eq!(names(r.heroes_for(&c.sprint(1))), ["cat", "ann"]);
        assert_eq!(names(r.heroes_for(&c.sprint(2))), ["bob", "cat"]);
        // Stable for any date, also before the anchor.
        assert_eq!(names(r.heroes_for(&c.sprint(-1))), ["bob", "cat"]);
    }

    #[test]
    fn an_override_replaces_one_week_of_one_sprint() {
        let c = cadence();
        let r = Rotation {
            heroes: logins(&["ann", "bob", "cat"]),
            overrides: vec![HeroOverride {
                sprint: c.sprint(1).id,
                week: 2,
                login: Login("neil".into()),
            }],
        };
        assert_eq!(names(r.heroes_for(&c.sprint(1))), ["cat", "neil"]);
        assert_eq!(names(r.heroes_for(&c.sprint(2))), ["bob", "cat"]);
    }

    #[test]
    fn an_empty_rotation_names_nobody() {
        assert_eq!(
            Rotation::default().heroes_for(&cadence().sprint(0)),
            vec![None, None]
        );
    }
}
