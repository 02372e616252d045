//! Stories of the scheduler inside `serve`: it finds what is due from the
//! clock and the store, queues one rollover per repository and sprint, and
//! the worker opens the sprint once however often it ticks.

mod support;

use std::sync::Arc;
use std::time::Duration;

use sprintbot::commands::Commands;
use sprintbot::config::deploy::{Secret, WorkerConfig};
use sprintbot::github::GitHubApp;
use sprintbot::github::auth::AppCredentials;
use sprintbot::github::clock::{Clock, ManualClock};
use sprintbot::github::transport::Policy;
use sprintbot::lifecycle::schedule::Scheduler;
use sprintbot::store::Store;
use sprintbot::worker::Worker;
use support::fake_github::{APP_ID, FakeGitHub, PRIVATE_KEY};
use support::sprint::EXAMPLE_CONFIG;
use tokio::sync::{Notify, watch};

const REPO: &str = "acme/app";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ticking_a_hundred_times_past_the_opening_opens_the_sprint_once() {
    let clock = ManualClock::new("2022-11-14T08:00:00Z".parse().unwrap());
    let shared: Arc<dyn Clock> = Arc::new(clock.clone());
    let fake = FakeGitHub::start(shared.clone()).await;
    fake.add_installation(7, "acme", &[REPO, "acme/no-sprints"]);
    fake.put_file(REPO, ".github/sprintbot.toml", EXAMPLE_CONFIG);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("bot.db")).unwrap();
    let key = AppCredentials::from_pem(APP_ID, &Secret::new(PRIVATE_KEY)).unwrap();
    let app =
        Arc::new(GitHubApp::new(&fake.url(), key, shared.clone(), Policy::default()).unwrap());
    let jobs_ready = Arc::new(Notify::new());
    let commands = Arc::new(Commands::new(
        app.clone(),
        store.clone(),
        shared.clone(),
        toml::Table::new(),
    ));
    let scheduler = Scheduler {
        app: app.clone(),
        commands: commands.clone(),
        jobs_ready: jobs_ready.clone(),
    };

    // The first tick (at start-up, an hour before the opening) queues the
    // rollover of the sprint then current; the worker is not running yet.
    assert_eq!(scheduler.tick_once().await, 1);
    let handlers = sprintbot::app::handlers(&commands);
    let config = WorkerConfig {
        concurrency: 2,
        max_attempts: 3,
        backoff_base_ms: 50,
        backoff_max_ms: 500,
        shutdown_deadline_secs: 5,
        ..WorkerConfig::default()
    };
    let (stop, rx) = watch::channel(false);
    let worker = tokio::spawn(Worker::new(store.clone(), handlers, config, jobs_ready).run(rx));

    // Past the opening instant, the scheduler ticks every minute.
    clock.set("2022-11-14T09:00:00Z".parse().unwrap());
    let mut queued = 0;
    for _ in 0..100 {
        queued += scheduler.tick_once().await;
        clock.advance(Duration::from_secs(60));
    }
    assert_eq!(
        queued, 1,
        "one rollover job for the new sprint, however often it ticks"
    );
    for _ in 0..500 {
        let s = store.queue_stats().await.unwrap();
        if s.pending + s.running + s.retrying == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).unwrap();
    worker.await.unwrap();
    let titles: Vec<_> = fake
        .issues(REPO)
        .into_iter()
        .map(|i| (i.title, i.open))
        .collect();
    // The job queued at start-up ran after the opening instant: it opened
    // the sprint current by then, never a stale one, and the new sprint's
    // own job found it done.
    assert_eq!(
        titles,
        [("Sprint 1.42.0 2/2 - Nov 14 - Nov 25".to_string(), true)]
    );
    assert_eq!(store.queue_stats().await.unwrap().done, 2);
    fake.assert_no_violations();
}

#[tokio::test]
async fn a_push_that_breaks_the_config_is_reported_at_once() {
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new("2022-11-16T12:00:00Z".parse().unwrap()));
    let fake = FakeGitHub::start(clock.clone()).await;
    fake.add_installation(7, "acme", &[REPO]);
    fake.put_file(
        REPO,
        ".github/sprintbot.toml",
        "[cadence]\nanchor = \"2022-10-03\"\nlength_weeks = 0\n",
    );
    let bot = support::bot::TestBot::start().await;
    let key = AppCredentials::from_pem(APP_ID, &Secret::new(PRIVATE_KEY)).unwrap();
    let app = Arc::new(GitHubApp::new(&fake.url(), key, clock.clone(), Policy::default()).unwrap());
    let commands = Arc::new(Commands::new(
        app,
        bot.store.clone(),
        clock,
        toml::Table::new(),
    ));
    let handlers = sprintbot::app::handlers(&commands);
    let config = WorkerConfig {
        concurrency: 1,
        max_attempts: 2,
        backoff_base_ms: 50,
        backoff_max_ms: 100,
        shutdown_deadline_secs: 5,
        ..WorkerConfig::default()
    };
    let (stop, rx) = watch::channel(false);
    let worker = tokio::spawn(
        Worker::new(bot.store.clone(), handlers, config, bot.jobs_ready.clone()).run(rx),
    );

    let mut push = support::webhooks::payload("push");
    push["ref"] = serde_json::json!("refs/heads/main");
    push["repository"]["full_name"] = serde_json::json!(REPO);
    push["repository"]["id"] = serde_json::json!(1296269);
    push["repository"]["default_branch"] = serde_json::json!("main");
    push["commits"] = serde_json::json!([{ "id": "1", "tree_id": "1", "distinct": true, "message": "tune sprints", "timestamp": "2022-11-16T12:00:00Z", "url": "", "author": {}, "committer": {}, "added": [], "removed": [], "modified": [".github/sprintbot.toml"] }]);
    push["installation"] = serde_json::json!({ "id": 7 });
    assert_eq!(
        fake.send_webhook(&bot.webhook_url(), support::bot::SECRET, "push", &push)
            .await,
        202
    );
    for _ in 0..300 {
        if bot.store.queue_stats().await.unwrap().done == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.send(true).unwrap();
    worker.await.unwrap();
    let notices: Vec<_> = fake
        .issues(REPO)
        .into_iter()
        .filter(|i| i.title == "sprintbot: configuration error")
        .collect();
    assert_eq!(notices.len(), 1);
    assert!(
        notices[0]
            .body
            .contains("line 3, column 1: a sprint of 0 weeks is not supported"),
        "{}",
        notices[0].body
    );
    fake.assert_no_violations();
}
