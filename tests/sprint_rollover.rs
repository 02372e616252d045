//! Stories of a sprint ending: what rolls into the next sprint's retro and
//! each team's hang-over list, and what a first sprint looks like.

mod support;

use sprintbot::sprint::Login;
use sprintbot::sprint::body::{Change, SprintDoc};
use sprintbot::sprint::markers::Section;
use sprintbot::sprint::rollover::{self, Previous};
use sprintbot::sprint::team::TeamDoc;
use support::sprint::{fresh_body, posthog_config, settings};

fn apply(body: String, change: Change) -> String {
    SprintDoc::parse(&body)
        .unwrap()
        .apply(&change)
        .unwrap()
        .body
}

/// Sprint 1.42.0 2/2 with three goals: one done, one with a status, one silent.
fn previous_sprint() -> Previous {
    let repo = posthog_config();
    let mut body = fresh_body(&repo, "2022-11-16");
    for (title, owner) in [
        ("Ship the data exploration view", "mariusandra"),
        ("Static playlists", "benjackwhite"),
        ("Sentry is clean", "tiina303"),
    ] {
        body = apply(
            body,
            Change::AddGoal {
                title: title.into(),
                owner: Some(Login(owner.into())),
                why: Some("why not".into()),
            },
        );
    }
    body = apply(body, Change::Tick(1));
    body = apply(body, Change::SetStatus(2, "🟡 rolled out to 50%".into()));
    let sprint = repo
        .cadence
        .sprint_containing("2022-11-16".parse().unwrap());
    let growth = sprintbot::sprint::render::team_comment(
        &repo.templates,
        &repo.team_views()[0],
        &sprint,
        &[],
        &[],
        None,
        &Default::default(),
    )
    .unwrap()
    .replace(
        "### High priority\n\n-\n",
        "### High priority\n\n- [x] Done thing\n- [ ] Unfinished thing @kappa90\n",
    )
    .replace("### Bugs\n\n-\n", "### Bugs\n\n- [ ] Fix the funnel\n");
    Previous {
        issue: 12699,
        doc: SprintDoc::parse(&body).unwrap(),
        team_comments: vec![TeamDoc::parse(&growth).unwrap()],
        earlier: Vec::new(),
        shipped: None,
    }
}

#[test]
fn every_previous_goal_is_in_the_next_retro_with_owner_and_status() {
    let repo = posthog_config();
    let next = repo
        .cadence
        .sprint_containing("2022-11-30".parse().unwrap());
    let label = repo.numbering.label(next.index).unwrap();
    let prev = previous_sprint();
    let plan = rollover::plan(
        Some(&prev),
        &settings(&repo),
        &next,
        &label,
        repo.rotation.heroes_for(&next),
    )
    .unwrap();

    assert_eq!(plan.title, "Sprint 1.43.0 1/2 - Nov 28 - Dec 9");
    assert_eq!(plan.unfinished, 2);
    let doc = SprintDoc::parse(&plan.body).unwrap();
    let retro = doc.list(Section::RetroGoals).unwrap();
    assert_eq!(retro.len(), 3);
    assert!(
        retro[0].starts_with("✅ Ship the data exploration view @mariusandra"),
        "{}",
        retro[0]
    );
    assert!(
        retro[1].contains("Static playlists @benjackwhite > 🟡 rolled out to 50%")
            && retro[1].contains("unfinished: @benjackwhite"),
        "{}",
        retro[1]
    );
    assert!(
        retro[2].contains("Sentry is clean @tiina303") && retro[2].contains("unfinished"),
        "{}",
        retro[2]
    );
    assert!(
        doc.goals().unwrap().is_empty(),
        "carrying goals into the plan is off by default"
    );
    assert_eq!(doc.metadata().unwrap().previous, Some(12699));
    assert!(plan.body.contains("Previous sprint: #12699"));
}

#[test]
fn unticked_team_items_become_hang_overs_ticked_ones_do_not() {
    let repo = posthog_config();
    let next = repo
        .cadence
        .sprint_containing("2022-11-30".parse().unwrap());
    let label = repo.numbering.label(next.index).unwrap();
    let plan = rollover::plan(
        Some(&previous_sprint()),
        &settings(&repo),
        &next,
        &label,
        vec![],
    )
    .unwrap();
    assert_eq!(plan.team_comments.len(), repo.teams.len());
    let growth = TeamDoc::parse(&plan.team_comments[0].body).unwrap();
    assert_eq!(growth.slug, "growth");
    assert_eq!(growth.sprint, next.id);
    let hang: Vec<&str> = growth
        .items
        .iter()
        .filter(|i| i.heading.starts_with("Hang over"))
        .map(|i| i.text.as_str())
        .collect();
    // Handles are carried in inline code, so GitHub does not notify again.
    assert_eq!(hang, ["Unfinished thing `@kappa90`", "Fix the funnel"]);
    // The done item is listed as done in the retro, and nowhere else.
    let body = &plan.team_comments[0].body;
    let (retro, rest) = body.split_once("## Hang over").unwrap();
    assert!(retro.contains("- ✅ Done thing"), "{body}");
    assert!(!rest.contains("Done thing"), "{body}");
    // A team without a previous comment starts with no hang-overs.
    assert!(plan.team_comments[1].body.contains("- None"));
}

#[test]
fn unfinished_goals_can_be_carried_into_the_new_plan() {
    let repo = posthog_config();
    let next = repo.cadence.sprint(
        repo.cadence
            .sprint_containing("2022-11-30".parse().unwrap())
            .index,
    );
    let label = repo.numbering.label(next.index).unwrap();
    let mut s = settings(&repo);
    s.carry_unfinished_goals = true;
    let plan = rollover::plan(Some(&previous_sprint()), &s, &next, &label, vec![]).unwrap();
    let goals = SprintDoc::parse(&plan.body).unwrap().goals().unwrap();
    let titles: Vec<&str> = goals.iter().map(|g| g.title.as_str()).collect();
    assert_eq!(titles, ["Static playlists", "Sentry is clean"]);
    assert!(goals.iter().all(|g| !g.done && g.status.is_none()));
}

#[test]
fn the_first_sprint_opens_with_an_empty_retro() {
    let repo = posthog_config();
    let sprint = repo.cadence.sprint(0);
    let label = repo.numbering.label(0).unwrap();
    let plan = rollover::plan(None, &settings(&repo), &sprint, &label, vec![]).unwrap();
    assert_eq!(plan.title, "Sprint 1.41.0 1/2 - Oct 3 - Oct 14");
    let doc = SprintDoc::parse(&plan.body).unwrap();
    assert!(doc.list(Section::RetroGoals).unwrap().is_empty());
    assert_eq!(doc.metadata().unwrap().previous, None);
    assert_eq!(plan.unfinished, 0);
}

#[test]
fn the_closing_comment_says_what_moved_where() {
    use sprintbot::sprint::moving::{Destination, Moving, audit_comment};
    let prev = previous_sprint();
    let teams = posthog_config().team_views();
    let moving = Moving::of(&prev.doc.goals().unwrap(), &prev.team_comments, &teams);
    let urls = [(
        "growth".to_string(),
        "https://github.com/acme/app/issues/12800#issuecomment-7".to_string(),
    )];
    let to = Destination {
        issue: 12800,
        title: "Sprint 1.43.0 1/2 - Nov 28 - Dec 9",
        team_comments: &urls,
        ..Default::default()
    };
    let c = audit_comment(&moving, &to);
    assert!(c.starts_with(&rollover::closing_marker(12800)));
    assert!(
        c.contains("#12800") && c.contains("2 unfinished goals"),
        "{c}"
    );
    assert!(
        c.contains("  2. Static playlists (`@benjackwhite`) > 🟡 rolled out to 50%"),
        "{c}"
    );
    assert!(c.contains("- **Team Growth**: 2 unticked items are hang-overs in [its comment on #12800](https://github.com/acme/app/issues/12800#issuecomment-7):\n  - Unfinished thing `@kappa90`\n  - Fix the funnel\n"), "{c}");
}

// ----- carry-over counts and sprint health -----

/// The sprint after `prev` opened with unfinished goals carried into its
/// plan, as issue `issue`.
fn rolled(prev: &Previous, issue: u64, date: &str) -> Previous {
    let repo = posthog_config();
    let next = repo.cadence.sprint_containing(date.parse().unwrap());
    let label = repo.numbering.label(next.index).unwrap();
    let mut s = settings(&repo);
    s.carry_unfinished_goals = true;
    let plan = rollover::plan(Some(prev), &s, &next, &label, vec![]).unwrap();
    Previous {
        issue,
        doc: SprintDoc::parse(&plan.body).unwrap(),
        team_comments: vec![],
        earlier: vec![],
        shipped: None,
    }
}

fn retro_of(prev: &Previous, date: &str) -> Vec<String> {
    rolled(prev, 0, date).doc.list(Section::RetroGoals).unwrap()
}

#[test]
fn a_goal_that_keeps_rolling_says_how_often_in_each_retro() {
    let first = rolled(&previous_sprint(), 12800, "2022-11-30");
    let goals = first.doc.goals().unwrap();
    assert_eq!(
        goals
            .iter()
            .map(|g| g.mark.as_ref().map(|m| m.carried))
            .collect::<Vec<_>>(),
        [Some(1), Some(1)],
        "carried goals keep their count in the new plan"
    );
    assert!(
        first.doc.text().contains(&format!(
            "- [ ] Static playlists @benjackwhite — Why: why not {}\n",
            goals[0].mark.as_ref().unwrap().render()
        )),
        "{}",
        first.doc.text()
    );
    // Another sprint goes by: "Static playlists" is done, "Sentry" is not.
    let mut second = first.clone();
    second.doc = SprintDoc::parse(&apply(first.doc.text().to_string(), Change::Tick(1))).unwrap();
    let next = rolled(&second, 12900, "2022-12-14");
    let retro = next.doc.list(Section::RetroGoals).unwrap();
    let plan: Vec<String> = next
        .doc
        .text()
        .lines()
        .filter(|l| l.starts_with("- ["))
        .map(String::from)
        .collect();
    insta::assert_snapshot!(
        "retro_with_carried_counts",
        format!("{}\n\nplan:\n{}", retro.join("\n"), plan.join("\n"))
    );
    let sentry = &next.doc.goals().unwrap()[0];
    assert_eq!(sentry.mark.as_ref().map(|m| m.carried), Some(2));
    assert_eq!(
        sentry.mark.as_ref().map(|m| &m.id),
        goals[1].mark.as_ref().map(|m| &m.id),
        "the id stays the goal's own"
    );
}

#[test]
fn a_deleted_carry_marker_restarts_the_count_at_one() {
    let first = rolled(&previous_sprint(), 12800, "2022-11-30");
    let text = first.doc.text().to_string();
    let marker = first.doc.goals().unwrap()[1].mark.clone().unwrap().render();
    let mut edited = first.clone();
    edited.doc = SprintDoc::parse(&text.replace(&format!(" {marker}"), "")).unwrap();
    let retro = retro_of(&edited, "2022-12-14");
    assert!(retro[0].ends_with("(carried 2×)"), "{}", retro[0]);
    assert!(retro[1].ends_with("(carried 1×)"), "{}", retro[1]);
    // A damaged one too, and nothing panics.
    edited.doc =
        SprintDoc::parse(&text.replace(&marker, "<!-- sprintbot:goal id=zz carried=many -->"))
            .unwrap();
    assert_eq!(edited.doc.goals().unwrap()[1].title, "Sentry is clean");
    assert!(retro_of(&edited, "2022-12-14")[1].ends_with("(carried 1×)"));
}

#[test]
fn with_carry_counts_off_retros_and_plans_carry_no_count() {
    let repo = posthog_config();
    let next = repo
        .cadence
        .sprint_containing("2022-11-30".parse().unwrap());
    let label = repo.numbering.label(next.index).unwrap();
    let mut s = settings(&repo);
    s.carry_unfinished_goals = true;
    s.carry_counts = false;
    let plan = rollover::plan(Some(&previous_sprint()), &s, &next, &label, vec![]).unwrap();
    assert!(!plan.body.contains("carried 1×") && !plan.body.contains("sprintbot:goal "));
    assert!(!plan.body.contains("Carried over the longest"));
    assert!(plan.body.contains("<!-- sprintbot:health:start -->"));
}

#[test]
fn the_new_issue_shows_the_last_sprints_health_and_records_its_history() {
    let mut prev = previous_sprint();
    prev.doc = SprintDoc::parse(&apply(prev.doc.text().to_string(), Change::Drop(3))).unwrap();
    let first = rolled(&prev, 12800, "2022-11-30");
    let text = first.doc.text();
    assert!(
        text.contains(
            "Last sprint (#12699): 1 of 3 goals done (33%), 1 carried over (33%), 1 dropped."
        ),
        "{text}"
    );
    assert!(
        text.contains("| PostHog TV | 1 | 0 | 1 | 0 | 0% | 100% |"),
        "{text}"
    );
    assert!(
        text.contains("| Pipeline | 1 | 0 | 0 | 1 | 0% | 0% |"),
        "{text}"
    );
    assert!(text.contains("```mermaid\n"));
    // The health sits between the retro of outcomes and "what can we do better".
    let at = |s: &str| text.find(s).unwrap();
    assert!(at("<!-- sprintbot:retro-goals:end -->") < at("### Sprint health"));
    assert!(at("<!-- sprintbot:health:end -->") < at("### Retro: What can we do better"));
    // The next rollover reads the history from this issue alone.
    let second = rolled(&first, 12900, "2022-12-14");
    let history = sprintbot::sprint::health::history::recorded(&second.doc);
    let got: Vec<(String, u64)> = history
        .iter()
        .map(|s| (s.sprint.to_string(), s.issue))
        .collect();
    assert_eq!(
        got,
        [
            ("2022-11-28".to_string(), 12800),
            ("2022-11-14".to_string(), 12699)
        ]
    );
    assert_eq!(history[1].figures.dropped, 1);
}

#[test]
fn health_can_be_switched_off_and_a_first_sprint_has_none() {
    let repo = posthog_config();
    let next = repo
        .cadence
        .sprint_containing("2022-11-30".parse().unwrap());
    let label = repo.numbering.label(next.index).unwrap();
    let mut s = settings(&repo);
    s.health = false;
    let plan = rollover::plan(Some(&previous_sprint()), &s, &next, &label, vec![]).unwrap();
    assert!(!plan.body.contains("sprintbot:health"));
    assert!(plan.body.contains("(carried 1×)"));
    let first = rollover::plan(
        None,
        &settings(&repo),
        &repo.cadence.sprint(0),
        &label,
        vec![],
    )
    .unwrap();
    assert!(!first.body.contains("sprintbot:health"));
}

#[test]
fn a_retro_too_long_for_github_is_summarised_and_keeps_its_health() {
    let repo = posthog_config();
    let mut body = fresh_body(&repo, "2022-11-16");
    let long = "x".repeat(400);
    for i in 0..200 {
        body = apply(
            body,
            Change::AddGoal {
                title: format!("Goal {i} {long}"),
                owner: Some(Login("ellie".into())),
                why: None,
            },
        );
    }
    let prev = Previous {
        issue: 12699,
        doc: SprintDoc::parse(&body).unwrap(),
        team_comments: vec![],
        earlier: vec![],
        shipped: None,
    };
    let next = repo
        .cadence
        .sprint_containing("2022-11-30".parse().unwrap());
    let label = repo.numbering.label(next.index).unwrap();
    let plan = rollover::plan(Some(&prev), &settings(&repo), &next, &label, vec![]).unwrap();
    assert!(plan.body.chars().count() <= rollover::MAX_BODY_CHARS);
    assert!(
        plan.body
            .contains("200 goals last sprint: 0 done, 200 unfinished.")
    );
    assert!(plan.body.contains("(carried 1×)"));
    assert!(
        plan.body
            .contains("| Infrastructure | 200 | 0 | 200 | 0 | 0% | 100% |")
    );
}

#[test]
fn commands_on_a_carried_goal_keep_its_count() {
    let first = rolled(&previous_sprint(), 12800, "2022-11-30");
    let mark = first.doc.goals().unwrap()[1].mark.clone();
    let mut body = first.doc.text().to_string();
    for change in [
        Change::Edit(2, "Sentry is spotless".into()),
        Change::SetOwner(2, Login("ellie".into())),
        Change::SetStatus(2, "🟡 half way".into()),
        Change::Tick(2),
    ] {
        body = apply(body, change);
    }
    let goal = &SprintDoc::parse(&body).unwrap().goals().unwrap()[1];
    assert_eq!(
        (goal.title.as_str(), goal.done),
        ("Sentry is spotless", true)
    );
    assert_eq!(goal.mark, mark);
    // Dropped, it is recorded with the count it had.
    let doc = SprintDoc::parse(&apply(body, Change::Drop(2))).unwrap();
    let dropped = doc.dropped().unwrap();
    assert_eq!(dropped[0].carried, 1);
    assert_eq!(Some(&dropped[0].id), mark.as_ref().map(|m| &m.id));
}
