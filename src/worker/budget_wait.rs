//! A job's outcome when its writes met GitHub's limits: deferred to when
//! writes may go again, never retried on a backoff meanwhile.

use super::JobError;
use crate::store::Effect;

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
