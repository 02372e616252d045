//! Stories of a flood at the front door: unsigned and oversized uploads
//! cannot hold the server's memory, and signed deliveries keep getting in.

mod support;

use std::time::Duration;

use futures_util::StreamExt as _;
use sprintbot::webhook::BodyLimits;
use support::bot::{SECRET, TestBot};
use support::webhooks::{Delivery, payload};

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
    req.send()
        .await
        .expect("an answer, not a hang")
        .status()
        .as_u16()
}

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
    let limits = BodyLimits::new(1, Duration::from_millis(200), Duration::from_millis(800));
    let bot = TestBot::start_with(&[SECRET], limits).await;
    let big = 2 * 1024 * 1024;
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
    // A small signed delivery needs no permit.
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
