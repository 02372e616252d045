//! Outcomes a job records about a repository's sprints (`outcome:` steps:
//! a sprint closed by a person, a reminder whose issue is not current), so
//! the scheduler queues nothing more for them: kept beside the rollover's
//! steps, recorded once however often, and forgotten, with the current
//! issue, by a webhook about a sprint issue, on that repository only.

use sprintbot::store::OUTCOME_STEP_PREFIX;

use crate::Db;

const CLOSED: &str = "outcome:closed-by-person";
const REVIEW: &str = "outcome:review:not-current";

pub async fn outcomes_are_kept_until_the_current_issue_is_forgotten(db: Db) {
    let store = db.open().await;
    assert!(CLOSED.starts_with(OUTCOME_STEP_PREFIX));
    store
        .set_current_issue("acme/app", 12, "2024-01-15")
        .await
        .unwrap();
    store
        .record_step("acme/app", "2024-01-15", "opened", Some("#12".into()))
        .await
        .unwrap();
    // Recorded again by the next job that looks: still one record.
    for _ in 0..3 {
        store
            .record_step(
                "acme/app",
                "2024-01-29",
                CLOSED,
                Some("issue #12 closed".into()),
            )
            .await
            .unwrap();
    }
    store
        .record_step("acme/app", "2024-01-15", REVIEW, None)
        .await
        .unwrap();
    // Another repository, and one whose name a pattern would also match.
    store
        .record_step("acme/web", "2024-01-29", CLOSED, None)
        .await
        .unwrap();
    store
        .record_step("acme/app-2", "2024-01-29", CLOSED, None)
        .await
        .unwrap();
    assert_eq!(
        store.steps("acme/app", "2024-01-15").await.unwrap(),
        vec!["opened", REVIEW]
    );
    assert_eq!(
        store.steps("acme/app", "2024-01-29").await.unwrap(),
        vec![CLOSED]
    );

    // A webhook about a sprint issue: a fresh look, on this repository.
    store.forget_current_issue("acme/app").await.unwrap();
    assert_eq!(store.current_issue("acme/app").await.unwrap(), None);
    assert_eq!(
        store.steps("acme/app", "2024-01-15").await.unwrap(),
        vec!["opened"],
        "work done stays recorded"
    );
    assert!(
        store
            .steps("acme/app", "2024-01-29")
            .await
            .unwrap()
            .is_empty()
    );
    for other in ["acme/web", "acme/app-2"] {
        assert_eq!(
            store.steps(other, "2024-01-29").await.unwrap(),
            vec![CLOSED],
            "{other} keeps its outcome"
        );
    }
    // Recorded again after the fresh look, it counts again.
    store
        .record_step("acme/app", "2024-01-29", CLOSED, None)
        .await
        .unwrap();
    assert_eq!(
        store.steps("acme/app", "2024-01-29").await.unwrap(),
        vec![CLOSED]
    );
    let rows = db
        .number("SELECT COUNT(*) FROM rollover_steps WHERE step LIKE 'outcome:%'")
        .await;
    assert_eq!(rows, Some(3));
}

/// A second handle (another replica, or the process after a restart) sees
/// the outcome the first recorded, and the forget the first made.
pub async fn outcomes_are_shared_by_every_handle(db: Db) {
    let first = db.open().await;
    let second = db.open().await;
    first
        .record_step("acme/app", "2024-01-29", CLOSED, None)
        .await
        .unwrap();
    assert_eq!(
        second.steps("acme/app", "2024-01-29").await.unwrap(),
        vec![CLOSED]
    );
    second.forget_current_issue("acme/app").await.unwrap();
    assert!(
        first
            .steps("acme/app", "2024-01-29")
            .await
            .unwrap()
            .is_empty()
    );
}
