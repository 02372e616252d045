//! The doctor's "Team comments" item: which comment on the current sprint
//! issue is each team's (sprintbot's own, and those people wrote as a
//! team's plan), and every plan no team matches, which would be left out
//! of the rollover until someone says whose it is. One call: the issue's
//! comments (a page per 100).

use super::checks::Subject;
use super::report::Check;
use crate::config::repo::RepoConfig;
use crate::github::IssueNumber;
use crate::lifecycle::team_docs;
use crate::sprint::SprintId;

pub(crate) const TEAMS: &str = "Team comments";

/// The item for the current issue `issue` of `sprint`.
pub(crate) async fn team_comments(
    s: &Subject<'_>,
    config: &RepoConfig,
    issue: IssueNumber,
    sprint: SprintId,
) -> Check {
    let comments = match s.gh.list_comments(s.repo, issue, None).await {
        Ok(c) => c,
        Err(e) => return Check::failed(TEAMS, "listing the sprint issue's comments", &e),
    };
    let read = team_docs::read(&comments, s.bot, sprint, config);
    let lines: Vec<String> = config
        .teams
        .iter()
        .map(|t| {
            let mut found: Vec<String> = read
                .docs
                .iter()
                .filter(|d| !d.hand_written && d.slug == t.slug)
                .map(|d| format!("[sprintbot's]({})", d.url))
                .collect();
            found.extend(
                read.hand_written
                    .iter()
                    .filter(|h| h.slug == t.slug)
                    .map(|h| format!("[`@{}`'s own]({})", h.author, h.url)),
            );
            if found.is_empty() {
                format!("Team {}: no comment yet", t.name)
            } else {
                format!("Team {}: {}", t.name, found.join(" and "))
            }
        })
        .collect();
    let listed = lines.join("; ");
    if read.unmapped.is_empty() {
        return Check::ok(TEAMS, listed);
    }
    let unmapped: Vec<String> = read
        .unmapped
        .iter()
        .map(|u| format!("[`@{}`'s plan]({}) ({})", u.author, u.url, u.why))
        .collect();
    Check::bad(
        TEAMS,
        format!(
            "{listed}; no team's, so left out of the rollover: {}",
            unmapped.join("; ")
        ),
        "add its author to the team's `members`, or name the team in its first line (`## Team …`)",
    )
}
