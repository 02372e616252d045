//! Who runs the scheduler when several replicas share one database: the
//! one holding the store's leadership (an advisory lock on PostgreSQL; the
//! only process on SQLite). The others try again every few seconds, so
//! when the leader dies another replica takes over within seconds. Rollover
//! jobs are queued under dedupe keys and run under leases, so even a brief
//! overlap of two leaders cannot open a sprint twice.

use std::time::Duration;

use tokio::sync::watch;

use super::scheduler::Scheduler;
use crate::store::Store;

/// How often a follower asks to lead, and a leader checks it still does.
pub const LEADERSHIP_CHECK: Duration = Duration::from_secs(2);

/// Run `scheduler` whenever this replica leads, until `shutdown`.
pub async fn run_when_leading(
    scheduler: Scheduler,
    store: Store,
    mut shutdown: watch::Receiver<bool>,
    check: Duration,
) {
    let mut waiting_logged = false;
    loop {
        if *shutdown.borrow() {
            return;
        }
        match store.try_lead().await {
            Ok(Some(leader)) => {
                tracing::info!("this replica runs the scheduler");
                metrics::gauge!("sprintbot_scheduler_leader").set(1.0);
                let (lost_tx, lost_rx) = watch::channel(false);
                let watch_leadership = async {
                    loop {
                        tokio::select! {
                            _ = tokio::time::sleep(check) => {
                                if !leader.still_leading().await {
                                    tracing::warn!("lost the scheduler's leadership (database connection lost); stepping down");
                                    break;
                                }
                            }
                            _ = shutdown.changed() => break,
                        }
                    }
                    let _ = lost_tx.send(true);
                };
                tokio::join!(scheduler.run(lost_rx), watch_leadership);
                metrics::gauge!("sprintbot_scheduler_leader").set(0.0);
                // Leadership ends here, as `leader` goes out of scope.
                waiting_logged = false;
            }
            Ok(None) => {
                if !waiting_logged {
                    tracing::info!("another replica runs the scheduler; standing by");
                    waiting_logged = true;
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot ask the database who leads the scheduler"),
        }
        tokio::select! {
            _ = tokio::time::sleep(check) => {}
            _ = shutdown.changed() => return,
        }
    }
}

/// Drop handled deliveries' payloads `retention` after their job finished,
/// once an hour, until `shutdown`.
pub async fn prune_payloads(
    store: Store,
    retention: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let before = crate::store::now_ms() - retention.as_millis() as i64;
        match store.prune_payloads(before).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deliveries = n, "dropped old webhook payloads"),
            Err(e) => tracing::warn!(error = %e, "cannot drop old webhook payloads"),
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(3600)) => {}
            _ = shutdown.changed() => return,
        }
    }
}
