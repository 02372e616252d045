//! What a rollover reads besides the previous issue: the older sprints'
//! summaries for the health chart when the previous issue does not record
//! them, and the pull requests merged during the previous sprint.
//!
//! History: [`EarlierSprints`] names the older issues to read, each once, at
//! most six; they are almost always in the list of sprint issues the
//! rollover made at its start (no call), and only an issue missing from it
//! (its label was removed) costs one read. A failed read shortens the chart,
//! never the rollover.
//!
//! Shipped: the repository (its default branch), the pull requests closed
//! into it, newest update first, read page by page only as far back as the
//! sprint's start, and the members of each team's GitHub team, when it
//! names one. Reads GitHub refuses for good (a missing permission) leave
//! the list out, with a warning; a passing failure fails the rollover,
//! which resumes.

use jiff::ToSpan;

use super::LifecycleError;
use super::Repo;
use crate::github::{GitHubError, Issue, IssueNumber};
use crate::sprint::body::SprintDoc;
use crate::sprint::calendar::Sprint;
use crate::sprint::health::{EarlierSprints, SprintSummary};
use crate::sprint::markers::Metadata;
use crate::sprint::shipped::{MergedPull, Shipped, Window};
use crate::sprint_issues;

/// Issue `n`, if it is a sprint issue (sprintbot's, or one it adopted).
async fn read_sprint_issue(r: &Repo<'_>, n: u64) -> Result<Option<Issue>, GitHubError> {
    let issue = r.gh.get_issue(r.repo, IssueNumber(n)).await?;
    Ok(
        sprint_issues::recognise_on_github(r.gh, r.repo, &issue, r.bot)
            .await?
            .map(|_| issue),
    )
}

/// The summaries of the sprints before `ended` that its body `doc` does not
/// record, from `listed` (the sprint issues the rollover listed) or, for
/// one not listed, read from GitHub.
pub async fn earlier(
    r: &Repo<'_>,
    listed: &[(Metadata, Issue)],
    ended: u64,
    doc: &SprintDoc,
) -> Vec<SprintSummary> {
    let mut e = EarlierSprints::new(ended, doc);
    while let Some(n) = e.wants() {
        let body = match listed.iter().find(|(_, i)| i.number.0 == n) {
            Some((_, i)) => i.body.clone(),
            None => match read_sprint_issue(r, n).await {
                Ok(Some(i)) => i.body,
                // Not an issue sprintbot wrote: its markers count for nothing.
                Ok(None) => break,
                Err(err) => {
                    tracing::warn!(repo = %r.repo, issue = n, error = %err,
                        "could not read an older sprint issue; the health chart is shorter");
                    break;
                }
            },
        };
        match SprintDoc::parse(&body) {
            Ok(older) => e.add(n, &older),
            Err(_) => break,
        }
    }
    e.finish()
}

/// A read for the shipped list: a refusal for good leaves the list out.
fn optional<T>(
    r: &Repo<'_>,
    what: &str,
    got: Result<T, GitHubError>,
) -> Result<Option<T>, LifecycleError> {
    match got {
        Ok(v) => Ok(Some(v)),
        Err(e) if e.is_transient() => Err(e.into()),
        Err(e) => {
            metrics::counter!("sprintbot_shipped_unavailable_total").increment(1);
            tracing::warn!(repo = %r.repo, error = %e, "could not read {what}; the retro's shipped list is left out");
            Ok(None)
        }
    }
}

/// The pull requests merged during `ended`, which `next` follows (the
/// window runs from `ended`'s opening to `next`'s), when the list is on.
pub async fn shipped(
    r: &Repo<'_>,
    ended: &Sprint,
    next: &Sprint,
) -> Result<Option<Shipped>, LifecycleError> {
    if !r.config.switches.shipped {
        return Ok(None);
    }
    let Some(info) = optional(r, "the repository", r.gh.repository(r.repo).await)? else {
        return Ok(None);
    };
    let start = ended.opens_at;
    let got = r.gh.closed_pulls(r.repo, &info.default_branch, start).await;
    let Some(closed) = optional(r, "the pull requests", got)? else {
        return Ok(None);
    };
    let mut roster = r.config.roster();
    for (team, t) in roster.teams.iter_mut().zip(&r.config.teams) {
        let Some((org, slug)) = t.github_team.as_deref().and_then(|g| g.split_once('/')) else {
            continue;
        };
        let members = r.gh.team_members(org, slug).await;
        if let Some(members) = optional(r, "a GitHub team's members", members)? {
            team.members.extend(members);
        }
    }
    let pulls = closed
        .into_iter()
        .filter_map(|p| {
            Some(MergedPull {
                number: p.number.0,
                title: p.title,
                author: p.author,
                author_is_bot: p.author_is_bot,
                merged_at: p.merged_at?,
            })
        })
        .collect();
    Ok(Some(Shipped {
        repo_url: info.html_url,
        base: info.default_branch,
        window: Window {
            start,
            end: next.opens_at,
            first_day: ended.start,
            last_day: next.start.saturating_sub(1.day()),
        },
        pulls,
        roster,
    }))
}
