//! `installation` webhooks that destroy state are confirmed with GitHub
//! before they act. A signed delivery can be replayed (GitHub signs the
//! body, not the delivery id), so a stale `deleted` or `suspend` event would
//! make the bot forget an installation it still serves, or skip its
//! sprints. Before either is applied, the App's installations are listed
//! (`GET /app/installations`): `deleted` counts only if the installation is
//! gone, `suspend` only if GitHub says it is suspended. An event GitHub
//! does not confirm is logged and changes nothing; a failed look-up is an
//! error, retried, never taken as confirmation.

use std::sync::Arc;

use crate::context::Context;
use crate::events::{self, Event};
use crate::store::{Effect, Job};
use crate::util::BoxFuture;
use crate::worker::{Handler, InstallationHandler, JobError, github_error};

/// The `installation` handler of a server that has an App to ask.
pub struct ConfirmedInstallationHandler(pub Arc<Context>);

impl ConfirmedInstallationHandler {
    async fn run(&self, job: &Job) -> Result<Vec<Effect>, JobError> {
        let event = job.kind.strip_prefix("webhook:").unwrap_or(&job.kind);
        let Ok(Event::Installation(ev)) = events::parse(event, &job.payload) else {
            // Not ours to judge: the plain handler reports a bad payload.
            return InstallationHandler.handle(job).await;
        };
        let destructive = matches!(ev.action.as_str(), "deleted" | "suspend");
        if event == "installation" && destructive {
            let listed = self
                .0
                .github
                .installations_now()
                .await
                .map_err(github_error)?;
            if let Some(list) = listed {
                let now = list.iter().find(|i| i.id == ev.installation);
                let confirmed = match ev.action.as_str() {
                    "deleted" => now.is_none(),
                    _ => now.is_some_and(|i| i.suspended),
                };
                if !confirmed {
                    metrics::counter!("sprintbot_unconfirmed_installation_events_total")
                        .increment(1);
                    tracing::warn!(
                        installation = ev.installation.0,
                        action = %ev.action,
                        delivery = job.delivery_id.as_deref().unwrap_or(""),
                        "GitHub does not confirm this installation event (a replay?): ignored"
                    );
                    return Ok(Vec::new());
                }
            }
        }
        InstallationHandler.handle(job).await
    }
}

impl Handler for ConfirmedInstallationHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(self.run(job))
    }
}
