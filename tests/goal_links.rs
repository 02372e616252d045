//! Goals linked to issues and pull requests, at the edges: a link to
//! another repository, what a close costs, late and repeated events, a
//! person who disagrees with a tick, a deleted issue, a damaged or full
//! sprint issue, and the one-shot `tick`, which reads the links itself.

mod support;

use std::process::Command;
use std::sync::Arc;

use serde_json::json;
use sprintbot::github::clock::{Clock, ManualClock};
use sprintbot::sprint::body::SprintDoc;
use support::fake_github::{ACTIONS_BOT, FakeGitHub};
use support::links::issue_payload;
use support::scenario::{REPO, Scenario};
use support::sprint::{POSTHOG_CONFIG, fresh_body, posthog_config};

/// Calls made since `from`, without reading the config or minting tokens.
fn calls(s: &Scenario, from: usize) -> Vec<String> {
    s.fake.requests()[from..]
        .iter()
        .filter(|r| !r.path.contains("/contents/") && !r.path.contains("/access_tokens"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// A scenario whose sprint issue has goal 1 linked to a new issue.
async fn linked() -> (Scenario, u64) {
    let s = Scenario::start().await;
    let n = s.fake.add_issue(REPO, "Onboarding bug", "", &[], "kappa90");
    s.comment("kappa90", &format!("/goal Fix onboarding #{n}"))
        .await;
    assert_eq!(s.goals()[0].link(), Some(n));
    (s, n)
}

#[tokio::test]
async fn a_goal_linking_another_repository_is_refused_with_the_reason() {
    let s = Scenario::start().await;
    let c = s
        .comment(
            "kappa90",
            "/goal Ship X @kappa90 https://github.com/other/place/issues/3",
        )
        .await;
    assert_eq!(s.reactions(c), ["confused"]);
    let reply = &s.replies(s.issue)[0].body;
    assert!(
        reply.contains("`other/place#3` is in another repository"),
        "{reply}"
    );
    assert!(s.goals().is_empty());
}

#[tokio::test]
async fn a_goal_linking_an_issue_closed_before_it_was_written_is_ticked_at_once() {
    let s = Scenario::start().await;
    let n = s.fake.add_issue(REPO, "Old bug", "", &[], "kappa90");
    let pr = s
        .fake
        .open_pull_request(REPO, "Merged fix", "kappa90", "main");
    // Both finished before anyone wrote a goal: no webhook will come again.
    s.fake.set_issue_state(REPO, n, Some("completed"));
    s.fake.close_pull_request(REPO, pr, true);
    s.comment("kappa90", &format!("/goal Fix the old bug #{n}"))
        .await;
    assert!(s.goals()[0].done, "{:?}", s.goals());
    s.comment("kappa90", &format!("/goal Land the fix #{pr}"))
        .await;
    assert!(s.goals()[1].done, "{:?}", s.goals());
    // A goal linking an open issue stays open, and a second look finds
    // nothing to do.
    let open = s.fake.add_issue(REPO, "Still open", "", &[], "kappa90");
    s.comment("kappa90", &format!("/goal Fix it #{open}")).await;
    assert!(!s.goals()[2].done);
}

#[tokio::test]
async fn closing_an_issue_no_goal_links_costs_one_call() {
    let (s, _) = linked().await;
    let other = s.fake.add_issue(REPO, "Unrelated", "", &[], "kappa90");
    let from = s.fake.requests().len();
    s.close_issue(other, "completed", "kappa90").await;
    assert_eq!(calls(&s, from), [format!("GET /repos/{REPO}/issues/1")]);
    assert!(!s.goals()[0].done);
}

#[tokio::test]
async fn a_linked_close_costs_four_calls_and_is_logged_with_its_delivery() {
    let (s, n) = linked().await;
    let from = s.fake.requests().len();
    s.close_issue(n, "completed", "tiina303").await;
    assert_eq!(
        calls(&s, from),
        [
            format!("GET /repos/{REPO}/issues/1"),
            format!("GET /repos/{REPO}/issues/{n}"),
            format!("GET /repos/{REPO}/issues/1"),
            format!("PATCH /repos/{REPO}/issues/1"),
        ]
    );
    assert!(s.goals()[0].done);
    let log = s
        .bot
        .store
        .audit_entries(Some("goal.done.linked".into()))
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].actor, "tiina303");
    assert_eq!(log[0].target, format!("{REPO}#1"));
    assert!(
        log[0]
            .source
            .as_deref()
            .unwrap()
            .starts_with("delivery fake-"),
        "{log:?}"
    );
    assert!(
        log[0]
            .after
            .as_deref()
            .unwrap()
            .starts_with("- [x] Fix onboarding"),
        "{log:?}"
    );
}

#[tokio::test]
async fn a_late_close_does_not_tick_a_goal_whose_issue_is_open_again() {
    let (s, n) = linked().await;
    let closed = s.close_issue(n, "completed", "kappa90").await;
    s.reopen_issue(n, "kappa90").await;
    assert!(!s.goals()[0].done);
    // GitHub redelivers the old "closed" event after the reopen.
    s.deliver_event("issues", &closed).await;
    assert!(!s.goals()[0].done, "the issue is open: the event is stale");
}

#[tokio::test]
async fn a_person_who_unticks_the_bots_tick_is_not_overruled() {
    let (s, n) = linked().await;
    let closed = s.close_issue(n, "completed", "kappa90").await;
    assert!(s.goals()[0].done);
    s.fake
        .edit_issue_body(REPO, s.issue, |b| b.replacen("- [x]", "- [ ]", 1));
    s.deliver_event("issues", &closed).await;
    let g = &s.goals()[0];
    assert!(!g.done && g.ticked_by == Some(n), "{g:?}");
    // A person's tick is never undone by a reopen.
    s.fake.edit_issue_body(REPO, s.issue, |b| {
        b.replacen("- [ ]", "- [x]", 1)
            .replace(&format!(" <!-- sprintbot:ticked by=#{n} -->"), "")
    });
    s.reopen_issue(n, "kappa90").await;
    assert!(s.goals()[0].done);
}

#[tokio::test]
async fn a_deleted_issue_a_damaged_or_a_full_sprint_issue_ticks_nothing() {
    let (s, n) = linked().await;
    // The linked issue is gone by the time the job runs.
    let p = issue_payload(
        n + 100,
        Some("completed"),
        "kappa90",
        "2022-11-16T12:00:00Z",
    );
    s.comment("kappa90", &format!("/goal Gone #{}", n + 100))
        .await;
    s.deliver_event("issues", &p).await;
    assert!(!s.goals()[1].done);
    // No room left under GitHub's limit for the tick marker.
    s.fake.edit_issue_body(REPO, s.issue, |b| {
        let room = 65_536 - b.chars().count() - 5;
        format!("{b}{}", "x".repeat(room))
    });
    s.close_issue(n, "completed", "kappa90").await;
    assert!(!s.goals()[0].done);
    // A damaged body is left alone.
    s.fake.edit_issue_body(REPO, s.issue, |b| {
        let b = b.trim_end_matches('x').to_string();
        b.replace("<!-- sprintbot:goals:end -->", "")
    });
    s.reopen_issue(n, "kappa90").await;
    s.close_issue(n, "completed", "kappa90").await;
    assert!(!s.body().contains("- [x] Fix onboarding"));
    assert_eq!(s.dead_jobs().await, 0);
}

#[tokio::test]
async fn a_tick_github_refuses_is_not_logged_and_the_next_event_makes_it() {
    let (s, n) = linked().await;
    s.fake.fail("PATCH", "/issues/1", 1, 422, &[]);
    let closed = s.close_issue(n, "completed", "kappa90").await;
    assert!(!s.goals()[0].done);
    let log = |s: &Scenario| {
        let store = s.bot.store.clone();
        async move {
            store
                .audit_entries(Some("goal.done.linked".into()))
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!(log(&s).await, 0);
    s.deliver_event("issues", &closed).await;
    assert!(s.goals()[0].done);
    assert_eq!(log(&s).await, 1);
    assert_eq!(s.dead_jobs().await, 0);
}

#[tokio::test]
async fn an_unmerged_pull_request_and_a_switched_off_repository_tick_nothing() {
    let s = Scenario::start_with_config(
        &POSTHOG_CONFIG.replace("tick_linked_goals = true", "tick_linked_goals = false"),
    )
    .await;
    let pr = s.fake.open_pull_request(REPO, "Feature", "kappa90", "main");
    s.comment("kappa90", &format!("/goal Ship it #{pr}")).await;
    let from = s.fake.requests().len();
    s.merge_pull(pr, true, "kappa90").await;
    assert!(!s.goals()[0].done);
    assert!(calls(&s, from).is_empty(), "{:?}", calls(&s, from));
    let s = Scenario::start().await;
    let pr = s.fake.open_pull_request(REPO, "Feature", "kappa90", "main");
    s.comment("kappa90", &format!("/goal Ship it #{pr}")).await;
    s.merge_pull(pr, false, "kappa90").await;
    assert!(!s.goals()[0].done, "closed unmerged");
}

// ----- one-shot mode -----

fn tick(fake: &FakeGitHub, db: &std::path::Path, now: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .args(["tick", "--repo", REPO, "--now", now])
        .env("GITHUB_TOKEN", "ghp_actions")
        .env("GITHUB_API_URL", fake.url())
        .env("SPRINTBOT_DATABASE_URL", db)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tick_reads_each_link_once_and_a_merge_on_the_last_day_is_in_the_retro() {
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new("2022-11-25T12:00:00Z".parse().unwrap()));
    let fake = FakeGitHub::start(clock).await;
    fake.add_repo(REPO);
    fake.add_plain_token("ghp_actions");
    fake.put_file(REPO, ".github/sprintbot.toml", POSTHOG_CONFIG);
    let sprint = fake.add_issue(
        REPO,
        "Sprint",
        &fresh_body(&posthog_config(), "2022-11-16"),
        &["sprint"],
        ACTIONS_BOT,
    );
    let pr = fake.open_pull_request(REPO, "Faster funnels", "mariusandra", "main");
    let issue = fake.add_issue(REPO, "Export", "", &[], "benjackwhite");
    let open = fake.add_issue(REPO, "Still open", "", &[], "kappa90");
    fake.edit_issue_body(REPO, sprint, |b| {
        b.replace(
            "<!-- sprintbot:goals:start -->\n",
            &format!("<!-- sprintbot:goals:start -->\n- [ ] Funnels (#{pr}) @mariusandra\n- [ ] Export (#{issue}) @benjackwhite\n- [ ] Other (#{open}) @kappa90\n- [ ] Unlinked @kappa90\n"),
        )
    });
    for (author, team) in [
        ("Growth", "growth"),
        ("Pipeline", "pipeline"),
        ("PostHog TV", "posthog-tv"),
        ("Product Analytics", "product-analytics"),
        ("Infrastructure", "infrastructure"),
    ] {
        let marker = sprintbot::sprint::markers::team_marker(
            team,
            sprintbot::sprint::SprintId("2022-11-14".parse().unwrap()),
        );
        fake.add_comment(
            REPO,
            sprint,
            ACTIONS_BOT,
            &format!("{marker}\nTeam {author}"),
        );
    }
    fake.close_pull_request(REPO, pr, true);
    fake.set_issue_state(REPO, issue, Some("not_planned"));
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("actions.db");
    let from = fake.requests().len();
    tick(&fake, &db, "2022-11-25T12:00:00Z");
    let gets: Vec<String> = fake.requests()[from..]
        .iter()
        .filter(|r| {
            r.method == "GET"
                && r.path.starts_with(&format!("/repos/{REPO}/issues/"))
                && !r.path.ends_with("/comments")
        })
        .map(|r| r.path.clone())
        .collect();
    for n in [pr, issue, open] {
        let path = format!("/repos/{REPO}/issues/{n}");
        assert_eq!(
            gets.iter().filter(|p| **p == path).count(),
            1,
            "one read of #{n}: {gets:?}"
        );
    }
    let doc = SprintDoc::parse(&fake.issue(REPO, sprint).unwrap().body).unwrap();
    let done: Vec<bool> = doc.goals().unwrap().iter().map(|g| g.done).collect();
    assert_eq!(done, [true, false, false, false]);
    // A second run the same day writes nothing.
    let from = fake.requests().len();
    tick(&fake, &db, "2022-11-25T13:00:00Z");
    assert!(fake.requests()[from..].iter().all(|r| r.method == "GET"));
    // Monday: the new sprint's retro has the merged pull request as done.
    fake.set_issue_state(REPO, issue, Some("completed"));
    let said = tick(&fake, &db, "2022-11-28T09:30:00Z");
    assert!(said.contains("opened sprint 2022-11-28"), "{said}");
    let newest = fake
        .issues(REPO)
        .into_iter()
        .rfind(|i| i.labels == ["sprint"])
        .unwrap();
    let retro = SprintDoc::parse(&newest.body)
        .unwrap()
        .list(sprintbot::sprint::markers::Section::RetroGoals)
        .unwrap();
    assert!(
        retro[0].starts_with(&format!("✅ Funnels (#{pr})")),
        "{retro:?}"
    );
    assert!(
        retro[1].starts_with(&format!("✅ Export (#{issue})")),
        "ticked before the rollover: {retro:?}"
    );
    assert_eq!(json!(fake.violations()), json!([]));
}
