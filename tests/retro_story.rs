//! A four-sprint story of the retro, told through the real webhook route,
//! worker and the fake GitHub: goals are added, done, linked to issues and
//! pull requests, dropped and carried; a merged pull request ticks its
//! goal, an issue closed as not planned does not, a reopen unticks what
//! the bot ticked; pull requests are merged in every sprint, some by bots,
//! into other branches or not at all. The fourth issue shows the carried
//! counts, the health figures and chart of the three sprints before it,
//! and each retro lists exactly the pull requests merged in its window.

mod support;

use sprintbot::sprint::body::SprintDoc;
use sprintbot::sprint::markers::Section;
use sprintbot::sprint::shipped::{END_MARKER, START_MARKER};
use support::scenario::{REPO, Scenario};
use support::sprint::POSTHOG_CONFIG;

/// The example config, with unfinished goals carried into the next plan.
fn config() -> String {
    POSTHOG_CONFIG.replace(
        "carry_unfinished_goals = false",
        "carry_unfinished_goals = true",
    )
}

/// The shipped list of a body: each team and the pull requests it lists.
fn shipped(body: &str) -> Vec<(String, Vec<u64>)> {
    let start = body.find(START_MARKER).expect("a shipped section");
    let end = body.find(END_MARKER).expect("its end marker");
    let mut out: Vec<(String, Vec<u64>)> = Vec::new();
    for line in body[start..end].lines() {
        if let Some(team) = line.strip_prefix("**").and_then(|l| l.strip_suffix("**")) {
            out.push((team.to_string(), Vec::new()));
        } else if let Some(item) = line.strip_prefix("- ") {
            let n = item
                .split_whitespace()
                .find_map(|w| w.strip_prefix('#')?.parse().ok())
                .expect("a pull request number");
            out.last_mut().expect("under a team").1.push(n);
        }
    }
    out
}

fn team(name: &str, pulls: &[u64]) -> (String, Vec<u64>) {
    (name.to_string(), pulls.to_vec())
}

fn retro(body: &str) -> Vec<String> {
    SprintDoc::parse(body)
        .unwrap()
        .list(Section::RetroGoals)
        .unwrap()
}

async fn audit(s: &Scenario, action: &str) -> Vec<(String, String)> {
    s.bot
        .store
        .audit_entries(Some(action.into()))
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.actor, e.source.unwrap_or_default()))
        .collect()
}

#[tokio::test]
async fn four_sprints_of_linked_goals_carried_counts_health_and_shipped_lists() {
    let mut s = Scenario::start_with_config(&config()).await;
    let fake = s.fake.clone();
    let a = s.issue;
    // Merged the week before sprint A opened: in no list.
    s.at("2022-11-10T12:00:00Z");
    let old = fake.open_pull_request(REPO, "Old change", "kappa90", "main");
    fake.close_pull_request(REPO, old, true);

    // ----- Sprint A (1.42.0 2/2, Nov 14) -----
    s.at("2022-11-16T12:00:00Z");
    let onboarding = fake.add_issue(REPO, "Onboarding breaks on Safari", "", &[], "kappa90");
    let funnels = fake.open_pull_request(REPO, "Faster funnels", "mariusandra", "main");
    let export = fake.add_issue(REPO, "Recording export", "", &[], "benjackwhite");
    let flag = fake.open_pull_request(REPO, "Growth experiment flag", "kappa90", "main");
    let bump = fake.open_pull_request(REPO, "Bump django", "dependabot[bot]", "main");
    let typo = fake.open_pull_request(REPO, "Docs typo", "visitor", "main");
    let idea = fake.open_pull_request(REPO, "Abandoned idea", "tiina303", "main");
    let backport = fake.open_pull_request(REPO, "Backport", "kappa90", "release");
    let refactor = fake.open_pull_request(REPO, "Long-lived refactor", "benjackwhite", "main");
    s.comment(
        "kappa90",
        &format!("/goal Fix onboarding @kappa90 #{onboarding}"),
    )
    .await;
    s.comment(
        "mariusandra",
        &format!("/goal Faster funnels #{funnels} @mariusandra why: dashboards time out"),
    )
    .await;
    s.comment(
        "benjackwhite",
        &format!("/goal Recording export @benjackwhite https://github.com/{REPO}/issues/{export}"),
    )
    .await;
    s.comment("tiina303", "/goal Plugin retries @tiina303\n/goal Drop me")
        .await;
    s.comment("tiina303", "/goal drop 5").await;
    let titles: Vec<String> = s.goals().into_iter().map(|g| g.title).collect();
    assert_eq!(
        titles,
        [
            format!("Fix onboarding (#{onboarding})"),
            format!("Faster funnels (#{funnels})"),
            format!("Recording export (#{export})"),
            "Plugin retries".into(),
        ]
    );

    // A merged pull request ticks its goal, once, and the owner's note stays.
    s.comment("mariusandra", "/goal status 2 🟡 one query left")
        .await;
    s.at("2022-11-17T10:00:00Z");
    let merged = s.merge_pull(funnels, true, "mariusandra").await;
    let g = &s.goals()[1];
    assert!(g.done && g.ticked_by == Some(funnels), "{g:?}");
    assert_eq!(g.status.as_deref(), Some("🟡 one query left"));
    // The same event again (a second delivery) changes nothing.
    let before = s.body();
    s.deliver_event("pull_request", &merged).await;
    assert_eq!(s.body(), before);
    let ticks = audit(&s, "goal.done.linked").await;
    assert_eq!(ticks.len(), 1, "{ticks:?}");
    assert_eq!(ticks[0].0, "mariusandra");
    assert!(
        ticks[0]
            .1
            .ends_with(&format!("pull_request.closed #{funnels}")),
        "{ticks:?}"
    );

    // Closed as not planned: no tick. Closed as completed, then reopened:
    // ticked, then unticked again.
    s.close_issue(export, "not_planned", "benjackwhite").await;
    assert!(!s.goals()[2].done);
    s.close_issue(onboarding, "completed", "kappa90").await;
    assert!(s.goals()[0].done);
    s.reopen_issue(onboarding, "kappa90").await;
    let g = &s.goals()[0];
    assert!(!g.done && g.ticked_by.is_none(), "{g:?}");
    assert_eq!(audit(&s, "goal.undone.linked").await.len(), 1);

    s.at("2022-11-18T15:00:00Z");
    for (n, merged) in [
        (flag, true),
        (bump, true),
        (typo, true),
        (idea, false),
        (backport, true),
    ] {
        s.merge_pull(n, merged, "macobo").await;
    }

    // ----- Sprint B (1.43.0 1/2, Nov 28) -----
    let b = s.roll_at("2022-11-28T09:00:00Z").await;
    let body_b = s.body();
    let r = retro(&body_b);
    assert!(
        r[0].starts_with(&format!("⬜ Fix onboarding (#{onboarding}) @kappa90"))
            && r[0].ends_with("(carried 1×)"),
        "{r:?}"
    );
    assert!(
        r[1].starts_with(&format!(
            "✅ Faster funnels (#{funnels}) @mariusandra > 🟡 one query left"
        )),
        "{r:?}"
    );
    assert!(
        body_b.contains(&format!(
            "Last sprint (#{a}): 1 of 5 goals done (20%), 3 carried over (60%), 1 dropped."
        )),
        "{body_b}"
    );
    assert_eq!(
        shipped(&body_b),
        [
            team("Growth", &[flag]),
            team("Product Analytics", &[funnels]),
            team("Other", &[typo]),
        ],
        "merged into main during sprint A, bots left out"
    );

    s.at("2022-11-30T12:00:00Z");
    let dashboards = fake.open_pull_request(REPO, "Dashboards", "mariusandra", "main");
    let backoff = fake.open_pull_request(REPO, "Plugin retry backoff", "tiina303", "main");
    s.close_issue(onboarding, "completed", "kappa90").await;
    s.comment("tiina303", "/goal done 3").await;
    s.comment(
        "mariusandra",
        &format!("/goal Dashboards @mariusandra #{dashboards}"),
    )
    .await;
    s.merge_pull(dashboards, true, "mariusandra").await;
    s.merge_pull(backoff, true, "tiina303").await;
    let done: Vec<bool> = s.goals().iter().map(|g| g.done).collect();
    assert_eq!(done, [true, false, true, true]);

    // ----- Sprint C (1.43.0 2/2, Dec 12) -----
    let c = s.roll_at("2022-12-12T09:00:00Z").await;
    let body_c = s.body();
    assert!(
        body_c.contains(&format!(
            "Last sprint (#{b}): 3 of 4 goals done (75%), 1 carried over (25%), 0 dropped."
        )),
        "{body_c}"
    );
    assert_eq!(
        shipped(&body_c),
        [
            team("Pipeline", &[backoff]),
            team("Product Analytics", &[dashboards])
        ]
    );
    s.at("2022-12-14T12:00:00Z");
    let flaky = fake.add_issue(REPO, "Flaky test", "", &[], "kappa90");
    let tz = fake.open_pull_request(REPO, "Trends time zone fix", "Twixes", "main");
    s.comment(
        "kappa90",
        &format!("/goal Fix the flaky test @kappa90 #{flaky}"),
    )
    .await;
    s.comment("benjackwhite", "/goal Old idea @benjackwhite")
        .await;
    s.comment("benjackwhite", "/goal drop 3").await;
    s.close_issue(flaky, "completed", "kappa90").await;
    s.merge_pull(refactor, true, "benjackwhite").await;
    s.merge_pull(tz, true, "Twixes").await;

    // ----- Sprint D (1.44.0 1/2, Dec 26) -----
    s.roll_at("2022-12-26T09:00:00Z").await;
    let body_d = s.body();
    let r = retro(&body_d);
    assert_eq!(r.len(), 2, "{r:?}");
    assert!(
        r[0].starts_with(&format!(
            "⬜ Recording export (#{export}) @benjackwhite — ⚠️ unfinished"
        )) && r[0].ends_with("(carried 3×)"),
        "{r:?}"
    );
    assert_eq!(r[1], format!("✅ Fix the flaky test (#{flaky}) @kappa90"));
    assert!(
        body_d.contains(&format!(
            "Last sprint (#{c}): 1 of 3 goals done (33%), 1 carried over (33%), 1 dropped."
        )),
        "{body_d}"
    );
    assert!(
        body_d.contains(&format!(
            "1. Recording export (#{export}) @benjackwhite — carried 3×"
        )),
        "{body_d}"
    );
    assert!(body_d.contains("accDescr: Nov 14: 1 done, 3 carried over; Nov 28: 3 done, 1 carried over; Dec 12: 1 done, 1 carried over\n"), "{body_d}");
    assert!(
        body_d.contains("    bar [4, 4, 2]\n    bar [1, 3, 1]\n"),
        "{body_d}"
    );
    assert!(body_d.contains(&format!("<!-- sprintbot:health sprint=2022-11-14 issue={a} planned=5 done=1 carried=3 dropped=1 -->")), "{body_d}");
    assert_eq!(
        shipped(&body_d),
        [
            team("PostHog TV", &[refactor]),
            team("Product Analytics", &[tz])
        ],
        "the long-lived pull request counts in the sprint it was merged in"
    );
    let goals = SprintDoc::parse(&body_d).unwrap().goals().unwrap();
    assert_eq!(goals.len(), 1);
    assert_eq!(
        (goals[0].link(), goals[0].mark.as_ref().map(|m| m.carried)),
        (Some(export), Some(3))
    );
    insta::assert_snapshot!("fourth_sprint_issue", body_d);
    assert_eq!(s.dead_jobs().await, 0);
}
