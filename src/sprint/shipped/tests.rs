//! Unit tests of the shipped list: the window, bots, teams, the cap, and
//! the rendered section.

use jiff::civil::date;

use super::*;
use crate::sprint::health::RosterTeam;

fn at(day: i8, hour: i8) -> Timestamp {
    date(2022, 11, day)
        .at(hour, 0, 0, 0)
        .in_tz("UTC")
        .unwrap()
        .timestamp()
}

fn pull(number: u64, author: &str, day: i8) -> MergedPull {
    MergedPull {
        number,
        title: format!("Change {number}"),
        author: Login(author.into()),
        author_is_bot: false,
        merged_at: at(day, 12),
    }
}

fn shipped(pulls: Vec<MergedPull>) -> Shipped {
    let team = |name: &str, members: &[&str]| RosterTeam {
        name: name.into(),
        members: members.iter().map(|m| Login(m.to_string())).collect(),
    };
    Shipped {
        repo_url: "https://github.com/acme/app".into(),
        base: "main".into(),
        window: Window {
            start: at(14, 9),
            end: at(28, 9),
            first_day: date(2022, 11, 14),
            last_day: date(2022, 11, 27),
        },
        pulls,
        roster: Roster {
            teams: vec![team("Growth", &["ann", "Bob"]), team("Pipeline", &["cy"])],
        },
    }
}

#[test]
fn only_pull_requests_merged_in_the_window_by_people_count() {
    let mut bot = pull(5, "dependabot[bot]", 20);
    bot.author = Login("dependabot[bot]".into());
    let mut typed_bot = pull(6, "renovate", 20);
    typed_bot.author_is_bot = true;
    let s = shipped(vec![
        pull(1, "ann", 13),
        pull(2, "ann", 14),
        pull(3, "cy", 27),
        pull(4, "cy", 28),
        bot,
        typed_bot,
    ]);
    let numbers: Vec<u64> = counted(&s).iter().map(|p| p.number).collect();
    // The 14th at noon is after the 09:00 opening; the 28th at noon is
    // after the next one.
    assert_eq!(numbers, [3, 2]);
    assert_eq!(
        search_url(&s),
        "https://github.com/acme/app/pulls?q=is:pr+is:merged+base:main+merged:2022-11-14..2022-11-27"
    );
}

#[test]
fn pull_requests_are_grouped_by_team_in_config_order_and_capped() {
    let s = shipped(vec![
        pull(1, "stranger", 15),
        pull(2, "cy", 16),
        pull(3, "bob", 17),
        pull(4, "ann", 18),
        pull(5, "ann", 19),
    ]);
    let teams = by_team(&s, 2);
    let shown: Vec<(Option<&str>, Vec<u64>, usize)> = teams
        .iter()
        .map(|t| {
            (
                t.team.as_deref(),
                t.pulls.iter().map(|p| p.number).collect(),
                t.more,
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            (Some("Growth"), vec![5, 4], 1),
            (Some("Pipeline"), vec![2], 0),
            (None, vec![1], 0)
        ]
    );
}

#[test]
fn the_section_lists_each_team_with_a_search_link_and_cannot_forge_markers() {
    let mut evil = pull(7, "ann", 15);
    evil.title = "Fix <!-- sprintbot:goals:end --> parsing".into();
    let s = shipped(vec![evil, pull(8, "ann", 16), pull(9, "zed", 16)]);
    let text = section(&Templates::default(), &s, 1, 41).unwrap();
    assert!(
        text.starts_with(&format!("{START_MARKER}\n### Shipped last sprint\n")),
        "{text}"
    );
    assert!(text.ends_with(&format!("\n{END_MARKER}\n")), "{text}");
    assert!(text.contains("3 pull requests merged into `main` from Nov 14 to Nov 27 ([search](https://github.com/acme/app/pulls?q="), "{text}");
    assert!(
        text.contains("**Growth**\n\n- Change 8 #8 by ann\n- … and 1 more\n"),
        "{text}"
    );
    assert!(
        text.contains("**Other**\n\n- Change 9 #9 by zed\n"),
        "{text}"
    );
    assert!(!text.contains("<!-- sprintbot:goals"), "{text}");
    let none = section(&Templates::default(), &shipped(Vec::new()), 10, 41).unwrap();
    assert!(
        none.contains("No pull requests were merged into `main` from Nov 14 to Nov 27."),
        "{none}"
    );
}

#[test]
fn a_custom_template_sees_every_field() {
    let t = Templates {
        shipped: "{{ previous_issue }} {{ base }} {{ start }}-{{ end }} {{ total }} {% for t in teams %}{{ t.name }}:{% for p in t.pulls %}{{ p.number }}/{{ p.author }}/{{ p.url }}{% endfor %}+{{ t.more }} {% endfor %}{{ search_url }}".into(),
        ..Templates::default()
    };
    let text = section(&t, &shipped(vec![pull(3, "cy", 20)]), 5, 41).unwrap();
    assert!(text.contains("41 main Nov 14-Nov 27 1 Pipeline:3/cy/https://github.com/acme/app/pull/3+0 https://github.com/acme/app/pulls?q="), "{text}");
}
