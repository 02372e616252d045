//! Reading a repository's config for the lifecycle: a valid file is kept as
//! the last good one; a broken file leaves the last good one in force and is
//! reported in one `sprintbot: configuration error` issue (file, line,
//! column, fix), updated while broken and closed once fixed.

use crate::commands::apply::CONFIG_PATH;
use crate::config::diag::Diagnostic;
use crate::config::repo::{self, RepoConfig};
use crate::github::{GitHub, GitHubError, IssueState, IssueUpdate, NewIssue, RepoRef, StateFilter};
use crate::store::Store;

use super::LifecycleError;

pub const ERROR_TITLE: &str = "sprintbot: configuration error";
const ERROR_MARKER: &str = "<!-- sprintbot:config-error -->";
/// The label of the bot's own notices (not sprint issues).
pub const NOTICE_LABEL: &str = "sprintbot";

/// The defaults a repository's file builds on: the deployment's
/// `[defaults]`, overlaid by the organisation's `.github` repository's
/// `.github/sprintbot.toml` when there is one.
pub async fn defaults_for(
    gh: &dyn GitHub,
    repo: &RepoRef,
    deployment: &toml::Table,
) -> Result<Result<toml::Table, Vec<Diagnostic>>, GitHubError> {
    let org = RepoRef::new(repo.owner.clone(), ".github");
    if org == *repo {
        return Ok(Ok(deployment.clone()));
    }
    let Some(source) = gh.read_file(&org, CONFIG_PATH).await.or_else(|e| match e {
        // No org `.github` repository, or no access to it: no org defaults.
        GitHubError::NotFound { .. } | GitHubError::Forbidden { .. } => Ok(None),
        e => Err(e),
    })?
    else {
        return Ok(Ok(deployment.clone()));
    };
    let file = format!("{org}:{CONFIG_PATH}");
    match toml::from_str::<toml::Table>(&source) {
        Ok(table) => {
            let mut merged = deployment.clone();
            repo::merge(&mut merged, table);
            Ok(Ok(merged))
        }
        Err(e) => Ok(Err(vec![Diagnostic::from_toml(&file, &source, &e)])),
    }
}

/// The config in force for `repo`, or `None` when the repository has no
/// config (sprintbot is not enabled there).
pub async fn load(
    gh: &dyn GitHub,
    store: &Store,
    repo: &RepoRef,
    deployment: &toml::Table,
) -> Result<Option<RepoConfig>, LifecycleError> {
    let Some(source) = gh.read_file(repo, CONFIG_PATH).await? else {
        return Ok(None);
    };
    let file = format!("{repo}:{CONFIG_PATH}");
    let parsed = match defaults_for(gh, repo, deployment).await? {
        Ok(defaults) => repo::parse(&file, &source, &defaults).map(|c| (c, defaults)),
        Err(diags) => Err(diags),
    };
    match parsed {
        Ok((config, _)) => {
            store.save_good_config(&repo.to_string(), &source).await?;
            resolve_error_issue(gh, repo).await?;
            Ok(Some(config))
        }
        Err(diags) => {
            report_error(gh, repo, &diags).await?;
            let last = store.good_config(&repo.to_string()).await?;
            Ok(last.and_then(|src| repo::parse(&file, &src, deployment).ok()))
        }
    }
}

fn error_body(diags: &[Diagnostic]) -> String {
    let mut s = format!(
        "{ERROR_MARKER}\nsprintbot cannot use `{CONFIG_PATH}` as it is now, so the last valid version stays in force until it is fixed:\n\n"
    );
    for d in diags {
        let place = if d.line == 0 {
            String::new()
        } else {
            format!("line {}, column {}: ", d.line, d.column)
        };
        s.push_str(&format!("- {place}{}\n", d.message));
        if let Some(help) = &d.help {
            s.push_str(&format!("  - fix: {help}\n"));
        }
    }
    s.push_str("\nCheck a change locally with `sprintbot check-config .github/sprintbot.toml`. This issue closes itself once the file is valid.\n");
    s
}

async fn report_error(
    gh: &dyn GitHub,
    repo: &RepoRef,
    diags: &[Diagnostic],
) -> Result<(), GitHubError> {
    let body = error_body(diags);
    gh.ensure_label(repo, NOTICE_LABEL).await?;
    let open = gh
        .list_issues(repo, NOTICE_LABEL, StateFilter::Open)
        .await?;
    match open.iter().find(|i| i.body.contains(ERROR_MARKER)) {
        Some(issue) if issue.body == body => Ok(()),
        Some(issue) => gh
            .update_issue(
                repo,
                issue.number,
                &IssueUpdate {
                    body: Some(body),
                    ..Default::default()
                },
            )
            .await
            .map(|_| ()),
        None => {
            let new = NewIssue {
                title: ERROR_TITLE.into(),
                body,
                labels: vec![NOTICE_LABEL.into()],
            };
            gh.create_issue(repo, &new, ERROR_MARKER).await.map(|_| ())
        }
    }
}

async fn resolve_error_issue(gh: &dyn GitHub, repo: &RepoRef) -> Result<(), GitHubError> {
    let open = gh.list_issues(repo, NOTICE_LABEL, StateFilter::Open).await;
    let open = match open {
        Ok(o) => o,
        // No such label yet: there has never been an error issue.
        Err(GitHubError::NotFound { .. }) => return Ok(()),
        Err(e) => return Err(e),
    };
    for issue in open.iter().filter(|i| i.body.contains(ERROR_MARKER)) {
        gh.create_comment(
            repo,
            issue.number,
            "The configuration is valid again: closing. ✅",
            None,
        )
        .await?;
        gh.update_issue(
            repo,
            issue.number,
            &IssueUpdate {
                state: Some(IssueState::Closed),
                ..Default::default()
            },
        )
        .await?;
    }
    Ok(())
}
