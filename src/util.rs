//! Small vocabulary every layer shares, below all of them: the boxed future
//! that lets async traits live behind `dyn`, and the retry delay curve used
//! both by the GitHub transport and by the job queue.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed future, so handlers and the GitHub interface can live behind `dyn`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The delay before attempt `failed + 1`: `base * 2^(failed-1)` capped at
/// `max`, of which the upper half is random ("equal jitter"), so delays grow
/// with every attempt and retries of many jobs do not stampede. `rand01` is
/// in [0, 1).
pub fn backoff(failed: u32, base_ms: u64, max_ms: u64, rand01: f64) -> Duration {
    let exp = failed.saturating_sub(1).min(32);
    let full = base_ms.saturating_mul(1u64 << exp).min(max_ms);
    let half = full / 2;
    Duration::from_millis(half + (half as f64 * rand01.clamp(0.0, 1.0)) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let lo: Vec<_> = (1..=5)
            .map(|a| backoff(a, 100, 1000, 0.0).as_millis())
            .collect();
        let hi: Vec<_> = (1..=5)
            .map(|a| backoff(a, 100, 1000, 0.999).as_millis())
            .collect();
        assert_eq!(lo, vec![50, 100, 200, 400, 500]);
        // Every possible delay of attempt n+1 is at least every delay of attempt n.
        for n in 0..3 {
            assert!(lo[n + 1] >= hi[n], "{lo:?} {hi:?}");
        }
        assert!(hi[4] <= 1000);
        assert_eq!(backoff(200, 100, 1000, 0.5).as_millis(), 750);
    }
}
