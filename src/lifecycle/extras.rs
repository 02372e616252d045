//! The optional steps of a rollover on the new issue, after its team
//! comments and before the previous issue is closed (so an opening cut short
//! between them is finished by the next run): the health summary comment,
//! pinned (`[switches] pin_summary`), and the sub-issues that move over
//! from the previous sprint issue (`[switches] goals_as_sub_issues`). Each
//! looks for its own earlier effect first.

use super::LifecycleError;
use super::Repo;
use crate::github::{Comment, CommentId, GitHubError, Issue};
use crate::links::sub_issues::{self, Wanted};
use crate::sprint::SprintId;
use crate::sprint::body::SprintDoc;
use crate::sprint::health::section::summary_marker;

/// Post the summary comment unless it is there, and pin it. GitHub versions
/// without comment pins (GitHub Enterprise Server, older APIs) answer 404,
/// 403 or 410: then the comment stays unpinned, and the reason is logged and
/// counted, not an error.
pub async fn summary(
    r: &Repo<'_>,
    issue: &Issue,
    sprint: SprintId,
    text: &str,
    on_issue: &[Comment],
) -> Result<(), LifecycleError> {
    let marker = summary_marker(sprint);
    let posted = crate::sprint_issues::find_written(on_issue, r.bot, issue.number, &marker, text);
    let id = match posted {
        Some(c) => c.id,
        None => {
            r.gh.create_comment(r.repo, issue.number, text, Some(&marker))
                .await?
                .id
        }
    };
    pin(r, issue, id).await
}

async fn pin(r: &Repo<'_>, issue: &Issue, id: CommentId) -> Result<(), LifecycleError> {
    let status = match r.gh.pin_comment(r.repo, id).await {
        Ok(()) => return Ok(()),
        Err(GitHubError::NotFound { .. }) => "404",
        Err(GitHubError::Forbidden { .. }) => "403",
        Err(GitHubError::Status { status: 410, .. }) => "410",
        Err(GitHubError::Validation { .. }) => "422",
        Err(e) => return Err(e.into()),
    };
    // Remembered where `/sprint doctor` will look: the log and the metric.
    metrics::counter!("sprintbot_comment_pin_unavailable_total", "status" => status).increment(1);
    tracing::warn!(repo = %r.repo, issue = issue.number.0, comment = id.0, status,
        "GitHub does not pin comments here; the summary comment stays unpinned");
    Ok(())
}

/// Make the new issue's sub-issues its linked goals', moving the unfinished
/// ones over from `previous` (whose body, as the rollover read it, is
/// `previous_doc`). `created`: the new issue was just made (it has none).
/// Returns the issues moved over, for the audit comment.
pub async fn sub_issues(
    r: &Repo<'_>,
    issue: &Issue,
    previous: &Issue,
    previous_doc: &SprintDoc,
    created: bool,
    on_issue: &[Comment],
) -> Result<Vec<u64>, LifecycleError> {
    let Ok(doc) = SprintDoc::parse(&issue.body) else {
        return Ok(Vec::new());
    };
    let mut wanted = Wanted::of(&doc);
    let unfinished_linked = previous_doc
        .goals()
        .unwrap_or_default()
        .iter()
        .any(|g| !g.done && g.link().is_some());
    // Only a previous sprint with unfinished linked goals has any to move.
    let moving = if unfinished_linked {
        let subs = r.gh.sub_issues(r.repo, previous.number).await?;
        sub_issues::moving(previous_doc, subs)
    } else {
        Vec::new()
    };
    for m in &moving {
        if !wanted.linked.contains(&m.number.0) {
            wanted.linked.push(m.number.0);
        }
    }
    if wanted.linked.is_empty() && wanted.dropped.is_empty() {
        return Ok(Vec::new());
    }
    let existing = created.then(Vec::new);
    let done =
        sub_issues::reconcile(r.gh, r.repo, issue.number, &wanted, existing, &moving).await?;
    if !done.moved.is_empty() || !done.added.is_empty() {
        tracing::info!(repo = %r.repo, issue = issue.number.0, moved = ?done.moved, added = ?done.added,
            "sub-issues of the new sprint issue");
    }
    sub_issues::note(r.gh, r.repo, issue.number, r.bot, &done, Some(on_issue)).await?;
    Ok(done.moved)
}
