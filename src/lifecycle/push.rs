//! `push` webhooks: when a push to the default branch changes
//! `.github/sprintbot.toml`, the config is read again at once, so a mistake
//! is reported (or its error issue closed) without waiting for a tick.

use std::sync::Arc;

use serde::Deserialize;

use crate::commands::apply::{CONFIG_PATH, Installations};
use crate::github::{InstallationId, RepoRef};
use crate::store::{Effect, Job, Store};
use crate::worker::{BoxFuture, Handler, JobError};

pub struct PushHandler {
    pub github: Arc<dyn Installations>,
    pub store: Store,
    pub defaults: toml::Table,
}

#[derive(Deserialize)]
struct Push {
    #[serde(rename = "ref")]
    git_ref: String,
    #[serde(default)]
    commits: Vec<Commit>,
    repository: Repo,
    installation: Option<Inst>,
}
#[derive(Deserialize)]
struct Commit {
    #[serde(default)]
    added: Vec<String>,
    #[serde(default)]
    modified: Vec<String>,
    #[serde(default)]
    removed: Vec<String>,
}
#[derive(Deserialize)]
struct Repo {
    full_name: String,
    default_branch: String,
}
#[derive(Deserialize)]
struct Inst {
    id: u64,
}

/// Whether a push touches the repository config on the default branch.
fn touches_config(p: &Push) -> bool {
    p.git_ref == format!("refs/heads/{}", p.repository.default_branch)
        && p.commits.iter().any(|c| {
            c.added
                .iter()
                .chain(&c.modified)
                .chain(&c.removed)
                .any(|f| f == CONFIG_PATH)
        })
}

impl PushHandler {
    async fn run(&self, job: &Job) -> Result<Vec<Effect>, JobError> {
        let p: Push = serde_json::from_slice(&job.payload).map_err(|e| {
            JobError::Permanent(format!(
                "push payload does not have the expected shape: {e}"
            ))
        })?;
        if !touches_config(&p) {
            return Ok(Vec::new());
        }
        let (Some(inst), Some(repo)) = (
            p.installation.as_ref(),
            RepoRef::parse(&p.repository.full_name),
        ) else {
            return Ok(Vec::new());
        };
        let gh = self
            .github
            .client(InstallationId(inst.id))
            .map_err(|e| JobError::Transient(e.to_string()))?;
        super::config::load(gh.as_ref(), &self.store, &repo, &self.defaults)
            .await
            .map_err(|e| JobError::Transient(e.to_string()))?;
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

    fn push(git_ref: &str, modified: &[&str]) -> Push {
        serde_json::from_value(serde_json::json!({
            "ref": git_ref,
            "commits": [{ "added": [], "removed": [], "modified": modified }],
            "repository": { "full_name": "acme/app", "default_branch": "main" },
        }))
        .unwrap()
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

    #[test]
    fn githubs_push_payload_reads() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/github/webhooks/push.json"
        );
        let p: Push = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert!(!touches_config(&p));
    }
}
