//! What replicas share to stay polite and single-minded: leases, the
//! write budget and rate limits per installation, and the record of rollover
//! steps.

use std::time::Duration;

use sprintbot::github::budget::{Grant, WaitFor, WriteClass, WriteLimits};

use crate::Db;

pub async fn a_lease_refuses_a_second_holder_until_it_expires(db: Db) {
    let store = db.open().await;
    let other = db.open().await;
    let name = "rollover/acme/app";
    assert!(store.try_lease(name, "a", 1_000).await.unwrap());
    assert!(!other.try_lease(name, "b", 1_000).await.unwrap());
    assert!(
        store.try_lease(name, "a", 1_000).await.unwrap(),
        "its holder renews it"
    );
    assert!(
        other
            .try_lease("rollover/acme/web", "b", 300)
            .await
            .unwrap()
    );

    tokio::time::sleep(Duration::from_millis(1_200)).await;
    assert!(other.try_lease(name, "b", 60_000).await.unwrap());
    assert!(!store.try_lease(name, "a", 1_000).await.unwrap());

    store.release_lease(name, "a").await.unwrap();
    assert!(
        !store.try_lease(name, "a", 1_000).await.unwrap(),
        "only its holder gives it back"
    );
    other.release_lease(name, "b").await.unwrap();
    assert!(store.try_lease(name, "a", 1_000).await.unwrap());
}

fn go(class: WriteClass) -> impl Fn(i64) -> (i64, WriteClass) {
    move |t| (t, class)
}

async fn take(store: &sprintbot::store::Store, inst: u64, (t, class): (i64, WriteClass)) -> Grant {
    store
        .take_write(inst, t, class, WriteLimits::default(), 1_000)
        .await
        .unwrap()
}

pub async fn write_slots_are_spaced_across_handles(db: Db) {
    let one = db.open().await;
    let two = db.open().await;
    let at = go(WriteClass::Command);
    let t = 1_000_000;
    assert_eq!(take(&one, 7, at(t)).await, Grant::Go);
    assert_eq!(
        take(&two, 7, at(t + 10)).await,
        Grant::Wait {
            until_ms: t + 1_000,
            why: WaitFor::Pace
        },
        "the other handle sees the write"
    );
    assert_eq!(take(&two, 7, at(t + 1_000)).await, Grant::Go);
    // Another installation has its own budget.
    assert_eq!(take(&two, 8, at(t)).await, Grant::Go);
}

pub async fn the_hour_is_counted_across_handles_and_kept_for_commands(db: Db) {
    let one = db.open().await;
    let two = db.open().await;
    let t = 1_000_000;
    // 420 opening writes, 5 s apart, from both handles in turn.
    for i in 0..420 {
        let store = if i % 2 == 0 { &one } else { &two };
        let at = t + i * 5_000;
        assert_eq!(
            take(store, 7, go(WriteClass::Opening)(at)).await,
            Grant::Go,
            "write {i}"
        );
    }
    let now = t + 420 * 5_000;
    assert_eq!(
        take(&one, 7, go(WriteClass::Opening)(now)).await,
        Grant::Wait {
            until_ms: t + 3_600_000,
            why: WaitFor::Window
        }
    );
    assert_eq!(take(&two, 7, go(WriteClass::Command)(now)).await, Grant::Go);
}

pub async fn a_rate_limit_is_seen_by_the_next_write(db: Db) {
    let one = db.open().await;
    let two = db.open().await;
    let at = go(WriteClass::Command);
    let t = 1_000_000;
    assert_eq!(take(&one, 7, at(t)).await, Grant::Go);
    two.note_rate_limited(7, t + 30_000).await.unwrap();
    let refused = Grant::Wait {
        until_ms: t + 30_000,
        why: WaitFor::Refused,
    };
    assert_eq!(take(&one, 7, at(t + 5_000)).await, refused);
    two.note_rate_limited(7, t + 5_000).await.unwrap();
    assert_eq!(
        take(&one, 7, at(t + 6_000)).await,
        refused,
        "an earlier reset never shortens a known one"
    );
    assert_eq!(take(&one, 7, at(t + 30_000)).await, Grant::Go);
    // A limit seen before any write.
    two.note_rate_limited(9, t + 7_000).await.unwrap();
    assert!(matches!(
        take(&one, 9, at(t)).await,
        Grant::Wait {
            why: WaitFor::Refused,
            ..
        }
    ));
}

pub async fn rollover_steps_list_in_order(db: Db) {
    let store = db.open().await;
    for step in ["opened", "carried", "closed", "announced"] {
        store
            .record_step("acme/app", "2024-01-15", step, None)
            .await
            .unwrap();
    }
    store
        .record_step("acme/app", "2024-01-29", "opened", Some("#13".into()))
        .await
        .unwrap();
    assert_eq!(
        store.steps("acme/app", "2024-01-15").await.unwrap(),
        vec!["opened", "carried", "closed", "announced"]
    );
    assert_eq!(
        store.steps("acme/app", "2024-01-29").await.unwrap(),
        vec!["opened"]
    );
    assert!(
        store
            .steps("acme/web", "2024-01-15")
            .await
            .unwrap()
            .is_empty()
    );
}
