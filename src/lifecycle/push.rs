//! `push` webhooks: when a push to the default branch changes
//! `.github/sprintbot.toml`, the cached config is forgotten and read again
//! at once, so a mistake is reported (or its error issue closed) without
//! waiting.

use std::sync::Arc;

use crate::commands::Commands;
use crate::events::{Event, PushEvent};
use crate::repos::CONFIG_PATH;
use crate::store::{Effect, Job, RepoKey};
use crate::util::BoxFuture;
use crate::worker::{Handler, JobError, github_error};

pub struct PushHandler(pub Arc<Commands>);

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
        c.store
            .forget_config(RepoKey {
                full_name: repo.to_string(),
                id: Some(p.origin.repo_id),
            })
            .await
            .map_err(|e| JobError::Transient(e.to_string()))?;
        let gh = c.github.client(installation).map_err(github_error)?;
        let bot = c.github.bot_login().await.map_err(github_error)?;
        c.config(gh.as_ref(), repo, Some(p.origin.repo_id), &bot)
            .await?;
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
