//! Start-up redelivery: asking GitHub to send again the webhooks that
//! failed while sprintbot was down (a redelivery keeps its GUID, so the
//! store's dedupe makes asking twice harmless). The scheduler runs it in
//! the background from its first step on (`Scheduler::run`), so an opening
//! never waits for it. It asks only for deliveries worth having again: an
//! event sprintbot handles, not yet in the store, and not one it refused
//! on purpose (a 4xx it chose: a bad signature, a body too large, not
//! JSON; the same bytes would be refused the same way at every restart).
//! It asks in batches, [`BATCH`] requests at once, one batch per
//! [`PAUSE`]: 120 a minute, under GitHub's secondary limit on writes, on a
//! line of its own so the App's token mints never queue behind it.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use jiff::Timestamp;

use super::scheduler::Scheduler;
use crate::github::deliveries::Delivery;

/// Redelivery requests sent at once.
pub const BATCH: usize = 10;
/// The wait between two batches.
pub const PAUSE: Duration = Duration::from_secs(5);

fn count(scope: &'static str) {
    metrics::counter!("sprintbot_scheduler_errors_total", "scope" => scope).increment(1);
}

/// Whether an event has a handler (`ping` is only an answer to itself).
fn handled(event: &str) -> bool {
    event != "ping" && crate::worker::job_kind_for(event).is_some()
}

/// The GUIDs worth asking for again among failed delivery attempts
/// (several attempts of one GUID are one delivery), oldest first.
pub fn wanted(failed: &[Delivery]) -> Vec<&Delivery> {
    let refused: HashSet<&str> = failed
        .iter()
        .filter(|d| crate::webhook::refused_on_purpose(d.status_code))
        .map(|d| d.guid.as_str())
        .collect();
    let mut newest: HashMap<&str, &Delivery> = HashMap::new();
    for d in failed {
        if handled(&d.event) && !refused.contains(d.guid.as_str()) {
            let kept = newest.entry(&d.guid).or_insert(d);
            if d.delivered_at > kept.delivered_at {
                *kept = d;
            }
        }
    }
    let mut out: Vec<&Delivery> = newest.into_values().collect();
    out.sort_by_key(|d| (d.delivered_at, d.id));
    out
}

impl Scheduler {
    /// Ask GitHub to send again every delivery that failed recently, that
    /// sprintbot wants (see [`wanted`]) and that the store has not got.
    /// Returns how many it asked for.
    pub async fn redeliver_failed(&self) -> usize {
        let now = self.commands.clock.now();
        let since = Timestamp::from_millisecond(now.as_millisecond() - self.settings.redeliver_ms)
            .unwrap_or(now);
        let failed = match self.app.failed_deliveries(since).await {
            Ok(f) => f,
            Err(e) => {
                count("deliveries");
                tracing::warn!(error = %e, "cannot list failed webhook deliveries");
                return 0;
            }
        };
        let mut todo = Vec::new();
        for d in wanted(&failed) {
            match self.commands.store.delivery_event(&d.guid).await {
                Ok(Some(_)) => {}
                Ok(None) => todo.push((d.id, d.guid.clone())),
                Err(e) => tracing::warn!(error = %e, "cannot check a delivery"),
            }
        }
        let mut asked = 0;
        for (i, batch) in todo.chunks(BATCH).enumerate() {
            if i > 0 {
                self.commands.clock.sleep(PAUSE).await;
            }
            let mut requests = tokio::task::JoinSet::new();
            for (id, guid) in batch.iter().cloned() {
                let app = self.app.clone();
                requests.spawn(async move { (guid, app.redeliver(id).await) });
            }
            while let Some(done) = requests.join_next().await {
                match done {
                    Ok((_, Ok(()))) => asked += 1,
                    Ok((guid, Err(e))) => {
                        count("redelivery");
                        tracing::warn!(delivery = %guid, error = %e, "cannot ask for a redelivery");
                    }
                    Err(e) => tracing::warn!(error = %e, "a redelivery request stopped"),
                }
            }
        }
        if asked > 0 {
            tracing::info!(
                deliveries = asked,
                "asked GitHub to redeliver failed webhooks"
            );
        }
        asked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(id: u64, guid: &str, event: &str, status: u16) -> Delivery {
        Delivery {
            id,
            guid: guid.into(),
            delivered_at: Timestamp::from_second(id as i64).unwrap(),
            status_code: status,
            event: event.into(),
        }
    }

    #[test]
    fn only_handled_events_not_refused_on_purpose_are_asked_for_once_each() {
        let failed = [
            d(1, "a", "issues", 0),
            d(2, "a", "issues", 502),
            d(3, "b", "issue_comment", 401),
            d(4, "c", "push", 413),
            d(5, "d", "star", 0),
            d(6, "e", "ping", 0),
            d(7, "f", "pull_request", 503),
            d(8, "g", "issues", 408),
            d(9, "h", "issues", 0),
            d(10, "h", "issues", 400),
        ];
        let ids: Vec<u64> = wanted(&failed).iter().map(|d| d.id).collect();
        assert_eq!(ids, [2, 7, 8]);
    }
}
