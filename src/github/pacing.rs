//! Write pacing and rate-limit state for one identity. GitHub asks for a
//! pause between writes and limits requests per installation, not per
//! process: with [`SharedLimits`] (the store, in `serve`), every replica
//! takes its write slots from one sequence per installation and learns at
//! its next write that another replica hit a rate limit. Without it (one
//! process, the one-shot mode), pacing is local.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;

use super::clock::Clock;
use crate::util::BoxFuture;

/// An installation's next write slot and, when any process saw a rate
/// limit, the time GitHub takes requests again (both in Unix ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedSlot {
    pub at_ms: i64,
    pub limited_until_ms: Option<i64>,
}

/// Limits shared by every process acting as one installation.
pub trait SharedLimits: Send + Sync {
    /// Reserve the installation's next write slot, `interval_ms` after the
    /// last one any process reserved (or `now_ms`, if later).
    fn reserve_write(
        &self,
        installation: u64,
        now_ms: i64,
        interval_ms: i64,
    ) -> BoxFuture<'_, Result<SharedSlot, String>>;
    /// Tell every process that GitHub refuses the installation's requests
    /// until `until_ms`.
    fn note_limited(&self, installation: u64, until_ms: i64) -> BoxFuture<'_, Result<(), String>>;
}

/// One identity's pacing: shared when it is an installation with shared
/// limits, local otherwise.
pub(super) struct Pacer {
    interval: Duration,
    clock: Arc<dyn Clock>,
    last_write: tokio::sync::Mutex<Option<Timestamp>>,
    shared: Option<(u64, Arc<dyn SharedLimits>)>,
}

impl Pacer {
    pub(super) fn new(interval: Duration, clock: Arc<dyn Clock>) -> Pacer {
        Pacer {
            interval,
            clock,
            last_write: tokio::sync::Mutex::new(None),
            shared: None,
        }
    }

    pub(super) fn share(&mut self, installation: u64, limits: Arc<dyn SharedLimits>) {
        self.shared = Some((installation, limits));
    }

    /// Wait for this identity's next write slot. Returns the time GitHub
    /// refuses requests until, when another process saw a rate limit.
    pub(super) async fn wait_for_slot(&self) -> Option<Timestamp> {
        if let Some((installation, shared)) = &self.shared {
            let now = self.clock.now();
            let interval = self.interval.as_millis() as i64;
            match shared
                .reserve_write(*installation, now.as_millisecond(), interval)
                .await
            {
                Ok(slot) => {
                    if let Some(until) = slot.limited_until_ms.filter(|u| *u > now.as_millisecond())
                    {
                        return Timestamp::from_millisecond(until).ok();
                    }
                    let wait = (slot.at_ms - now.as_millisecond()).max(0) as u64;
                    if wait > 0 {
                        self.clock.sleep(Duration::from_millis(wait)).await;
                    }
                    return None;
                }
                Err(e) => {
                    metrics::counter!("sprintbot_shared_limits_errors_total").increment(1);
                    tracing::warn!(installation, error = %e, "cannot reserve a shared write slot; pacing locally");
                }
            }
        }
        self.wait_locally().await;
        None
    }

    /// One write per interval in this process: later writers wait their turn.
    async fn wait_locally(&self) {
        let mut last = self.last_write.lock().await;
        if let Some(prev) = *last {
            let next = prev.checked_add(self.interval).unwrap_or(prev);
            let now = self.clock.now();
            if next > now {
                let wait = Duration::try_from(next.duration_since(now)).unwrap_or_default();
                self.clock.sleep(wait).await;
            }
        }
        *last = Some(self.clock.now());
    }

    /// Tell the other processes that GitHub refuses requests until `until`.
    pub(super) async fn note_limited(&self, until: Timestamp) {
        if let Some((installation, shared)) = &self.shared
            && let Err(e) = shared
                .note_limited(*installation, until.as_millisecond())
                .await
        {
            tracing::warn!(installation, error = %e, "cannot share a rate limit with the other replicas");
        }
    }
}
