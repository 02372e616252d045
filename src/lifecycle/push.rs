//! `push` webhooks: when a push to the default branch changes
//! `.github/sprintbot.toml`, the cached config is forgotten and read again
//! at once, so a mistake is reported (or its error issue closed) without
//! waiting, and a repository whose config just appeared opens its sprint.
//! A push to the organisation's `.github` repository's copy makes every
//! repository of that owner read its config again.

use std::sync::Arc;

use crate::context::Context;
use crate::events::{Event, PushEvent};
use crate::repos::CONFIG_PATH;
use crate::store::{Effect, Job, RepoKey};
use crate::util::BoxFuture;
use crate::work::{self, JobKind, RepoJob};
use crate::worker::{Handler, JobError, github_error};

pub struct PushHandler(pub Arc<Context>);

/// Whether a push touches the repository config on the default branch.
pub fn touches_config(p: &PushEvent) -> bool {
    p.to_default_branch() && p.files.iter().any(|f| f == CONFIG_PATH)
}

impl PushHandler {
    async fn run(&self, job: &Job) -> Result<Vec<Effect>, JobError> {
        let Event::Push(p) = crate::events::parse("push", &job.payload)
            .map_err(|e| JobError::Permanent(e.to_string()))?
        else {
            return Ok(Vec::new());
        };
        if !touches_config(&p) {
            return Ok(Vec::new());
        }
        let Some(installation) = p.origin.installation else {
            return Ok(Vec::new());
        };
        let c = &self.0;
        let repo = &p.origin.repo;
        let store_err = |e: crate::store::StoreError| JobError::Transient(e.to_string());
        c.store
            .forget_config(RepoKey {
                full_name: repo.to_string(),
                id: Some(p.origin.repo_id),
            })
            .await
            .map_err(store_err)?;
        if repo.name == ".github" {
            // The organisation's defaults changed: every repository of this
            // owner that runs sprints reads its config again.
            let mut effects = Vec::new();
            for r in c.store.enabled_repos().await.map_err(store_err)? {
                let owner = r.full_name.split('/').next().unwrap_or("");
                if owner.eq_ignore_ascii_case(&repo.owner) && r.installation == installation.0 {
                    let job = RepoJob {
                        installation: r.installation,
                        repo: r.full_name,
                        repo_id: r.repo_id,
                    };
                    effects.push(Effect::Enqueue(work::repo_job(JobKind::Revalidate, &job)));
                }
            }
            return Ok(effects);
        }
        let was_enabled = c
            .store
            .enabled_repos()
            .await
            .map_err(store_err)?
            .iter()
            .any(|r| {
                r.repo_id == Some(p.origin.repo_id)
                    || r.full_name.eq_ignore_ascii_case(&repo.to_string())
            });
        let gh = c.github.client(installation).map_err(github_error)?;
        let bot = c.github.bot_login().await.map_err(github_error)?;
        let loaded = c
            .config(gh.as_ref(), repo, Some(p.origin.repo_id), &bot)
            .await?;
        c.wake.notify_one();
        if loaded.enabled && !was_enabled && loaded.config.is_some() {
            return Ok(vec![super::discovery::open_now(
                installation.0,
                repo,
                Some(p.origin.repo_id),
            )]);
        }
        Ok(Vec::new())
    }
}

impl Handler for PushHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(self.run(job))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(git_ref: &str, modified: &[&str]) -> PushEvent {
        let body = serde_json::json!({
            "ref": git_ref,
            "commits": [{ "added": [], "removed": [], "modified": modified }],
            "repository": { "id": 1, "full_name": "acme/app", "default_branch": "main" },
            "sender": { "login": "ann" },
        });
        match crate::events::parse("push", body.to_string().as_bytes()).unwrap() {
            Event::Push(p) => p,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn only_config_changes_on_the_default_branch_count() {
        assert!(touches_config(&push(
            "refs/heads/main",
            &["README.md", ".github/sprintbot.toml"]
        )));
        assert!(!touches_config(&push(
            "refs/heads/feature",
            &[".github/sprintbot.toml"]
        )));
        assert!(!touches_config(&push("refs/heads/main", &["src/lib.rs"])));
    }
}
