//! Unit tests of links: how people write them, the tick marker, and which
//! goals the links' states tick or untick.

use super::*;
use crate::sprint::body::SprintDoc;

fn link(repo: Option<(&str, &str)>, number: u64) -> LinkRef {
    LinkRef {
        repo: repo.map(|(o, n)| (o.to_string(), n.to_string())),
        number,
    }
}

#[test]
fn every_way_people_name_an_issue_or_pull_request_reads() {
    assert_eq!(parse_word("#123"), Some(link(None, 123)));
    assert_eq!(parse_word("(#123)"), Some(link(None, 123)));
    assert_eq!(
        parse_word("acme/app#7"),
        Some(link(Some(("acme", "app")), 7))
    );
    assert_eq!(
        parse_word("https://github.com/acme/app/issues/12"),
        Some(link(Some(("acme", "app")), 12))
    );
    assert_eq!(
        parse_word("https://github.com/acme/app/pull/34/files#diff-1"),
        Some(link(Some(("acme", "app")), 34))
    );
    assert_eq!(
        parse_word("https://ghe.example.com/acme/app/issues/5?x=1"),
        Some(link(Some(("acme", "app")), 5))
    );
    for not_a_link in [
        "#",
        "#0",
        "#12a",
        "#12345678901",
        "issue",
        "(#12",
        "https://github.com/acme/app/wiki/12",
        "https://github.com/acme",
        "acme#12",
        "a/b/c#1",
        "ac me/app#1",
    ] {
        assert_eq!(parse_word(not_a_link), None, "{not_a_link}");
    }
    assert!(link(Some(("Acme", "App")), 1).is_in("acme", "app"));
    assert!(link(None, 1).is_in("acme", "app"));
    assert!(!link(Some(("other", "app")), 1).is_in("acme", "app"));
    assert_eq!(link(Some(("acme", "app")), 7).to_string(), "acme/app#7");
}

#[test]
fn a_title_links_what_it_ends_with() {
    assert_eq!(link_of("Ship X (#123)"), Some(123));
    assert_eq!(link_of("Fix the crash #45"), Some(45));
    assert_eq!(link_of("Close #12 follow-ups"), None);
    assert_eq!(link_of("Ship acme/app#3"), None, "only this repository's");
    assert_eq!(link_of(""), None);
    assert_eq!(with_link("Ship X", 9), "Ship X (#9)");
    assert_eq!(with_link("", 9), "(#9)");
    assert_eq!(keep_link("Ship X (#9)", "Ship Y"), "Ship Y (#9)");
    assert_eq!(keep_link("Ship X (#9)", "Ship Y (#10)"), "Ship Y (#10)");
    assert_eq!(keep_link("Ship X", "Ship Y"), "Ship Y");
    assert_eq!(link_of_item("- [ ] Ship X (#9) @ann — Why: y"), Some(9));
    assert_eq!(link_of_item("- [x] Ship X @ann"), None);
    assert_eq!(link_of_item("not a goal (#9)"), None);
}

#[test]
fn tick_markers_round_trip_and_damaged_ones_are_taken_out() {
    assert_eq!(ticked_marker(12), "<!-- sprintbot:ticked by=#12 -->");
    assert_eq!(
        split_ticked("Ship X (#12) @ann <!-- sprintbot:ticked by=#12 -->"),
        ("Ship X (#12) @ann".to_string(), Some(12))
    );
    assert_eq!(
        split_ticked("Ship X <!-- sprintbot:ticked by=twelve --> @ann"),
        ("Ship X @ann".to_string(), None)
    );
    assert_eq!(
        split_ticked("Ship <!-- sprintbot:ticked by=#1"),
        ("Ship <!-- sprintbot:ticked by=#1".to_string(), None)
    );
}

#[test]
fn ticking_changes_the_box_and_the_marker_and_nothing_else() {
    let item = "- [ ] Ship X (#12) @ann — Why: y\r\n  - Status: 🟡 close\r\n";
    let ticked = tick_item(item, 12);
    assert_eq!(
        ticked,
        "- [x] Ship X (#12) @ann — Why: y <!-- sprintbot:ticked by=#12 -->\r\n  - Status: 🟡 close\r\n"
    );
    assert_eq!(tick_item(&ticked, 12), ticked, "never two markers");
    assert_eq!(untick_item(&ticked), item);
    assert_eq!(untick_item("- [x] A #3"), "- [ ] A #3");
}

fn goals(body: &str) -> Vec<Goal> {
    SprintDoc::parse(&format!(
        "<!-- sprintbot:goals:start -->\n{body}<!-- sprintbot:goals:end -->\n"
    ))
    .unwrap()
    .goals()
    .unwrap()
}

#[test]
fn finished_links_tick_their_goals_and_reopened_ones_untick_only_the_bots_ticks() {
    let g = goals(
        "- [ ] Open one (#1) @a\n\
         - [ ] Done one (#2) @a\n\
         - [x] Ticked by hand (#3) @a\n\
         - [x] Ticked by the bot (#4) @a <!-- sprintbot:ticked by=#4 -->\n\
         - [ ] Unticked by hand after the bot (#5) @a <!-- sprintbot:ticked by=#5 -->\n\
         - [ ] Not planned (#6) @a\n\
         - [ ] No link @a\n",
    );
    assert_eq!(watched(&g), [1, 2, 4, 5, 6]);
    use LinkState::*;
    let all_finished = changes(&g, |_| Some(Finished));
    assert_eq!(
        all_finished,
        [
            Change::LinkTick(1, 1),
            Change::LinkTick(2, 2),
            Change::LinkTick(6, 6)
        ],
        "a goal a person unticked stays unticked"
    );
    let reopened = changes(&g, |_| Some(Open));
    assert_eq!(
        reopened,
        [Change::LinkUntick(4), Change::LinkUntick(5)],
        "only the bot's ticks are undone (5 loses its stale marker)"
    );
    assert_eq!(changes(&g, |_| Some(Abandoned)), []);
    assert_eq!(
        changes(&g, |n| (n == 2).then_some(Finished)),
        [Change::LinkTick(2, 2)]
    );
}

#[test]
fn a_ticked_goal_reads_back_with_its_marker() {
    let doc = SprintDoc::parse(
        "<!-- sprintbot:goals:start -->\n- [ ] Ship X (#12) @ann\n<!-- sprintbot:goals:end -->\n",
    )
    .unwrap();
    let body = doc.apply(&Change::LinkTick(1, 12)).unwrap().body;
    let g = &SprintDoc::parse(&body).unwrap().goals().unwrap()[0];
    assert!(g.done);
    assert_eq!(
        (g.title.as_str(), g.ticked_by, g.link()),
        ("Ship X (#12)", Some(12), Some(12))
    );
    // `/goal edit` keeps both the link and the marker.
    let edited = SprintDoc::parse(&body)
        .unwrap()
        .apply(&Change::Edit(1, "Ship X well".into()))
        .unwrap()
        .body;
    let g = &SprintDoc::parse(&edited).unwrap().goals().unwrap()[0];
    assert_eq!(
        (g.title.as_str(), g.ticked_by),
        ("Ship X well (#12)", Some(12))
    );
    let back = SprintDoc::parse(&edited)
        .unwrap()
        .apply(&Change::LinkUntick(1))
        .unwrap()
        .body;
    assert!(back.contains("- [ ] Ship X well (#12) @ann\n"), "{back}");
    assert_eq!(
        SprintDoc::parse(&back)
            .unwrap()
            .apply(&Change::LinkTick(2, 1)),
        Err(crate::sprint::body::BodyError::NoSuchItem {
            section: crate::sprint::markers::Section::Goals,
            n: 2,
            count: 1
        })
    );
}

#[test]
fn a_plan_item_s_links_are_read_in_every_shape() {
    let here = |n| LinkRef {
        repo: None,
        number: n,
    };
    let there = |n| LinkRef {
        repo: Some(("acme".into(), "app".into())),
        number: n,
    };
    assert_eq!(
        in_text("Ship the exporter (#812, #815)"),
        [here(812), here(815)]
    );
    assert_eq!(
        in_text("Retry queue [PR](https://github.com/acme/app/pull/45). Then #45"),
        [there(45), here(45)]
    );
    assert_eq!(in_text("**acme/app#7** and #7."), [there(7), here(7)]);
    assert!(in_text("Issue number 12 and a # sign").is_empty());
}
