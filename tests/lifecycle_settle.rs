//! Stories of a bot that settles: whatever state a repository is left in
//! (a sprint issue closed by a person, its webhook lost, the cadence moved
//! under the current sprint), the scheduler and worker reach a point where
//! further steps make no GitHub call until the next calendar instant, and
//! a restart after an outage opens the due sprint before it catches up on
//! the webhooks it missed.

mod support;

use std::time::Duration;

use serde_json::json;
use support::org::Org;
use support::timed::{REPO, at, config, reminders};
use support::webhooks::payload;

/// An org with one repository running sprints (its issue for the sprint
/// containing Nov 16), started and settled at `now`, with the store
/// knowing the current sprint issue.
async fn org_at(now: &str) -> Org {
    let org = Org::start(now).await;
    org.install(7, "acme", 1, &[0], "2022-11-16");
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    let end = org.now().checked_add(Duration::from_secs(300)).unwrap();
    org.run_until(end, Duration::from_secs(60)).await;
    assert!(
        org.bot.store.current_issue(REPO).await.unwrap().is_some(),
        "the store knows the current issue"
    );
    org
}

/// A webhook about `repo`'s issue `n` as GitHub sends it.
fn issue_event(org: &Org, action: &str, n: u64) -> serde_json::Value {
    let issue = org.fake.issue(REPO, n).unwrap();
    let mut p = payload("issues.reopened");
    p["action"] = json!(action);
    p["issue"]["number"] = json!(n);
    p["issue"]["body"] = json!(issue.body);
    p["issue"]["state"] = json!(if issue.open { "open" } else { "closed" });
    p["repository"]["full_name"] = json!(REPO);
    p["repository"]["id"] = json!(org.fake.repo_id(REPO));
    p["installation"] = json!({ "id": 7 });
    p
}

/// Run as `serve` does for one hour from `from`; the calls it made.
async fn one_hour(org: &Org, from: &str) -> Vec<String> {
    org.at(from);
    let before = org.fake.requests().len();
    let end = at(from).checked_add(Duration::from_secs(3600)).unwrap();
    org.run_waking(end, Duration::from_secs(60)).await;
    org.calls_since(before)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_for_a_sprint_no_longer_current_is_not_queued_again() {
    let org = org_at("2022-11-27T08:00:00Z").await;
    // A person closes the sprint issue; its `issues` webhook is lost.
    let n = org.fake.issues(REPO)[0].number;
    org.fake.set_issue_open(REPO, n, false);
    // The review is due 24 hours before the next opening (Nov 28, 09:00).
    let calls = one_hour(&org, "2022-11-27T09:00:00Z").await;
    println!(
        "closed, webhook lost: {} GitHub calls in the hour after the review instant",
        calls.len()
    );
    assert!(calls.len() <= 3, "{calls:#?}");
    assert!(reminders(&org.fake, n, "review").is_empty());
    // Nothing is queued again until something changes.
    let step = org.scheduler.step(org.now()).await;
    assert_eq!(step.reminders_queued, 0);
    assert_eq!(step.rollovers_queued, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_after_a_cadence_change_mid_sprint_is_not_queued_again() {
    let org = org_at("2022-11-27T08:00:00Z").await;
    // Three-week sprints from Oct 17: the sprint containing the current
    // issue's first day (Nov 14) is now the one from Nov 7, which still
    // ends Nov 28; the issue is for another sprint.
    let moved = config(&[
        ("anchor = \"2022-10-03\"", "anchor = \"2022-10-17\""),
        ("length_weeks = 2", "length_weeks = 3"),
    ]);
    org.fake.put_file(REPO, ".github/sprintbot.toml", &moved);
    let mut push = payload("push");
    push["ref"] = json!("refs/heads/main");
    push["repository"]["full_name"] = json!(REPO);
    push["repository"]["name"] = json!("repo-0");
    push["repository"]["id"] = json!(org.fake.repo_id(REPO));
    push["repository"]["default_branch"] = json!("main");
    push["commits"] = json!([{ "id": "1", "tree_id": "1", "distinct": true, "message": "cadence", "timestamp": "2022-11-27T08:00:00Z", "url": "", "author": {}, "committer": {}, "added": [], "removed": [], "modified": [".github/sprintbot.toml"] }]);
    push["installation"] = json!({ "id": 7 });
    assert_eq!(org.fake.deliver("push", &push).await, 202);
    org.settle_within(Duration::from_secs(60)).await;
    let calls = one_hour(&org, "2022-11-27T09:00:00Z").await;
    println!(
        "cadence moved: {} GitHub calls in the hour after the review instant",
        calls.len()
    );
    assert!(calls.len() <= 3, "{calls:#?}");
    let step = org.scheduler.step(org.now()).await;
    assert_eq!(step.reminders_queued, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sprint_issue_closed_by_hand_is_not_reported_overdue() {
    let org = org_at("2022-11-16T12:00:00Z").await;
    let n = org.fake.issues(REPO)[0].number;
    org.fake.set_issue_open(REPO, n, false);
    let closed = issue_event(&org, "closed", n);
    assert_eq!(org.fake.deliver("issues", &closed).await, 202);
    org.settle_within(Duration::from_secs(60)).await;
    let calls = one_hour(&org, "2022-11-16T13:00:00Z").await;
    println!(
        "closed by hand: {} GitHub calls in the hour after",
        calls.len()
    );
    assert!(calls.len() <= 3, "{calls:#?}");
    let step = org.scheduler.step(org.now()).await;
    assert_eq!(step.overdue, 0, "a closed sprint is not overdue");
    assert_eq!(step.rollovers_queued, 0);
    let text = sprintbot::telemetry::metrics().render();
    assert!(!text.contains("sprintbot_rollovers_overdue 1"), "{text}");
    assert!(!org.fake.issue(REPO, n).unwrap().open, "it stays closed");
    // The next sprint opens at its usual instant.
    org.run_until(at("2022-11-28T09:10:00Z"), Duration::from_secs(3600))
        .await;
    let issues = org.fake.issues(REPO);
    assert_eq!(issues.len(), 2, "{issues:#?}");
    let opened = org
        .fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == format!("/repos/{REPO}/issues"))
        .expect("the next sprint's issue");
    assert!(opened.at <= at("2022-11-28T09:01:00Z"), "{}", opened.at);
    org.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sprint_issue_reopened_by_hand_is_current_again() {
    let org = org_at("2022-11-16T12:00:00Z").await;
    let n = org.fake.issues(REPO)[0].number;
    org.fake.set_issue_open(REPO, n, false);
    let closed = issue_event(&org, "closed", n);
    assert_eq!(org.fake.deliver("issues", &closed).await, 202);
    one_hour(&org, "2022-11-16T13:00:00Z").await;
    org.fake.set_issue_open(REPO, n, true);
    let reopened = issue_event(&org, "reopened", n);
    assert_eq!(org.fake.deliver("issues", &reopened).await, 202);
    org.settle_within(Duration::from_secs(60)).await;
    one_hour(&org, "2022-11-16T15:00:00Z").await;
    let current = org.bot.store.current_issue(REPO).await.unwrap();
    assert_eq!(current.map(|(i, _)| i), Some(n));
    // Its review comes at its instant.
    one_hour(&org, "2022-11-27T09:00:00Z").await;
    assert_eq!(reminders(&org.fake, n, "review").len(), 1);
}

/// `n` webhooks about issue edits that failed while the bot was down.
async fn failed_while_down(org: &Org, n: usize) {
    org.fake
        .set_webhook_target("http://127.0.0.1:9/webhook", support::bot::SECRET);
    let issue = org.fake.issues(REPO)[0].number;
    let edited = issue_event(org, "edited", issue);
    for _ in 0..n {
        assert_eq!(org.fake.deliver("issues", &edited).await, 0);
    }
    org.fake
        .set_webhook_target(&org.bot.webhook_url(), support::bot::SECRET);
}

fn redelivery_asks(org: &Org) -> Vec<support::fake_github::Recorded> {
    org.fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/attempts"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_redelivery_does_not_hold_the_first_opening() {
    let org = org_at("2022-11-28T07:00:00Z").await;
    failed_while_down(&org, 300).await;
    // The bot starts again just after the opening instant.
    org.at("2022-11-28T09:00:00Z");
    let (started, wall) = (org.now(), std::time::Instant::now());
    let (stop, rx) = tokio::sync::watch::channel(false);
    let watch = async {
        for _ in 0..6000 {
            if org.fake.issues(REPO).len() == 2 && redelivery_asks(&org).len() == 300 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        stop.send(true).unwrap();
    };
    tokio::join!(org.scheduler.run(rx), watch);
    let opened = org
        .fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == format!("/repos/{REPO}/issues"))
        .expect("the sprint opened");
    let asks = redelivery_asks(&org);
    assert_eq!(asks.len(), 300, "every failed delivery is asked for");
    let last = asks.last().unwrap().at;
    println!(
        "300 failed deliveries: the sprint opened {} after start (fake clock), redelivery ended {} after start; {:?} wall clock",
        opened.at.duration_since(started),
        last.duration_since(started),
        wall.elapsed()
    );
    assert!(
        opened.at.duration_since(started) <= jiff::SignedDuration::from_secs(10),
        "opened at {}",
        opened.at
    );
    assert!(opened.at < last, "the opening waited for the redelivery");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_refused_on_purpose_are_never_asked_for_again() {
    let org = org_at("2022-11-16T12:00:00Z").await;
    let issue = org.fake.issues(REPO)[0].number;
    let edited = issue_event(&org, "edited", issue);
    // Refused on purpose: a bad signature, a body too large, not JSON.
    let refused: Vec<u64> = [401, 413, 400]
        .into_iter()
        .map(|status| org.fake.log_delivery("issues", &edited, status))
        .collect();
    // An event sprintbot does not subscribe to, failed while it was down.
    let star = org
        .fake
        .log_delivery("star", &json!({"action": "created"}), 0);
    // Worth asking for: failed to connect, a timeout, the store was down.
    let wanted: Vec<u64> = [0, 0, 503]
        .into_iter()
        .map(|status| org.fake.log_delivery("issues", &edited, status))
        .collect();
    let asked_for = |org: &Org, id: u64| {
        redelivery_asks(org)
            .iter()
            .any(|r| r.path == format!("/app/hook/deliveries/{id}/attempts"))
    };
    assert_eq!(org.scheduler.redeliver_failed().await, 3);
    for id in &wanted {
        assert!(asked_for(&org, *id), "{id}");
    }
    org.fake.flush_redeliveries().await;
    org.settle().await;
    // Restarts ask for nothing more.
    for _ in 0..3 {
        assert_eq!(org.scheduler.redeliver_failed().await, 0);
    }
    for id in refused.iter().chain([&star]) {
        assert!(!asked_for(&org, *id), "{id} was asked for");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sprint_issue_deleted_while_its_webhook_was_lost_is_opened_again_once() {
    let org = org_at("2022-11-27T08:00:00Z").await;
    let n = org.fake.issues(REPO)[0].number;
    // An admin deletes the sprint issue; the `issues.deleted` webhook is
    // lost, so the store still remembers it as current.
    org.fake.delete_issue(REPO, n);
    // The review is due at 09:00: its job finds the issue gone (410).
    let calls = one_hour(&org, "2022-11-27T09:00:00Z").await;
    println!(
        "deleted, webhook lost: {} GitHub calls in the hour after the review instant",
        calls.len()
    );
    assert!(calls.len() <= 30, "{calls:#?}");
    // GitHub is the record: the sprint had no issue, so it has one again,
    // with every team's comment, opened once.
    let issues = org.fake.issues(REPO);
    assert_eq!(issues.len(), 1, "{issues:#?}");
    let again = issues[0].number;
    assert!(again > n && issues[0].open);
    let teams = org
        .fake
        .comments(REPO, again)
        .iter()
        .filter(|c| c.body.starts_with("<!-- sprintbot:team "))
        .count();
    assert_eq!(teams, support::sprint::posthog_config().teams.len());
    // And then nothing more until the next instant.
    let quiet = one_hour(&org, "2022-11-27T11:00:00Z").await;
    let quiet: Vec<&String> = quiet
        .iter()
        .filter(|c| !c.ends_with("(conditional)") && !c.ends_with("/access_tokens"))
        .collect();
    assert!(quiet.len() <= 3, "{quiet:#?}");
    let step = org.scheduler.step(org.now()).await;
    assert_eq!((step.overdue, step.rollovers_queued), (0, 0));
    org.fake.assert_no_violations();
}
