//! Stories of the scheduler at organisation scale: it learns which
//! repositories run sprints from installation and push webhooks, costs
//! almost nothing while nothing happens, opens each sprint once at its
//! instant even through an outage, keeps one tenant's trouble (a
//! suspension, a spent rate limit) away from the others, and asks GitHub to
//! redeliver the webhooks it missed while down.

mod support;

use std::time::Duration;

use jiff::Timestamp;
use serde_json::json;
use support::fake_github::BOT_LOGIN;
use support::org::Org;
use support::sprint::POSTHOG_CONFIG;
use support::webhooks::payload;

/// The calls made since `from` that concern `repo` (its path).
fn about(calls: &[String], repo: &str) -> usize {
    calls
        .iter()
        .filter(|c| c.contains(&format!("/repos/{repo}/")))
        .count()
}

/// Idle cost: one installation of `total` repositories, `enabled` of them
/// running sprints, 24 hours with nothing happening. Returns (calls during
/// discovery and start-up, calls during the idle day).
async fn idle_day(total: usize, enabled: usize) -> (Org, usize, Vec<String>, Vec<String>) {
    let org = Org::start("2022-11-16T12:00:00Z").await;
    let on: Vec<usize> = (0..enabled).map(|i| i * (total / enabled.max(1))).collect();
    let names = org.install(7, "acme", total, &on, "2022-11-16");
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    let start_up = org.fake.requests().len();
    let before = org.fake.requests().len();
    let end = org
        .now()
        .checked_add(Duration::from_secs(24 * 3600))
        .unwrap();
    org.run_until(end, Duration::from_secs(3600)).await;
    let calls = org.calls_since(before);
    let enabled_names: Vec<String> = on.iter().map(|i| names[*i].clone()).collect();
    (org, start_up, calls, enabled_names)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_day_costs_at_most_two_calls_per_repository_that_runs_sprints() {
    let total = std::env::var("SPRINTBOT_IDLE_REPOS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(500);
    let enabled = (total / 20).max(1);
    let (org, start_up, calls, enabled_names) = idle_day(total, enabled).await;
    let names: Vec<String> = (0..total).map(|i| format!("acme/repo-{i}")).collect();
    // Nothing for a repository without a config, after it was first read.
    for n in names.iter().filter(|n| !enabled_names.contains(n)) {
        assert_eq!(about(&calls, n), 0, "{n}: {calls:#?}");
    }
    // At most two per enabled repository, and each a free conditional read.
    for n in &enabled_names {
        let mine: Vec<&String> = calls
            .iter()
            .filter(|c| c.contains(&format!("/repos/{n}/")))
            .collect();
        assert!(mine.len() <= 2, "{n}: {mine:#?}");
        assert!(
            mine.iter().all(|c| c.ends_with("(conditional)")),
            "{mine:#?}"
        );
    }
    let constant = calls.len()
        - enabled_names
            .iter()
            .map(|n| about(&calls, n))
            .sum::<usize>();
    assert!(constant <= 5, "calls for nobody in particular: {calls:#?}");
    assert!(
        calls.len() <= 2 * enabled + 5,
        "{} calls: {calls:#?}",
        calls.len()
    );
    println!(
        "idle: {total} repositories, {enabled} with a config: {} calls in 24 h ({:.3} per repository per hour); discovery and start-up: {start_up} calls",
        calls.len(),
        calls.len() as f64 / total as f64 / 24.0
    );
    org.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outage_across_the_opening_instant_opens_the_sprint_once_soon_after() {
    let org = Org::start("2022-11-28T08:50:00Z").await;
    org.install(7, "acme", 2, &[0], "2022-11-16");
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    // GitHub answers 502 to every write from 08:58 to 09:02 (London is UTC
    // in November: the sprint opens at 09:00).
    org.at("2022-11-28T08:58:00Z");
    let recovery: Timestamp = "2022-11-28T09:02:00Z".parse().unwrap();
    org.fake.fail_writes_until(recovery, 502);
    org.run_until(
        "2022-11-28T09:10:00Z".parse().unwrap(),
        Duration::from_secs(10),
    )
    .await;
    let issues = org.fake.issues("acme/repo-0");
    assert_eq!(issues.len(), 2, "one new sprint issue");
    let created = org
        .fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path == "/repos/acme/repo-0/issues" && r.at >= recovery)
        .expect("created after the outage");
    let after = created.at.duration_since(recovery);
    println!("outage: the sprint opened {after} after GitHub recovered");
    assert!(
        after <= jiff::SignedDuration::from_secs(60),
        "opened {after} after recovery"
    );
    assert!(!issues[0].open, "the old sprint is closed");
    org.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_installation_never_stops_another() {
    let org = Org::start("2022-11-28T08:50:00Z").await;
    org.install(7, "acme", 1, &[0], "2022-11-16");
    org.install(8, "globex", 1, &[0], "2022-11-16");
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    // acme is suspended after the bot learnt of it: its tokens cannot be
    // minted, and the store does not know yet.
    org.fake.set_suspended(7, true);
    org.run_until(
        "2022-11-28T09:05:00Z".parse().unwrap(),
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        org.fake.issues("globex/repo-0").len(),
        2,
        "globex opened on time"
    );
    assert_eq!(org.fake.issues("acme/repo-0").len(), 1);
    // globex's commands are still answered.
    let issue = org.fake.issues("globex/repo-0")[1].number;
    let c = org
        .fake
        .add_comment("globex/repo-0", issue, "kappa90", "/goal Ship it");
    let mut p = payload("issue_comment.created");
    p["issue"]["number"] = json!(issue);
    p["comment"]["id"] = json!(c);
    p["comment"]["body"] = json!("/goal Ship it");
    p["comment"]["user"]["login"] = json!("kappa90");
    p["repository"]["full_name"] = json!("globex/repo-0");
    p["repository"]["id"] = json!(org.fake.repo_id("globex/repo-0"));
    p["installation"] = json!({ "id": 8 });
    assert_eq!(org.fake.deliver("issue_comment", &p).await, 202);
    org.settle_within(Duration::from_secs(10)).await;
    assert_eq!(
        org.fake
            .reactions("globex/repo-0", c)
            .into_iter()
            .map(|(_, r)| r)
            .collect::<Vec<_>>(),
        ["+1"]
    );
    // Once GitHub's installation event says so, acme is skipped.
    let mut ev = payload("installation.suspend");
    ev["installation"]["id"] = json!(7);
    assert_eq!(org.fake.deliver("installation", &ev).await, 202);
    org.settle().await;
    let step = org.scheduler.step(org.now()).await;
    assert_eq!(step.rollovers_queued, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spent_rate_limit_waits_for_its_reset_while_others_go_on() {
    let org = Org::start("2022-11-16T12:00:00Z").await;
    org.install(7, "acme", 1, &[0], "2022-11-16");
    org.install(8, "globex", 1, &[0], "2022-11-16");
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    let reset = org.now().checked_add(Duration::from_secs(30 * 60)).unwrap();
    org.fake.exhaust_rate_limit(7, reset);
    let comment = |org: &Org, repo: &str, inst: u64, body: &str| {
        let issue = org.fake.issues(repo)[0].number;
        let c = org.fake.add_comment(repo, issue, "kappa90", body);
        let mut p = payload("issue_comment.created");
        p["issue"]["number"] = json!(issue);
        p["comment"]["id"] = json!(c);
        p["comment"]["body"] = json!(body);
        p["comment"]["user"]["login"] = json!("kappa90");
        p["repository"]["full_name"] = json!(repo);
        p["repository"]["id"] = json!(org.fake.repo_id(repo));
        p["installation"] = json!({ "id": inst });
        (c, p)
    };
    let (a, pa) = comment(&org, "acme/repo-0", 7, "/goal Rate limited");
    let (b, pb) = comment(&org, "globex/repo-0", 8, "/goal Not limited");
    assert_eq!(org.fake.deliver("issue_comment", &pa).await, 202);
    assert_eq!(org.fake.deliver("issue_comment", &pb).await, 202);
    let asked = org.now();
    org.settle_within(Duration::from_secs(60)).await;
    // globex is answered within seconds; acme's job waits for its reset.
    let answered = |repo: &str, c: u64| !org.fake.reactions(repo, c).is_empty();
    assert!(answered("globex/repo-0", b));
    let took = org.now().duration_since(asked);
    assert!(took <= jiff::SignedDuration::from_secs(5), "{took}");
    assert!(!answered("acme/repo-0", a));
    let stats = org.bot.store.queue_stats().await.unwrap();
    assert_eq!(stats.retrying, 1, "acme's job is back in the queue");
    // After the reset it runs.
    org.at(&reset
        .checked_add(Duration::from_secs(1))
        .unwrap()
        .to_string());
    org.settle_within(Duration::from_secs(60)).await;
    let store = org.bot.store.clone();
    let open = store.open_jobs(20).await.unwrap_or_default();
    assert!(
        answered("acme/repo-0", a),
        "{open:#?} {:?}",
        org.calls_since(0).iter().rev().take(8).collect::<Vec<_>>()
    );
    assert_eq!(org.bot.store.queue_stats().await.unwrap().dead, 0);
}

fn push_payload(org: &Org, repo: &str, inst: u64, files: &[&str]) -> serde_json::Value {
    let mut push = payload("push");
    push["ref"] = json!("refs/heads/main");
    push["repository"]["full_name"] = json!(repo);
    push["repository"]["name"] = json!(repo.split('/').nth(1).unwrap());
    push["repository"]["id"] = json!(org.fake.repo_id(repo));
    push["repository"]["default_branch"] = json!("main");
    push["commits"] = json!([{ "id": "1", "tree_id": "1", "distinct": true, "message": "sprints", "timestamp": "2022-11-16T12:00:00Z", "url": "", "author": {}, "committer": {}, "added": files, "removed": [], "modified": [] }]);
    push["installation"] = json!({ "id": inst });
    push
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_that_adds_a_config_opens_the_current_sprint_at_once() {
    let org = Org::start("2022-11-16T12:00:00Z").await;
    org.install(7, "acme", 3, &[], "2022-11-16");
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    assert!(org.fake.issues("acme/repo-1").is_empty());
    org.fake
        .put_file("acme/repo-1", ".github/sprintbot.toml", POSTHOG_CONFIG);
    let p = push_payload(&org, "acme/repo-1", 7, &[".github/sprintbot.toml"]);
    let pushed = org.now();
    assert_eq!(org.fake.deliver("push", &p).await, 202);
    org.settle_within(Duration::from_secs(60)).await;
    let issues = org.fake.issues("acme/repo-1");
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].title, "Sprint 1.42.0 2/2 - Nov 14 - Nov 25");
    assert!(org.now().duration_since(pushed) <= jiff::SignedDuration::from_secs(30));
    org.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_to_the_org_defaults_rereads_every_repository_that_inherits_them() {
    let org = Org::start("2022-11-16T12:00:00Z").await;
    org.install(7, "acme", 4, &[0, 2], "2022-11-16");
    org.fake.add_repo("acme/.github");
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    org.fake.put_file(
        "acme/.github",
        ".github/sprintbot.toml",
        "[templates]\ntitle = \"Acme sprint {{ version }}\"\n",
    );
    let before = org.fake.requests().len();
    let p = push_payload(&org, "acme/.github", 7, &[".github/sprintbot.toml"]);
    assert_eq!(org.fake.deliver("push", &p).await, 202);
    org.settle_within(Duration::from_secs(60)).await;
    let calls = org.calls_since(before);
    for repo in ["acme/repo-0", "acme/repo-2"] {
        assert!(
            calls.contains(&format!(
                "GET /repos/{repo}/contents/.github/sprintbot.toml (conditional)"
            )),
            "{calls:#?}"
        );
        let config = sprintbot::repos::cached(
            &org.bot.store,
            &toml::Table::new(),
            &sprintbot::github::RepoRef::parse(repo).unwrap(),
            None,
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(
            config.templates.title, "Acme sprint {{ version }}",
            "{repo} inherits the new default"
        );
    }
    assert_eq!(about(&calls, "acme/repo-1"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_that_failed_while_the_bot_was_down_are_redelivered_once() {
    let org = Org::start("2022-11-16T12:00:00Z").await;
    org.install(7, "acme", 1, &[0], "2022-11-16");
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    // The bot is down: GitHub's deliveries fail.
    org.fake
        .set_webhook_target("http://127.0.0.1:9/webhook", support::bot::SECRET);
    let issue = org.fake.issues("acme/repo-0")[0].number;
    let mut comments = Vec::new();
    for i in 0..5 {
        let body = format!("/goal Missed {i}");
        let c = org.fake.add_comment("acme/repo-0", issue, "kappa90", &body);
        let mut p = payload("issue_comment.created");
        p["issue"]["number"] = json!(issue);
        p["comment"]["id"] = json!(c);
        p["comment"]["body"] = json!(body);
        p["comment"]["user"]["login"] = json!("kappa90");
        p["repository"]["full_name"] = json!("acme/repo-0");
        p["repository"]["id"] = json!(org.fake.repo_id("acme/repo-0"));
        p["installation"] = json!({ "id": 7 });
        assert_eq!(org.fake.deliver("issue_comment", &p).await, 0);
        comments.push(c);
    }
    // It comes back and asks for them.
    org.fake
        .set_webhook_target(&org.bot.webhook_url(), support::bot::SECRET);
    assert_eq!(org.scheduler.redeliver_failed().await, 5);
    for _ in 0..200 {
        if org
            .fake
            .deliveries()
            .iter()
            .filter(|(_, s, redelivery)| *redelivery && *s == 202)
            .count()
            == 5
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    org.settle_within(Duration::from_secs(60)).await;
    // Asked again (another restart), nothing is sent twice or applied twice.
    assert_eq!(org.scheduler.redeliver_failed().await, 0);
    org.settle_within(Duration::from_secs(60)).await;
    let body = org.fake.issue("acme/repo-0", issue).unwrap().body;
    for i in 0..5 {
        assert_eq!(
            body.matches(&format!("Missed {i} @kappa90")).count(),
            1,
            "{body}"
        );
    }
    for c in comments {
        let r: Vec<_> = org
            .fake
            .reactions("acme/repo-0", c)
            .into_iter()
            .filter(|(l, _)| l == BOT_LOGIN)
            .collect();
        assert_eq!(r.len(), 1);
    }
}

/// GitHub is down for the opening and long after: the scheduler keeps the
/// rollover retrying, reports it overdue after `overdue_minutes` (15) with
/// its last error, and opens the sprint once when GitHub is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sprint_still_not_open_after_its_instant_is_reported_overdue() {
    let org = Org::start("2022-11-28T08:50:00Z").await;
    org.install(7, "acme", 1, &[0], "2022-11-16");
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    let recovery: Timestamp = "2022-11-28T09:40:00Z".parse().unwrap();
    org.fake.fail_writes_until(recovery, 502);
    org.at("2022-11-28T09:00:00Z");
    org.run_until(
        "2022-11-28T09:14:00Z".parse().unwrap(),
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        org.scheduler.step(org.now()).await.overdue,
        0,
        "14 minutes late"
    );
    org.run_until(
        "2022-11-28T09:20:00Z".parse().unwrap(),
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(
        org.scheduler.step(org.now()).await.overdue,
        1,
        "20 minutes late"
    );
    let text = sprintbot::telemetry::metrics().render();
    assert!(text.contains("sprintbot_rollovers_overdue 1"), "{text}");
    assert_eq!(
        org.fake.issues("acme/repo-0").len(),
        1,
        "nothing opened yet"
    );
    org.run_until(
        "2022-11-28T09:50:00Z".parse().unwrap(),
        Duration::from_secs(30),
    )
    .await;
    assert_eq!(org.fake.issues("acme/repo-0").len(), 2, "opened once");
    assert_eq!(org.scheduler.step(org.now()).await.overdue, 0);
    org.fake.assert_no_violations();
}

/// A write GitHub refuses for good (410: the issue's comments are gone)
/// will not heal by retrying: the rollover stops, the problem is reported
/// once in the configuration-error issue, and the scheduler does not hammer
/// GitHub with the same failing rollover.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_that_cannot_heal_is_reported_once_in_the_configuration_issue() {
    let org = Org::start("2022-11-28T08:50:00Z").await;
    org.install(7, "acme", 1, &[0], "2022-11-16");
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    // The new sprint issue will be #2; GitHub refuses its team comments.
    org.fake.fail(
        "POST",
        "/repos/acme/repo-0/issues/2/comments",
        10_000,
        410,
        &[],
    );
    org.at("2022-11-28T09:00:00Z");
    let before = org.fake.requests().len();
    org.run_until(
        "2022-11-28T11:00:00Z".parse().unwrap(),
        Duration::from_secs(60),
    )
    .await;
    let issues = org.fake.issues("acme/repo-0");
    let reports: Vec<_> = issues
        .iter()
        .filter(|i| i.title.contains("configuration error"))
        .collect();
    assert_eq!(reports.len(), 1, "{issues:#?}");
    assert!(
        reports[0].body.contains("the sprint could not be opened"),
        "{}",
        reports[0].body
    );
    let calls = org.calls_since(before);
    let report_writes = calls
        .iter()
        .filter(|c| c.starts_with("PATCH") && c.contains(&format!("/issues/{}", reports[0].number)))
        .count();
    assert_eq!(report_writes, 0, "the report is written once: {calls:#?}");
    let refused = calls
        .iter()
        .filter(|c| c.starts_with("POST /repos/acme/repo-0/issues/2/comments"))
        .count();
    println!(
        "cannot heal: {refused} refused writes and {} calls in 2 h",
        calls.len()
    );
    assert_eq!(
        refused, 1,
        "retried a write that cannot succeed: {calls:#?}"
    );
    // Six hours after it failed it is tried once more, and still reported once.
    org.run_until(
        "2022-11-28T15:30:00Z".parse().unwrap(),
        Duration::from_secs(600),
    )
    .await;
    let calls = org.calls_since(before);
    let refused = calls
        .iter()
        .filter(|c| c.starts_with("POST /repos/acme/repo-0/issues/2/comments"))
        .count();
    assert_eq!(refused, 2, "{calls:#?}");
    let reports = org
        .fake
        .issues("acme/repo-0")
        .into_iter()
        .filter(|i| i.title.contains("configuration error"))
        .count();
    assert_eq!(reports, 1);
    org.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_delete_or_suspend_github_does_not_confirm_changes_nothing() {
    let org = Org::start("2022-11-28T08:50:00Z").await;
    org.install(7, "acme", 1, &[0], "2022-11-16");
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    let known = async || {
        org.commands
            .store
            .installations()
            .await
            .unwrap()
            .into_iter()
            .map(|i| (i.id, i.suspended))
            .collect::<Vec<_>>()
    };
    assert_eq!(known().await, [(7, false)]);
    // Old deliveries, replayed with new delivery ids: GitHub still lists
    // the installation, not suspended.
    for action in ["suspend", "deleted"] {
        let mut ev = payload(&format!("installation.{action}"));
        ev["installation"]["id"] = json!(7);
        assert_eq!(org.fake.deliver("installation", &ev).await, 202);
        org.settle().await;
        assert_eq!(known().await, [(7, false)], "{action} was not confirmed");
    }
    org.at("2022-11-28T09:00:00Z");
    assert_eq!(org.scheduler.step(org.now()).await.rollovers_queued, 1);

    // Then the App really is suspended, and later uninstalled.
    org.fake.set_suspended(7, true);
    let mut ev = payload("installation.suspend");
    ev["installation"]["id"] = json!(7);
    assert_eq!(org.fake.deliver("installation", &ev).await, 202);
    org.settle().await;
    assert_eq!(known().await, [(7, true)]);
    org.fake.remove_installation(7);
    let mut ev = payload("installation.deleted");
    ev["installation"]["id"] = json!(7);
    assert_eq!(org.fake.deliver("installation", &ev).await, 202);
    org.settle().await;
    assert!(
        known().await.iter().all(|(id, _)| *id != 7),
        "{:?}",
        known().await
    );
}
