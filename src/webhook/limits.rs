//! What one request may cost the edge. A delivery's body is only read once
//! its signature header is well formed; bodies over [`SMALL_BODY_BYTES`]
//! (rare: GitHub's are mostly a few kilobytes) need one of a few permits,
//! so a flood of large uploads holds at most `LARGE_BODIES` of them in
//! memory while small signed deliveries keep flowing; and a body must
//! arrive within [`BODY_DEADLINE`].

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Bodies up to this size are read without a permit.
pub const SMALL_BODY_BYTES: u64 = 1024 * 1024;
/// At most this many larger bodies are read at once.
pub const LARGE_BODIES: usize = 4;
/// How long a large body waits for a permit before the request is refused
/// (503: GitHub records the failure and the delivery can be redelivered).
pub const LARGE_BODY_WAIT: Duration = Duration::from_secs(5);
/// A body not fully received by then is refused (408).
pub const BODY_DEADLINE: Duration = Duration::from_secs(30);

/// The permits for large bodies, shared by every request, and the waits.
#[derive(Clone)]
pub struct BodyLimits {
    large: Arc<Semaphore>,
    wait: Duration,
    deadline: Duration,
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits::new(LARGE_BODIES, LARGE_BODY_WAIT, BODY_DEADLINE)
    }
}

/// Holds a large body's permit while it is read and handled.
pub enum BodyPermit {
    Small,
    Large { _permit: OwnedSemaphorePermit },
}

impl BodyLimits {
    /// `large` bodies at once, each waiting at most `wait` for its permit and
    /// arriving within `deadline` (the defaults are the constants above).
    pub fn new(large: usize, wait: Duration, deadline: Duration) -> BodyLimits {
        BodyLimits {
            large: Arc::new(Semaphore::new(large)),
            wait,
            deadline,
        }
    }

    /// How long a body may take to arrive.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// A permit for a body of `declared` bytes (`None`: not declared, so
    /// it may be large). `None` when no permit freed up in time.
    pub async fn admit(&self, declared: Option<u64>) -> Option<BodyPermit> {
        if declared.is_some_and(|n| n <= SMALL_BODY_BYTES) {
            return Some(BodyPermit::Small);
        }
        match tokio::time::timeout(self.wait, self.large.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Some(BodyPermit::Large { _permit: permit }),
            _ => None,
        }
    }

    /// How many bodies over the small size can be read right now.
    pub fn large_available(&self) -> usize {
        self.large.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn large_bodies_wait_for_a_permit_and_small_ones_never_do() {
        let limits = BodyLimits::default();
        let mut held = Vec::new();
        for _ in 0..LARGE_BODIES {
            held.push(limits.admit(Some(SMALL_BODY_BYTES + 1)).await.unwrap());
        }
        assert_eq!(limits.large_available(), 0);
        assert!(matches!(
            limits.admit(Some(10)).await,
            Some(BodyPermit::Small)
        ));
        // No permit frees up: refused after the wait.
        assert!(limits.admit(None).await.is_none());
        held.pop();
        assert!(matches!(
            limits.admit(None).await,
            Some(BodyPermit::Large { .. })
        ));
    }
}
