//! Queueing the due openings by the opening plan (`plan.rs`): the
//! scheduler's step collects every repository's place and due rollover,
//! and this queues each rollover at its planned time, counts the ones
//! planned for later (log line, gauges) and raises the overdue alarm only
//! past a sprint's planned time.

use jiff::Timestamp;

use super::plan::{Pace, Place, plan_openings};
use super::scheduler::{Scheduler, Step, count};
use crate::store::EnabledRepo;
use crate::work::{self, RolloverJob};

/// A rollover that is due, before it is planned and queued.
pub(super) struct DueOpening {
    pub(super) job: RolloverJob,
    pub(super) key: String,
    pub(super) sprint: String,
    pub(super) instant: Timestamp,
}

/// What the repositories' steps found for the plan.
#[derive(Default)]
pub(super) struct Found {
    pub(super) places: Vec<Place>,
    pub(super) due: Vec<DueOpening>,
}

impl Scheduler {
    /// Queue the due rollovers at their planned times (`plan.rs`): at
    /// once while the hour allows, the rest when it will. A sprint is
    /// overdue once it is late past its planned time, not its instant.
    pub(super) async fn queue_openings(&self, found: Found, now: Timestamp, step: &mut Step) {
        let c = &self.commands;
        let planned = plan_openings(&found.places, &Pace::default());
        let now_ms = now.as_millisecond();
        for due in found.due {
            let at_ms = planned
                .iter()
                .find(|p| p.repo == due.job.repo)
                .map_or(due.instant.as_millisecond(), |p| p.at_ms);
            if at_ms > now_ms {
                step.planned_later += 1;
                let at = Timestamp::from_millisecond(at_ms).ok();
                step.planned_last = step.planned_last.max(at);
            }
            if let Err(e) = self.queue_opening(&due, at_ms, now, step).await {
                count("repository");
                tracing::warn!(repo = %due.job.repo, error = %e, "cannot queue a rollover this step");
            }
            let late = now_ms - at_ms.max(due.instant.as_millisecond());
            if late > self.settings.overdue_ms {
                step.overdue += 1;
                let last = c.store.last_error_under(&due.key).await.ok().flatten();
                tracing::warn!(
                    repo = %due.job.repo,
                    sprint = %due.sprint,
                    minutes_late = late / 60_000,
                    last_error = last.as_deref().unwrap_or("none yet"),
                    "a sprint is still not open after its planned time"
                );
            }
        }
        if step.rollovers_queued > 0 && step.planned_later > 0 {
            tracing::info!(
                now = step.rollovers_queued.saturating_sub(step.planned_later),
                planned = step.planned_later,
                last = %step.planned_last.map(|t| t.to_string()).unwrap_or_default(),
                "more sprints are due than GitHub's hour allows: the rest open by plan"
            );
        }
    }

    /// Queue one due rollover to run at `at_ms`.
    async fn queue_opening(
        &self,
        due: &DueOpening,
        at_ms: i64,
        now: Timestamp,
        step: &mut Step,
    ) -> Result<(), String> {
        let c = &self.commands;
        let mut next_try = work::rollover_job(due.key.clone(), &due.job);
        next_try.run_after_ms = at_ms.max(0);
        // A rollover that failed for good waits before it is tried again,
        // instead of failing the same write every step.
        if c.store
            .dead_since_under(&due.key)
            .await
            .map_err(|e| e.to_string())?
            .is_some()
        {
            next_try.run_after_ms = now.as_millisecond() + self.settings.permanent_retry_ms;
        }
        if c.store
            .enqueue(next_try)
            .await
            .map_err(|e| e.to_string())?
            .is_some()
        {
            step.rollovers_queued += 1;
        }
        Ok(())
    }
}

/// A repository's place in the opening plan.
pub(super) fn place(r: &EnabledRepo, instant: Timestamp, due: bool) -> Place {
    Place {
        installation: r.installation,
        instant_ms: instant.as_millisecond(),
        repo: r.full_name.clone(),
        due,
    }
}
