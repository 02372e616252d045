//! A job's outcome when its writes met GitHub's limits: deferred to when
//! writes may go again, never retried on a backoff meanwhile; and people's
//! commands first: openings and background jobs stand aside while an
//! installation's commands wait.

use super::JobError;
use crate::github::budget::WriteClass;
use crate::github::line::WRITES_PER_COMMAND;
use crate::store::{Effect, Job, Store};

/// A job that met GitHub's limits (its own write budget, or GitHub saying
/// wait) is deferred to when writes may go again, however its handler
/// reported the failure: never retried on a backoff meanwhile. A permanent
/// failure stays one.
pub(super) fn outcome(
    result: Result<Vec<Effect>, JobError>,
    waited: Option<i64>,
    now_ms: i64,
) -> Result<Vec<Effect>, JobError> {
    let Some(until_ms) = waited.filter(|u| *u > now_ms) else {
        return result;
    };
    match result {
        Err(JobError::Transient(e)) => Err(JobError::Defer {
            until_ms,
            reason: format!("{}: {e}", crate::github::budget::BUDGET_WAIT),
        }),
        Err(JobError::Defer {
            until_ms: at,
            reason,
        }) if at <= until_ms => Err(JobError::Defer {
            until_ms,
            reason: format!("{}: {reason}", crate::github::budget::BUDGET_WAIT),
        }),
        other => other,
    }
}

/// The installation a job of ours (not a webhook's) works for.
fn installation_of(job: &Job) -> Option<u64> {
    if job.kind.starts_with("webhook:") {
        return None;
    }
    #[derive(serde::Deserialize)]
    struct Tenant {
        installation: u64,
    }
    serde_json::from_slice::<Tenant>(&job.payload)
        .ok()
        .map(|t| t.installation)
}

/// People first: an opening or background job of an installation whose
/// people's commands (or their answers) are due stands aside, deferred
/// until their writes are paced (one a second each, `WRITES_PER_COMMAND`
/// a command), before it is run at all.
pub(super) async fn stand_aside(
    store: &Store,
    job: &Job,
    class: WriteClass,
    now_ms: i64,
) -> Option<JobError> {
    if class == WriteClass::Command {
        return None;
    }
    let installation = installation_of(job)?;
    let waiting = match store.people_waiting(installation, now_ms).await {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!(installation, error = %e, "cannot count the commands waiting; running the job");
            return None;
        }
    };
    (waiting > 0).then(|| JobError::Defer {
        until_ms: now_ms + waiting as i64 * WRITES_PER_COMMAND as i64 * 1_000,
        reason: format!(
            "{}: {waiting} of people's commands go first",
            crate::github::budget::BUDGET_WAIT
        ),
    })
}
