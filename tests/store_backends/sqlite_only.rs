//! What only SQLite has: a file on disk, which holds private issue text and
//! so is readable by its owner alone.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use sprintbot::store::Store;

use crate::job;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[tokio::test]
async fn a_new_database_and_its_journal_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let store = Store::open(&path).unwrap();
    assert_eq!(store.backend_name(), "sqlite");
    store
        .enqueue(job("command", None, None, None))
        .await
        .unwrap();
    assert_eq!(mode(&path), 0o600);
    for suffix in ["-wal", "-shm"] {
        let companion = dir.path().join(format!("new.db{suffix}"));
        assert!(companion.exists(), "{suffix} exists after a write");
        assert_eq!(mode(&companion), 0o600, "{suffix}");
    }
}

#[tokio::test]
async fn an_existing_readable_database_is_tightened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    std::fs::write(&path, b"").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let store = Store::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    assert!(store.ping().await);
    assert_eq!(mode(&path), 0o600);
}
