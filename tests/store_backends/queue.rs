//! The queue itself: dedupe keys, what `sprintbot jobs` shows, and effects
//! that commit with a job's completion or not at all.

use sprintbot::store::{AuditEntry, Effect, InstallationChange};

use crate::{Db, job, now};

pub async fn a_live_dedupe_key_is_enqueued_once(db: Db) {
    let store = db.open().await;
    let key = "rollover/acme/app/2024-01-01";
    let first = store
        .enqueue(job("rollover", Some(key), None, None))
        .await
        .unwrap()
        .expect("queued");
    assert_eq!(
        store
            .enqueue(job("rollover", Some(key), None, None))
            .await
            .unwrap(),
        None,
        "a live job has the key"
    );

    let claimed = store.claim(now(), 4, "w1", 60_000).await.unwrap().unwrap();
    assert_eq!(claimed.id, first);
    assert_eq!(
        store
            .enqueue(job("rollover", Some(key), None, None))
            .await
            .unwrap(),
        None,
        "a running job is live too"
    );
    assert!(store.complete(first, "w1", vec![]).await.unwrap());

    let second = store
        .enqueue(job("rollover", Some(key), None, None))
        .await
        .unwrap()
        .expect("a finished job's key can be queued again");
    assert_ne!(second, first);
    let under = store.jobs_under("rollover/acme/app/").await.unwrap();
    assert_eq!(
        under.jobs,
        vec![
            (key.to_string(), "pending".to_string()),
            (format!("{key}#{first}"), "done".to_string()),
        ]
    );
    assert_eq!(store.queue_stats().await.unwrap().done, 1);
}

pub async fn queue_views_show_errors_and_due_times(db: Db) {
    let store = db.open().await;
    assert_eq!(store.next_due_ms().await.unwrap(), None);
    let mut later = job("answer", Some("answer/acme/app#3/1"), None, None);
    later.run_after_ms = 5_000;
    let later = store.enqueue(later).await.unwrap().unwrap();
    let mut sooner = job("answer", Some("answer/acme/app#3/2"), None, None);
    sooner.run_after_ms = 2_000;
    let sooner = store.enqueue(sooner).await.unwrap().unwrap();
    assert_eq!(store.next_due_ms().await.unwrap(), Some(2_000));

    // At 3 000 by the worker's clock only the sooner one is due.
    let claimed = store.claim(3_000, 4, "w1", 60_000).await.unwrap().unwrap();
    assert_eq!(claimed.id, sooner);
    assert!(store.claim(3_000, 4, "w1", 60_000).await.unwrap().is_none());
    assert!(
        store
            .fail(sooner, "w1", 1, "GitHub answered 502".into(), Some(9_000))
            .await
            .unwrap()
    );
    assert_eq!(store.next_due_ms().await.unwrap(), Some(5_000));

    let errors = store.job_errors(sooner).await.unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].attempt, 1);
    assert_eq!(errors[0].error, "GitHub answered 502");
    assert_eq!(errors[0].retry_at_ms, Some(9_000));
    assert_eq!(
        store
            .last_error_under("answer/acme/app#3/")
            .await
            .unwrap()
            .as_deref(),
        Some("GitHub answered 502"),
        "the newest job under the prefix failed"
    );
    assert_eq!(
        store.last_error_under("answer/acme/app#3/1").await.unwrap(),
        None
    );
    assert_eq!(store.last_error_under("nothing/").await.unwrap(), None);

    let open = store.open_jobs(10).await.unwrap();
    let ids: Vec<i64> = open.iter().map(|j| j.id).collect();
    assert_eq!(ids, vec![later, sooner]);
    assert_eq!(open[1].state, "retrying");
    assert_eq!(open[1].attempts, 1);
    assert_eq!(open[1].last_error.as_deref(), Some("GitHub answered 502"));
    assert_eq!(store.open_jobs(1).await.unwrap().len(), 1);
}

pub async fn effects_commit_with_the_completion(db: Db) {
    let store = db.open().await;
    let id = store
        .enqueue(job("command", None, Some("acme/app"), Some(7)))
        .await
        .unwrap()
        .unwrap();
    let claimed = store.claim(now(), 4, "w1", 60_000).await.unwrap().unwrap();
    assert_eq!(claimed.id, id);
    assert_eq!(claimed.attempt, 1);
    assert_eq!(claimed.payload, br#"{"kind":"command"}"#);
    let effects = vec![
        Effect::Audit(audit("alice", "goal.add")),
        Effect::Enqueue(job("answer", Some("answer/acme/app#12/1"), None, None)),
        Effect::CurrentIssue {
            repo: "acme/app".into(),
            issue: 12,
            sprint: "2024-01-01".into(),
        },
        Effect::Installation(InstallationChange {
            installation: 7,
            account: "acme".into(),
            action: "created".into(),
            added: vec![(100, "acme/app".into())],
            removed: vec![],
            suspended: false,
            source: Some("d-9".into()),
        }),
    ];

    // A worker that lost its claim commits nothing of what it decided.
    assert!(!store.complete(id, "w2", effects.clone()).await.unwrap());
    assert!(store.audit_entries(None).await.unwrap().is_empty());
    assert!(store.jobs_under("answer/").await.unwrap().is_empty());
    assert_eq!(store.current_issue("acme/app").await.unwrap(), None);

    assert!(store.complete(id, "w1", effects).await.unwrap());
    let actions: Vec<String> = store
        .audit_entries(None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, vec!["goal.add", "installation.created"]);
    assert_eq!(store.jobs_under("answer/").await.unwrap().jobs.len(), 1);
    assert_eq!(
        store.current_issue("acme/app").await.unwrap(),
        Some((12, "2024-01-01".into()))
    );
    assert_eq!(store.repositories(7).await.unwrap(), vec!["acme/app"]);

    // Effects decided outside a job commit the same way.
    store
        .apply_effects(vec![
            Effect::Enqueue(job("tick", Some("tick/1"), None, None)),
            Effect::Audit(audit("scheduler", "sprint.rollover")),
        ])
        .await
        .unwrap();
    assert_eq!(store.jobs_under("tick/").await.unwrap().jobs.len(), 1);
    assert_eq!(store.audit_entries(None).await.unwrap().len(), 3);
}

pub fn audit(actor: &str, action: &str) -> AuditEntry {
    AuditEntry {
        actor: actor.into(),
        action: action.into(),
        target: "acme/app#12".into(),
        before: None,
        after: Some("Ship it".into()),
        source: Some("comment 1".into()),
    }
}
