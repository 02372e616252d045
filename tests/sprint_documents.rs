//! Stories about the sprint issue as a document: what a new sprint looks
//! like, and how people's commands change exactly one item of a body they
//! have also edited by hand.

mod support;

use sprintbot::sprint::Login;
use sprintbot::sprint::body::{BodyError, Change, SprintDoc};
use sprintbot::sprint::ledger::Ledger;
use sprintbot::sprint::markers::Section;
use support::sprint::{fresh_body, posthog_config};

fn login(s: &str) -> Login {
    Login(s.to_string())
}

fn apply(body: &str, change: Change) -> String {
    SprintDoc::parse(body).unwrap().apply(&change).unwrap().body
}

#[test]
fn sprint_1_42_0_2_of_2_has_the_examples_title_and_sections_in_order() {
    let repo = posthog_config();
    let sprint = repo
        .cadence
        .sprint_containing("2022-11-16".parse().unwrap());
    let label = repo.numbering.label(sprint.index).unwrap();
    let title = sprintbot::sprint::render::title(&repo.templates, &sprint, &label).unwrap();
    assert_eq!(title, "Sprint 1.42.0 2/2 - Nov 14 - Nov 25");

    let body = fresh_body(&repo, "2022-11-16");
    // The example's headings, in the example's order.
    let headings: Vec<String> = std::fs::read_to_string(
        support::webhooks::fixtures_dir().join("reference/posthog-sprint-issue-headings.txt"),
    )
    .unwrap()
    .lines()
    .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    .map(String::from)
    .collect();
    assert_eq!(headings.len(), 8);
    let mut last_body = 0;
    for h in &headings {
        let at = body[last_body..]
            .find(h.as_str())
            .unwrap_or_else(|| panic!("`{h}` missing or out of order"))
            + last_body;
        last_body = at;
    }
    let doc = SprintDoc::parse(&body).unwrap();
    assert!(Section::ALL.iter().all(|s| doc.has_section(*s)));
    assert_eq!(doc.metadata().unwrap().version, "1.42.0");
    assert_eq!(doc.heroes().unwrap().len(), 2);
    insta::assert_snapshot!("sprint_1_42_0_2_of_2_body", body);
}

#[test]
fn goal_from_a_command_is_added_with_owner_and_why() {
    let body = fresh_body(&posthog_config(), "2022-11-16");
    let body = apply(
        &body,
        Change::AddGoal {
            title: "Ship the data exploration view".into(),
            owner: Some(login("mariusandra")),
            why: Some("make exploring data easier".into()),
        },
    );
    assert!(body.contains("- [ ] Ship the data exploration view @mariusandra — Why: make exploring data easier\n<!-- sprintbot:goals:end -->"));
    let goals = SprintDoc::parse(&body).unwrap().goals().unwrap();
    assert_eq!(goals.len(), 1);
    assert_eq!(goals[0].owner, Some(login("mariusandra")));
    assert_eq!(goals[0].why.as_deref(), Some("make exploring data easier"));
}

/// A body people have edited: prose between goals, a hand-ticked box, Windows
/// line endings, and text outside every marker.
fn human_body() -> String {
    let mut body = fresh_body(&posthog_config(), "2022-11-16");
    for (title, owner) in [
        ("First goal", "kappa90"),
        ("Second goal", "tiina303"),
        ("Third goal", "ellie"),
    ] {
        body = apply(
            &body,
            Change::AddGoal {
                title: title.into(),
                owner: Some(login(owner)),
                why: Some("because".into()),
            },
        );
    }
    body = body.replace(
        "- [ ] Second goal",
        "Some notes typed by hand\n\n- [x] Second goal",
    );
    body = body.replace(
        "## Global Sprint Planning",
        "## Global Sprint Planning\n\nEdited intro 🎉",
    );
    body.replace('\n', "\r\n")
}

#[test]
fn each_goal_command_changes_only_its_goal() {
    let body = human_body();
    let doc = SprintDoc::parse(&body).unwrap();
    assert_eq!(
        doc.goals()
            .unwrap()
            .iter()
            .map(|g| g.done)
            .collect::<Vec<_>>(),
        [false, true, false]
    );

    let ticked = apply(&body, Change::Tick(1));
    assert_eq!(ticked.len(), body.len());
    assert_eq!(
        ticked.replacen("- [x] First goal", "- [ ] First goal", 1),
        body
    );

    let unticked = apply(&body, Change::Untick(2));
    assert_eq!(
        unticked.replacen("- [ ] Second goal", "- [x] Second goal", 1),
        body
    );

    let status = apply(&body, Change::SetStatus(3, "🟡 rolled out to 50%".into()));
    assert_eq!(
        status.replacen("  - Status: 🟡 rolled out to 50%\r\n", "", 1),
        body
    );
    let status_again = apply(&status, Change::SetStatus(3, "🟢 done".into()));
    assert_eq!(
        status_again.replacen("🟢 done", "🟡 rolled out to 50%", 1),
        status
    );
    let goals = SprintDoc::parse(&status_again).unwrap().goals().unwrap();
    assert_eq!(goals[2].status.as_deref(), Some("🟢 done"));

    let owner = apply(&body, Change::SetOwner(1, login("macobo")));
    assert_eq!(
        owner.replacen("First goal @macobo", "First goal @kappa90", 1),
        body
    );

    let edited = apply(&body, Change::Edit(2, "Second goal, renamed".into()));
    assert_eq!(
        edited.replacen("Second goal, renamed", "Second goal", 1),
        body
    );

    // A dropped goal leaves a hidden record in its place, for the health.
    let dropped = apply(&body, Change::Drop(1));
    let doc = SprintDoc::parse(&dropped).unwrap();
    let records = doc.dropped().unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].owner, Some(login("kappa90")));
    assert_eq!(records[0].carried, 0);
    assert_eq!(
        dropped,
        body.replacen(
            "- [ ] First goal @kappa90 — Why: because\r\n",
            &format!("{}\r\n", records[0].render()),
            1
        )
    );
    assert_eq!(doc.goals().unwrap().len(), 2);
    let applied = SprintDoc::parse(&body)
        .unwrap()
        .apply(&Change::Drop(1))
        .unwrap();
    assert_eq!(applied.after, None, "the audit log shows the goal removed");
}

#[test]
fn risks_retro_and_heroes_land_in_their_sections() {
    let body = fresh_body(&posthog_config(), "2022-11-16");
    let body = apply(
        &body,
        Change::AddRisk {
            text: "Postgres person table growth".into(),
            max: 3,
        },
    );
    let body = apply(
        &body,
        Change::AddRetro("Feels like a fair amount of incidents".into()),
    );
    let body = apply(
        &body,
        Change::SetHero {
            week: 2,
            login: login("EDsCODE"),
        },
    );
    let doc = SprintDoc::parse(&body).unwrap();
    assert_eq!(
        doc.list(Section::Risks).unwrap(),
        ["Postgres person table growth"]
    );
    assert_eq!(
        doc.list(Section::Retro).unwrap(),
        ["Feels like a fair amount of incidents"]
    );
    assert_eq!(doc.heroes().unwrap().get(&2), Some(&login("EDsCODE")));
    assert!(body.contains("Week 1: @macobo Week 2: @EDsCODE"));
    let body = apply(&body, Change::DropRisk(1));
    assert!(
        SprintDoc::parse(&body)
            .unwrap()
            .list(Section::Risks)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn refusals_name_what_is_wrong() {
    let body = fresh_body(&posthog_config(), "2022-11-16");
    let doc = SprintDoc::parse(&body).unwrap();
    assert_eq!(
        doc.apply(&Change::Tick(1)),
        Err(BodyError::NoSuchItem {
            section: Section::Goals,
            n: 1,
            count: 0
        })
    );
    assert_eq!(
        doc.apply(&Change::Tick(0)),
        Err(BodyError::NoSuchItem {
            section: Section::Goals,
            n: 0,
            count: 0
        })
    );
    assert_eq!(
        doc.apply(&Change::SetHero {
            week: 3,
            login: login("x")
        }),
        Err(BodyError::NoSuchWeek { week: 3 })
    );
    let mut b = body.clone();
    for i in 0..3 {
        b = apply(
            &b,
            Change::AddRisk {
                text: format!("risk {i}"),
                max: 3,
            },
        );
    }
    let err = SprintDoc::parse(&b)
        .unwrap()
        .apply(&Change::AddRisk {
            text: "one more".into(),
            max: 3,
        })
        .unwrap_err();
    assert_eq!(err, BodyError::TooManyRisks { max: 3 });
    assert!(err.to_string().contains("drop one"));
}

#[test]
fn damaged_markers_are_reported_not_repaired() {
    let body = fresh_body(&posthog_config(), "2022-11-16");
    let missing_end = body.replacen("<!-- sprintbot:goals:end -->", "", 1);
    assert_eq!(
        SprintDoc::parse(&missing_end),
        Err(BodyError::MissingMarker {
            section: Section::Goals
        })
    );
    let twice = body.replacen(
        "<!-- sprintbot:retro:end -->",
        "<!-- sprintbot:retro:end -->\n<!-- sprintbot:retro:end -->",
        1,
    );
    assert!(matches!(
        SprintDoc::parse(&twice),
        Err(BodyError::DuplicateMarker { count: 2, .. })
    ));
    let swapped = body
        .replacen("<!-- sprintbot:risks:start -->", "@@S@@", 1)
        .replacen(
            "<!-- sprintbot:risks:end -->",
            "<!-- sprintbot:risks:start -->",
            1,
        )
        .replacen("@@S@@", "<!-- sprintbot:risks:end -->", 1);
    assert_eq!(
        SprintDoc::parse(&swapped),
        Err(BodyError::MarkersOutOfOrder {
            section: Section::Risks
        })
    );
    let no_goals = body
        .replacen("<!-- sprintbot:goals:start -->\n", "", 1)
        .replacen("<!-- sprintbot:goals:end -->\n", "", 1);
    let doc = SprintDoc::parse(&no_goals).unwrap();
    assert_eq!(
        doc.apply(&Change::Tick(1)),
        Err(BodyError::MissingMarker {
            section: Section::Goals
        })
    );
    let no_meta = body.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(
        SprintDoc::parse(&no_meta)
            .unwrap()
            .apply(&Change::SetLedger(Ledger::default())),
        Err(BodyError::NoMetadata)
    );
}

#[test]
fn markers_and_mentions_typed_by_people_stay_text() {
    let body = fresh_body(&posthog_config(), "2022-11-16");
    let evil = "<!-- sprintbot:goals:end --> and @someone else";
    let body = apply(
        &body,
        Change::AddGoal {
            title: evil.into(),
            owner: Some(login("ann")),
            why: Some("<!-- x -->".into()),
        },
    );
    let doc = SprintDoc::parse(&body).unwrap();
    let goals = doc.goals().unwrap();
    assert_eq!(goals.len(), 1);
    // Read back still escaped: the escape is never undone, so the text can
    // never come back as a live marker (GitHub shows `&lt;` as `<`).
    assert_eq!(
        goals[0].title,
        "&lt;!-- sprintbot:goals:end --&gt; and @someone else"
    );
    assert_eq!(goals[0].owner, Some(login("ann")));
    assert_eq!(goals[0].why.as_deref(), Some("&lt;!-- x --&gt;"));
    // Writing what was read changes nothing.
    let again = apply(
        &body,
        Change::AddGoal {
            title: goals[0].title.clone(),
            owner: Some(login("ann")),
            why: goals[0].why.clone(),
        },
    );
    let goals = SprintDoc::parse(&again).unwrap().goals().unwrap();
    assert_eq!(goals[0].title, goals[1].title);
    assert_eq!(goals[0].why, goals[1].why);
}

#[test]
fn the_handled_cursor_moves_only_the_metadata_line() {
    let body = human_body();
    let mut ledger = Ledger {
        cursor: 987654,
        ..Ledger::default()
    };
    ledger.record(987700, true);
    let moved = apply(&body, Change::SetLedger(ledger.clone()));
    assert_eq!(
        moved.replacen("handled=987654 applied=987700!", "handled=0", 1),
        body
    );
    assert_eq!(
        SprintDoc::parse(&moved).unwrap().metadata().unwrap().ledger,
        ledger
    );
}
