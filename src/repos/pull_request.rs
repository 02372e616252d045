//! `pull_request` webhooks. A merged pull request queues a `link` job (a
//! goal may link it: see `links`). Opened, synchronize, reopened: when a pull
//! request changes `.github/sprintbot.toml`, its version of the file (read
//! at the head commit) is checked like `check-config` checks a file, and the
//! result is a `sprintbot config` check run on that commit. The file is
//! only read and validated: nothing is cached, no issue is opened, and the
//! config in force does not change until the file is merged.

use std::sync::Arc;

use crate::config::diag::Diagnostic;
use crate::config::repo::{self, Checked, Day};
use crate::context::Context;
use crate::events::{Event, PullRequestEvent};
use crate::github::{GitHub, GitHubError, NewCheckRun, PullFile, RepoRef};
use crate::store::{Effect, Job};
use crate::util::BoxFuture;
use crate::worker::{Handler, JobError, github_error};

use super::CONFIG_PATH;
use super::check_run::{self, Input, Role};

pub struct PullRequestHandler(pub Arc<Context>);

/// What a pull request does to the config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Adds or edits it (or renames another file to it).
    Changed,
    /// Deletes it (or renames it away).
    Removed,
}

/// Whether, and how, a pull request's files touch the config file.
pub fn config_change(files: &[PullFile]) -> Option<Change> {
    files.iter().find_map(|f| {
        if f.filename == CONFIG_PATH {
            Some(if f.status == "removed" {
                Change::Removed
            } else {
                Change::Changed
            })
        } else if f.previous_filename.as_deref() == Some(CONFIG_PATH) {
            Some(Change::Removed)
        } else {
            None
        }
    })
}

impl PullRequestHandler {
    async fn run(&self, job: &Job) -> Result<Vec<Effect>, JobError> {
        let Event::PullRequest(pr) = crate::events::parse("pull_request", &job.payload)
            .map_err(|e| JobError::Permanent(e.to_string()))?
        else {
            return Ok(Vec::new());
        };
        if pr.action == "closed" {
            return Ok(
                crate::links::webhook::pull_request_job(&pr, job.delivery_id.as_deref())
                    .map(Effect::Enqueue)
                    .into_iter()
                    .collect(),
            );
        }
        if !matches!(pr.action.as_str(), "opened" | "synchronize" | "reopened") {
            return Ok(Vec::new());
        }
        let Some(installation) = pr.origin.installation else {
            return Ok(Vec::new());
        };
        let gh = self.0.github.client(installation).map_err(github_error)?;
        let repo = &pr.origin.repo;
        let files = gh
            .pull_request_files(repo, pr.number)
            .await
            .map_err(github_error)?;
        let Some(change) = config_change(&files) else {
            return Ok(Vec::new());
        };
        // The base repository holds a fork's head commit too, so the file is
        // read from there; it is text to validate, never code to run.
        let source = match change {
            Change::Removed => None,
            Change::Changed => gh
                .read_file_at(repo, CONFIG_PATH, &pr.head_sha)
                .await
                .map_err(github_error)?,
        };
        let run = match source {
            None => check_run::removed(CONFIG_PATH, &pr.head_sha),
            Some(source) => self.check(gh.as_ref(), &pr, &source).await?,
        };
        tracing::info!(repo = %repo, pr = pr.number.0, conclusion = run.conclusion.as_str(), "config check run");
        gh.create_check_run(repo, &run)
            .await
            .map_err(github_error)?;
        Ok(Vec::new())
    }

    /// Check the pull request's text of the file.
    async fn check(
        &self,
        gh: &dyn GitHub,
        pr: &PullRequestEvent,
        source: &str,
    ) -> Result<NewCheckRun, JobError> {
        let repo = &pr.origin.repo;
        let now = self.0.clock.now();
        let file = format!("{repo}:{CONFIG_PATH}@{}", pr.head_sha);
        let (defaults, mut notes) = self.defaults_for(gh, repo).await?;
        let (checked, role) = if repo.name == ".github" {
            check_org_copy(&file, source, &defaults, now)
        } else {
            let checked = repo::check(&file, source, &defaults, Some(Day::At(now)));
            (checked, Role::Repository)
        };
        notes.extend(checked.diagnostics);
        Ok(check_run::report(&Input {
            path: CONFIG_PATH,
            file: &file,
            head_sha: &pr.head_sha,
            diagnostics: &notes,
            config: checked.config.as_ref(),
            role,
            trust_templates: !pr.from_fork(),
            now,
        }))
    }

    /// What the file builds on: the deployment's `[defaults]`, overlaid (for
    /// any repository but the organisation's `.github`) by the copy on the
    /// `.github` repository's default branch. A broken copy there is
    /// reported and left out.
    async fn defaults_for(
        &self,
        gh: &dyn GitHub,
        repo: &RepoRef,
    ) -> Result<(toml::Table, Vec<Diagnostic>), JobError> {
        let mut defaults = self.0.defaults.clone();
        let org = RepoRef::new(repo.owner.clone(), ".github");
        if org == *repo {
            return Ok((defaults, Vec::new()));
        }
        let text = match gh.read_file(&org, CONFIG_PATH).await {
            Ok(text) => text,
            // No access to the organisation's `.github` reads as no file,
            // as it does for the loader.
            Err(GitHubError::Forbidden { .. }) => None,
            Err(e) => return Err(github_error(e)),
        };
        let Some(text) = text else {
            return Ok((defaults, Vec::new()));
        };
        let name = format!("{org}:{CONFIG_PATH}");
        match toml::from_str::<toml::Table>(&text) {
            Ok(table) => {
                repo::merge(&mut defaults, table);
                Ok((defaults, Vec::new()))
            }
            Err(e) => {
                let d = Diagnostic::from_toml(&name, &text, &e).with_help(
                    "this pull request is checked without the organisation's defaults until that file is fixed",
                );
                Ok((defaults, vec![d]))
            }
        }
    }
}

/// The organisation `.github` repository's copy is that repository's own
/// config and every other repository's defaults: complete and valid, it
/// gets a preview; otherwise it is checked for what it says, with a
/// stand-in for the one key a repository's own file may supply (the
/// cadence anchor).
fn check_org_copy(
    file: &str,
    source: &str,
    defaults: &toml::Table,
    now: jiff::Timestamp,
) -> (Checked, Role) {
    let full = repo::check(file, source, defaults, Some(Day::At(now)));
    if full.config.is_some() {
        return (full, Role::Repository);
    }
    let mut filled = toml::Table::new();
    let mut cadence = toml::Table::new();
    cadence.insert("anchor".into(), toml::Value::String("2000-01-03".into()));
    filled.insert("cadence".into(), toml::Value::Table(cadence));
    repo::merge(&mut filled, defaults.clone());
    (repo::check(file, source, &filled, None), Role::OrgDefaults)
}

impl Handler for PullRequestHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(self.run(job))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, status: &str, previous: Option<&str>) -> PullFile {
        PullFile {
            filename: name.into(),
            status: status.into(),
            previous_filename: previous.map(String::from),
        }
    }

    #[test]
    fn only_changes_to_the_config_file_count() {
        assert_eq!(config_change(&[file("src/lib.rs", "modified", None)]), None);
        assert_eq!(
            config_change(&[file(CONFIG_PATH, "added", None)]),
            Some(Change::Changed)
        );
        assert_eq!(
            config_change(&[file(CONFIG_PATH, "removed", None)]),
            Some(Change::Removed)
        );
        assert_eq!(
            config_change(&[file("old.toml", "renamed", Some(CONFIG_PATH))]),
            Some(Change::Removed)
        );
    }

    #[test]
    fn an_org_copy_with_only_defaults_is_valid_as_defaults() {
        let now = "2022-11-16T12:00:00Z".parse().unwrap();
        let (checked, role) = check_org_copy(
            "o/.github",
            "[cadence]\ntimezone = \"Europe/London\"\n",
            &toml::Table::new(),
            now,
        );
        assert_eq!(role, Role::OrgDefaults);
        assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
        let (checked, _) = check_org_copy(
            "o/.github",
            "[cadence]\ntimezone = \"Europe/Lodnon\"\n",
            &toml::Table::new(),
            now,
        );
        assert_eq!(checked.diagnostics[0].line, 2);
    }
}
