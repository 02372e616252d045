//! The [`GitHub`] interface over a [`Transport`]: paths, JSON in GitHub's
//! shapes, pagination, and finding a create's effect before retrying it.

use http::Method;
use serde::Deserialize;
use serde_json::json;

use super::checks::{CheckRunId, NewCheckRun, PullFile};
use super::models::*;
use super::transport::{Response, Transport};
use super::types::*;
use super::{GitHub, GitHubError, Result};
use crate::sprint::Login;
use crate::util::BoxFuture;

/// How to recognise what a create made.
enum Find<'a> {
    Issue {
        repo: &'a RepoRef,
        label: &'a str,
        marker: &'a str,
    },
    Comment {
        path: &'a str,
        marker: &'a str,
    },
}

fn decode<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<T> {
    serde_json::from_value(v).map_err(|e| GitHubError::Decode(e.to_string()))
}

/// One identity's view of GitHub.
pub struct Client {
    pub(super) t: Transport,
}

impl Client {
    pub(super) fn new(t: Transport) -> Client {
        Client { t }
    }

    /// What GitHub last said about this identity's rate limit.
    pub fn budget(&self) -> super::transport::Budget {
        self.t.budget()
    }

    pub(super) async fn get(&self, path: &str) -> Result<Response> {
        self.t.request(Method::GET, path, None, false).await
    }

    /// Every page of a list.
    pub(super) async fn get_all<T: serde::de::DeserializeOwned>(
        &self,
        first: String,
    ) -> Result<Vec<T>> {
        let mut out = Vec::new();
        let mut next = Some(first);
        while let Some(url) = next {
            let resp = self.get(&url).await?;
            out.extend(resp.json::<Vec<T>>()?);
            next = resp.next_page();
        }
        Ok(out)
    }

    /// POST a create; on a timeout, reset or 5xx look for its effect
    /// (`find`) before trying again, so nothing is created twice.
    async fn create(
        &self,
        path: &str,
        body: serde_json::Value,
        find: Find<'_>,
    ) -> Result<serde_json::Value> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self
                .t
                .request(Method::POST, path, Some(body.clone()), true)
                .await
            {
                Ok(resp) => return resp.json(),
                // A rate limit is waited out by the caller, not retried here.
                Err(e)
                    if e.is_transient()
                        && !matches!(e, GitHubError::RateLimited { .. })
                        && attempt < 5 =>
                {
                    tracing::warn!(error = %e, path, "create had no clear answer; looking for its effect");
                    if let Some(found) = self.find(&find, &body).await? {
                        metrics::counter!("sprintbot_github_retries_total", "reason" => "create_found").increment(1);
                        return Ok(found);
                    }
                    metrics::counter!("sprintbot_github_retries_total", "reason" => "create_retry")
                        .increment(1);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The item a create may have made already: exactly the body that was
    /// sent, its marker opening a line (a marker alone could be anyone's
    /// copy of it).
    async fn find(
        &self,
        find: &Find<'_>,
        sent: &serde_json::Value,
    ) -> Result<Option<serde_json::Value>> {
        let (url, marker) = match find {
            Find::Issue {
                repo,
                label,
                marker,
            } => (
                format!(
                    "{}/issues?state=all&sort=created&direction=desc&per_page=100&labels={}",
                    repo_path(repo),
                    path_segment(label)
                ),
                *marker,
            ),
            Find::Comment { path, marker } => (format!("{path}?per_page=100"), *marker),
        };
        let items: Vec<serde_json::Value> = self.get_all(url).await?;
        let sent = sent.get("body").and_then(|b| b.as_str()).unwrap_or("");
        Ok(items.into_iter().find(|v| {
            v.get("body").and_then(|b| b.as_str()).is_some_and(|b| {
                b.trim_end() == sent.trim_end()
                    && b.lines().any(|l| {
                        // Callers name a marker whole or by its inside.
                        let l = l.trim_start();
                        l.starts_with(marker)
                            || l.strip_prefix("<!--")
                                .is_some_and(|rest| rest.trim_start().starts_with(marker))
                    })
            })
        }))
    }
}

pub(super) async fn list_installations(t: &Transport) -> Result<Vec<Installation>> {
    #[derive(Deserialize)]
    struct Raw {
        id: u64,
        account: Option<User>,
        #[serde(default)]
        suspended_at: Option<String>,
    }
    let mut out = Vec::new();
    let mut next = Some("/app/installations?per_page=100".to_string());
    while let Some(url) = next {
        let resp = t.request(Method::GET, &url, None, false).await?;
        for r in resp.json::<Vec<Raw>>()? {
            out.push(Installation {
                id: InstallationId(r.id),
                account: r.account.map(|a| a.login).unwrap_or_default(),
                suspended: r.suspended_at.is_some(),
            });
        }
        next = resp.next_page();
    }
    Ok(out)
}

impl GitHub for Client {
    fn get_issue<'a>(&'a self, repo: &'a RepoRef, n: IssueNumber) -> BoxFuture<'a, Result<Issue>> {
        Box::pin(async move {
            Ok(self
                .get(&format!("{}/issues/{}", repo_path(repo), n.0))
                .await?
                .json::<RawIssue>()?
                .into())
        })
    }

    fn create_issue<'a>(
        &'a self,
        repo: &'a RepoRef,
        new: &'a NewIssue,
        marker: &'a str,
    ) -> BoxFuture<'a, Result<Issue>> {
        Box::pin(async move {
            let body = json!({ "title": new.title, "body": new.body, "labels": new.labels });
            let label = new.labels.first().map(String::as_str).unwrap_or("");
            let find = Find::Issue {
                repo,
                label,
                marker,
            };
            let raw: RawIssue = decode(
                self.create(&format!("{}/issues", repo_path(repo)), body, find)
                    .await?,
            )?;
            Ok(raw.into())
        })
    }

    fn update_issue<'a>(
        &'a self,
        repo: &'a RepoRef,
        n: IssueNumber,
        u: &'a IssueUpdate,
    ) -> BoxFuture<'a, Result<Issue>> {
        Box::pin(async move {
            let mut body = serde_json::Map::new();
            if let Some(t) = &u.title {
                body.insert("title".into(), json!(t));
            }
            if let Some(b) = &u.body {
                body.insert("body".into(), json!(b));
            }
            if let Some(s) = u.state {
                body.insert("state".into(), json!(s));
                if s == IssueState::Closed {
                    body.insert(
                        "state_reason".into(),
                        json!(u.state_reason.unwrap_or("completed")),
                    );
                }
            }
            let path = format!("{}/issues/{}", repo_path(repo), n.0);
            let raw: RawIssue = self
                .t
                .request(Method::PATCH, &path, Some(body.into()), false)
                .await?
                .json()?;
            Ok(raw.into())
        })
    }

    fn list_issues<'a>(
        &'a self,
        repo: &'a RepoRef,
        label: &'a str,
        state: StateFilter,
    ) -> BoxFuture<'a, Result<Vec<Issue>>> {
        Box::pin(async move {
            let path = format!(
                "{}/issues?labels={}&state={}&sort=created&direction=desc&per_page=100",
                repo_path(repo),
                path_segment(label),
                state.as_str()
            );
            let raw: Vec<RawIssue> = self.get_all(path).await?;
            Ok(raw
                .into_iter()
                .filter(|i| i.pull_request.is_none())
                .map(Issue::from)
                .collect())
        })
    }

    fn list_issues_by<'a>(
        &'a self,
        repo: &'a RepoRef,
        creator: &'a Login,
        state: StateFilter,
    ) -> BoxFuture<'a, Result<Vec<Issue>>> {
        Box::pin(async move {
            let path = format!(
                "{}/issues?creator={}&state={}&sort=created&direction=desc&per_page=100",
                repo_path(repo),
                path_segment(&creator.0),
                state.as_str()
            );
            let raw: Vec<RawIssue> = self.get_all(path).await?;
            Ok(raw
                .into_iter()
                .filter(|i| i.pull_request.is_none())
                .map(Issue::from)
                .collect())
        })
    }

    fn list_comments<'a>(
        &'a self,
        repo: &'a RepoRef,
        n: IssueNumber,
        since: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<Comment>>> {
        Box::pin(async move {
            let mut path = format!("{}/issues/{}/comments?per_page=100", repo_path(repo), n.0);
            if let Some(s) = since {
                path.push_str(&format!("&since={}", path_segment(s)));
            }
            let raw: Vec<RawComment> = self.get_all(path).await?;
            Ok(raw.into_iter().map(Comment::from).collect())
        })
    }

    fn create_comment<'a>(
        &'a self,
        repo: &'a RepoRef,
        n: IssueNumber,
        body: &'a str,
        marker: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Comment>> {
        Box::pin(async move {
            let path = format!("{}/issues/{}/comments", repo_path(repo), n.0);
            let raw: RawComment = match marker {
                Some(marker) => decode(
                    self.create(
                        &path,
                        json!({ "body": body }),
                        Find::Comment {
                            path: &path,
                            marker,
                        },
                    )
                    .await?,
                )?,
                // Without a marker there is no way to recognise the comment:
                // a timeout is reported, never blindly retried.
                None => self
                    .t
                    .request(Method::POST, &path, Some(json!({ "body": body })), true)
                    .await?
                    .json()?,
            };
            Ok(raw.into())
        })
    }

    fn update_comment<'a>(
        &'a self,
        repo: &'a RepoRef,
        id: CommentId,
        body: &'a str,
    ) -> BoxFuture<'a, Result<Comment>> {
        Box::pin(async move {
            let path = format!("{}/issues/comments/{}", repo_path(repo), id.0);
            let raw: RawComment = self
                .t
                .request(Method::PATCH, &path, Some(json!({ "body": body })), false)
                .await?
                .json()?;
            Ok(raw.into())
        })
    }

    fn delete_comment<'a>(&'a self, repo: &'a RepoRef, id: CommentId) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let path = format!("{}/issues/comments/{}", repo_path(repo), id.0);
            match self.t.request(Method::DELETE, &path, None, false).await {
                Ok(_) | Err(GitHubError::NotFound { .. }) => Ok(()),
                Err(e) => Err(e),
            }
        })
    }

    fn add_reaction<'a>(
        &'a self,
        repo: &'a RepoRef,
        comment: CommentId,
        reaction: Reaction,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            // GitHub answers 200 with the existing reaction when it is there
            // already, so a retry cannot double it.
            let path = format!(
                "{}/issues/comments/{}/reactions",
                repo_path(repo),
                comment.0
            );
            self.t
                .request(
                    Method::POST,
                    &path,
                    Some(json!({ "content": reaction.content() })),
                    false,
                )
                .await?;
            Ok(())
        })
    }

    fn add_labels<'a>(
        &'a self,
        repo: &'a RepoRef,
        n: IssueNumber,
        labels: &'a [String],
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let path = format!("{}/issues/{}/labels", repo_path(repo), n.0);
            self.t
                .request(
                    Method::POST,
                    &path,
                    Some(json!({ "labels": labels })),
                    false,
                )
                .await?;
            Ok(())
        })
    }

    fn ensure_label<'a>(&'a self, repo: &'a RepoRef, name: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let existing: Vec<Label> = self
                .get_all(format!("{}/labels?per_page=100", repo_path(repo)))
                .await?;
            if existing.iter().any(|l| l.name.eq_ignore_ascii_case(name)) {
                return Ok(());
            }
            let body = json!({ "name": name, "color": "0e8a16", "description": "A sprint issue managed by sprintbot" });
            match self
                .t
                .request(
                    Method::POST,
                    &format!("{}/labels", repo_path(repo)),
                    Some(body),
                    false,
                )
                .await
            {
                Ok(_) => Ok(()),
                // Someone created it in the meantime.
                Err(GitHubError::Validation { message }) if message.contains("already_exists") => {
                    Ok(())
                }
                Err(e) => Err(e),
            }
        })
    }

    fn permission<'a>(
        &'a self,
        repo: &'a RepoRef,
        user: &'a Login,
    ) -> BoxFuture<'a, Result<Permission>> {
        Box::pin(self.lookup_permission(repo, user))
    }

    fn is_team_member<'a>(
        &'a self,
        org: &'a str,
        team: &'a str,
        user: &'a Login,
    ) -> BoxFuture<'a, Result<bool>> {
        Box::pin(self.lookup_team_member(org, team, user))
    }

    fn read_file<'a>(
        &'a self,
        repo: &'a RepoRef,
        path: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>>> {
        Box::pin(self.lookup_file(repo, path))
    }

    fn read_file_if_changed<'a>(
        &'a self,
        repo: &'a RepoRef,
        path: &'a str,
        etag: Option<&'a str>,
    ) -> BoxFuture<'a, Result<FileRead>> {
        Box::pin(self.lookup_file_if_changed(repo, path, etag))
    }

    fn repositories(&self) -> BoxFuture<'_, Result<Vec<(u64, RepoRef)>>> {
        Box::pin(self.lookup_repositories())
    }

    fn read_file_at<'a>(
        &'a self,
        repo: &'a RepoRef,
        path: &'a str,
        git_ref: &'a str,
    ) -> BoxFuture<'a, Result<Option<String>>> {
        Box::pin(self.lookup_file_at(repo, path, git_ref))
    }

    fn pull_request_files<'a>(
        &'a self,
        repo: &'a RepoRef,
        n: IssueNumber,
    ) -> BoxFuture<'a, Result<Vec<PullFile>>> {
        Box::pin(self.lookup_pull_files(repo, n))
    }

    fn create_check_run<'a>(
        &'a self,
        repo: &'a RepoRef,
        run: &'a NewCheckRun,
    ) -> BoxFuture<'a, Result<CheckRunId>> {
        Box::pin(self.make_check_run(repo, run))
    }

    fn list_reactions<'a>(
        &'a self,
        repo: &'a RepoRef,
        comment: CommentId,
    ) -> BoxFuture<'a, Result<Vec<(Login, String)>>> {
        Box::pin(self.lookup_reactions(format!(
            "{}/issues/comments/{}/reactions",
            repo_path(repo),
            comment.0
        )))
    }

    fn add_issue_reaction<'a>(
        &'a self,
        repo: &'a RepoRef,
        n: IssueNumber,
        reaction: Reaction,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let path = format!("{}/issues/{}/reactions", repo_path(repo), n.0);
            let body = json!({ "content": reaction.content() });
            self.t
                .request(Method::POST, &path, Some(body), false)
                .await?;
            Ok(())
        })
    }

    fn list_issue_reactions<'a>(
        &'a self,
        repo: &'a RepoRef,
        n: IssueNumber,
    ) -> BoxFuture<'a, Result<Vec<(Login, String)>>> {
        Box::pin(self.lookup_reactions(format!("{}/issues/{}/reactions", repo_path(repo), n.0)))
    }

    fn issue_ops<'a>(
        &'a self,
        ops: &'a [IssueOp],
    ) -> BoxFuture<'a, Result<Vec<std::result::Result<(), GitHubError>>>> {
        Box::pin(self.run_issue_ops(ops))
    }

    fn sub_issues<'a>(
        &'a self,
        repo: &'a RepoRef,
        n: IssueNumber,
    ) -> BoxFuture<'a, Result<Vec<Issue>>> {
        Box::pin(self.lookup_sub_issues(repo, n))
    }

    fn add_sub_issue<'a>(
        &'a self,
        repo: &'a RepoRef,
        parent: IssueNumber,
        sub_issue_id: u64,
        replace_parent: bool,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.post_sub_issue(repo, parent, sub_issue_id, replace_parent))
    }

    fn remove_sub_issue<'a>(
        &'a self,
        repo: &'a RepoRef,
        parent: IssueNumber,
        sub_issue_id: u64,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.delete_sub_issue(repo, parent, sub_issue_id))
    }

    fn pin_comment<'a>(
        &'a self,
        repo: &'a RepoRef,
        comment: CommentId,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(self.put_comment_pin(repo, comment))
    }

    fn repository<'a>(&'a self, repo: &'a RepoRef) -> BoxFuture<'a, Result<RepoInfo>> {
        Box::pin(self.lookup_repository(repo))
    }

    fn closed_pulls<'a>(
        &'a self,
        repo: &'a RepoRef,
        base: &'a str,
        updated_since: jiff::Timestamp,
    ) -> BoxFuture<'a, Result<Vec<PullRequest>>> {
        Box::pin(self.lookup_closed_pulls(repo, base, updated_since))
    }

    fn team_members<'a>(
        &'a self,
        org: &'a str,
        team: &'a str,
    ) -> BoxFuture<'a, Result<Vec<Login>>> {
        Box::pin(self.lookup_team_members(org, team))
    }

    fn get_comment<'a>(
        &'a self,
        repo: &'a RepoRef,
        id: CommentId,
    ) -> BoxFuture<'a, Result<Comment>> {
        Box::pin(self.lookup_comment(repo, id))
    }

    fn labels<'a>(&'a self, repo: &'a RepoRef) -> BoxFuture<'a, Result<Vec<String>>> {
        Box::pin(self.lookup_labels(repo))
    }

    fn pinned_issues<'a>(&'a self, repo: &'a RepoRef) -> BoxFuture<'a, Result<Vec<IssueNumber>>> {
        Box::pin(self.lookup_pinned(repo))
    }
}
