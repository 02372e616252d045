//! Waiting for the bot's jobs to finish, on a manual clock: retries due
//! within a horizon move the clock forward to them (a backoff), while a job
//! due later (deferred until a repair or a rate limit's reset, or a delayed
//! retry) counts as finished. The store is read twice in a row to be sure it is quiet, since
//! a job may change state between two reads.

use std::time::Duration;

use jiff::Timestamp;
use sprintbot::github::clock::ManualClock;
use sprintbot::store::Store;
use tokio::sync::Notify;

async fn snapshot(store: &Store) -> (Option<i64>, u64, u64, u64) {
    let next = store.next_due_ms().await.unwrap();
    let s = store.queue_stats().await.unwrap();
    (next, s.pending, s.running, s.retrying)
}

/// Wait until no job runs or is due within `horizon` of the clock.
pub async fn settle(store: &Store, clock: &ManualClock, jobs_ready: &Notify, horizon: Duration) {
    for _ in 0..3000 {
        let first = snapshot(store).await;
        let (next, _, running, _) = first;
        // Waiting jobs (pending or retrying) count by when they are due.
        if running == 0 {
            let now = clock_ms(clock);
            match next {
                Some(at) if at <= now => jobs_ready.notify_waiters(),
                Some(at) if at <= now + horizon.as_millis() as i64 => {
                    clock.set(Timestamp::from_millisecond(at).unwrap());
                    jobs_ready.notify_waiters();
                }
                _ => {
                    if snapshot(store).await == first {
                        return;
                    }
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!("jobs did not settle: {:?}", store.queue_stats().await);
}

fn clock_ms(clock: &ManualClock) -> i64 {
    use sprintbot::github::clock::Clock as _;
    clock.now().as_millisecond()
}
