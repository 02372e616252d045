//! Applying the write budget (`budget.rs`) for one identity, at the moment
//! of each write: a write waits in place only for the pause between
//! writes; a spent window or GitHub's "wait" is returned to the caller as a
//! rate limit (a job is deferred to then), never slept through. GitHub
//! limits an installation, not a process: with [`SharedLimits`] (the store,
//! in `serve`) every replica counts its writes and learns of refusals in
//! one place. Without it (one process, the one-shot mode) the budget is
//! this process's, learned from GitHub's answers within the run.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;

use super::budget::{self, BudgetState, Grant, WaitFor, WriteClass, WriteLimits};
use super::clock::Clock;
use super::line::Line;
use crate::util::BoxFuture;

/// Limits shared by every process acting as one installation.
pub trait SharedLimits: Send + Sync {
    /// Decide a write of `class` at `now_ms` against the installation's
    /// budget and, when it may go, count it: one atomic step.
    fn take_write(
        &self,
        installation: u64,
        now_ms: i64,
        class: WriteClass,
        limits: WriteLimits,
        interval_ms: i64,
    ) -> BoxFuture<'_, Result<Grant, String>>;
    /// Tell every process that GitHub refuses the installation's writes
    /// until `until_ms`.
    fn note_limited(&self, installation: u64, until_ms: i64) -> BoxFuture<'_, Result<(), String>>;
    /// Uncount the write taken at `at_ms`: GitHub answered it with a
    /// server error, so it created nothing.
    fn refund_write(&self, installation: u64, at_ms: i64) -> BoxFuture<'_, Result<(), String>>;
}

/// One identity's write budget: shared when it is an installation with
/// shared limits, local otherwise.
pub(super) struct Pacer {
    interval: Duration,
    /// GitHub's content-creation windows; none for the App's own calls.
    limits: Option<WriteLimits>,
    clock: Arc<dyn Clock>,
    local: Mutex<BudgetState>,
    /// The turns promised to the jobs sent away.
    line: Mutex<Line>,
    shared: Option<(u64, Arc<dyn SharedLimits>)>,
}

impl Pacer {
    pub(super) fn new(
        interval: Duration,
        limits: Option<WriteLimits>,
        clock: Arc<dyn Clock>,
    ) -> Pacer {
        Pacer {
            interval,
            limits,
            clock,
            local: Mutex::new(BudgetState::default()),
            line: Mutex::new(Line::default()),
            shared: None,
        }
    }

    pub(super) fn share(&mut self, installation: u64, limits: Arc<dyn SharedLimits>) {
        self.shared = Some((installation, limits));
    }

    fn limits(&self) -> WriteLimits {
        // Without windows, only refusals and the pause apply.
        self.limits.unwrap_or(WriteLimits {
            per_minute: u32::MAX,
            per_hour: u32::MAX,
            command_share: 0,
            opening_share: 0,
        })
    }

    /// The turn given to a job of `class` sent away at `now` until
    /// `until_ms` at the earliest (see `line.rs`).
    fn send_away(
        &self,
        now: i64,
        class: WriteClass,
        until_ms: i64,
        reason: &'static str,
    ) -> Timestamp {
        let interval = self.interval.as_millis() as i64;
        let turn = self
            .line
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .book(now, class, until_ms, interval);
        metrics::counter!("sprintbot_write_budget_waits_total", "class" => class.as_str(), "reason" => reason).increment(1);
        Timestamp::from_millisecond(turn).unwrap_or(Timestamp::MAX)
    }

    /// Take a place for one write of the current job's class, right before
    /// it is sent; `Ok` is the time it was counted at. `Err` is the job's
    /// turn, when its writes may go: GitHub said wait, the class's share of
    /// the minute or hour is used up, or a more urgent job's turn is on.
    pub(super) async fn take(&self) -> Result<i64, Timestamp> {
        let class = budget::current_class();
        let interval = self.interval.as_millis() as i64;
        let limits = self.limits();
        loop {
            let now = self.clock.now().as_millisecond();
            let urgent = self
                .line
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .held_back(now, class, interval);
            if let Some(until) = urgent {
                return Err(self.send_away(now, class, until, "priority"));
            }
            let grant = match self.shared_take(now, class, limits, interval).await {
                Some(grant) => grant,
                None => {
                    let mut s = self.local.lock().unwrap_or_else(|e| e.into_inner());
                    let grant = budget::decide(&s, now, class, &limits, interval);
                    if grant == Grant::Go {
                        s.record(now, interval);
                    }
                    grant
                }
            };
            match grant {
                Grant::Go => return Ok(now),
                Grant::Wait {
                    until_ms,
                    why: WaitFor::Pace,
                } => {
                    let wait = (until_ms - now).max(1) as u64;
                    self.clock.sleep(Duration::from_millis(wait)).await;
                }
                Grant::Wait { until_ms, why } => {
                    let reason = match why {
                        WaitFor::Window => "window",
                        _ => "refused",
                    };
                    return Err(self.send_away(now, class, until_ms, reason));
                }
            }
        }
    }

    /// The shared budget's decision, or `None` to decide locally (no
    /// sharing, or the store failed). A refusal this process learned
    /// holds even when the store has not heard of it.
    async fn shared_take(
        &self,
        now: i64,
        class: WriteClass,
        limits: WriteLimits,
        interval: i64,
    ) -> Option<Grant> {
        let (installation, shared) = self.shared.as_ref()?;
        let known = self
            .local
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .limited_until_ms
            .filter(|u| *u > now);
        if let Some(until_ms) = known {
            return Some(Grant::Wait {
                until_ms,
                why: WaitFor::Refused,
            });
        }
        match shared
            .take_write(*installation, now, class, limits, interval)
            .await
        {
            Ok(grant) => Some(grant),
            Err(e) => {
                metrics::counter!("sprintbot_shared_limits_errors_total").increment(1);
                tracing::warn!(installation, error = %e, "cannot use the shared write budget; counting locally");
                None
            }
        }
    }

    /// The write counted at `at_ms` created nothing (GitHub answered 5xx):
    /// it does not use up the budget.
    pub(super) async fn refund(&self, at_ms: i64) {
        {
            let mut s = self.local.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(i) = s.writes.iter().rposition(|t| *t == at_ms) {
                s.writes.remove(i);
            }
        }
        if let Some((installation, shared)) = &self.shared
            && let Err(e) = shared.refund_write(*installation, at_ms).await
        {
            tracing::warn!(installation, error = %e, "cannot uncount a failed write");
        }
    }

    /// GitHub refuses writes until `until`: remember it here and tell the
    /// other processes.
    pub(super) async fn note_limited(&self, until: Timestamp) {
        self.local
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .refused_until(until.as_millisecond());
        if let Some((installation, shared)) = &self.shared
            && let Err(e) = shared
                .note_limited(*installation, until.as_millisecond())
                .await
        {
            tracing::warn!(installation, error = %e, "cannot share a rate limit with the other replicas");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::github::clock::ManualClock;

    /// A clock whose sleeps end only when the test opens the gate, so a
    /// writer can be held mid-wait while GitHub answers another.
    struct GateClock {
        now: ManualClock,
        gate: Arc<tokio::sync::Notify>,
    }

    impl Clock for GateClock {
        fn now(&self) -> Timestamp {
            self.now.now()
        }
        fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
            let (now, gate) = (self.now.clone(), self.gate.clone());
            Box::pin(async move {
                gate.notified().await;
                now.advance(d);
            })
        }
    }

    #[tokio::test]
    async fn a_writer_waiting_its_turn_does_not_write_after_github_said_wait() {
        let now = ManualClock::new("2026-12-07T09:00:00Z".parse().unwrap());
        let gate = Arc::new(tokio::sync::Notify::new());
        let clock = Arc::new(GateClock {
            now: now.clone(),
            gate: gate.clone(),
        });
        let pacer = Arc::new(Pacer::new(
            Duration::from_secs(1),
            Some(WriteLimits::default()),
            clock,
        ));
        // The first job writes; the second waits for its turn...
        assert!(pacer.take().await.is_ok());
        let second = tokio::spawn({
            let pacer = pacer.clone();
            async move { pacer.take().await }
        });
        tokio::task::yield_now().await;
        // ...while GitHub answers the first: wait 3,032 s.
        let until = now.now().checked_add(Duration::from_secs(3032)).unwrap();
        pacer.note_limited(until).await;
        gate.notify_one();
        assert_eq!(second.await.unwrap(), Err(until));
    }

    #[tokio::test]
    async fn the_hour_spent_is_a_wait_until_its_oldest_write_leaves_it() {
        let now = ManualClock::new("2026-12-07T09:00:00Z".parse().unwrap());
        let start = now.now();
        let pacer = Pacer::new(
            Duration::from_secs(1),
            Some(WriteLimits::default()),
            Arc::new(now.clone()),
        );
        let mut written = 0;
        let refused = loop {
            match pacer.take().await {
                Ok(_) => written += 1,
                Err(until) => break until,
            }
        };
        // Outside any job a write is a person's: the whole hour is theirs.
        assert_eq!(written, 500);
        assert_eq!(
            refused,
            start.checked_add(Duration::from_secs(3600)).unwrap()
        );
    }
}
