//! What one request's body may cost the edge: memory, held as permits
//! weighted by the size the request declares, out of one budget, and time.
//!
//! A body is only read once its signature header is well formed, and only
//! with a permit for its declared `Content-Length` (hyper never hands over
//! more than that); a body of undeclared length is charged the largest a
//! delivery may be. The budget is split in two pools: bodies up to
//! [`SMALL_BODY_BYTES`] (GitHub's are mostly a few kilobytes) draw on one,
//! larger ones on the other, so a flood of large uploads cannot make a
//! small signed delivery wait. The small pool holds
//! `max_connections` bodies of the small size by default, so small bodies
//! are bounded by the connection cap and rarely wait at all. A body that
//! finds no permit within the wait is answered 503 (GitHub records the
//! failure and the delivery can be redelivered), and a body must arrive
//! within its deadline (408).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::MAX_BODY_BYTES;

/// Bodies up to this size draw on the small pool.
pub const SMALL_BODY_BYTES: u64 = 64 * 1024;
/// The memory all bodies being read may hold at once, by default.
pub const BODY_BUDGET_BYTES: u64 = 64 * 1024 * 1024;
/// How long a body waits for its permit before the request is refused (503).
pub const PERMIT_WAIT: Duration = Duration::from_secs(2);
/// A body not fully received by then is refused (408). GitHub itself gives
/// up on a delivery after 10 s.
pub const BODY_DEADLINE: Duration = Duration::from_secs(10);

/// Permits are counted in KiB, so the largest body fits one `u32` request.
const UNIT: u64 = 1024;

/// The memory permits for bodies, shared by every request, and the waits.
#[derive(Clone)]
pub struct BodyLimits {
    small: Arc<Semaphore>,
    large: Arc<Semaphore>,
    large_units: u64,
    wait: Duration,
    deadline: Duration,
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits::new(BODY_BUDGET_BYTES, PERMIT_WAIT, BODY_DEADLINE)
    }
}

/// Held while a body is read and handled; its memory goes back on drop.
pub struct BodyPermit {
    _permit: OwnedSemaphorePermit,
}

impl BodyLimits {
    /// Bodies may hold `budget` bytes at once (half for small bodies, at
    /// most 32 MiB of it), each waiting at most `wait` for its permit and
    /// arriving within `deadline` (the defaults are the constants above).
    pub fn new(budget: u64, wait: Duration, deadline: Duration) -> BodyLimits {
        let units = budget.div_ceil(UNIT).max(2);
        let small = (units / 2).min(32 * 1024 * 1024 / UNIT);
        let large = units - small;
        BodyLimits {
            small: Arc::new(Semaphore::new(small as usize)),
            large: Arc::new(Semaphore::new(large as usize)),
            large_units: large,
            wait,
            deadline,
        }
    }

    /// How long a body may take to arrive.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// A permit for a body of `declared` bytes (`None`: not declared, so
    /// it may be as large as any delivery). `None` when no permit freed up
    /// in time.
    pub async fn admit(&self, declared: Option<u64>) -> Option<BodyPermit> {
        let bytes = declared.unwrap_or(MAX_BODY_BYTES as u64);
        let (pool, units) = if bytes <= SMALL_BODY_BYTES {
            // At least one unit, so even an empty body counts.
            (&self.small, bytes.div_ceil(UNIT).max(1))
        } else {
            (&self.large, bytes.div_ceil(UNIT).min(self.large_units))
        };
        let units = u32::try_from(units).ok()?;
        // Taken at once when there is room, without a trip through the queue.
        if let Ok(permit) = pool.clone().try_acquire_many_owned(units) {
            return Some(BodyPermit { _permit: permit });
        }
        match tokio::time::timeout(self.wait, pool.clone().acquire_many_owned(units)).await {
            Ok(Ok(permit)) => Some(BodyPermit { _permit: permit }),
            _ => None,
        }
    }

    /// Bytes free right now for (small, large) bodies.
    pub fn available(&self) -> (u64, u64) {
        (
            self.small.available_permits() as u64 * UNIT,
            self.large.available_permits() as u64 * UNIT,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1024 * 1024;

    #[tokio::test(start_paused = true)]
    async fn large_bodies_wait_for_memory_and_small_ones_draw_on_their_own_pool() {
        let limits = BodyLimits::new(4 * MIB, PERMIT_WAIT, BODY_DEADLINE);
        assert_eq!(limits.available(), (2 * MIB, 2 * MIB));
        let first = limits.admit(Some(MIB)).await.expect("room for one MiB");
        let second = limits.admit(Some(MIB)).await.expect("room for two");
        assert_eq!(limits.available().1, 0);
        // No memory frees up: refused after the wait.
        assert!(limits.admit(Some(MIB)).await.is_none());
        // A small body is not behind them.
        let small = limits.admit(Some(10 * 1024)).await.expect("small pool");
        assert_eq!(limits.available().0, 2 * MIB - 10 * 1024);
        drop((first, small));
        assert!(limits.admit(Some(MIB)).await.is_some());
        drop(second);
    }

    #[tokio::test(start_paused = true)]
    async fn permits_are_weighted_by_declared_size_until_the_budget_is_spent() {
        let limits = BodyLimits::new(4 * MIB, PERMIT_WAIT, BODY_DEADLINE);
        let mut held = Vec::new();
        // 32 small bodies of 64 KiB fill the small pool exactly.
        for _ in 0..32 {
            held.push(limits.admit(Some(SMALL_BODY_BYTES)).await.expect("room"));
        }
        assert_eq!(limits.available().0, 0);
        assert!(limits.admit(Some(1)).await.is_none());
        held.pop();
        assert!(limits.admit(Some(SMALL_BODY_BYTES)).await.is_some());
    }

    #[tokio::test(start_paused = true)]
    async fn an_undeclared_body_is_charged_as_the_largest_delivery() {
        let limits = BodyLimits::default();
        let (_, large) = limits.available();
        let held = limits.admit(None).await.expect("room for one");
        assert_eq!(limits.available().1, large - MAX_BODY_BYTES as u64);
        drop(held);
        // A body larger than the whole pool still gets the whole pool, so
        // it is read alone rather than never.
        let tiny = BodyLimits::new(2 * MIB, PERMIT_WAIT, BODY_DEADLINE);
        assert!(tiny.admit(None).await.is_some());
    }
}
