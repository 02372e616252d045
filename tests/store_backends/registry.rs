//! The registry of installations and repositories, the config cache, the
//! current sprint issue and the audit log: what goes in comes back out.

use sprintbot::store::{CachedConfig, InstallationChange, InstallationRow, RepoKey};

use crate::Db;
use crate::queue::audit;

fn change(action: &str, added: &[(u64, &str)], removed: &[(u64, &str)]) -> InstallationChange {
    let list = |v: &[(u64, &str)]| v.iter().map(|(i, n)| (*i, n.to_string())).collect();
    InstallationChange {
        installation: 7,
        account: "acme".into(),
        action: action.into(),
        added: list(added),
        removed: list(removed),
        suspended: action == "suspend",
        source: Some(format!("delivery-{action}")),
    }
}

fn config(source: Option<&str>, read_ms: i64) -> CachedConfig {
    CachedConfig {
        source: source.map(Into::into),
        etag: Some("\"etag-1\"".into()),
        sha: Some("abc123".into()),
        read_ms,
    }
}

pub async fn installations_and_their_repositories_round_trip(db: Db) {
    let store = db.open().await;
    let added = [(101, "acme/web"), (100, "acme/app"), (102, "acme/.github")];
    store
        .record_installation(change("created", &added, &[]))
        .await
        .unwrap();
    assert_eq!(
        store.repositories(7).await.unwrap(),
        vec!["acme/.github", "acme/app", "acme/web"]
    );
    let row = InstallationRow {
        id: 7,
        account: "acme".into(),
        suspended: false,
        discovered: false,
    };
    assert_eq!(store.installations().await.unwrap(), vec![row.clone()]);
    assert_eq!(store.unread_repos(7).await.unwrap().len(), 3);
    store.mark_discovered(7).await.unwrap();
    assert!(store.installations().await.unwrap()[0].discovered);

    // Repositories with a config run sprints; `.github` never does.
    for name in ["acme/app", "acme/.github"] {
        store
            .cache_config(RepoKey::named(name), config(Some("[sprint]"), 5_000))
            .await
            .unwrap();
    }
    store
        .cache_config(RepoKey::named("acme/web"), config(None, 5_000))
        .await
        .unwrap();
    assert!(store.unread_repos(7).await.unwrap().is_empty());
    let enabled = store.enabled_repos().await.unwrap();
    assert_eq!(enabled.len(), 1);
    assert_eq!(enabled[0].full_name, "acme/app");
    assert_eq!(enabled[0].repo_id, Some(100));
    assert_eq!((enabled[0].installation, enabled[0].read_ms), (7, 5_000));

    store
        .record_installation(change("suspend", &[], &[]))
        .await
        .unwrap();
    assert!(store.installations().await.unwrap()[0].suspended);
    assert!(store.enabled_repos().await.unwrap().is_empty());
    store
        .record_installation(change("unsuspend", &[], &[(101, "acme/web")]))
        .await
        .unwrap();
    assert_eq!(store.enabled_repos().await.unwrap().len(), 1);
    assert_eq!(
        store.repositories(7).await.unwrap(),
        vec!["acme/.github", "acme/app"]
    );

    store
        .record_installation(change("deleted", &[], &[]))
        .await
        .unwrap();
    assert!(store.installations().await.unwrap().is_empty());
    assert!(store.repositories(7).await.unwrap().is_empty());
    let actions: Vec<String> = store
        .audit_entries(None)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        vec![
            "installation.created",
            "installation.suspend",
            "installation.unsuspend",
            "installation.deleted"
        ]
    );
}

pub async fn a_renamed_repository_keeps_its_state(db: Db) {
    let store = db.open().await;
    store
        .record_installation(change("created", &[(100, "acme/app")], &[]))
        .await
        .unwrap();
    store
        .save_good_config("acme/app", "[sprint] good")
        .await
        .unwrap();
    store
        .set_current_issue("acme/app", 12, "2024-01-01")
        .await
        .unwrap();

    // GitHub reports the same repository id under a new name.
    store
        .record_installation(change("added", &[(100, "acme/application")], &[]))
        .await
        .unwrap();
    assert_eq!(
        store.repositories(7).await.unwrap(),
        vec!["acme/application"]
    );
    assert_eq!(
        store
            .good_config("acme/application")
            .await
            .unwrap()
            .as_deref(),
        Some("[sprint] good")
    );

    // A config read under yet another name, found by id.
    let renamed = RepoKey {
        full_name: "acme/app2".into(),
        id: Some(100),
    };
    store
        .cache_config(renamed.clone(), config(Some("[sprint] v2"), 9_000))
        .await
        .unwrap();
    assert_eq!(
        store.current_issue("acme/app2").await.unwrap(),
        Some((12, "2024-01-01".into()))
    );
    assert_eq!(store.current_issue("acme/application").await.unwrap(), None);
    assert_eq!(
        store.cached_config(renamed).await.unwrap(),
        Some(config(Some("[sprint] v2"), 9_000))
    );
}

pub async fn configs_and_current_issues_round_trip(db: Db) {
    let store = db.open().await;
    let key = RepoKey {
        full_name: "acme/app".into(),
        id: Some(100),
    };
    assert_eq!(store.cached_config(key.clone()).await.unwrap(), None);
    store
        .cache_config(key.clone(), config(Some("[sprint]"), 1_000))
        .await
        .unwrap();
    assert_eq!(
        store.cached_config(key.clone()).await.unwrap(),
        Some(config(Some("[sprint]"), 1_000))
    );
    store.forget_config(key.clone()).await.unwrap();
    assert_eq!(store.cached_config(key.clone()).await.unwrap(), None);
    store
        .cache_config(key.clone(), config(None, 2_000))
        .await
        .unwrap();
    assert_eq!(
        store.cached_config(key).await.unwrap(),
        Some(config(None, 2_000)),
        "knowing there is no file is worth keeping too"
    );

    assert_eq!(store.good_config("acme/app").await.unwrap(), None);
    store
        .save_good_config("acme/app", "[sprint] v1")
        .await
        .unwrap();
    store
        .save_good_config("acme/app", "[sprint] v2")
        .await
        .unwrap();
    assert_eq!(
        store.good_config("acme/app").await.unwrap().as_deref(),
        Some("[sprint] v2")
    );
    assert_eq!(store.good_config("acme/other").await.unwrap(), None);

    assert_eq!(store.current_issue("acme/app").await.unwrap(), None);
    store
        .set_current_issue("acme/app", 41, "2024-02-12")
        .await
        .unwrap();
    store
        .set_current_issue("acme/app", 42, "2024-02-26")
        .await
        .unwrap();
    assert_eq!(
        store.current_issue("acme/app").await.unwrap(),
        Some((42, "2024-02-26".into()))
    );
    // The App's own webhooks: 42 opened, 41 (the previous) closed.
    use sprintbot::store::ForgetIf;
    for condition in [ForgetIf::NotCurrent(42), ForgetIf::CurrentOrUnknown(41)] {
        let forgot = store.forget_current_issue_if("acme/app", condition);
        assert!(!forgot.await.unwrap(), "{condition:?}");
        assert_eq!(
            store.current_issue("acme/app").await.unwrap().unwrap().0,
            42
        );
    }
    // A person closes 42.
    let forgot = store.forget_current_issue_if("acme/app", ForgetIf::CurrentOrUnknown(42));
    assert!(forgot.await.unwrap());
    assert_eq!(store.current_issue("acme/app").await.unwrap(), None);
    store
        .set_current_issue("acme/app", 42, "2024-02-26")
        .await
        .unwrap();
    // Another sprint issue is opened by hand.
    let forgot = store.forget_current_issue_if("acme/app", ForgetIf::NotCurrent(43));
    assert!(forgot.await.unwrap());
    assert_eq!(store.current_issue("acme/app").await.unwrap(), None);
    store
        .set_current_issue("acme/app", 42, "2024-02-26")
        .await
        .unwrap();
    store.forget_current_issue("acme/app").await.unwrap();
    assert_eq!(store.current_issue("acme/app").await.unwrap(), None);
}

pub async fn audit_entries_filter_by_action(db: Db) {
    let store = db.open().await;
    assert!(store.ping().await);
    let mut first = audit("alice", "goal.add");
    first.before = Some("old".into());
    store.audit(first.clone()).await.unwrap();
    store.audit(audit("bob", "goal.done")).await.unwrap();
    store.audit(audit("carol", "goal.add")).await.unwrap();
    let all = store.audit_entries(None).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0], first, "every field kept, oldest first");
    let adds: Vec<String> = store
        .audit_entries(Some("goal.add".into()))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.actor)
        .collect();
    assert_eq!(adds, vec!["alice", "carol"]);
    assert!(
        store
            .audit_entries(Some("goal.move".into()))
            .await
            .unwrap()
            .is_empty()
    );
}
