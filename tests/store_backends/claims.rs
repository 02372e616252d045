//! Claims: a job runs under one named worker's claim; only that worker can
//! record its outcome; a claim that lapses is taken over, one that is
//! renewed is not; serial keys and tenant shares hold.

use std::time::Duration;

use crate::{Db, job, now};

pub async fn only_the_claimant_records_the_outcome(db: Db) {
    let store = db.open().await;
    let id = store
        .enqueue(job("command", None, None, None))
        .await
        .unwrap()
        .unwrap();
    let claimed = store.claim(now(), 4, "w1", 60_000).await.unwrap().unwrap();
    assert_eq!(claimed.id, id);

    assert!(!store.complete(id, "w2", vec![]).await.unwrap());
    assert!(
        !store
            .fail(id, "w2", 1, "not mine".into(), Some(0))
            .await
            .unwrap()
    );
    assert!(!store.defer(id, "w2", 0, "not mine".into()).await.unwrap());
    let stats = store.queue_stats().await.unwrap();
    assert_eq!((stats.running, stats.done, stats.retrying), (1, 0, 0));
    assert!(store.job_errors(id).await.unwrap().is_empty());

    assert!(store.complete(id, "w1", vec![]).await.unwrap());
    assert!(
        !store.complete(id, "w1", vec![]).await.unwrap(),
        "done once"
    );
    let stats = store.queue_stats().await.unwrap();
    assert_eq!((stats.running, stats.done), (0, 1));
}

pub async fn a_failed_attempt_retries_then_dies(db: Db) {
    let store = db.open().await;
    let id = store
        .enqueue(job("command", None, None, None))
        .await
        .unwrap()
        .unwrap();
    let first = store.claim(now(), 4, "w1", 60_000).await.unwrap().unwrap();
    assert!(
        store
            .fail(id, "w1", first.attempt, "502".into(), Some(0))
            .await
            .unwrap()
    );
    assert_eq!(store.queue_stats().await.unwrap().retrying, 1);
    let second = store.claim(now(), 4, "w2", 60_000).await.unwrap().unwrap();
    assert_eq!((second.id, second.attempt), (id, 2));
    assert!(
        store
            .fail(id, "w2", second.attempt, "404".into(), None)
            .await
            .unwrap()
    );
    assert_eq!(store.queue_stats().await.unwrap().dead, 1);
    assert!(store.claim(now(), 4, "w1", 60_000).await.unwrap().is_none());
    let errors = store.job_errors(id).await.unwrap();
    let seen: Vec<(u32, &str, Option<i64>)> = errors
        .iter()
        .map(|e| (e.attempt, e.error.as_str(), e.retry_at_ms))
        .collect();
    assert_eq!(seen, vec![(1, "502", Some(0)), (2, "404", None)]);
}

pub async fn a_deferred_job_does_not_count_the_attempt(db: Db) {
    let store = db.open().await;
    let id = store
        .enqueue(job("command", None, None, None))
        .await
        .unwrap()
        .unwrap();
    let first = store.claim(1_000, 4, "w1", 60_000).await.unwrap().unwrap();
    assert!(
        store
            .defer(id, "w1", 50_000, "rate limited".into())
            .await
            .unwrap()
    );
    assert!(
        store
            .claim(49_999, 4, "w1", 60_000)
            .await
            .unwrap()
            .is_none(),
        "not before its time"
    );
    let again = store.claim(50_000, 4, "w1", 60_000).await.unwrap().unwrap();
    assert_eq!((again.id, again.attempt), (id, first.attempt));
}

pub async fn a_lapsed_claim_is_taken_over(db: Db) {
    let store = db.open().await;
    let id = store
        .enqueue(job("command", None, Some("acme/app"), None))
        .await
        .unwrap()
        .unwrap();
    store.claim(now(), 4, "w1", 500).await.unwrap().unwrap();
    assert!(
        store.claim(now(), 4, "w2", 500).await.unwrap().is_none(),
        "claimed"
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    let taken = store.claim(now(), 4, "w2", 60_000).await.unwrap().unwrap();
    assert_eq!((taken.id, taken.attempt), (id, 2));
    assert!(
        !store.complete(id, "w1", vec![]).await.unwrap(),
        "the first worker lost it"
    );
    assert!(store.complete(id, "w2", vec![]).await.unwrap());
}

pub async fn a_renewed_claim_stays_with_its_worker(db: Db) {
    let store = db.open().await;
    store
        .enqueue(job("command", None, None, None))
        .await
        .unwrap()
        .unwrap();
    let held = store.claim(now(), 4, "w1", 1_000).await.unwrap().unwrap();
    // Six beats of 250 ms outlast the 1 s claim: only renewal keeps it.
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(store.renew_claims("w1", 1_000).await.unwrap(), 1);
        assert_eq!(store.requeue_expired().await.unwrap(), 0);
        assert!(store.claim(now(), 4, "w2", 1_000).await.unwrap().is_none());
    }
    assert_eq!(store.renew_claims("w2", 300).await.unwrap(), 0);
    assert!(store.complete(held.id, "w1", vec![]).await.unwrap());
}

pub async fn requeue_leaves_live_claims_alone(db: Db) {
    let store = db.open().await;
    for _ in 0..2 {
        store
            .enqueue(job("command", None, None, None))
            .await
            .unwrap();
    }
    let live = store
        .claim(now(), 4, "alive", 60_000)
        .await
        .unwrap()
        .unwrap();
    let dying = store.claim(now(), 4, "dying", 100).await.unwrap().unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(store.requeue_expired().await.unwrap(), 1);
    let stats = store.queue_stats().await.unwrap();
    assert_eq!((stats.running, stats.retrying), (1, 1));
    let open = store.open_jobs(10).await.unwrap();
    let requeued = open.iter().find(|j| j.id == dying.id).unwrap();
    assert!(
        requeued
            .last_error
            .as_deref()
            .unwrap()
            .starts_with("interrupted")
    );
    assert!(store.complete(live.id, "alive", vec![]).await.unwrap());
    assert!(!store.complete(dying.id, "dying", vec![]).await.unwrap());
}

pub async fn released_claims_run_again_at_once(db: Db) {
    let store = db.open().await;
    for _ in 0..3 {
        store
            .enqueue(job("command", None, None, None))
            .await
            .unwrap();
    }
    let a = store
        .claim(now(), 4, "stopping", 60_000)
        .await
        .unwrap()
        .unwrap();
    let b = store
        .claim(now(), 4, "stopping", 60_000)
        .await
        .unwrap()
        .unwrap();
    let other = store
        .claim(now(), 4, "staying", 60_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(store.release_claims("stopping").await.unwrap(), 2);
    // Due at once whatever the worker's clock says.
    let mut again = vec![
        store.claim(0, 4, "next", 60_000).await.unwrap().unwrap().id,
        store.claim(0, 4, "next", 60_000).await.unwrap().unwrap().id,
    ];
    again.sort();
    assert_eq!(again, vec![a.id, b.id]);
    assert!(store.claim(0, 4, "next", 60_000).await.unwrap().is_none());
    assert!(store.complete(other.id, "staying", vec![]).await.unwrap());
}

pub async fn one_serial_key_never_runs_twice_at_once(db: Db) {
    let store = db.open().await;
    let mut app = Vec::new();
    for _ in 0..3 {
        app.push(
            store
                .enqueue(job("command", None, Some("acme/app"), None))
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let web = store
        .enqueue(job("command", None, Some("acme/web"), None))
        .await
        .unwrap()
        .unwrap();
    let first = store.claim(now(), 8, "w1", 60_000).await.unwrap().unwrap();
    assert_eq!(first.id, app[0]);
    let second = store.claim(now(), 8, "w2", 60_000).await.unwrap().unwrap();
    assert_eq!(second.id, web, "the next job of acme/app waits");
    assert!(store.claim(now(), 8, "w3", 60_000).await.unwrap().is_none());
    assert!(store.complete(first.id, "w1", vec![]).await.unwrap());
    let third = store.claim(now(), 8, "w3", 60_000).await.unwrap().unwrap();
    assert_eq!(third.id, app[1]);
    assert!(store.claim(now(), 8, "w1", 60_000).await.unwrap().is_none());
}

pub async fn one_tenant_runs_at_most_its_share(db: Db) {
    let store = db.open().await;
    for _ in 0..3 {
        store
            .enqueue(job("command", None, None, Some(7)))
            .await
            .unwrap();
    }
    let other = store
        .enqueue(job("command", None, None, Some(8)))
        .await
        .unwrap()
        .unwrap();
    let mut tenants = Vec::new();
    while let Some(j) = store.claim(now(), 2, "w1", 60_000).await.unwrap() {
        tenants.push(j.id);
    }
    assert_eq!(tenants.len(), 3, "two of tenant 7, then tenant 8");
    assert_eq!(tenants[2], other);
    let stats = store.queue_stats().await.unwrap();
    assert_eq!((stats.running, stats.pending), (3, 1));
    assert!(store.complete(tenants[0], "w1", vec![]).await.unwrap());
    assert!(store.claim(now(), 2, "w1", 60_000).await.unwrap().is_some());
}

pub async fn claims_wait_for_run_after(db: Db) {
    let store = db.open().await;
    let mut later = job("reminder", None, None, None);
    later.run_after_ms = 10_000;
    let id = store.enqueue(later).await.unwrap().unwrap();
    assert!(store.claim(9_999, 4, "w1", 60_000).await.unwrap().is_none());
    let due = store.claim(10_000, 4, "w1", 60_000).await.unwrap().unwrap();
    assert_eq!(due.id, id);
    assert!(due.created_ms > 0);
}
