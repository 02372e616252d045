//! When the opening plan (`lifecycle::plan`) expects a due sprint to open,
//! computed as the scheduler does: from the store's enabled repositories
//! of the installation and their cached configs, without a GitHub call.

use jiff::Timestamp;

use crate::context::Context;
use crate::github::RepoRef;
use crate::lifecycle::next::{self, Next};
use crate::lifecycle::plan::{Pace, Place, plan_openings};

impl Context {
    /// The planned opening of `repo`'s due sprint.
    pub(super) async fn planned_opening(
        &self,
        repo: &RepoRef,
        now: Timestamp,
    ) -> Option<Timestamp> {
        let name = repo.to_string();
        let repos = self.store.enabled_repos().await.ok()?;
        let installation = repos
            .iter()
            .find(|r| r.full_name.eq_ignore_ascii_case(&name))?
            .installation;
        let mut places = Vec::new();
        for r in repos.iter().filter(|r| r.installation == installation) {
            let Some(parsed) = RepoRef::parse(&r.full_name) else {
                continue;
            };
            let Ok(Some(config)) =
                crate::repos::cached(&self.store, &self.defaults, &parsed, r.repo_id).await
            else {
                continue;
            };
            let (calendar, current) = next::calendar(&config, r.current_sprint.as_deref());
            let Some(latest) = calendar.due(now) else {
                continue;
            };
            places.push(Place {
                installation,
                instant_ms: latest.opens_at.as_millisecond(),
                repo: r.full_name.clone(),
                due: matches!(next::next(&calendar, current, now), Next::Due(_)),
            });
        }
        plan_openings(&places, &Pace::default())
            .into_iter()
            .find(|p| p.repo.eq_ignore_ascii_case(&name))
            .and_then(|p| Timestamp::from_millisecond(p.at_ms).ok())
    }
}
