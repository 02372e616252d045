//! Leases that keep two processes sharing a store from rolling the same
//! repository at once. A lease is short and renewed while its holder works,
//! so a holder that died is replaced within about a minute; a process that
//! finds the lease taken does not wait for it (a job defers itself).

use std::time::Duration;

use crate::github::RepoRef;
use crate::store::Store;

use super::LifecycleError;

pub use crate::work::LEASE_MS;

/// Hold the repository's rollover lease (lasting `ttl_ms` unless renewed,
/// which happens every third of it) while `f` runs. When another live
/// process holds it, wait up to `wait` (0: fail at once with `Busy`). The
/// renewal runs inside the same future as `f`, so whatever stops the holder
/// (a crash, a cancelled job) stops renewing too.
pub async fn leased<T>(
    store: &Store,
    repo: &RepoRef,
    wait: Duration,
    ttl_ms: i64,
    f: impl AsyncFnOnce() -> Result<T, LifecycleError>,
) -> Result<T, LifecycleError> {
    let name = format!("rollover:{}", repo.to_string().to_ascii_lowercase());
    let holder = format!("{}:{}", std::process::id(), rand::random::<u64>());
    let started = std::time::Instant::now();
    while !store.try_lease(&name, &holder, ttl_ms).await? {
        if started.elapsed() >= wait {
            return Err(LifecycleError::Busy(repo.to_string()));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let renew = async {
        let every = Duration::from_millis((ttl_ms / 3).max(1) as u64);
        loop {
            tokio::time::sleep(every).await;
            if !matches!(store.try_lease(&name, &holder, ttl_ms).await, Ok(true)) {
                tracing::warn!(lease = %name, "could not renew the rollover lease");
            }
        }
    };
    let result = tokio::select! {
        result = f() => result,
        never = renew => never,
    };
    store.release_lease(&name, &holder).await?;
    result
}
