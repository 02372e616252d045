//! The real binary is killed with SIGKILL while deliveries stream in and the
//! worker is busy; after a restart on the same store every delivery that was
//! answered 202 is processed exactly once, none twice.

mod support;

use std::collections::{HashMap, HashSet};
use std::process::{Command, Stdio};
use std::time::Duration;

use futures_util::StreamExt;
use sprintbot::store::Store;
use support::bot::SECRET;
use support::process::KillOnDrop;
use support::webhooks::{Delivery, payload};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A killed process's jobs run again once their claims lapse: a second here.
fn spawn_bot(db: &std::path::Path, port: u16) -> KillOnDrop {
    let config = db.with_extension("toml");
    std::fs::write(&config, "[worker]\nclaim_ms = 1000\n").unwrap();
    KillOnDrop::new(
        Command::new(env!("CARGO_BIN_EXE_sprintbot"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("SPRINTBOT_CONFIG", &config)
            .env("GITHUB_WEBHOOK_SECRET", SECRET)
            .env("SPRINTBOT_DATABASE_URL", db)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sprintbot"),
    )
}

async fn wait_healthy(client: &reqwest::Client, port: u16) {
    for _ in 0..200 {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            && r.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("sprintbot did not become healthy");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_mid_stream_loses_nothing_and_runs_nothing_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let port = free_port();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let mut first = Some(spawn_bot(&db, port));
    wait_healthy(&client, port).await;

    let template = payload("installation_repositories.added");
    let url = format!("http://127.0.0.1:{port}/webhook");
    let deliveries: Vec<Delivery> = (0..500)
        .map(|i| {
            Delivery::signed(
                "installation_repositories",
                &format!("crash-{i:03}"),
                &template,
                SECRET,
            )
        })
        .collect();

    // Send with 16 in flight; kill -9 once 250 have been answered.
    let mut accepted = HashSet::new();
    let mut answered = 0;
    let mut killed = false;
    let mut results = futures_util::stream::iter(deliveries.iter().cloned())
        .map(|d| {
            let client = client.clone();
            let url = url.clone();
            async move {
                let mut req = client
                    .post(&url)
                    .header("x-github-event", &d.event)
                    .header("x-github-delivery", &d.id)
                    .body(d.body.clone());
                if let Some(sig) = &d.signature {
                    req = req.header("x-hub-signature-256", sig);
                }
                (d.id.clone(), req.send().await.map(|r| r.status().as_u16()))
            }
        })
        .buffer_unordered(16);
    while let Some((id, status)) = results.next().await {
        if let Ok(202) = status {
            accepted.insert(id);
        }
        answered += 1;
        if answered == 250
            && let Some(mut bot) = first.take()
        {
            bot.kill_now();
            killed = true;
        }
    }
    assert!(killed);
    assert!(accepted.len() >= 250, "accepted {}", accepted.len());

    // Restart on the same store and let it drain.
    let mut bot = spawn_bot(&db, port);
    wait_healthy(&client, port).await;
    let mut drained = false;
    for _ in 0..400 {
        let text = client
            .get(format!("http://127.0.0.1:{port}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let waiting = ["pending", "running", "retrying"]
            .iter()
            .any(|s| !text.contains(&format!("sprintbot_queue_jobs{{state=\"{s}\"}} 0")));
        if !waiting {
            drained = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bot.kill_now();
    assert!(drained, "the queue did not drain after restart");

    let store = Store::open(&db).unwrap();
    let audit = store
        .audit_entries(Some("installation.added".into()))
        .await
        .unwrap();
    let mut runs: HashMap<String, usize> = HashMap::new();
    for entry in audit {
        *runs.entry(entry.source.unwrap()).or_default() += 1;
    }
    let twice: Vec<_> = runs.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "processed more than once: {twice:?}");
    let missing: Vec<_> = accepted
        .iter()
        .filter(|id| !runs.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "answered 202 but never processed: {missing:?}"
    );
    let stats = store.queue_stats().await.unwrap();
    assert_eq!(stats.dead, 0);
}
