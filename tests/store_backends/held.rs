//! Held jobs: answers written before a body write, run only once released,
//! forgotten (with their audit entries) when the write never happened.

use crate::queue::audit;
use crate::{Db, job, now};

pub async fn held_jobs_run_once_released(db: Db) {
    let store = db.open().await;
    let prefix = "answer/acme/app#12/c1/";
    let answers = vec![
        job("answer", Some(&format!("{prefix}1")), None, None),
        job("answer", Some(&format!("{prefix}2")), None, None),
    ];
    store
        .hold(
            answers.clone(),
            vec![(prefix.to_string(), audit("alice", "goal.add"))],
        )
        .await
        .unwrap();
    assert_eq!(store.queue_stats().await.unwrap().held, 2);
    assert!(store.jobs_under(prefix).await.unwrap().any_held());
    assert!(store.claim(now(), 4, "w1", 60_000).await.unwrap().is_none());
    assert!(
        store.audit_entries(None).await.unwrap().is_empty(),
        "held until the write lands"
    );

    // Holding the same answers again (a retry) writes nothing new.
    store.hold(answers, vec![]).await.unwrap();
    assert_eq!(store.queue_stats().await.unwrap().held, 2);

    store.release_held(prefix).await.unwrap();
    let under = store.jobs_under(prefix).await.unwrap();
    assert!(!under.any_held());
    assert_eq!(under.jobs.len(), 2);
    assert_eq!(store.audit_entries(None).await.unwrap().len(), 1);
    // Due at once, whatever the worker's clock.
    assert!(store.claim(0, 4, "w1", 60_000).await.unwrap().is_some());
    assert!(store.claim(0, 4, "w1", 60_000).await.unwrap().is_some());

    // Released answers are decided: holding them again changes nothing.
    store
        .hold(
            vec![job("answer", Some(&format!("{prefix}1")), None, None)],
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(store.queue_stats().await.unwrap().held, 0);
}

pub async fn dropped_held_jobs_and_their_audit_vanish(db: Db) {
    let store = db.open().await;
    let kept = "answer/acme/app#12/c1/";
    let dropped = "answer/acme/app#12/c2/";
    for prefix in [kept, dropped] {
        store
            .hold(
                vec![job("answer", Some(&format!("{prefix}1")), None, None)],
                vec![(prefix.to_string(), audit("bob", "goal.done"))],
            )
            .await
            .unwrap();
    }
    store.drop_held(dropped).await.unwrap();
    assert!(store.jobs_under(dropped).await.unwrap().is_empty());
    assert_eq!(store.jobs_under(kept).await.unwrap().jobs.len(), 1);
    assert_eq!(store.queue_stats().await.unwrap().held, 1);

    store.release_held(kept).await.unwrap();
    store.release_held(dropped).await.unwrap();
    assert_eq!(
        store.audit_entries(None).await.unwrap().len(),
        1,
        "the dropped write's entry is gone"
    );
    assert_eq!(
        store.jobs_under("answer/acme/app#12/").await.unwrap().jobs,
        vec![(format!("{kept}1"), "pending".to_string())]
    );
}
