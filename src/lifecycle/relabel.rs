//! A sprint issue whose label a person took off. Sprint issues are listed
//! by their label, which only makes the listing cheap: what makes an issue
//! a sprint issue is that sprintbot's own account wrote it with its
//! metadata marker. So before a sprint opens while no labelled sprint
//! issue is open (the first sprint, or a current issue closed by hand or
//! unlabelled), sprintbot lists the open issues its account wrote (one
//! read), and if one of them records a sprint newer than every labelled
//! one, that issue is the current one: the label goes back on it (it looks
//! at the issue's labels first: one write) and the opening starts again
//! from a fresh listing, which now finds it, so no duplicate is opened.
//! An adopted issue (a person wrote it) is not found this way: its label is
//! what finds it, and `/sprint adopt` says so.

use super::Repo;
use crate::github::{GitHubError, Issue, StateFilter};
use crate::sprint::markers::Metadata;
use crate::sprint_issues;

/// sprintbot's open issues for a sprint newer than `newest` (the newest
/// labelled sprint issue), newest sprint first, oldest issue first.
async fn unlabelled(
    r: &Repo<'_>,
    newest: Option<&(Metadata, Issue)>,
) -> Result<Vec<(Metadata, Issue)>, GitHubError> {
    let label = &r.config.sprint_label;
    let mut found: Vec<(Metadata, Issue)> =
        r.gh.list_issues_by(r.repo, r.bot, StateFilter::Open)
            .await?
            .into_iter()
            .filter(|i| !i.labels.iter().any(|l| l.eq_ignore_ascii_case(label)))
            .filter_map(|i| sprint_issues::recognise(&i, r.bot).map(|m| (m, i)))
            .filter(|(m, _)| newest.is_none_or(|(n, _)| m.sprint > n.sprint))
            .collect();
    found.sort_by(|(a, ai), (b, bi)| b.sprint.cmp(&a.sprint).then(ai.number.cmp(&bi.number)));
    Ok(found)
}

/// Put the label back on sprintbot's newest open sprint issue that lost
/// it, if that issue is newer than `newest`. Returns whether it did (the
/// caller lists the sprint issues again).
pub async fn restore(
    r: &Repo<'_>,
    newest: Option<&(Metadata, Issue)>,
) -> Result<bool, GitHubError> {
    let Some((meta, issue)) = unlabelled(r, newest).await?.into_iter().next() else {
        return Ok(false);
    };
    tracing::warn!(repo = %r.repo, issue = issue.number.0, sprint = %meta.sprint,
        "the current sprint issue had lost its label; it is labelled again");
    r.gh.add_labels(
        r.repo,
        issue.number,
        std::slice::from_ref(&r.config.sprint_label),
    )
    .await?;
    Ok(true)
}
