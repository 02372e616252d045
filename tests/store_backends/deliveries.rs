//! Deliveries: recorded once, payloads kept only for handled events and
//! only until their job has been finished for the retention period.

use sprintbot::store::DeliveryOutcome;

use crate::{Db, comment_delivery, now};

pub async fn a_redelivered_webhook_is_recorded_once(db: Db) {
    let store = db.open().await;
    let first = store
        .record_delivery(comment_delivery("d-1", true))
        .await
        .unwrap();
    assert!(matches!(first, DeliveryOutcome::Queued { .. }));
    let again = store
        .record_delivery(comment_delivery("d-1", true))
        .await
        .unwrap();
    assert_eq!(again, DeliveryOutcome::Duplicate);
    assert_eq!(store.delivery_count("queued").await.unwrap(), 1);
    assert_eq!(store.queue_stats().await.unwrap().pending, 1);
    assert_eq!(
        store.delivery_event("d-1").await.unwrap().as_deref(),
        Some("issue_comment")
    );
    assert_eq!(store.delivery_event("d-2").await.unwrap(), None);
}

pub async fn an_ignored_event_keeps_no_payload(db: Db) {
    let store = db.open().await;
    let outcome = store
        .record_delivery(comment_delivery("d-ignored", false))
        .await
        .unwrap();
    assert_eq!(outcome, DeliveryOutcome::Ignored);
    assert_eq!(store.delivery_count("ignored").await.unwrap(), 1);
    assert_eq!(store.queue_stats().await.unwrap().pending, 0);
    let kept = db
        .number("SELECT CAST(length(payload) AS BIGINT) FROM deliveries WHERE id = 'd-ignored'")
        .await;
    assert_eq!(kept, Some(0), "nobody reads an ignored event's payload");
}

pub async fn payloads_are_pruned_only_after_their_job_finished(db: Db) {
    let store = db.open().await;
    let sent = comment_delivery("d-handled", true);
    store.record_delivery(sent.clone()).await.unwrap();
    let stored = db
        .number("SELECT CAST(length(payload) AS BIGINT) FROM deliveries WHERE id = 'd-handled'")
        .await
        .unwrap();
    assert!(
        stored > 0 && (stored as usize) < sent.payload.len(),
        "kept compressed"
    );

    // The worker gets the body back exactly as GitHub sent it.
    let job = store.claim(now(), 4, "w1", 60_000).await.unwrap().unwrap();
    assert_eq!(job.payload, sent.payload);
    assert_eq!(job.delivery_id.as_deref(), Some("d-handled"));
    assert_eq!(
        store.prune_payloads(now() + 3_600_000).await.unwrap(),
        0,
        "a running job's payload stays"
    );

    let before_finish = now() - 1;
    assert!(store.complete(job.id, "w1", vec![]).await.unwrap());
    assert_eq!(
        store.prune_payloads(before_finish).await.unwrap(),
        0,
        "finished after the cutoff: kept"
    );
    assert_eq!(store.prune_payloads(now() + 1_000).await.unwrap(), 1);
    assert_eq!(store.prune_payloads(now() + 1_000).await.unwrap(), 0);
    let left = db
        .number("SELECT CAST(length(payload) AS BIGINT) FROM deliveries WHERE id = 'd-handled'")
        .await;
    assert_eq!(left, Some(0));
    assert_eq!(
        store.delivery_event("d-handled").await.unwrap().as_deref(),
        Some("issue_comment"),
        "the delivery itself is kept"
    );
}

pub async fn the_newest_delivery_of_each_installation_is_found(db: Db) {
    let store = db.open().await;
    assert_eq!(store.last_delivery(7).await.unwrap(), None, "none yet");
    store
        .record_delivery(comment_delivery("d-old", true))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let ignored = sprintbot::store::NewDelivery {
        event: "push".into(),
        action: None,
        ..comment_delivery("d-new", false)
    };
    store.record_delivery(ignored).await.unwrap();
    let elsewhere = sprintbot::store::NewDelivery {
        installation: Some(8),
        ..comment_delivery("d-other", true)
    };
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    store.record_delivery(elsewhere).await.unwrap();

    let last = store
        .last_delivery(7)
        .await
        .unwrap()
        .expect("installation 7 has deliveries");
    assert_eq!(last.id, "d-new", "an ignored event counts: it arrived");
    assert_eq!(last.event, "push");
    assert_eq!(last.action, None);
    assert!(last.received_ms <= now());
    assert_eq!(
        store
            .last_delivery(8)
            .await
            .unwrap()
            .map(|d| d.id)
            .as_deref(),
        Some("d-other")
    );
    assert_eq!(store.last_delivery(9).await.unwrap(), None);
}
