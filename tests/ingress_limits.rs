//! Stories of a flood at the front door: unsigned and oversized uploads
//! cannot hold the server's memory beyond its budget, no request can grow
//! `/metrics`, and signed deliveries keep getting in. (Connections and
//! half-sent requests: `ingress_connections.rs`.)

mod support;

use std::time::Duration;

use futures_util::StreamExt as _;
use sprintbot::webhook::BodyLimits;
use support::bot::{SECRET, TestBot};
use support::webhooks::{Delivery, payload};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

/// A request body that sends `first` bytes, then never finishes.
fn hanging_body(first: usize) -> reqwest::Body {
    let start =
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(vec![b' '; first]) });
    let never = futures_util::stream::pending::<Result<Vec<u8>, std::io::Error>>();
    reqwest::Body::wrap_stream(start.chain(never))
}

fn bogus_signature() -> String {
    format!("sha256={}", "0".repeat(64))
}

async fn upload(bot: &TestBot, signature: Option<String>, len: u64, body: reqwest::Body) -> u16 {
    upload_answer(bot, signature, len, body)
        .await
        .status()
        .as_u16()
}

async fn upload_answer(
    bot: &TestBot,
    signature: Option<String>,
    len: u64,
    body: reqwest::Body,
) -> reqwest::Response {
    let mut req = bot
        .client
        .post(bot.webhook_url())
        .timeout(Duration::from_secs(10))
        .header("x-github-event", "ping")
        .header("x-github-delivery", format!("flood-{}", rand_id()))
        .header("content-length", len.to_string())
        .body(body);
    if let Some(sig) = signature {
        req = req.header("x-hub-signature-256", sig);
    }
    req.send().await.expect("an answer, not a hang")
}

const MIB: u64 = 1024 * 1024;

fn rand_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::SeqCst)
}

#[tokio::test]
async fn an_unsigned_upload_is_refused_before_its_body_is_read() {
    let bot = TestBot::start().await;
    // 25 MiB declared, one chunk sent, the rest never: answered at once.
    let status = upload(&bot, None, 25 * 1024 * 1024, hanging_body(1024)).await;
    assert_eq!(status, 401);
    let status = upload(
        &bot,
        Some("sha1=abc".into()),
        25 * 1024 * 1024,
        hanging_body(1024),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(bot.stored_deliveries().await, 0);
}

#[tokio::test]
async fn large_uploads_wait_for_a_permit_while_small_signed_deliveries_get_in() {
    // 4 MiB: 2 MiB for small bodies, 2 MiB for large ones.
    let limits = BodyLimits::new(
        4 * MIB,
        Duration::from_millis(200),
        Duration::from_millis(800),
    );
    let bot = TestBot::start_with(&[SECRET], limits).await;
    let big = 2 * MIB;
    // The first large upload takes the only permit and stalls.
    let stalled = {
        let (client, url) = (bot.client.clone(), bot.webhook_url());
        tokio::spawn(async move {
            client
                .post(url)
                .header("x-github-event", "ping")
                .header("x-github-delivery", "stalled")
                .header("x-hub-signature-256", bogus_signature())
                .header("content-length", big.to_string())
                .body(hanging_body(64 * 1024))
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    // A second one finds no permit in time: 503, so GitHub can redeliver.
    assert_eq!(
        upload(&bot, Some(bogus_signature()), big, hanging_body(1)).await,
        503
    );
    // A small signed delivery draws on its own pool.
    let d = Delivery::signed("ping", "small-1", &payload("ping"), SECRET);
    assert_eq!(d.send(&bot.client, &bot.webhook_url()).await, 202);
    // The stalled body misses its deadline: 408, and its permit is free again.
    assert_eq!(stalled.await.unwrap().expect("an answer"), 408);
    let body = serde_json::to_vec(&payload("ping")).unwrap();
    let mut padded = body.clone();
    padded.resize(big as usize, b' ');
    let d = Delivery {
        event: "ping".into(),
        id: "large-signed".into(),
        signature: Some(support::webhooks::sign(SECRET, &padded)),
        body: padded,
    };
    assert_eq!(d.send(&bot.client, &bot.webhook_url()).await, 202);
    assert_eq!(bot.stored_deliveries().await, 2);
}

#[tokio::test]
async fn bodies_with_a_wrong_signature_cannot_hold_more_memory_than_the_budget() {
    // 8 MiB: 4 MiB for bodies over 64 KiB; each upload declares 1 MiB.
    let limits = BodyLimits::new(8 * MIB, Duration::from_millis(200), Duration::from_secs(3));
    let bot = TestBot::start_with(&[SECRET], limits.clone()).await;
    let (small, large) = limits.available();
    let mut stalled = Vec::new();
    for _ in 0..4 {
        let (client, url) = (bot.client.clone(), bot.webhook_url());
        stalled.push(tokio::spawn(async move {
            let req = client
                .post(url)
                .header("x-github-event", "ping")
                .header("x-github-delivery", format!("stalled-{}", rand_id()))
                .header("x-hub-signature-256", bogus_signature())
                .header("content-length", MIB.to_string())
                .body(hanging_body(1024));
            req.send().await.map(|r| r.status().as_u16())
        }));
    }
    // The four are being read: the large pool is spent.
    for _ in 0..200 {
        if limits.available().1 == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(limits.available(), (small, 0), "four MiB given out");
    // A fifth finds no memory: 503, with a time to come back.
    let refused = upload_answer(&bot, Some(bogus_signature()), MIB, hanging_body(1)).await;
    assert_eq!(refused.status().as_u16(), 503);
    assert_eq!(refused.headers()["retry-after"], "5");
    // A signed delivery of GitHub's usual size is not behind them.
    let d = Delivery::signed(
        "issue_comment",
        "small",
        &payload("issue_comment.created"),
        SECRET,
    );
    assert_eq!(d.send(&bot.client, &bot.webhook_url()).await, 202);
    for s in stalled {
        assert_eq!(s.await.unwrap().expect("an answer"), 408);
    }
    // Every permit came back.
    assert_eq!(limits.available(), (small, large));
    assert_eq!(bot.stored_deliveries().await, 1);
}

/// Send `head` and `sent` bytes of a body declared `declared` long, end the
/// request there (the client went away), and read the answer's status line.
async fn cut_short(addr: &str, head: &str, declared: usize, sent: usize) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "POST /webhook HTTP/1.1\r\nHost: x\r\n{head}Content-Length: {declared}\r\n\r\n{}",
        " ".repeat(sent)
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    stream.shutdown().await.unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    String::from_utf8_lossy(&answer)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn no_request_adds_a_metric_series_of_its_own() {
    let bot = TestBot::start().await;
    let addr = bot.url.trim_start_matches("http://").to_string();
    for i in 0..100 {
        // Bodies cut short, under a well-formed but wrong signature.
        let head = format!(
            "X-GitHub-Event: made-up-{i}\r\nX-GitHub-Delivery: cut-{i}\r\nX-Hub-Signature-256: {}\r\n",
            bogus_signature()
        );
        let status = cut_short(&addr, &head, 1000, 10).await;
        assert!(status.starts_with("HTTP/1.1 400"), "{status}");
        // Unsigned.
        let head = format!("X-GitHub-Event: made-up-{i}\r\nX-GitHub-Delivery: u-{i}\r\n");
        assert!(
            cut_short(&addr, &head, 2, 2)
                .await
                .starts_with("HTTP/1.1 401")
        );
        // Signed, of an event nobody has heard of.
        let d = Delivery::signed(
            &format!("made-up-{i}"),
            &format!("s-{i}"),
            &payload("ping"),
            SECRET,
        );
        assert_eq!(d.send(&bot.client, &bot.webhook_url()).await, 202);
    }
    let (_, text) = bot.get("/metrics").await;
    assert!(!text.contains("made-up"), "{text}");
    let known: Vec<&str> = sprintbot::worker::HANDLED_EVENTS
        .iter()
        .copied()
        .chain(sprintbot::github::needs::EVENTS.iter().map(|e| e.name))
        .chain(["other", "unknown", "unverified"])
        .collect();
    let series: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("sprintbot_webhook_deliveries_total{"))
        .collect();
    assert!(
        series
            .iter()
            .any(|l| l.contains(r#"event="other",outcome="ignored""#)),
        "{text}"
    );
    for line in series {
        let event = line
            .split(r#"event=""#)
            .nth(1)
            .and_then(|r| r.split('"').next());
        assert!(event.is_some_and(|e| known.contains(&e)), "{line}");
    }
}
