//! Support-hero rotation: each week of every sprint gets the next person in
//! a list, in turn. The turn is derived from the week's index since the
//! anchor, so it is stable for any date; per-sprint overrides win. With
//! time off ([`Rotation::heroes_with`]) a person who is off during their
//! turn swaps with the next person available then, and takes that person's
//! turn instead: nobody serves more often than the list says.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;

use super::calendar::Sprint;
use super::off::{Off, is_off, week_days};
use super::timeline::Calendar;
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

    fn override_for(&self, sprint: SprintId, week: u8) -> Option<Login> {
        self.overrides
            .iter()
            .rev()
            .find(|o| o.sprint == sprint && o.week == week)
            .map(|o| o.login.clone())
    }

    /// The heroes of each week of `sprint` on `calendar`, with time off.
    /// Turns count the sprints that ran (a skipped sprint takes none). A
    /// hero who is off during their turn swaps with the next person in turn
    /// who is available then and whose own turn the skipped one can take;
    /// when nobody can swap, the next available person covers. The turns
    /// of the sprint before are settled first, so a turn owed from its last
    /// week lands in this one. Overrides win.
    pub fn heroes_with(
        &self,
        calendar: &Calendar,
        sprint: &Sprint,
        off: &[Off],
    ) -> Vec<Option<Login>> {
        let weeks = i64::from(sprint.weeks.max(1));
        let n = self.heroes.len() as i64;
        let computed: Vec<Option<Login>> = if n == 0 {
            vec![None; weeks as usize]
        } else {
            let first = calendar.ran_index(sprint.index) * weeks;
            let turns: Vec<i64> = (first - weeks..first + weeks + n).collect();
            let mut sprints: HashMap<i64, Sprint> = HashMap::new();
            let days: Vec<(Date, Date)> = turns
                .iter()
                .map(|t| {
                    let ran = t.div_euclid(weeks);
                    let s = sprints
                        .entry(ran)
                        .or_insert_with(|| calendar.sprint(calendar.index_of_ran(ran)));
                    week_days(s, (t.rem_euclid(weeks) + 1) as u8)
                })
                .collect();
            let mut who: Vec<Login> = turns
                .iter()
                .map(|t| self.heroes[t.rem_euclid(n) as usize].clone())
                .collect();
            let away = |l: &Login, (from, to): (Date, Date)| is_off(off, l, from, to);
            for i in 0..who.len() {
                if !away(&who[i], days[i]) {
                    continue;
                }
                let later = i + 1..(i + n as usize).min(who.len());
                let swap = later.clone().find(|&j| {
                    who[j] != who[i] && !away(&who[j], days[i]) && !away(&who[i], days[j])
                });
                match swap {
                    Some(j) => who.swap(i, j),
                    None => {
                        if let Some(j) = later.into_iter().find(|&j| !away(&who[j], days[i])) {
                            who[i] = who[j].clone();
                        }
                    }
                }
            }
            let at = weeks as usize;
            who[at..at + weeks as usize]
                .iter()
                .cloned()
                .map(Some)
                .collect()
        };
        computed
            .into_iter()
            .enumerate()
            .map(|(i, h)| self.override_for(sprint.id, i as u8 + 1).or(h))
            .collect()
    }

    /// What recording time off changes in the heroes a sprint issue shows
    /// (`shown`, by week): a week whose shown hero is the one computed
    /// before (`off_before`) gets the one computed after (`off_after`) when
    /// that differs, and a week whose shown hero is now off gets whoever is
    /// computed for it. Weeks someone set by hand to a person who is not
    /// off are left alone.
    pub fn changes_for_off(
        &self,
        calendar: &Calendar,
        sprint: &Sprint,
        shown: &BTreeMap<u8, Login>,
        off_before: &[Off],
        off_after: &[Off],
    ) -> Vec<(u8, Login)> {
        let before = self.heroes_with(calendar, sprint, off_before);
        let after = self.heroes_with(calendar, sprint, off_after);
        let mut out = Vec::new();
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            let week = i as u8 + 1;
            let Some(a) = a else { continue };
            let current = shown.get(&week);
            let (from, to) = week_days(sprint, week);
            let computed_moved = current == b.as_ref() && Some(a) != b.as_ref();
            let shown_is_off = current.is_some_and(|c| is_off(off_after, c, from, to));
            if (computed_moved || shown_is_off) && current != Some(a) {
                out.push((week, a.clone()));
            }
        }
        out
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

    fn off(login: &str, from: Date, to: Date) -> Off {
        Off {
            login: Login(login.into()),
            from,
            to,
        }
    }

    fn plain() -> Calendar {
        Calendar::plain(&cadence())
    }

    #[test]
    fn a_hero_who_is_off_swaps_with_the_next_person_and_takes_their_turn() {
        let r = Rotation {
            heroes: logins(&["ann", "bob", "cat"]),
            overrides: vec![],
        };
        let cal = plain();
        // Sprint 0 runs 17 Oct - 30 Oct 2022: ann is off its first week.
        let leave = [off("ann", date(2022, 10, 17), date(2022, 10, 21))];
        assert_eq!(
            names(r.heroes_with(&cal, &cal.sprint(0), &leave)),
            ["bob", "ann"]
        );
        assert_eq!(
            names(r.heroes_with(&cal, &cal.sprint(1), &leave)),
            ["cat", "ann"]
        );
        // Without time off it is the plain rotation.
        for i in 0..4 {
            assert_eq!(
                r.heroes_with(&cal, &cal.sprint(i), &[]),
                r.heroes_for(&cal.sprint(i))
            );
        }
    }

    #[test]
    fn a_turn_owed_from_the_last_week_lands_in_the_next_sprint() {
        let r = Rotation {
            heroes: logins(&["ann", "bob", "cat"]),
            overrides: vec![],
        };
        let cal = plain();
        // Sprint 1 (31 Oct - 13 Nov) is [cat, ann]; ann is off its week 2.
        let leave = [off("ann", date(2022, 11, 7), date(2022, 11, 11))];
        assert_eq!(
            names(r.heroes_with(&cal, &cal.sprint(1), &leave)),
            ["cat", "bob"]
        );
        // Sprint 2 was [bob, cat]: ann takes bob's turn.
        assert_eq!(
            names(r.heroes_with(&cal, &cal.sprint(2), &leave)),
            ["ann", "cat"]
        );
    }

    #[test]
    fn over_eight_sprints_everyone_serves_as_often_as_without_time_off() {
        let r = Rotation {
            heroes: logins(&["ann", "bob", "cat", "dan"]),
            overrides: vec![],
        };
        let cal = plain();
        let leave = [
            off("bob", date(2022, 10, 24), date(2022, 10, 28)),
            off("dan", date(2022, 11, 28), date(2022, 12, 9)),
            off("ann", date(2023, 1, 9), date(2023, 1, 13)),
        ];
        let count = |with: &[Off]| {
            let mut c: BTreeMap<String, usize> = BTreeMap::new();
            for i in 0..8 {
                for h in r
                    .heroes_with(&cal, &cal.sprint(i), with)
                    .into_iter()
                    .flatten()
                {
                    *c.entry(h.0).or_default() += 1;
                }
            }
            c
        };
        assert_eq!(count(&leave), count(&[]));
        for i in 0..8 {
            let s = cal.sprint(i);
            for (w, h) in r.heroes_with(&cal, &s, &leave).iter().enumerate() {
                let (from, to) = week_days(&s, w as u8 + 1);
                let h = h.clone().unwrap();
                assert!(!is_off(&leave, &h, from, to), "sprint {i} week {w}: {h}");
            }
        }
    }

    #[test]
    fn when_nobody_can_swap_the_next_available_person_covers() {
        let r = Rotation {
            heroes: logins(&["ann", "bob"]),
            overrides: vec![],
        };
        let cal = plain();
        // ann is off for the whole of sprints 0 and 1.
        let leave = [off("ann", date(2022, 10, 17), date(2022, 11, 13))];
        assert_eq!(
            names(r.heroes_with(&cal, &cal.sprint(0), &leave)),
            ["bob", "bob"]
        );
    }

    #[test]
    fn recording_time_off_changes_only_the_weeks_it_moves() {
        let r = Rotation {
            heroes: logins(&["ann", "bob", "cat"]),
            overrides: vec![],
        };
        let cal = plain();
        let s = cal.sprint(0);
        let shown: BTreeMap<u8, Login> =
            [(1, Login("ann".into())), (2, Login("bob".into()))].into();
        let leave = [off("ann", date(2022, 10, 17), date(2022, 10, 21))];
        assert_eq!(
            r.changes_for_off(&cal, &s, &shown, &[], &leave),
            vec![(1, Login("bob".into())), (2, Login("ann".into()))]
        );
        // Week 2 was set by hand to neil: only week 1 moves.
        let by_hand: BTreeMap<u8, Login> =
            [(1, Login("ann".into())), (2, Login("neil".into()))].into();
        assert_eq!(
            r.changes_for_off(&cal, &s, &by_hand, &[], &leave),
            vec![(1, Login("bob".into()))]
        );
    }
}
