//! Stories of the store, told once and run on both backends: the same test
//! runs against an SQLite file (`sqlite::…`) and a PostgreSQL database of
//! its own (`postgres::…`), so the two behave alike. What only one backend
//! has (replicas racing on PostgreSQL, file modes on SQLite) lives in
//! `store_backends/postgres_only.rs` and `store_backends/sqlite_only.rs`.
//!
//! PostgreSQL comes from `SPRINTBOT_TEST_POSTGRES_URL` (see
//! `support/pg.rs`); without a server these tests fail, never skip.

mod support;

#[path = "store_backends/claims.rs"]
mod claims;
#[path = "store_backends/deliveries.rs"]
mod deliveries;
#[path = "store_backends/held.rs"]
mod held;
#[path = "store_backends/limits.rs"]
mod limits;
#[path = "store_backends/outcomes.rs"]
mod outcomes;
#[path = "store_backends/postgres_only.rs"]
mod postgres_only;
#[path = "store_backends/queue.rs"]
mod queue;
#[path = "store_backends/registry.rs"]
mod registry;
#[path = "store_backends/sqlite_only.rs"]
mod sqlite_only;

use sprintbot::store::{NewDelivery, NewJob, Store};
use support::pg::TestDb;

/// A database of one backend, for one test; `open` gives a new handle on it
/// (on PostgreSQL with its own pool, as a second replica would have).
pub enum Db {
    Sqlite(tempfile::TempDir),
    Postgres(TestDb),
}

impl Db {
    pub fn sqlite() -> Db {
        Db::Sqlite(tempfile::tempdir().expect("temporary folder"))
    }

    pub fn postgres() -> Db {
        Db::Postgres(TestDb::create())
    }

    /// The URL `Store::connect` takes for this database.
    pub fn url(&self) -> String {
        match self {
            Db::Sqlite(dir) => format!("sqlite://{}", dir.path().join("store.db").display()),
            Db::Postgres(db) => db.url().to_string(),
        }
    }

    /// A new handle on the database.
    pub async fn open(&self) -> Store {
        Store::connect(&self.url())
            .await
            .expect("open the test database")
    }

    /// One number read straight from the database (SQL both dialects
    /// read alike), bypassing the store.
    pub async fn number(&self, sql: &str) -> Option<i64> {
        match self {
            Db::Sqlite(dir) => {
                let conn = rusqlite::Connection::open(dir.path().join("store.db")).unwrap();
                conn.query_row(sql, [], |r| r.get(0)).unwrap()
            }
            Db::Postgres(db) => {
                let (client, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(connection);
                client.query_one(sql, &[]).await.unwrap().get(0)
            }
        }
    }
}

/// A job due now, with the given keys.
pub fn job(kind: &str, dedupe: Option<&str>, serial: Option<&str>, tenant: Option<u64>) -> NewJob {
    NewJob {
        kind: kind.into(),
        payload: format!(r#"{{"kind":"{kind}"}}"#),
        dedupe_key: dedupe.map(Into::into),
        serial_key: serial.map(Into::into),
        tenant,
        run_after_ms: 0,
    }
}

/// A comment delivery from GitHub's own payload; handled (queued for
/// `webhook:issue_comment`) or not.
pub fn comment_delivery(id: &str, handled: bool) -> NewDelivery {
    let body = serde_json::to_vec(&support::webhooks::payload("issue_comment.created")).unwrap();
    NewDelivery {
        id: id.into(),
        event: "issue_comment".into(),
        action: Some("created".into()),
        installation: Some(7),
        payload: body,
        job_kind: handled.then(|| "webhook:issue_comment".to_string()),
        serial_key: Some("acme/app".into()),
        subject_key: Some("comment/1".into()),
    }
}

/// A worker's clock reading: the tests compare it only with `run_after_ms`.
pub fn now() -> i64 {
    sprintbot::store::now_ms()
}

/// One `#[tokio::test]` per backend for each story, named
/// `sqlite::<story>` and `postgres::<story>`.
macro_rules! on_both_backends {
    ($($module:ident :: $story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $story() {
                    crate::$module::$story(crate::Db::sqlite()).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $story() {
                    crate::$module::$story(crate::Db::postgres()).await
                }
            )*
        }
    };
}

on_both_backends!(
    deliveries::a_redelivered_webhook_is_recorded_once,
    deliveries::an_ignored_event_keeps_no_payload,
    deliveries::payloads_are_pruned_only_after_their_job_finished,
    deliveries::the_newest_delivery_of_each_installation_is_found,
    queue::a_live_dedupe_key_is_enqueued_once,
    queue::queue_views_show_errors_and_due_times,
    queue::effects_commit_with_the_completion,
    claims::only_the_claimant_records_the_outcome,
    claims::a_failed_attempt_retries_then_dies,
    claims::a_deferred_job_does_not_count_the_attempt,
    claims::a_lapsed_claim_is_taken_over,
    claims::a_renewed_claim_stays_with_its_worker,
    claims::requeue_leaves_live_claims_alone,
    claims::released_claims_run_again_at_once,
    claims::one_serial_key_never_runs_twice_at_once,
    claims::one_tenant_runs_at_most_its_share,
    claims::claims_wait_for_run_after,
    held::held_jobs_run_once_released,
    held::dropped_held_jobs_and_their_audit_vanish,
    limits::a_lease_refuses_a_second_holder_until_it_expires,
    limits::write_slots_are_spaced_across_handles,
    limits::the_hour_is_counted_across_handles_and_kept_for_commands,
    limits::a_rate_limit_is_seen_by_the_next_write,
    limits::rollover_steps_list_in_order,
    registry::installations_and_their_repositories_round_trip,
    registry::a_renamed_repository_keeps_its_state,
    registry::configs_and_current_issues_round_trip,
    registry::audit_entries_filter_by_action,
    outcomes::outcomes_are_kept_until_the_current_issue_is_forgotten,
    outcomes::outcomes_are_shared_by_every_handle,
);
