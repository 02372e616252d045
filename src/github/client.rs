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

/// [`GitHub`] for the [`Client`]: each call goes to the `Client` method of
/// the same name.
macro_rules! implement {
    ($($group:ident {
        $($(#[$doc:meta])* fn $name:ident<$lt:lifetime>($($arg:ident: $ty:ty),*) -> $ret:ty;)*
    })*) => {
        impl GitHub for Client {
            $($(
                fn $name<$lt>(&$lt self, $($arg: $ty),*) -> BoxFuture<$lt, Result<$ret>> {
                    Box::pin(Client::$name(self, $($arg),*))
                }
            )*)*
        }
    };
}
super::calls!(implement);

/// The calls the rest of sprintbot makes through [`GitHub`], each
/// implemented once: here, or in the file of its kind (`lookups`,
/// `checks`, `links`, `repo_state`, `graphql`).
impl Client {
    pub(super) async fn get_issue(&self, repo: &RepoRef, n: IssueNumber) -> Result<Issue> {
        Ok(self
            .get(&format!("{}/issues/{}", repo_path(repo), n.0))
            .await?
            .json::<RawIssue>()?
            .into())
    }

    pub(super) async fn create_issue(
        &self,
        repo: &RepoRef,
        new: &NewIssue,
        marker: &str,
    ) -> Result<Issue> {
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
    }

    pub(super) async fn update_issue(
        &self,
        repo: &RepoRef,
        n: IssueNumber,
        u: &IssueUpdate,
    ) -> Result<Issue> {
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
    }

    pub(super) async fn list_issues(
        &self,
        repo: &RepoRef,
        label: &str,
        state: StateFilter,
    ) -> Result<Vec<Issue>> {
        self.issues_where(repo, &format!("labels={}", path_segment(label)), state)
            .await
    }

    pub(super) async fn list_issues_by(
        &self,
        repo: &RepoRef,
        creator: &Login,
        state: StateFilter,
    ) -> Result<Vec<Issue>> {
        self.issues_where(
            repo,
            &format!("creator={}", path_segment(&creator.0)),
            state,
        )
        .await
    }

    /// The issues (not pull requests) a filter such as `labels=sprint`
    /// selects, newest first, every page.
    async fn issues_where(
        &self,
        repo: &RepoRef,
        filter: &str,
        state: StateFilter,
    ) -> Result<Vec<Issue>> {
        let path = format!(
            "{}/issues?{filter}&state={}&sort=created&direction=desc&per_page=100",
            repo_path(repo),
            state.as_str()
        );
        let raw: Vec<RawIssue> = self.get_all(path).await?;
        Ok(raw
            .into_iter()
            .filter(|i| i.pull_request.is_none())
            .map(Issue::from)
            .collect())
    }

    pub(super) async fn list_comments(
        &self,
        repo: &RepoRef,
        n: IssueNumber,
        since: Option<&str>,
    ) -> Result<Vec<Comment>> {
        let mut path = format!("{}/issues/{}/comments?per_page=100", repo_path(repo), n.0);
        if let Some(s) = since {
            path.push_str(&format!("&since={}", path_segment(s)));
        }
        let raw: Vec<RawComment> = self.get_all(path).await?;
        Ok(raw.into_iter().map(Comment::from).collect())
    }

    pub(super) async fn create_comment(
        &self,
        repo: &RepoRef,
        n: IssueNumber,
        body: &str,
        marker: Option<&str>,
    ) -> Result<Comment> {
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
    }

    pub(super) async fn update_comment(
        &self,
        repo: &RepoRef,
        id: CommentId,
        body: &str,
    ) -> Result<Comment> {
        let path = format!("{}/issues/comments/{}", repo_path(repo), id.0);
        let raw: RawComment = self
            .t
            .request(Method::PATCH, &path, Some(json!({ "body": body })), false)
            .await?
            .json()?;
        Ok(raw.into())
    }

    pub(super) async fn delete_comment(&self, repo: &RepoRef, id: CommentId) -> Result<()> {
        let path = format!("{}/issues/comments/{}", repo_path(repo), id.0);
        match self.t.request(Method::DELETE, &path, None, false).await {
            Ok(_) | Err(GitHubError::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub(super) async fn add_reaction(
        &self,
        repo: &RepoRef,
        comment: CommentId,
        reaction: Reaction,
    ) -> Result<()> {
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
    }

    pub(super) async fn add_labels(
        &self,
        repo: &RepoRef,
        n: IssueNumber,
        labels: &[String],
    ) -> Result<()> {
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
    }

    pub(super) async fn ensure_label(&self, repo: &RepoRef, name: &str) -> Result<()> {
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
    }

    pub(super) async fn list_reactions(
        &self,
        repo: &RepoRef,
        comment: CommentId,
    ) -> Result<Vec<(Login, String)>> {
        self.lookup_reactions(format!(
            "{}/issues/comments/{}/reactions",
            repo_path(repo),
            comment.0
        ))
        .await
    }

    pub(super) async fn add_issue_reaction(
        &self,
        repo: &RepoRef,
        n: IssueNumber,
        reaction: Reaction,
    ) -> Result<()> {
        let path = format!("{}/issues/{}/reactions", repo_path(repo), n.0);
        let body = json!({ "content": reaction.content() });
        self.t
            .request(Method::POST, &path, Some(body), false)
            .await?;
        Ok(())
    }

    pub(super) async fn list_issue_reactions(
        &self,
        repo: &RepoRef,
        n: IssueNumber,
    ) -> Result<Vec<(Login, String)>> {
        self.lookup_reactions(format!("{}/issues/{}/reactions", repo_path(repo), n.0))
            .await
    }
}
