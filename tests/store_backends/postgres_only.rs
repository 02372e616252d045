//! What only PostgreSQL has: several replicas on one database. They claim
//! jobs concurrently without breaking serial keys or tenant shares, take
//! turns at scheduler leadership, migrate once when starting together, and
//! see the same schema SQLite has.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sprintbot::store::{Store, StoreError};

use crate::support::pg::TestDb;
use crate::{job, now};

const JOBS: usize = 200;
const KEYS: usize = 10;
const TENANTS: usize = 4;
const PER_TENANT: usize = 2;

/// What the workers of every replica see running, by serial key and tenant.
#[derive(Default)]
struct Running {
    keys: BTreeSet<String>,
    tenants: HashMap<u64, usize>,
    claimed: Vec<i64>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_replicas_claim_each_job_once_and_never_two_of_one_key() {
    let db = TestDb::create();
    let first = Store::connect(db.url()).await.unwrap();
    let mut about = HashMap::new();
    for i in 0..JOBS {
        let (key, tenant) = (format!("acme/repo{}", i % KEYS), (i % TENANTS) as u64);
        let id = first
            .enqueue(job("command", None, Some(&key), Some(tenant)))
            .await
            .unwrap()
            .unwrap();
        about.insert(id, (key, tenant));
    }
    let about = Arc::new(about);
    let running = Arc::new(Mutex::new(Running::default()));
    let finished = Arc::new(AtomicUsize::new(0));

    let mut workers = Vec::new();
    for replica in 0..4 {
        // Each replica has its own pool, as separate processes would.
        let store = Store::connect(db.url()).await.unwrap();
        for worker in 0..3 {
            let (store, about, running, finished) = (
                store.clone(),
                about.clone(),
                running.clone(),
                finished.clone(),
            );
            let name = format!("replica{replica}-worker{worker}");
            workers.push(tokio::spawn(async move {
                while finished.load(Ordering::SeqCst) < JOBS {
                    let Some(job) = store.claim(now(), PER_TENANT, &name, 60_000).await.unwrap()
                    else {
                        tokio::time::sleep(Duration::from_millis(2)).await;
                        continue;
                    };
                    let (key, tenant) = about[&job.id].clone();
                    {
                        let mut seen = running.lock().unwrap();
                        assert!(
                            seen.keys.insert(key.clone()),
                            "two jobs of {key} ran at once"
                        );
                        let share = seen.tenants.entry(tenant).or_default();
                        *share += 1;
                        assert!(
                            *share <= PER_TENANT,
                            "tenant {tenant} ran {share} jobs at once"
                        );
                        seen.claimed.push(job.id);
                    }
                    tokio::time::sleep(Duration::from_millis(1)).await;
                    {
                        // Forgotten before the job is done, so what is
                        // seen running is never more than what runs.
                        let mut seen = running.lock().unwrap();
                        seen.keys.remove(&key);
                        *seen.tenants.get_mut(&tenant).unwrap() -= 1;
                    }
                    assert!(store.complete(job.id, &name, vec![]).await.unwrap());
                    finished.fetch_add(1, Ordering::SeqCst);
                }
            }));
        }
    }
    let all = async {
        for w in workers {
            w.await.expect("a worker failed");
        }
    };
    tokio::time::timeout(Duration::from_secs(120), all)
        .await
        .expect("every job finished within two minutes");

    let mut claimed = std::mem::take(&mut running.lock().unwrap().claimed);
    claimed.sort();
    let mut ids: Vec<i64> = about.keys().copied().collect();
    ids.sort();
    assert_eq!(claimed, ids, "each job claimed exactly once");
    assert_eq!(first.queue_stats().await.unwrap().done, JOBS as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_replica_leads_and_another_takes_over_when_it_stops() {
    let db = TestDb::create();
    let one = Store::connect(db.url()).await.unwrap();
    let two = Store::connect(db.url()).await.unwrap();
    let leader = one
        .try_lead()
        .await
        .unwrap()
        .expect("the first replica leads");
    assert!(two.try_lead().await.unwrap().is_none());
    assert!(
        one.try_lead().await.unwrap().is_none(),
        "one lock, even for its own replica"
    );
    assert!(leader.still_leading().await);

    drop(leader);
    let second = take_within(&two, Duration::from_secs(1)).await;
    assert!(second.still_leading().await);

    // The lock dies with its session: a leader whose connection is cut
    // knows it no longer leads, and another replica takes over.
    let (admin, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let cut = admin
        .query_one(
            "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_locks
             WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            &[],
        )
        .await
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(cut, 1, "one session holds the leader lock");
    let deadline = Instant::now() + Duration::from_secs(5);
    while second.still_leading().await {
        assert!(Instant::now() < deadline, "a cut-off leader noticed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    take_within(&one, Duration::from_secs(1)).await;
}

async fn take_within(store: &Store, limit: Duration) -> sprintbot::store::Leader {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(leader) = store.try_lead().await.unwrap() {
            return leader;
        }
        assert!(
            Instant::now() < deadline,
            "leadership was free within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn replicas_starting_together_migrate_once() {
    let db = TestDb::create();
    let (a, b, c) = tokio::join!(
        Store::connect(db.url()),
        Store::connect(db.url()),
        Store::connect(db.url())
    );
    for store in [a, b, c] {
        let store = store.expect("every replica starts");
        assert_eq!(store.backend_name(), "postgres");
        assert!(store.ping().await);
    }
    let (client, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let (count, last): (i64, i64) = {
        let r = client
            .query_one("SELECT COUNT(*), MAX(version) FROM schema_migrations", &[])
            .await
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert!(last >= 1);
    assert_eq!(count, last, "each migration recorded once");
}

#[tokio::test]
async fn both_backends_have_the_same_tables_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.db");
    Store::open(&path).unwrap();
    let sqlite = rusqlite::Connection::open(&path).unwrap();
    let mut lite: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let tables: Vec<String> = sqlite
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for table in tables {
        let columns = sqlite
            .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        lite.insert(table, columns);
    }

    let db = TestDb::create();
    Store::connect(db.url()).await.unwrap();
    let (client, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut pg: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in client
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public'",
            &[],
        )
        .await
        .unwrap()
    {
        pg.entry(r.get(0)).or_default().insert(r.get(1));
    }
    assert!(lite.contains_key("jobs") && lite.contains_key("schema_migrations"));
    assert_eq!(pg, lite);
}

#[tokio::test]
async fn an_unreachable_server_is_named_without_its_password() {
    let url = "postgres://sprintbot:hunter2@127.0.0.1:1/nowhere";
    let Err(e) = Store::connect(url).await else {
        panic!("nothing listens on port 1");
    };
    let said = e.to_string();
    assert!(matches!(e, StoreError::Open { .. }), "{said}");
    assert!(
        said.contains("127.0.0.1:1") && said.contains("nowhere"),
        "{said}"
    );
    assert!(!said.contains("hunter2"), "{said}");

    let Err(e) = Store::connect("postgres://sprintbot:hunter2@host:port/db").await else {
        panic!("the port is not a number");
    };
    assert!(!e.to_string().contains("hunter2"), "{e}");
}
