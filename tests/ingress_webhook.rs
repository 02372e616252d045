//! Stories of GitHub delivering webhooks to sprintbot's front door.

mod support;

use support::bot::{SECRET, TestBot};
use support::webhooks::{Delivery, payload};

#[tokio::test]
async fn signed_comment_delivery_is_accepted_and_queued() {
    let bot = TestBot::start().await;
    let d = Delivery::signed(
        "issue_comment",
        "d-1",
        &payload("issue_comment.created"),
        SECRET,
    );
    assert_eq!(d.send(&bot.client, &bot.webhook_url()).await, 202);
    let stats = bot.store.queue_stats().await.unwrap();
    assert_eq!(stats.pending, 1);
    assert_eq!(
        bot.store.delivery_event("d-1").await.unwrap().as_deref(),
        Some("issue_comment")
    );
}

#[tokio::test]
async fn githubs_published_signature_vector_is_accepted() {
    // The documented vector signs a body that is not JSON, so it passes the
    // signature check and is then refused as malformed — not as unauthorised.
    let bot = TestBot::start().await;
    let d = Delivery {
        event: "ping".into(),
        id: "vector".into(),
        body: b"Hello, World!".to_vec(),
        signature: Some(
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17".into(),
        ),
    };
    assert_eq!(d.send(&bot.client, &bot.webhook_url()).await, 400);
}

#[tokio::test]
async fn bad_signatures_are_refused_and_nothing_is_stored() {
    let bot = TestBot::start().await;
    let good = Delivery::signed("ping", "p-1", &payload("ping"), SECRET);
    let sig = good.signature.clone().unwrap();
    let cases = [
        ("missing", None),
        ("malformed", Some("sha1=0123".to_string())),
        (
            "wrong secret",
            Delivery::signed("ping", "p-1", &payload("ping"), "not the secret").signature,
        ),
        ("truncated", Some(sig[..sig.len() - 2].to_string())),
        (
            "tampered body",
            Some(sig.replace(&sig[7..9], if &sig[7..9] == "00" { "11" } else { "00" })),
        ),
    ];
    for (what, signature) in cases {
        let d = Delivery {
            signature,
            ..good.clone()
        };
        assert_eq!(d.send(&bot.client, &bot.webhook_url()).await, 401, "{what}");
    }
    assert_eq!(bot.stored_deliveries().await, 0);
    assert_eq!(bot.store.queue_stats().await.unwrap().pending, 0);
}

#[tokio::test]
async fn oversized_body_is_refused_while_streaming() {
    use futures_util::stream;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let bot = TestBot::start().await;
    // 100 MiB offered in 64 KiB chunks with no Content-Length: the server must
    // stop reading after 25 MiB and answer 413.
    let chunk = vec![b' '; 64 * 1024];
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let body = stream::iter(0..1600).map(move |_| {
        counter.fetch_add(chunk.len(), Ordering::SeqCst);
        Ok::<_, std::io::Error>(chunk.clone())
    });
    use futures_util::StreamExt as _;
    let resp = bot
        .client
        .post(bot.webhook_url())
        .header("x-github-event", "ping")
        .header("x-github-delivery", "big")
        .header("x-hub-signature-256", format!("sha256={}", "0".repeat(64)))
        .body(reqwest::Body::wrap_stream(body))
        .send()
        .await;
    if let Ok(resp) = resp {
        assert_eq!(resp.status().as_u16(), 413);
    }
    // Whether the client saw the answer or a reset, it never sent the whole 100 MiB.
    assert!(
        sent.load(Ordering::SeqCst) < 40 * 1024 * 1024,
        "server read {} bytes",
        sent.load(Ordering::SeqCst)
    );
    assert_eq!(bot.stored_deliveries().await, 0);
}

#[tokio::test]
async fn body_of_25_mib_plus_one_byte_is_refused() {
    let bot = TestBot::start().await;
    let body = vec![b' '; 25 * 1024 * 1024 + 1];
    let d = Delivery {
        event: "ping".into(),
        id: "big".into(),
        signature: Some(support::webhooks::sign(SECRET, &body)),
        body,
    };
    assert_eq!(d.send(&bot.client, &bot.webhook_url()).await, 413);
    assert_eq!(bot.stored_deliveries().await, 0);
}

#[tokio::test]
async fn malformed_json_and_missing_headers_are_bad_requests() {
    let bot = TestBot::start().await;
    let mut d = Delivery::signed("ping", "x", &payload("ping"), SECRET);
    d.body = b"{\"zen\": ".to_vec();
    d.signature = Some(support::webhooks::sign(SECRET, &d.body));
    assert_eq!(d.send(&bot.client, &bot.webhook_url()).await, 400);

    let ok = Delivery::signed("ping", "x", &payload("ping"), SECRET);
    let no_event = Delivery {
        event: " ".into(),
        ..ok.clone()
    };
    assert_eq!(no_event.send(&bot.client, &bot.webhook_url()).await, 400);
    let no_id = Delivery {
        id: "".into(),
        ..ok
    };
    assert_eq!(no_id.send(&bot.client, &bot.webhook_url()).await, 400);
    assert_eq!(bot.stored_deliveries().await, 0);
}

#[tokio::test]
async fn redelivery_is_acknowledged_without_a_second_job() {
    let bot = TestBot::start().await;
    let d = Delivery::signed(
        "issue_comment",
        "same-guid",
        &payload("issue_comment.created"),
        SECRET,
    );
    for _ in 0..3 {
        assert_eq!(d.send(&bot.client, &bot.webhook_url()).await, 202);
    }
    assert_eq!(bot.store.queue_stats().await.unwrap().pending, 1);
}

#[tokio::test]
async fn event_nobody_handles_is_recorded_and_dropped() {
    let bot = TestBot::start().await;
    let d = Delivery::signed("label", "l-1", &payload("label.created"), SECRET);
    assert_eq!(d.send(&bot.client, &bot.webhook_url()).await, 202);
    assert_eq!(bot.store.delivery_count("ignored").await.unwrap(), 1);
    assert_eq!(bot.store.queue_stats().await.unwrap().pending, 0);
}

#[tokio::test]
async fn old_and_new_secret_both_work_during_rotation() {
    let bot = TestBot::start_with_secrets(&["old secret", "new secret"]).await;
    let old = Delivery::signed("ping", "r-1", &payload("ping"), "old secret");
    let new = Delivery::signed("ping", "r-2", &payload("ping"), "new secret");
    assert_eq!(old.send(&bot.client, &bot.webhook_url()).await, 202);
    assert_eq!(new.send(&bot.client, &bot.webhook_url()).await, 202);
    assert_eq!(bot.store.queue_stats().await.unwrap().pending, 2);
}

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    let bot = TestBot::start().await;
    let d = Delivery::signed("ping", "m-1", &payload("ping"), SECRET);
    assert_eq!(d.send(&bot.client, &bot.webhook_url()).await, 202);
    assert_eq!(bot.get("/healthz").await.0, 200);
    assert_eq!(bot.get("/readyz").await.0, 200);
    let (status, text) = bot.get("/metrics").await;
    assert_eq!(status, 200);
    assert!(
        text.contains("sprintbot_webhook_deliveries_total"),
        "{text}"
    );
    assert!(
        text.contains("sprintbot_queue_jobs{state=\"pending\"}"),
        "{text}"
    );
}
