//! What replicas share to stay polite and single-minded: leases, write
//! slots and rate limits per installation, and the record of rollover
//! steps.

use std::time::Duration;

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

pub async fn write_slots_are_spaced_across_handles(db: Db) {
    let one = db.open().await;
    let two = db.open().await;
    let t = 1_000_000;
    assert_eq!(one.reserve_write(7, t, 1_000).await.unwrap().at_ms, t);
    assert_eq!(
        two.reserve_write(7, t, 1_000).await.unwrap().at_ms,
        t + 1_000
    );
    assert_eq!(
        one.reserve_write(7, t + 10, 1_000).await.unwrap().at_ms,
        t + 2_000
    );
    // Another installation has its own slots; a late caller starts afresh.
    assert_eq!(two.reserve_write(8, t, 1_000).await.unwrap().at_ms, t);
    let late = t + 60_000;
    let slot = one.reserve_write(7, late, 1_000).await.unwrap();
    assert_eq!(slot.at_ms, late);
    assert_eq!(slot.limited_until_ms, None);
}

pub async fn a_rate_limit_is_seen_by_the_next_reservation(db: Db) {
    let one = db.open().await;
    let two = db.open().await;
    let t = 1_000_000;
    one.reserve_write(7, t, 1_000).await.unwrap();
    two.note_rate_limited(7, t + 30_000).await.unwrap();
    let slot = one.reserve_write(7, t, 1_000).await.unwrap();
    assert_eq!(slot.limited_until_ms, Some(t + 30_000));
    assert_eq!(slot.at_ms, t + 1_000, "noting a limit keeps the slots");

    two.note_rate_limited(7, t + 5_000).await.unwrap();
    let slot = one.reserve_write(7, t, 1_000).await.unwrap();
    assert_eq!(
        slot.limited_until_ms,
        Some(t + 30_000),
        "an earlier reset never shortens a known one"
    );

    // A limit seen before any write was reserved.
    two.note_rate_limited(9, t + 7_000).await.unwrap();
    let slot = one.reserve_write(9, t, 1_000).await.unwrap();
    assert_eq!((slot.at_ms, slot.limited_until_ms), (t, Some(t + 7_000)));
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
