//! Jobs that meet GitHub's limits: a rollover refused by the rate limit
//! waits for its reset (no backoff retries, no error per try) and then
//! runs once; `sprintbot jobs`' counts say how many wait and until when;
//! people's commands are answered while openings wait for the hour.

mod support;

use std::time::Duration;

use sprintbot::github::clock::Clock;
use support::scenario::{INSTALLATION, REPO, Scenario};
use support::sprint::POSTHOG_CONFIG;

#[tokio::test]
async fn a_rollover_meeting_the_limit_runs_once_after_the_reset_and_not_before() {
    let s = Scenario::start_bare(POSTHOG_CONFIG, "2022-11-14T09:00:00Z").await;
    let reset = s
        .clock
        .now()
        .checked_add(Duration::from_secs(50 * 60))
        .unwrap();
    s.fake.exhaust_rate_limit(INSTALLATION, reset);
    let before = s.fake.requests().len();
    s.rollover_due().await;
    assert!(
        s.fake.issues(REPO).is_empty(),
        "nothing opened before the reset"
    );
    let stats = s.bot.store.queue_stats().await.unwrap();
    assert_eq!(stats.budget_waiting, 1, "{stats:?}");
    assert_eq!(stats.budget_until_ms, Some(reset.as_millisecond()));
    let rows = s.bot.store.open_jobs(10).await.unwrap();
    let job = rows.iter().find(|j| j.kind == "rollover").unwrap();
    assert_eq!(job.attempts, 0, "a wait is not a failed attempt");
    assert!(
        s.bot.store.job_errors(job.id).await.unwrap().is_empty(),
        "no error rows"
    );
    // One request met the limit; none went out after it.
    let asked: Vec<_> = s.fake.requests()[before..]
        .iter()
        .filter(|r| !is_app(&r.path))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    // Two minutes before the reset (the settle loop moves the clock to
    // anything due within a minute) nothing has run again...
    s.clock
        .set(reset.checked_sub(Duration::from_secs(120)).unwrap());
    s.settle().await;
    assert_eq!(
        s.fake.requests().len() - before,
        asked.len() + count_app(&s, before),
        "{:?}",
        s.requests_since(before)
    );
    // ...and at the reset it opens the sprint, once.
    s.clock.set(reset);
    s.bot.jobs_ready.notify_one();
    s.settle().await;
    assert_eq!(s.fake.issues(REPO).len(), 1);
    assert_eq!(s.bot.store.queue_stats().await.unwrap().budget_waiting, 0);
    assert!(s.fake.writes_after_refusal().is_empty());
    assert!(s.bot.store.job_errors(job.id).await.unwrap().is_empty());
}

fn count_app(s: &Scenario, from: usize) -> usize {
    s.fake.requests()[from..]
        .iter()
        .filter(|r| is_app(&r.path))
        .count()
}

/// The App's own calls (who it is, token mints): not the installation's.
fn is_app(path: &str) -> bool {
    path == "/app" || path.starts_with("/app/")
}

#[tokio::test]
async fn commands_are_answered_while_openings_wait_for_the_hour() {
    use sprintbot::github::budget::{WriteClass, as_class};
    use sprintbot::github::{InstallationId, IssueNumber, RepoRef};
    let s = Scenario::start().await;
    s.clock.set("2022-11-28T09:30:00Z".parse().unwrap());
    // Openings elsewhere used their share of the hour.
    let gh = s
        .commands
        .github
        .client(InstallationId(INSTALLATION))
        .unwrap();
    let repo = RepoRef::new("acme", "app");
    let spent = as_class(WriteClass::Opening, async {
        let mut n = 0;
        while gh
            .add_labels(&repo, IssueNumber(s.issue), &["sprint".into()])
            .await
            .is_ok()
        {
            n += 1;
        }
        n
    })
    .await
    .0;
    assert_eq!(spent, 420);
    s.rollover_due().await;
    assert_eq!(s.fake.issues(REPO).len(), 1, "the opening waits");
    assert_eq!(s.bot.store.queue_stats().await.unwrap().budget_waiting, 1);
    // A person's command is applied and answered at once.
    let c = s.comment("kappa90", "/goal Ship exploration").await;
    assert_eq!(s.reactions(c), ["+1"]);
    assert!(s.body().contains("Ship exploration"));
    assert_eq!(s.fake.refusals(), 0);
}

/// GitHub's `issues` webhook about `n` in `repo` (as it is now), sent
/// because the App itself opened or closed it.
fn own_issue_event(org: &support::org::Org, repo: &str, action: &str, n: u64) -> serde_json::Value {
    use serde_json::json;
    let issue = org.fake.issue(repo, n).unwrap();
    let mut p = support::webhooks::payload("issues.opened");
    p["action"] = json!(action);
    p["issue"]["number"] = json!(n);
    p["issue"]["body"] = json!(issue.body);
    p["issue"]["state"] = json!(if issue.open { "open" } else { "closed" });
    p["issue"]["user"]["login"] = json!(support::fake_github::BOT_LOGIN);
    p["sender"]["login"] = json!(support::fake_github::BOT_LOGIN);
    p["sender"]["type"] = json!("Bot");
    p["repository"]["full_name"] = json!(repo);
    p["repository"]["id"] = json!(org.fake.repo_id(repo));
    p["installation"] = json!({ "id": 7 });
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bots_own_webhooks_after_an_opening_queue_no_opening_again() {
    use support::timed::{REPO, at};
    let org = support::org::Org::start("2022-11-28T08:00:00Z").await;
    org.install(7, "acme", 1, &[0], "2022-11-16");
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    org.run_until(at("2022-11-28T09:05:00Z"), Duration::from_secs(60))
        .await;
    let issues = org.fake.issues(REPO);
    assert_eq!(issues.len(), 2, "the sprint of Nov 28 opened");
    let new = issues.iter().find(|i| i.open).unwrap().number;
    let old = issues.iter().find(|i| !i.open).unwrap().number;
    // GitHub's webhooks about the opening and the closing reach the
    // worker after the opening job finished (they queue behind it).
    for (action, n) in [("opened", new), ("closed", old)] {
        let p = own_issue_event(&org, REPO, action, n);
        assert_eq!(org.fake.deliver("issues", &p).await, 202);
    }
    org.settle().await;
    let current = org.bot.store.current_issue(REPO).await.unwrap();
    assert_eq!(current.map(|(n, _)| n), Some(new), "still remembered");
    let before = org.fake.requests().len();
    let step = org.scheduler.step(org.now()).await;
    org.settle().await;
    assert_eq!(step.rollovers_queued, 0, "no opening queued again");
    assert_eq!(org.calls_since(before), Vec::<String>::new());
}

#[tokio::test]
async fn a_command_is_applied_and_answered_by_one_job() {
    let s = Scenario::start().await;
    // Warm caches, as after any earlier command.
    s.comment("kappa90", "/goal Warm up").await;
    let before = s.fake.requests().len();
    let c = s.comment("kappa90", "/goal Ship exploration").await;
    let calls: Vec<String> = s
        .requests_since(before)
        .into_iter()
        .filter(|r| !is_app(r.split(' ').nth(1).unwrap_or("")))
        .collect();
    let issue = format!("/repos/{REPO}/issues/{}", s.issue);
    assert_eq!(
        calls,
        [
            format!("GET {issue}"),
            format!("PATCH {issue}"),
            format!("POST /repos/{REPO}/issues/comments/{c}/reactions"),
        ]
    );
    assert_eq!(s.reactions(c), ["+1"]);
    // Its answer was recorded (held) before the write and is done, never
    // claimed by the worker: one job ran for the command.
    let prefix = format!("answer/{REPO}/{c}/c");
    let answer = s.bot.store.jobs_under(&prefix).await.unwrap();
    assert_eq!(answer.jobs, [(format!("{prefix}/answer"), "done".into())]);
    assert_eq!(answer.runs, 0);
}

#[tokio::test]
async fn an_answer_github_did_not_take_at_once_is_sent_by_its_own_job() {
    let s = Scenario::start().await;
    s.comment("kappa90", "/goal Warm up").await;
    // GitHub fails both of the client's tries at once.
    let fault = support::fake_github::FaultKind::Status {
        status: 502,
        headers: Vec::new(),
    };
    s.fake.inject("POST", "/reactions", 2, fault);
    let c = s.comment("kappa90", "/goal Ship exploration").await;
    assert_eq!(s.reactions(c), ["+1"]);
    assert!(s.body().contains("Ship exploration"));
    let prefix = format!("answer/{REPO}/{c}/c");
    let answer = s.bot.store.jobs_under(&prefix).await.unwrap();
    assert_eq!(answer.jobs, [(format!("{prefix}/answer"), "done".into())]);
    assert_eq!(answer.runs, 1, "sent by the answer job, once");
}
