//! Stories of the sprint's timed writes: the review comment before the
//! rollover, the nudges of owners without a status and of teams that have
//! not planned, and the audit comment the rollover leaves on the old issue.
//! Each comes at its instant on the team's clock, exactly once however
//! often, by however many processes and from however empty a store it is
//! run, and costs a counted number of GitHub calls.

mod support;

use std::sync::Arc;
use std::time::Duration;

use sprintbot::github::clock::ManualClock;
use sprintbot::work::{TimedJob, timed_job};
use support::fake_github::{ACTIONS_BOT, BOT_LOGIN, FakeComment, FakeGitHub};
use support::org::Org;
use support::timed::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_comes_once_at_its_instant_on_the_teams_clock_across_the_clock_change() {
    // Sprint 1.41.0 2/2 opened Mon Oct 17 (BST); the next opens Mon Oct 31
    // 09:00 GMT. 72 hours before it on the team's clock is Fri Oct 28 09:00
    // BST, 08:00Z (72 elapsed hours would be 10:00 BST).
    let review_72 = config(&[(
        "review_hours_before_end = 24",
        "review_hours_before_end = 72",
    )]);
    let org = org_at("2022-10-19T12:00:00Z", "2022-10-19", &review_72).await;
    org.at("2022-10-20T10:00:00Z");
    growth_plans(&org.fake, REPO, 1, BOT_LOGIN);
    let step = step_at(&org, "2022-10-28T07:59:00Z").await;
    assert_eq!(step.reminders_queued, 0);
    assert_eq!(
        step.next,
        Some(at("2022-10-28T08:00:00Z")),
        "it wakes at the instant"
    );
    assert!(reminders(&org.fake, 1, "review").is_empty());

    let before = org.fake.requests().len();
    let step = step_at(&org, "2022-10-28T08:00:00Z").await;
    assert_eq!(step.reminders_queued, 1);
    let review = reminders(&org.fake, 1, "review");
    assert_eq!(review.len(), 1);
    assert_eq!(review[0].author, BOT_LOGIN);
    assert_eq!(
        repo_calls(&org, before),
        THREE_CALLS,
        "a review costs three calls"
    );
    let posted = org.fake.requests()[before..]
        .iter()
        .find(|r| r.method == "POST")
        .map(|r| r.at);
    assert_eq!(posted, Some(at("2022-10-28T08:00:00Z")));
    let text = &review[0].body;
    for line in [
        "**This sprint rolls over Mon Oct 31 at 09:00 (Europe/London).**",
        "2 unfinished goals go to its retro:",
        "1. Ship the new onboarding — @kappa90: no status yet (carried 1×)",
        "2. Static playlists — tiina303: 🟡 half the flows moved (carried 1×)",
        "**Team Growth**: 1 unticked item becomes a hang-over ([its comment](https://github.com/acme/repo-0/issues/1#issuecomment-",
        "- Fix the funnel\n",
        "@kappa90: your goals above have no status yet. Before the rollover, write in a comment here `/goal done N` if it is done, `/goal drop N` if it will not happen, or `/goal status N <how it went>`",
    ] {
        assert!(text.contains(line), "{line}\n---\n{text}");
    }
    // A done item is named with where it goes (the next retro).
    assert!(
        text.contains("Done, so listed in its next retro: Fixed the login\n"),
        "{text}"
    );
    assert!(
        !text.contains("Sentry") && !text.contains("@tiina303"),
        "{text}"
    );

    // A hundred more steps past it: nothing more, not even a call.
    let before = org.fake.requests().len();
    for i in 1..=100 {
        let t = at("2022-10-28T08:00:00Z")
            .checked_add(Duration::from_secs(i * 300))
            .unwrap();
        let step = step_at(&org, &t.to_string()).await;
        assert_eq!(step.reminders_queued, 0);
    }
    assert_eq!(reminders(&org.fake, 1, "review").len(), 1);
    assert!(
        repo_calls(&org, before).is_empty(),
        "{:?}",
        repo_calls(&org, before)
    );

    // A restart that lost its database finds the review on GitHub: one call, no write.
    let again = Org::on(org.fake.clone(), org.clock.clone()).await;
    again.scheduler.start_up().await;
    again.settle_within(Duration::from_secs(120)).await;
    let before = again.fake.requests().len();
    assert_eq!(again.scheduler.step(again.now()).await.reminders_queued, 1);
    again.settle().await;
    assert_eq!(
        repo_calls(&again, before),
        ["GET /repos/acme/repo-0/issues/1/comments"]
    );
    assert_eq!(reminders(&again.fake, 1, "review").len(), 1);
    assert_eq!(again.scheduler.step(again.now()).await.reminders_queued, 0);
    again.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_nudge_mentions_only_who_is_needed_and_comes_once_per_sprint() {
    let nudges = config(&[
        ("nudge_status = false", "nudge_status = true"),
        ("nudge_teams = false", "nudge_teams = true"),
        (
            "review_hours_before_end = 24",
            "review_hours_before_end = 0",
        ),
    ]);
    let org = org_at("2022-11-14T09:30:00Z", "2022-11-16", &nudges).await;
    // Growth plans on the first afternoon; the other teams do not.
    org.at("2022-11-14T15:00:00Z");
    growth_plans(&org.fake, REPO, 1, BOT_LOGIN);
    let step = step_at(&org, "2022-11-15T08:59:00Z").await;
    assert_eq!(step.next, Some(at("2022-11-15T09:00:00Z")));

    // 24 hours after the opening: the teams that have not planned.
    let before = org.fake.requests().len();
    step_at(&org, "2022-11-15T09:00:00Z").await;
    let teams = reminders(&org.fake, 1, "nudge-teams");
    assert_eq!(teams.len(), 1);
    assert_eq!(
        repo_calls(&org, before),
        THREE_CALLS,
        "a nudge costs three calls"
    );
    let pipeline = org
        .fake
        .comments(REPO, 1)
        .into_iter()
        .find(|c| c.body.contains("slug=pipeline"))
        .unwrap();
    let text = &teams[0].body;
    assert!(
        text.contains(&format!(
            "**Team Pipeline** (@yakkomajuri @tiina303): your [planning comment](https://github.com/acme/repo-0/issues/1#issuecomment-{}) is still the empty template.",
            pipeline.id
        )),
        "{text}"
    );
    assert!(
        text.contains("**Team Infrastructure** (@fuziontech @guidoiaquinti @ellie @danielxnj)"),
        "{text}"
    );
    assert!(
        !text.contains("Growth") && !text.contains("kappa90"),
        "{text}"
    );

    // Two working days before the end (Thu 09:00): owners without a status.
    let before = org.fake.requests().len();
    let step = step_at(&org, "2022-11-24T08:50:00Z").await;
    assert_eq!(step.next, Some(at("2022-11-24T09:00:00Z")));
    step_at(&org, "2022-11-24T09:00:00Z").await;
    let status = reminders(&org.fake, 1, "nudge-status");
    assert_eq!(status.len(), 1);
    assert_eq!(repo_calls(&org, before), THREE_CALLS);
    let text = &status[0].body;
    assert!(text.contains("\n@kappa90: this sprint ends Mon Nov 28 at 09:00 (Europe/London), and this goal has no status yet:\n\n1. Ship the new onboarding — kappa90\n"), "{text}");
    assert!(
        !text.contains("tiina303") && !text.contains("Sentry"),
        "{text}"
    );

    // The job run a hundred times more (queued by hand, past the memo): nothing.
    let before = org.fake.requests().len();
    for _ in 0..100 {
        let job = TimedJob {
            installation: 7,
            repo: REPO.into(),
            repo_id: Some(org.fake.repo_id(REPO)),
            sprint: "2022-11-14".into(),
        };
        org.bot.store.enqueue(timed_job(&job)).await.unwrap();
        org.bot.jobs_ready.notify_waiters();
        org.settle().await;
    }
    assert!(repo_calls(&org, before).is_empty());
    assert_eq!(reminders(&org.fake, 1, "nudge-teams").len(), 1);
    assert_eq!(reminders(&org.fake, 1, "nudge-status").len(), 1);

    // The next sprint gets its own, once.
    step_at(&org, "2022-11-28T09:00:00Z").await;
    assert_eq!(org.fake.issues(REPO).len(), 2);
    step_at(&org, "2022-11-29T09:00:00Z").await;
    step_at(&org, "2022-11-29T10:00:00Z").await;
    assert_eq!(reminders(&org.fake, 2, "nudge-teams").len(), 1);
    assert_eq!(reminders(&org.fake, 1, "nudge-teams").len(), 1);
    assert_eq!(reminders(&org.fake, 1, "nudge-status").len(), 1);
    org.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sprint_opened_late_gives_its_teams_their_whole_delay_before_the_nudge() {
    // The bot was down at Monday's opening: the issue and its team comments
    // appeared on Wednesday at noon, when the nudge was already due by the
    // calendar.
    let nudge = config(&[("nudge_teams = false", "nudge_teams = true")]);
    let org = org_at("2022-11-16T12:00:00Z", "2022-11-16", &nudge).await;
    let before = org.fake.requests().len();
    let step = step_at(&org, "2022-11-16T12:00:00Z").await;
    assert_eq!(step.reminders_queued, 1);
    assert!(reminders(&org.fake, 1, "nudge-teams").is_empty());
    assert_eq!(repo_calls(&org, before), THREE_CALLS[..2]);
    // The job waits for Thursday noon; the scheduler queues no other.
    let before = org.fake.requests().len();
    let step = step_at(&org, "2022-11-17T11:59:00Z").await;
    assert_eq!(step.reminders_queued, 0);
    assert!(repo_calls(&org, before).is_empty());
    step_at(&org, "2022-11-17T12:00:00Z").await;
    assert_eq!(reminders(&org.fake, 1, "nudge-teams").len(), 1);
    assert_eq!(repo_calls(&org, before), THREE_CALLS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_comment_on_the_old_issue_says_what_moved_where() {
    let carry = config(&[(
        "carry_unfinished_goals = false",
        "carry_unfinished_goals = true",
    )]);
    let org = org_at("2022-11-16T12:00:00Z", "2022-11-16", &carry).await;
    org.at("2022-11-17T10:00:00Z");
    growth_plans(&org.fake, REPO, 1, BOT_LOGIN);
    let before = org.fake.requests().len();
    step_at(&org, "2022-11-28T09:00:00Z").await;
    assert_eq!(org.fake.issues(REPO).len(), 2);
    let on_old: Vec<FakeComment> = org.fake.comments(REPO, 1)[5..].to_vec();
    assert_eq!(on_old.len(), 1, "one comment on the old issue: {on_old:#?}");
    let growth = org
        .fake
        .comments(REPO, 2)
        .into_iter()
        .find(|c| c.body.contains("slug=growth"))
        .unwrap();
    let text = &on_old[0].body;
    for line in [
        "<!-- sprintbot:closed next=2 -->\n",
        "This sprint is over: the next one is #2 (Sprint 1.43.0 1/2 - Nov 28 - Dec 9). What moved to #2:",
        "- **Goals**: 2 unfinished goals are in its retro and in its plan, where their owners are asked how they went:\n  1. Ship the new onboarding (`@kappa90`)\n  2. Static playlists (`@tiina303`) > 🟡 half the flows moved\n",
        &format!(
            "- **Team Growth**: 1 unticked item is a hang-over in [its comment on #2](https://github.com/acme/repo-0/issues/2#issuecomment-{}):\n  - Fix the funnel\n",
            growth.id
        ),
        "- **Team Growth**, 1 item done: listed as done in the retro of its next comment:\n  - Fixed the login\n",
    ] {
        assert!(text.contains(line), "{line}\n---\n{text}");
    }
    assert!(
        !text.contains("Sentry") && !text.contains("Pipeline"),
        "{text}"
    );
    assert!(
        growth.body.contains("- [ ] Fix the funnel"),
        "the item it names is there"
    );
    // It is the closing comment: the rollover writes one comment on the old issue.
    let posts = org
        .calls_since(before)
        .into_iter()
        .filter(|c| c == "POST /repos/acme/repo-0/issues/1/comments")
        .count();
    assert_eq!(posts, 1);
    org.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_shot_ticks_write_each_reminder_once_together_or_with_empty_stores() {
    let clock = ManualClock::new(at("2022-11-14T09:30:00Z"));
    let fake = FakeGitHub::start(Arc::new(clock.clone())).await;
    fake.add_repo("acme/app");
    fake.add_plain_token("ghp_actions");
    let all_on = config(&[
        ("nudge_status = false", "nudge_status = true"),
        ("nudge_teams = false", "nudge_teams = true"),
    ]);
    fake.put_file("acme/app", ".github/sprintbot.toml", &all_on);
    let dir = tempfile::tempdir().unwrap();
    let db = |name: &str| dir.path().join(format!("{name}.db"));
    finish(tick(&fake, &db("open"), "2022-11-14T09:30:00Z")).await;
    assert_eq!(fake.issues("acme/app").len(), 1);
    plan_goals(&fake, "acme/app", 1);
    clock.set(at("2022-11-15T12:00:00Z"));
    growth_plans(&fake, "acme/app", 1, ACTIONS_BOT);

    // Sunday Nov 27, 10:00: the review, the status nudge and the team nudge
    // are all due. Two runs at once on one store write each once.
    let shared = db("shared");
    let (a, b) = (
        tick(&fake, &shared, "2022-11-27T10:00:00Z"),
        tick(&fake, &shared, "2022-11-27T10:00:00Z"),
    );
    let said: String = [finish(a).await, finish(b).await]
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .collect();
    assert_eq!(said.matches("reminder on #1").count(), 3, "{said}");
    let mine = |name: &str| {
        fake.comments("acme/app", 1)
            .into_iter()
            .filter(|c| {
                c.author == ACTIONS_BOT
                    && c.body
                        .contains(&format!("<!-- sprintbot:timed {name} sprint=2022-11-14"))
            })
            .count()
    };
    for name in ["review", "nudge-status", "nudge-teams"] {
        assert_eq!(mine(name), 1, "{name}");
    }

    // Twenty more runs, each with an empty store (a fresh CI runner):
    // GitHub says they are done. (A hundred runs past the instant are the
    // App-mode stories' above; a process costs a third of a second here.)
    let writes = |f: &FakeGitHub| f.requests().iter().filter(|r| r.method != "GET").count();
    let before = writes(&fake);
    for i in 0..20 {
        finish(tick(
            &fake,
            &db(&format!("empty-{i}")),
            "2022-11-27T11:00:00Z",
        ))
        .await;
    }
    assert_eq!(writes(&fake), before, "no write");
    for name in ["review", "nudge-status", "nudge-teams"] {
        assert_eq!(mine(name), 1, "{name}");
    }
    fake.assert_no_violations();
}

#[test]
fn a_reminder_timing_outside_the_sprint_is_refused_with_a_fix() {
    let long = config(&[(
        "review_hours_before_end = 24",
        "review_hours_before_end = 400",
    )]);
    let e =
        sprintbot::config::repo::parse("sprintbot.toml", &long, &toml::Table::new()).unwrap_err();
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].message
            .contains("review_hours_before_end must be from 0 to 335, not 400"),
        "{}",
        e[0]
    );
    let line = long
        .lines()
        .position(|l| l.starts_with("review_hours_before_end"))
        .unwrap()
        + 1;
    assert_eq!(e[0].line, line);
    let bad = config(&[("[reminders]", "[reminders]\nnudge_on_fridays = true")]);
    assert!(sprintbot::config::repo::parse("sprintbot.toml", &bad, &toml::Table::new()).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sprint_extended_after_its_review_gets_a_review_before_its_new_end() {
    // Sprint 1.41.0 2/2 opened Mon Oct 17; the next opens Mon Oct 31 09:00
    // GMT, so the review comes Sun Oct 30 09:00 GMT.
    let org = org_at("2022-10-19T12:00:00Z", "2022-10-19", &config(&[])).await;
    org.fake.set_role(REPO, "macobo", "maintain");
    let step = step_at(&org, "2022-10-30T09:00:00Z").await;
    assert_eq!(step.reminders_queued, 1);
    assert_eq!(reminders(&org.fake, 1, "review").len(), 1);

    // Later that day a maintainer extends the sprint a week.
    org.at("2022-10-30T12:00:00Z");
    let c = support::calendar::comment_in(&org, REPO, 1, "macobo", "/sprint extend 7").await;
    assert_eq!(org.fake.reactions(REPO, c)[0].1, "+1");
    let step = step_at(&org, "2022-10-31T09:00:00Z").await;
    assert_eq!(step.rollovers_queued, 0, "the sprint goes on a week");
    assert_eq!(reminders(&org.fake, 1, "review").len(), 1);

    // A review before the new end, naming the new date; then no more.
    let step = step_at(&org, "2022-11-06T09:00:00Z").await;
    assert_eq!(step.reminders_queued, 1);
    let reviews = reminders(&org.fake, 1, "review");
    assert_eq!(reviews.len(), 2);
    assert!(
        reviews[1].body.contains("rolls over Mon Nov 7 at 09:00"),
        "{}",
        reviews[1].body
    );
    assert!(
        reviews[1]
            .body
            .starts_with("<!-- sprintbot:timed review sprint=2022-10-17 ends=2022-11-06 -->")
    );
    let step = step_at(&org, "2022-11-06T10:00:00Z").await;
    assert_eq!(step.reminders_queued, 0);
    assert_eq!(reminders(&org.fake, 1, "review").len(), 2);
    org.fake.assert_no_violations();
}
