//! A team comment's lines besides its items, for the layouts that show
//! them (presets 2024 and 2026): its support hero this sprint, from the
//! team's own rotation (`heroes` of its `[[teams]]` entry, one per sprint,
//! passing over whoever is off on the sprint's first day); who of its
//! members is off during the sprint; and its quarter goals as it last wrote
//! them. Pure.

use super::Login;
use super::calendar::Sprint;
use super::moving::Moving;
use super::off::Off;
use super::render::{TeamLines, TeamView};

/// The lines of `team`'s comment on the issue of `next`; `members`: the
/// team's members, `away`: everyone known to be off during `next`.
pub fn for_team(
    team: &TeamView,
    members: &[Login],
    next: &Sprint,
    away: &[Off],
    moving: &Moving,
) -> TeamLines {
    let off_on = |login: &Login, day| {
        away.iter()
            .any(|o| o.login.0.eq_ignore_ascii_case(&login.0) && o.from <= day && day <= o.to)
    };
    let hero = hero(&team.heroes, next.index, |l| off_on(l, next.start));
    let mut off: Vec<String> = Vec::new();
    for o in away {
        let member = members.iter().any(|m| m.0.eq_ignore_ascii_case(&o.login.0));
        if member && o.from <= next.end && next.start <= o.to {
            let when = if o.from <= next.start && next.end <= o.to {
                "all sprint".to_string()
            } else if o.from == o.to {
                o.from.strftime("%b %-d").to_string()
            } else {
                format!(
                    "{} to {}",
                    o.from.strftime("%b %-d"),
                    o.to.strftime("%b %-d")
                )
            };
            off.push(format!("@{} ({when})", o.login));
        }
    }
    TeamLines {
        hero: hero.map(|h| format!("@{h}")).unwrap_or_default(),
        off: off.join(", "),
        quarter_goals: moving
            .of_team(&team.slug)
            .map(|t| t.quarter_goals.clone())
            .unwrap_or_default(),
    }
}

/// The sprint's hero from a rotation: the one whose turn it is, else the
/// next who is not off.
fn hero(rotation: &[Login], index: i64, is_off: impl Fn(&Login) -> bool) -> Option<Login> {
    let n = rotation.len() as i64;
    if n == 0 {
        return None;
    }
    let at = |k: i64| rotation[(index + k).rem_euclid(n) as usize].clone();
    (0..n).map(at).find(|l| !is_off(l)).or_else(|| Some(at(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprint::calendar::{Cadence, weekdays};
    use jiff::civil::{Time, date};

    fn login(s: &str) -> Login {
        Login::parse(s).unwrap()
    }

    fn sprint(index: i64) -> Sprint {
        Cadence {
            anchor: date(2026, 1, 5),
            length_weeks: 2,
            tz: jiff::tz::TimeZone::UTC,
            opens_at: Time::midnight(),
            working_days: weekdays(),
        }
        .sprint(index)
    }

    #[test]
    fn the_rotation_turns_each_sprint_and_passes_over_who_is_off() {
        let team = TeamView {
            name: "Search".into(),
            slug: "search".into(),
            heroes: vec![login("ana-example"), login("bo-example")],
            ..TeamView::default()
        };
        let members = [login("ana-example"), login("bo-example")];
        let none = Moving::default();
        let s2 = sprint(2);
        assert_eq!(
            for_team(&team, &members, &s2, &[], &none).hero,
            "@ana-example"
        );
        assert_eq!(
            for_team(&team, &members, &sprint(3), &[], &none).hero,
            "@bo-example"
        );
        let away = [Off {
            login: login("ana-example"),
            from: s2.start,
            to: s2.start,
        }];
        let lines = for_team(&team, &members, &s2, &away, &none);
        assert_eq!(lines.hero, "@bo-example");
        assert_eq!(
            lines.off,
            format!("@ana-example ({})", s2.start.strftime("%b %-d"))
        );
    }

    #[test]
    fn no_rotation_no_hero_and_strangers_are_not_listed_off() {
        let team = TeamView::default();
        let s = sprint(0);
        let away = [Off {
            login: login("stranger"),
            from: s.start,
            to: s.end,
        }];
        let lines = for_team(
            &team,
            &[login("ana-example")],
            &s,
            &away,
            &Moving::default(),
        );
        assert_eq!(lines, TeamLines::default());
    }
}
