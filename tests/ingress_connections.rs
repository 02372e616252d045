//! Stories of connections held open at the front door: a request head that
//! never finishes is closed after the header timeout, connections over the
//! cap are closed, and a signed delivery still gets in, in the router and
//! in the real binary.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use sprintbot::webhook::{BodyLimits, ConnectionLimits};
use support::bot::{SECRET, TestBot};
use support::process::KillOnDrop;
use support::webhooks::{Delivery, payload};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// A guard against a hang, not a measure of speed.
const HANG: Duration = Duration::from_secs(30);

/// A connection that sends the start of a request head, then nothing.
async fn half_sent(addr: &str) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream
        .write_all(b"POST /webhook HTTP/1.1\r\nHost: x\r\nX-GitHub-Event: ping\r\n")
        .await
        .expect("send half a head");
    stream
}

/// Whether the server closed the connection within `wait`.
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let read = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    };
    tokio::time::timeout(wait, read).await.is_ok()
}

fn limits(
    max_connections: usize,
    header_timeout: Duration,
    evict_after: Duration,
) -> ConnectionLimits {
    ConnectionLimits {
        max_connections,
        header_timeout,
        evict_after,
    }
}

async fn bot_with(connections: ConnectionLimits) -> (TestBot, String) {
    let bot = TestBot::start_edge(&[SECRET], BodyLimits::default(), connections).await;
    let addr = bot.url.trim_start_matches("http://").to_string();
    (bot, addr)
}

#[tokio::test]
async fn a_half_sent_request_is_closed_after_the_header_timeout() {
    let (_bot, addr) = bot_with(limits(8, Duration::from_millis(300), HANG)).await;
    let mut slow = half_sent(&addr).await;
    assert!(closed_within(&mut slow, HANG).await);
    // A connection that never says a word is closed the same way.
    let mut silent = TcpStream::connect(&addr).await.unwrap();
    assert!(closed_within(&mut silent, HANG).await);
}

#[tokio::test]
async fn connections_over_the_cap_are_closed_at_once_while_the_others_are_young() {
    let (bot, addr) = bot_with(limits(4, HANG, HANG)).await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(half_sent(&addr).await);
    }
    let mut over = half_sent(&addr).await;
    assert!(closed_within(&mut over, HANG).await);
    // One of the four goes away: its slot is free again.
    drop(held.pop());
    let d = Delivery::signed("ping", "after", &payload("ping"), SECRET);
    let mut answered = 0;
    for _ in 0..100 {
        let sent = bot
            .client
            .post(bot.webhook_url())
            .header("x-github-event", "ping")
            .header("x-github-delivery", &d.id)
            .header("x-hub-signature-256", d.signature.clone().unwrap())
            .body(d.body.clone())
            .send()
            .await;
        if let Ok(r) = sent {
            answered = r.status().as_u16();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(answered, 202);
}

#[tokio::test]
async fn held_connections_give_way_to_a_signed_delivery() {
    let evict_after = Duration::from_millis(200);
    let (bot, addr) = bot_with(limits(4, HANG, evict_after)).await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(half_sent(&addr).await);
    }
    tokio::time::sleep(evict_after * 2).await;
    let d = Delivery::signed("ping", "through", &payload("ping"), SECRET);
    assert_eq!(d.send(&bot.client, &bot.webhook_url()).await, 202);
    // The oldest was closed to make room.
    assert!(closed_within(&mut held[0], HANG).await);
    assert_eq!(bot.stored_deliveries().await, 1);
}

#[tokio::test]
async fn the_binary_closes_a_flood_of_half_sent_requests_and_takes_a_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sprintbot.toml");
    std::fs::write(
        &config,
        "[server]\nmax_connections = 16\nheader_timeout_ms = 1500\n",
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let _bot = KillOnDrop::new(
        Command::new(env!("CARGO_BIN_EXE_sprintbot"))
            .args(["serve", "--listen", &addr])
            .env("SPRINTBOT_CONFIG", &config)
            .env_remove("GITHUB_APP_ID")
            .env_remove("GITHUB_APP_PRIVATE_KEY")
            .env_remove("GITHUB_APP_PRIVATE_KEY_PATH")
            .env("GITHUB_WEBHOOK_SECRET", SECRET)
            .env("SPRINTBOT_DATABASE_URL", dir.path().join("bot.db"))
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start sprintbot"),
    );
    let client = reqwest::Client::new();
    let url = format!("http://{addr}");
    for _ in 0..200 {
        if client.get(format!("{url}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // 100 half-sent requests: 16 are held, the rest closed.
    let mut flood = Vec::new();
    for _ in 0..100 {
        flood.push(half_sent(&addr).await);
    }
    let d = Delivery::signed(
        "issue_comment",
        "d-1",
        &payload("issue_comment.created"),
        SECRET,
    );
    // Every held one is closed, by the cap or the header timeout.
    for mut stream in flood {
        assert!(closed_within(&mut stream, HANG).await);
    }
    assert_eq!(d.send(&client, &format!("{url}/webhook")).await, 202);
    let metrics = client.get(format!("{url}/metrics")).send().await.unwrap();
    let text = metrics.text().await.unwrap();
    // Past the 16 it could hold, each was closed at once (or, after a
    // second, the oldest gave way to it).
    let closed: f64 = text
        .lines()
        .filter(|l| l.starts_with("sprintbot_http_connections_closed_total{"))
        .filter_map(|l| l.split_whitespace().last()?.parse::<f64>().ok())
        .sum();
    assert!(closed >= 84.0, "{text}");
}
