//! Stories of the job worker: retries with growing delays, dead letters with
//! their errors visible, installation bookkeeping, and graceful shutdown.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use sprintbot::config::deploy::WorkerConfig;
use sprintbot::store::{Effect, Job, NewJob, Store, now_ms};
use sprintbot::worker::{BoxFuture, Handler, Handlers, JobError, Worker};
use support::bot::{SECRET, TestBot};
use support::webhooks::{Delivery, payload};
use tokio::sync::{Notify, watch};

fn fast_config() -> WorkerConfig {
    WorkerConfig {
        concurrency: 2,
        max_attempts: 3,
        backoff_base_ms: 200,
        backoff_max_ms: 10_000,
        shutdown_deadline_secs: 5,
        ..WorkerConfig::default()
    }
}

/// Fails its first `failures` runs, then succeeds.
struct Flaky {
    failures: u32,
    runs: Arc<AtomicU32>,
}

impl Handler for Flaky {
    fn handle<'a>(&'a self, _job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(async move {
            let run = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
            if run <= self.failures {
                Err(JobError::Transient(format!(
                    "GitHub answered 502 (run {run})"
                )))
            } else {
                Ok(Vec::new())
            }
        })
    }
}

/// Takes a while, so shutdown finds it running.
struct Slow {
    started: Arc<Notify>,
    finished: Arc<AtomicU32>,
}

impl Handler for Slow {
    fn handle<'a>(&'a self, _job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(async move {
            self.started.notify_one();
            tokio::time::sleep(Duration::from_millis(500)).await;
            self.finished.fetch_add(1, Ordering::SeqCst);
            Ok(Vec::new())
        })
    }
}

fn job(kind: &str) -> NewJob {
    NewJob {
        kind: kind.into(),
        payload: "{}".into(),
        dedupe_key: None,
        serial_key: None,
        tenant: None,
        run_after_ms: now_ms(),
    }
}

async fn wait_until<F: AsyncFn() -> bool>(what: &str, cond: F) {
    for _ in 0..300 {
        if cond().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

fn start_worker(
    store: &Store,
    handlers: Handlers,
) -> (watch::Sender<bool>, tokio::task::JoinHandle<()>) {
    let (stop, stop_rx) = watch::channel(false);
    let worker = Worker::new(
        store.clone(),
        handlers,
        fast_config(),
        Arc::new(Notify::new()),
    );
    (stop, tokio::spawn(worker.run(stop_rx)))
}

#[tokio::test]
async fn job_failing_twice_is_retried_with_growing_delay_then_done() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("q.db")).unwrap();
    let runs = Arc::new(AtomicU32::new(0));
    let mut handlers = Handlers::default();
    handlers.insert(
        "test:flaky",
        Flaky {
            failures: 2,
            runs: runs.clone(),
        },
    );
    let id = store.enqueue(job("test:flaky")).await.unwrap().unwrap();
    let (stop, task) = start_worker(&store, handlers);

    wait_until("the job to finish", async || {
        store.queue_stats().await.unwrap().done == 1
    })
    .await;
    stop.send(true).unwrap();
    task.await.unwrap();

    assert_eq!(runs.load(Ordering::SeqCst), 3);
    let errors = store.job_errors(id).await.unwrap();
    assert_eq!(errors.len(), 2);
    let delays: Vec<i64> = errors
        .iter()
        .map(|e| e.retry_at_ms.unwrap() - e.at_ms)
        .collect();
    assert!((100..=200).contains(&delays[0]), "{delays:?}");
    assert!((200..=400).contains(&delays[1]), "{delays:?}");
    assert!(delays[1] > delays[0], "{delays:?}");
    assert!(errors[0].error.contains("502"));
}

#[tokio::test]
async fn job_that_always_fails_ends_dead_with_its_error_visible() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("q.db");
    let store = Store::open(&db).unwrap();
    let runs = Arc::new(AtomicU32::new(0));
    let mut handlers = Handlers::default();
    handlers.insert(
        "test:broken",
        Flaky {
            failures: u32::MAX,
            runs: runs.clone(),
        },
    );
    let id = store.enqueue(job("test:broken")).await.unwrap().unwrap();
    let (stop, task) = start_worker(&store, handlers);
    wait_until("the job to die", async || {
        store.queue_stats().await.unwrap().dead == 1
    })
    .await;
    stop.send(true).unwrap();
    task.await.unwrap();
    assert_eq!(runs.load(Ordering::SeqCst), 3, "max_attempts is 3");
    assert_eq!(
        store
            .job_errors(id)
            .await
            .unwrap()
            .last()
            .unwrap()
            .retry_at_ms,
        None
    );

    // `sprintbot jobs` shows it with its last error.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .arg("jobs")
        .env("SPRINTBOT_DATABASE_URL", &db)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("dead 1"), "{text}");
    assert!(
        text.contains("test:broken") && text.contains("GitHub answered 502 (run 3)"),
        "{text}"
    );

    // And /metrics counts the failures and the dead letter.
    let text = sprintbot::telemetry::metrics().render();
    assert!(
        text.contains("sprintbot_jobs_dead_total{kind=\"test:broken\"}"),
        "{text}"
    );
    assert!(
        text.contains("sprintbot_job_failures_total{kind=\"test:broken\"}"),
        "{text}"
    );
}

#[tokio::test]
async fn jobs_command_explains_a_missing_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .arg("jobs")
        .env("SPRINTBOT_DATABASE_URL", dir.path().join("none.db"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database at"));
}

#[tokio::test]
async fn installation_events_record_installations_and_repositories() {
    let bot = TestBot::start().await;
    let created = payload("installation.created");
    let inst = created["installation"]["id"].as_u64().unwrap();
    let added = payload("installation_repositories.added");
    let mut added = added.clone();
    added["installation"]["id"] = inst.into();
    for d in [
        Delivery::signed("installation", "i-1", &created, SECRET),
        Delivery::signed("installation_repositories", "i-2", &added, SECRET),
    ] {
        assert_eq!(d.send(&bot.client, &bot.webhook_url()).await, 202);
    }
    let (stop, task) = start_worker(&bot.store, Handlers::standard());
    // Both jobs, and the discovery jobs they queue (no handler here).
    wait_until("both jobs", async || {
        let s = bot.store.queue_stats().await.unwrap();
        s.done >= 2 && s.pending + s.running + s.retrying == 0
    })
    .await;
    stop.send(true).unwrap();
    task.await.unwrap();

    let repos = bot.store.repositories(inst).await.unwrap();
    let mut expected: Vec<String> = created["repositories"]
        .as_array()
        .unwrap()
        .iter()
        .chain(added["repositories_added"].as_array().unwrap())
        .map(|r| r["full_name"].as_str().unwrap().to_string())
        .collect();
    expected.sort();
    expected.dedup();
    assert_eq!(repos, expected);
    let audit = bot
        .store
        .audit_entries(Some("installation.created".into()))
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].source.as_deref(), Some("i-1"));
}

#[tokio::test]
async fn shutdown_lets_the_running_job_finish_and_leaves_the_rest_queued() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("q.db")).unwrap();
    let started = Arc::new(Notify::new());
    let finished = Arc::new(AtomicU32::new(0));
    let mut handlers = Handlers::default();
    handlers.insert(
        "test:slow",
        Slow {
            started: started.clone(),
            finished: finished.clone(),
        },
    );
    store.enqueue(job("test:slow")).await.unwrap();
    let (stop_tx, stop_rx) = watch::channel(false);
    let config = WorkerConfig {
        concurrency: 1,
        ..fast_config()
    };
    let worker = Worker::new(store.clone(), handlers, config, Arc::new(Notify::new()));
    let task = tokio::spawn(worker.run(stop_rx));
    started.notified().await;
    store.enqueue(job("test:slow")).await.unwrap();
    stop_tx.send(true).unwrap();
    task.await.unwrap();
    assert_eq!(finished.load(Ordering::SeqCst), 1);
    let stats = store.queue_stats().await.unwrap();
    assert_eq!((stats.done, stats.pending, stats.running), (1, 1, 0));
}

#[tokio::test]
async fn payload_of_the_wrong_shape_goes_dead_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("q.db")).unwrap();
    let id = store
        .enqueue(job("webhook:installation"))
        .await
        .unwrap()
        .unwrap();
    let (stop, task) = start_worker(&store, Handlers::standard());
    wait_until("the job to die", async || {
        store.queue_stats().await.unwrap().dead == 1
    })
    .await;
    stop.send(true).unwrap();
    task.await.unwrap();
    let errors = store.job_errors(id).await.unwrap();
    assert_eq!(errors.len(), 1);
    assert!(
        errors[0].error.contains("expected shape"),
        "{}",
        errors[0].error
    );
}
