//! Leases that keep two processes sharing a store from rolling the same
//! repository at once. A lease is short and renewed while its holder works,
//! so a holder that died is replaced within about a minute; a process that
//! finds the lease taken does not wait for it (a job defers itself).

use std::time::Duration;

use crate::github::RepoRef;
use crate::store::Store;

use super::LifecycleError;

/// How long a lease lasts unless renewed.
pub const LEASE_MS: i64 = 45_000;
/// How often a holder renews it.
const RENEW_EVERY: Duration = Duration::from_secs(15);

/// Hold the repository's rollover lease while `f` runs. When another live
/// process holds it, wait up to `wait` (0: fail at once with `Busy`).
pub async fn leased<T>(
    store: &Store,
    repo: &RepoRef,
    wait: Duration,
    f: impl AsyncFnOnce() -> Result<T, LifecycleError>,
) -> Result<T, LifecycleError> {
    let name = format!("rollover:{}", repo.to_string().to_ascii_lowercase());
    let holder = format!("{}:{}", std::process::id(), rand::random::<u64>());
    let started = std::time::Instant::now();
    while !store.try_lease(&name, &holder, LEASE_MS).await? {
        if started.elapsed() >= wait {
            return Err(LifecycleError::Busy(repo.to_string()));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let renew = {
        let (store, name, holder) = (store.clone(), name.clone(), holder.clone());
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(RENEW_EVERY).await;
                if !matches!(store.try_lease(&name, &holder, LEASE_MS).await, Ok(true)) {
                    tracing::warn!(lease = %name, "could not renew the rollover lease");
                }
            }
        })
    };
    let result = f().await;
    renew.abort();
    store.release_lease(&name, &holder).await?;
    result
}
