//! The calls behind linked goals and the retro's extras: a sprint issue's
//! sub-issues (listed, added by database id, removed), pinning a comment,
//! the repository's default branch, the pull requests closed into it (newest
//! update first, read only as far back as asked), and a GitHub team's
//! members.

use http::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::Client;
use super::models::*;
use super::types::*;
use super::{GitHubError, Result};
use crate::sprint::Login;

/// GitHub's limit on the sub-issues of one issue.
pub const MAX_SUB_ISSUES: usize = 100;

fn timestamp(s: &str) -> Result<jiff::Timestamp> {
    s.parse()
        .map_err(|_| GitHubError::Decode(format!("`{s}` is not a timestamp")))
}

impl Client {
    pub(super) async fn sub_issues(&self, repo: &RepoRef, n: IssueNumber) -> Result<Vec<Issue>> {
        let raw: Vec<RawIssue> = self
            .get_all(format!(
                "{}/issues/{}/sub_issues?per_page=100",
                repo_path(repo),
                n.0
            ))
            .await?;
        Ok(raw.into_iter().map(Issue::from).collect())
    }

    pub(super) async fn add_sub_issue(
        &self,
        repo: &RepoRef,
        parent: IssueNumber,
        sub_issue_id: u64,
        replace_parent: bool,
    ) -> Result<()> {
        let path = format!("{}/issues/{}/sub_issues", repo_path(repo), parent.0);
        let mut body = json!({ "sub_issue_id": sub_issue_id });
        if replace_parent {
            body["replace_parent"] = json!(true);
        }
        // Adding what is there already is refused (422), never doubled: a
        // retry after a timeout cannot add it twice.
        self.t
            .request(Method::POST, &path, Some(body), false)
            .await?;
        Ok(())
    }

    pub(super) async fn remove_sub_issue(
        &self,
        repo: &RepoRef,
        parent: IssueNumber,
        sub_issue_id: u64,
    ) -> Result<()> {
        let path = format!("{}/issues/{}/sub_issue", repo_path(repo), parent.0);
        match self
            .t
            .request(
                Method::DELETE,
                &path,
                Some(json!({ "sub_issue_id": sub_issue_id })),
                false,
            )
            .await
        {
            // Gone already: what was asked for is so.
            Ok(_) | Err(GitHubError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub(super) async fn pin_comment(&self, repo: &RepoRef, comment: CommentId) -> Result<()> {
        let path = format!("{}/issues/comments/{}/pin", repo_path(repo), comment.0);
        self.t.request(Method::PUT, &path, None, false).await?;
        Ok(())
    }

    pub(super) async fn repository(&self, repo: &RepoRef) -> Result<RepoInfo> {
        #[derive(Deserialize)]
        struct Raw {
            default_branch: String,
            html_url: String,
        }
        let r: Raw = self.get(&repo_path(repo)).await?.json()?;
        Ok(RepoInfo {
            default_branch: r.default_branch,
            html_url: r.html_url,
        })
    }

    pub(super) async fn closed_pulls(
        &self,
        repo: &RepoRef,
        base: &str,
        updated_since: jiff::Timestamp,
    ) -> Result<Vec<PullRequest>> {
        #[derive(Deserialize)]
        struct Raw {
            number: u64,
            title: String,
            user: Option<User>,
            merged_at: Option<String>,
            updated_at: String,
            html_url: String,
        }
        let mut out = Vec::new();
        let mut next = Some(format!(
            "{}/pulls?state=closed&base={}&sort=updated&direction=desc&per_page=100",
            repo_path(repo),
            path_segment(base)
        ));
        while let Some(url) = next {
            let resp = self.get(&url).await?;
            let page: Vec<Raw> = resp.json()?;
            let mut older = false;
            for r in page {
                let updated_at = timestamp(&r.updated_at)?;
                // Sorted by update, newest first: a pull request updated
                // before the window was merged before it, and so is every
                // one after it.
                if updated_at < updated_since {
                    older = true;
                    break;
                }
                let (author, author_is_bot) = match r.user {
                    Some(u) => (Login(u.login), u.kind == "Bot"),
                    None => (Login("ghost".into()), false),
                };
                out.push(PullRequest {
                    number: IssueNumber(r.number),
                    title: r.title,
                    author,
                    author_is_bot,
                    merged_at: r.merged_at.as_deref().map(timestamp).transpose()?,
                    updated_at,
                    html_url: r.html_url,
                });
            }
            next = if older { None } else { resp.next_page() };
        }
        Ok(out)
    }

    pub(super) async fn team_members(&self, org: &str, team: &str) -> Result<Vec<Login>> {
        let raw: Vec<User> = self
            .get_all(format!(
                "/orgs/{}/teams/{}/members?per_page=100",
                path_segment(org),
                path_segment(team)
            ))
            .await?;
        Ok(raw.into_iter().map(|u| Login(u.login)).collect())
    }
}
