//! Stories of connections held open at the front door: a request head that
//! never finishes is closed after the header timeout, connections over the
//! cap are closed, and a signed delivery from elsewhere still gets in, in
//! the router and in the real binary. The flood comes from 127.0.0.1 and
//! GitHub from 127.0.0.2 (Linux routes all of 127/8 to loopback).

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

fn limits(max_connections: usize, header_timeout: Duration) -> ConnectionLimits {
    ConnectionLimits {
        max_connections,
        header_timeout,
    }
}

/// A client connecting from GitHub's address, not the flood's.
fn github_client() -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from([127, 0, 0, 2]))
        .build()
        .unwrap()
}

async fn bot_with(connections: ConnectionLimits) -> (TestBot, String) {
    let bot = TestBot::start_edge(&[SECRET], BodyLimits::default(), connections).await;
    let addr = bot.url.trim_start_matches("http://").to_string();
    (bot, addr)
}

#[tokio::test]
async fn a_half_sent_request_is_closed_after_the_header_timeout() {
    let (_bot, addr) = bot_with(limits(8, Duration::from_millis(300))).await;
    let mut slow = half_sent(&addr).await;
    assert!(closed_within(&mut slow, HANG).await);
    // A connection that never says a word is closed the same way.
    let mut silent = TcpStream::connect(&addr).await.unwrap();
    assert!(closed_within(&mut silent, HANG).await);
}

#[tokio::test]
async fn connections_over_the_cap_from_one_address_are_closed_at_once() {
    let (bot, addr) = bot_with(limits(4, HANG)).await;
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
async fn an_address_holding_every_connection_gives_way_to_a_signed_delivery() {
    let (bot, addr) = bot_with(limits(4, HANG)).await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(half_sent(&addr).await);
    }
    let d = Delivery::signed("ping", "through", &payload("ping"), SECRET);
    assert_eq!(d.send(&github_client(), &bot.webhook_url()).await, 202);
    // The flood's oldest connection was closed to make room.
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
    // 100 half-sent requests: 16 are held, the rest closed at once.
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
    // GitHub still gets in meanwhile.
    assert_eq!(
        d.send(&github_client(), &format!("{url}/webhook")).await,
        202
    );
    // Every held one is closed too, by the header timeout.
    for mut stream in flood {
        assert!(closed_within(&mut stream, HANG).await);
    }
    let metrics = client.get(format!("{url}/metrics")).send().await.unwrap();
    let text = metrics.text().await.unwrap();
    // Past the 16 it could hold, each was closed at once.
    let over_cap = text
        .lines()
        .find(|l| l.starts_with(r#"sprintbot_http_connections_closed_total{reason="over_cap"}"#))
        .and_then(|l| l.split_whitespace().last()?.parse::<f64>().ok());
    assert!(over_cap.is_some_and(|n| n >= 84.0), "{text}");
}
