//! The `sprintbot: configuration error` issue: one per repository, opened
//! when its config file is broken, updated while it stays broken, and closed
//! once the file is valid again. Only an issue sprintbot's own account wrote
//! is ever updated or closed.

use crate::config::diag::Diagnostic;
use crate::github::{
    GitHub, GitHubError, Issue, IssueState, IssueUpdate, NewIssue, RepoRef, StateFilter,
};
use crate::sprint::Login;

use super::CONFIG_PATH;

pub const ERROR_TITLE: &str = "sprintbot: configuration error";
const ERROR_MARKER: &str = "<!-- sprintbot:config-error -->";
/// The label of the bot's own notices (not sprint issues).
pub const NOTICE_LABEL: &str = "sprintbot";

pub(crate) fn is_error_issue(issue: &Issue, bot: &Login) -> bool {
    issue.author == *bot && crate::sprint::markers::has_marker_line(&issue.body, ERROR_MARKER)
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
    // Diagnostics quote the file: many of them must still fit GitHub's limit.
    crate::sprint::moving::bounded(s)
}

/// Open or update the error issue with `diags`.
pub(super) async fn report(
    gh: &dyn GitHub,
    repo: &RepoRef,
    bot: &Login,
    diags: &[Diagnostic],
) -> Result<(), GitHubError> {
    let body = error_body(diags);
    gh.ensure_label(repo, NOTICE_LABEL).await?;
    let open = gh
        .list_issues(repo, NOTICE_LABEL, StateFilter::Open)
        .await?;
    match open.iter().find(|i| is_error_issue(i, bot)) {
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

/// Close the error issue, if one is open: the file is valid again.
pub(super) async fn resolve(
    gh: &dyn GitHub,
    repo: &RepoRef,
    bot: &Login,
) -> Result<(), GitHubError> {
    let open = gh.list_issues(repo, NOTICE_LABEL, StateFilter::Open).await;
    let open = match open {
        Ok(o) => o,
        // No such label yet: there has never been an error issue.
        Err(GitHubError::NotFound { .. }) => return Ok(()),
        Err(e) => return Err(e),
    };
    for issue in open.iter().filter(|i| is_error_issue(i, bot)) {
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

/// Report a problem found outside the file itself (a template that does not
/// render when a sprint opens) in the repository's configuration-error
/// issue: opened once, updated only when the text changes.
pub async fn report_problem(
    gh: &dyn GitHub,
    repo: &RepoRef,
    bot: &Login,
    problem: &str,
) -> Result<(), GitHubError> {
    let d = Diagnostic::whole_file(&format!("{repo}:{CONFIG_PATH}"), problem.to_string());
    report(gh, repo, bot, &[d]).await
}
