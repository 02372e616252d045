//! Unit tests of the health figures, the summary lines, the history walk and
//! the rendered section.

use super::history::{END_MARKER, START_MARKER, last_sprints, recorded};
use super::*;
use crate::sprint::SprintId;
use crate::sprint::body::SprintDoc;
use crate::sprint::goal::GoalMark;
use crate::sprint::render::Templates;

fn login(s: &str) -> Login {
    Login(s.into())
}

fn goal(number: usize, done: bool, owner: Option<&str>, carried: u32) -> Goal {
    Goal {
        number,
        done,
        title: format!("Goal {number}"),
        owner: owner.map(login),
        why: None,
        status: None,
        mark: (carried > 0).then(|| GoalMark {
            id: GoalId::parse(&format!("{number:06x}")).unwrap(),
            carried,
        }),
        ticked_by: None,
    }
}

fn dropped(owner: Option<&str>) -> Dropped {
    Dropped {
        id: GoalId::parse("00aa11").unwrap(),
        owner: owner.map(login),
        carried: 0,
        link: None,
    }
}

fn roster() -> Roster {
    let team = |name: &str, members: &[&str]| RosterTeam {
        name: name.into(),
        members: members.iter().map(|m| login(m)).collect(),
    };
    Roster {
        teams: vec![
            team("Growth", &["ann", "Bob"]),
            team("Pipeline", &["cy", "bob"]),
        ],
    }
}

fn day(d: i8) -> SprintId {
    SprintId(jiff::civil::date(2022, 10, d))
}

fn summary(d: i8, issue: u64, previous: Option<u64>, done: u32, carried: u32) -> SprintSummary {
    SprintSummary {
        sprint: day(d),
        issue,
        previous,
        figures: Figures {
            planned: done + carried,
            done,
            carried,
            dropped: 0,
        },
    }
}

#[test]
fn planned_counts_the_goals_kept_and_the_goals_dropped() {
    let goals = [
        goal(1, true, None, 0),
        goal(2, false, None, 0),
        goal(3, false, None, 2),
    ];
    let f = figures(&goals, &[dropped(None)]);
    assert_eq!(
        f,
        Figures {
            planned: 4,
            done: 1,
            carried: 2,
            dropped: 1
        }
    );
    assert_eq!(f.done_ratio(), Some(Percent(25)));
    assert_eq!(f.carry_rate(), Some(Percent(50)));
    // 1/3 and 2/3 round to the nearest whole percent.
    let thirds = Figures {
        planned: 3,
        done: 2,
        carried: 1,
        dropped: 0,
    };
    assert_eq!(
        (thirds.done_ratio(), thirds.carry_rate()),
        (Some(Percent(67)), Some(Percent(33)))
    );
    assert_eq!(
        Figures::default().done_ratio(),
        None,
        "nothing planned, no ratio"
    );
    assert_eq!(Percent(38).to_string(), "38%");
}

#[test]
fn goals_count_for_their_owners_first_team_and_the_rest_for_no_team() {
    let goals = [
        goal(1, true, Some("ANN"), 0),
        goal(2, false, Some("bob"), 0), // in both teams: the first wins
        goal(3, true, Some("cy"), 0),
        goal(4, false, Some("stranger"), 1),
        goal(5, false, None, 0),
    ];
    let s = summary(17, 105, Some(104), 2, 3);
    let h = compute(&s, &goals, &[dropped(Some("cy"))], &roster(), &[]);
    let rows: Vec<(Option<&str>, u32, u32, u32, u32)> = h
        .teams
        .iter()
        .map(|t| {
            let f = t.figures;
            (t.team.as_deref(), f.planned, f.done, f.carried, f.dropped)
        })
        .collect();
    assert_eq!(
        rows,
        [
            (Some("Growth"), 2, 1, 1, 0),
            (Some("Pipeline"), 2, 1, 0, 1),
            (None, 2, 0, 2, 0)
        ]
    );
    assert_eq!(h.total.planned, 6);
    assert_eq!(h.issue, 105);
    // Every goal owned by a team member: no "no team" row, and a team
    // without goals still has its row.
    let h = compute(&s, &[goal(1, true, Some("ann"), 0)], &[], &roster(), &[]);
    assert_eq!(h.teams.len(), 2);
    assert_eq!(h.teams[1].figures, Figures::default());
}

#[test]
fn the_longest_carried_are_the_three_that_rolled_most_earlier_goals_first_on_ties() {
    let goals = [
        goal(1, false, Some("ann"), 0),
        goal(2, false, Some("bob"), 2),
        goal(3, true, Some("cy"), 5), // done: no longer carried
        goal(4, false, None, 1),
        goal(5, false, Some("dee"), 2),
    ];
    let longest = longest_carried(&goals);
    let got: Vec<(&str, u32, Option<&str>)> = longest
        .iter()
        .map(|g| {
            (
                g.title.as_str(),
                g.carried,
                g.owner.as_ref().map(|o| o.0.as_str()),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("Goal 2", 3, Some("bob")),
            ("Goal 5", 3, Some("dee")),
            ("Goal 4", 2, None)
        ]
    );
    assert_eq!(longest[0].id, GoalId::parse("000002"));
    assert!(longest_carried(&[goal(1, true, None, 0)]).is_empty());
}

#[test]
fn summary_lines_round_trip_and_damaged_ones_are_ignored() {
    let s = SprintSummary {
        sprint: day(17),
        issue: 105,
        previous: Some(104),
        figures: Figures {
            planned: 9,
            done: 6,
            carried: 2,
            dropped: 1,
        },
    };
    let line = s.render();
    assert_eq!(
        line,
        "<!-- sprintbot:health sprint=2022-10-17 issue=105 previous=104 planned=9 done=6 carried=2 dropped=1 -->"
    );
    assert_eq!(SprintSummary::parse(&line), Some(s.clone()));
    let first = SprintSummary {
        previous: None,
        ..s
    };
    assert!(!first.render().contains("previous"));
    assert_eq!(SprintSummary::parse(&first.render()), Some(first));
    for damaged in [
        "<!-- sprintbot:health sprint=2022-10-17 issue=105 planned=9 done=6 carried=2 dropped=2 -->",
        "<!-- sprintbot:health sprint=2022-10-17 issue=105 planned=9 done=6 carried=2 -->",
        "<!-- sprintbot:health sprint=last issue=105 planned=0 done=0 carried=0 dropped=0 -->",
        "<!-- sprintbot:health sprint=2022-10-17 planned=0 done=0 carried=0 dropped=0 -->",
        "<!-- sprintbot:health sprint=2022-10-17 issue=105 planned=-1 done=0 carried=0 dropped=0 -->",
        "<!-- sprintbot:health:start -->",
    ] {
        assert_eq!(SprintSummary::parse(damaged), None, "{damaged}");
    }
}

/// A sprint issue body with goals, drop records and recorded summaries.
fn body(sprint: i8, previous: Option<u64>, goals: &str, recorded: &[SprintSummary]) -> SprintDoc {
    let previous = previous
        .map(|p| format!(" previous={p}"))
        .unwrap_or_default();
    let mut text = format!(
        "<!-- sprintbot:sprint id={} version=1.0.0 part=1/2 handled=0{previous} -->\n\
         <!-- sprintbot:goals:start -->\n{goals}<!-- sprintbot:goals:end -->\n",
        day(sprint)
    );
    if !recorded.is_empty() {
        text.push_str(START_MARKER);
        text.push_str("\nSome figures\n");
        for s in recorded {
            text.push_str(&s.render());
            text.push('\n');
        }
        text.push_str(END_MARKER);
        text.push('\n');
    }
    SprintDoc::parse(&text).unwrap()
}

#[test]
fn a_sprints_summary_comes_from_its_goals_and_drop_records() {
    let doc = body(
        17,
        Some(104),
        "- [x] a @ann\n- [ ] b @bob\n<!-- sprintbot:dropped id=00aa11 owner=cy carried=0 -->\n",
        &[],
    );
    let s = SprintSummary::of(105, &doc).unwrap();
    assert_eq!((s.sprint, s.issue, s.previous), (day(17), 105, Some(104)));
    assert_eq!(
        (
            s.figures.planned,
            s.figures.done,
            s.figures.carried,
            s.figures.dropped
        ),
        (3, 1, 1, 1)
    );
    let no_meta =
        SprintDoc::parse("<!-- sprintbot:goals:start -->\n<!-- sprintbot:goals:end -->\n").unwrap();
    assert_eq!(SprintSummary::of(1, &no_meta), None);
}

#[test]
fn recorded_summaries_are_read_from_the_health_section_only() {
    let a = summary(3, 104, Some(103), 5, 3);
    let doc = body(17, Some(104), "", std::slice::from_ref(&a));
    assert_eq!(recorded(&doc), std::slice::from_ref(&a));
    // A summary line outside the section is not the bot's record.
    let outside = format!("{}\n{}", a.render(), body(17, None, "", &[]).text());
    assert!(recorded(&SprintDoc::parse(&outside).unwrap()).is_empty());
    // Without its end marker the section is damaged: nothing is trusted.
    let cut = doc.text().replace(END_MARKER, "");
    assert!(recorded(&SprintDoc::parse(&cut).unwrap()).is_empty());
}

#[test]
fn the_chart_shows_the_five_newest_earlier_sprints_and_the_ended_one() {
    let ended = summary(31, 107, Some(106), 4, 3);
    let earlier: Vec<SprintSummary> = (1..=7)
        .map(|d| summary(d, 100 + d as u64, None, 1, 1))
        .chain([summary(31, 1, None, 0, 0)]) // the ended sprint itself: ignored
        .collect();
    let days: Vec<SprintId> = last_sprints(&ended, &earlier)
        .iter()
        .map(|s| s.sprint)
        .collect();
    assert_eq!(days, [day(3), day(4), day(5), day(6), day(7), day(31)]);
    assert_eq!(last_sprints(&ended, &[]), std::slice::from_ref(&ended));
}

#[test]
fn no_older_issue_is_read_when_the_last_one_recorded_the_history() {
    let recorded: Vec<SprintSummary> = (1..=5)
        .map(|d| summary(d, 100 + d as u64, Some(99 + d as u64), 2, 1))
        .collect();
    let e = EarlierSprints::new(106, &body(17, Some(105), "", &recorded));
    assert_eq!(e.wants(), None);
    assert_eq!(e.finish(), recorded);
}

#[test]
fn without_records_older_issues_are_read_once_each_along_their_previous_links() {
    let last = body(31, Some(105), "- [ ] x\n", &[]);
    let mut e = EarlierSprints::new(106, &last);
    assert_eq!(e.wants(), Some(105));
    // Issue 105 was opened without health, so it records nothing either.
    e.add(105, &body(17, Some(104), "- [x] a\n- [ ] b\n", &[]));
    assert_eq!(e.wants(), Some(104));
    // Issue 104 recorded two sprints before it; the oldest has no previous.
    let older = [
        summary(3, 103, Some(102), 1, 0),
        summary(1, 102, None, 2, 2),
    ];
    e.add(104, &body(10, Some(103), "- [x] c\n", &older));
    assert_eq!(e.wants(), None, "the first sprint has no previous issue");
    let got: Vec<(SprintId, u64)> = e.finish().iter().map(|s| (s.sprint, s.issue)).collect();
    assert_eq!(
        got,
        [(day(1), 102), (day(3), 103), (day(10), 104), (day(17), 105)]
    );
}

#[test]
fn a_loop_of_previous_links_or_a_body_without_metadata_ends_the_walk() {
    let mut e = EarlierSprints::new(106, &body(31, Some(105), "", &[]));
    // 105 claims 106 came before it: never read twice.
    e.add(105, &body(17, Some(106), "", &[]));
    assert_eq!(e.wants(), None);
    let mut e = EarlierSprints::new(106, &body(31, Some(105), "", &[]));
    e.add(105, &SprintDoc::parse("no markers at all").unwrap());
    assert_eq!(e.wants(), None);
    assert!(e.finish().is_empty());
    let e = EarlierSprints::new(1, &SprintDoc::parse("").unwrap());
    assert_eq!(e.wants(), None);
}

fn sample() -> Health {
    let goals = [
        goal(1, false, Some("ann"), 2),
        goal(2, true, Some("cy"), 0),
        goal(3, false, Some("stranger"), 0),
        Goal {
            title: "A | pipe <!-- sprintbot:goals:end --> and a very long title that goes on and on well past eighty characters".into(),
            ..goal(4, false, Some("bob"), 1)
        },
    ];
    let ended = SprintSummary::of(
        107,
        &body(
            31,
            Some(106),
            "- [ ] a\n- [x] b\n- [ ] c\n- [ ] d\n<!-- sprintbot:dropped id=00aa11 carried=0 -->\n",
            &[],
        ),
    )
    .unwrap();
    let earlier = [
        summary(17, 106, Some(105), 6, 2),
        summary(3, 105, None, 5, 3),
    ];
    compute(&ended, &goals, &[dropped(None)], &roster(), &earlier)
}

#[test]
fn the_health_section_shows_figures_per_team_the_longest_carried_and_a_chart() {
    let h = sample();
    let text = section::section(&Templates::default(), &h, true).unwrap();
    insta::assert_snapshot!("health_section", text);
    let doc = SprintDoc::parse(&text).unwrap();
    assert_eq!(
        recorded(&doc),
        h.history.iter().rev().cloned().collect::<Vec<_>>()
    );
    assert!(doc.metadata().is_none() && !doc.has_section(crate::sprint::markers::Section::Goals));
    assert!(
        !text.contains("<!-- sprintbot:goals:end"),
        "a title cannot end a section"
    );
}

#[test]
fn without_carry_counts_the_section_lists_no_longest_carried() {
    let text = section::section(&Templates::default(), &sample(), false).unwrap();
    assert!(!text.contains("Carried over the longest"), "{text}");
    assert!(text.contains("```mermaid\n"));
}

#[test]
fn a_custom_health_template_sees_every_figure() {
    let t = Templates {
        health: "{{ sprint }} {{ start }} #{{ previous_issue }} {{ total.done_ratio }} {% for s in history %}{{ s.start }}={{ s.done }}/{{ s.carried }} {% endfor %}{% for t in teams %}{{ t.name }}:{{ t.carry_rate }} {% endfor %}".into(),
        ..Templates::default()
    };
    let text = section::section(&t, &sample(), true).unwrap();
    assert!(
        text.starts_with(&format!(
            "{START_MARKER}\n2022-10-31 Oct 31 #107 20% Oct 3=5/3 Oct 17=6/2 Oct 31=1/3 Growth:100% Pipeline:0% No team:50%\n"
        )),
        "{text}"
    );
}
