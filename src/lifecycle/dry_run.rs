//! `--dry-run`: a [`GitHub`] that reads for real and, instead of writing,
//! records each write it would have made.

use std::sync::Mutex;

use crate::github::*;
use crate::sprint::Login;
use crate::util::BoxFuture;

type Result<T> = std::result::Result<T, GitHubError>;

/// Reads pass through; writes are only described.
pub struct DryRun<'g> {
    inner: &'g dyn GitHub,
    /// The account the writes would be made as.
    bot: Login,
    writes: Mutex<Vec<String>>,
}

impl<'g> DryRun<'g> {
    pub fn new(inner: &'g dyn GitHub, bot: Login) -> Self {
        DryRun {
            inner,
            bot,
            writes: Mutex::new(Vec::new()),
        }
    }

    /// Every write that would have been made, in order.
    pub fn writes(&self) -> Vec<String> {
        self.writes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn note(&self, what: String) {
        self.writes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(what);
    }
}

fn first_line(s: &str) -> &str {
    s.lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with("<!--"))
        .unwrap_or("")
}

/// Every read of [`calls`](crate::github::calls) goes to the real GitHub.
macro_rules! forward_reads {
    (read {
        $($(#[$doc:meta])* fn $name:ident<$lt:lifetime>($($arg:ident: $ty:ty),*) -> $ret:ty;)*
    } $($rest:tt)*) => {
        $(
            fn $name<$lt>(&$lt self, $($arg: $ty),*) -> BoxFuture<$lt, Result<$ret>> {
                self.inner.$name($($arg),*)
            }
        )*
    };
}

impl GitHub for DryRun<'_> {
    crate::github::calls!(forward_reads);

    // What a dry run answers itself, and every write, described.
    fn create_issue<'a>(
        &'a self,
        repo: &'a RepoRef,
        new: &'a NewIssue,
        _marker: &'a str,
    ) -> BoxFuture<'a, Result<Issue>> {
        Box::pin(async move {
            self.note(format!(
                "POST /repos/{repo}/issues  title={:?} labels={:?} ({} bytes of body)",
                new.title,
                new.labels,
                new.body.len()
            ));
            Ok(Issue {
                number: IssueNumber(0),
                id: 0,
                node_id: "(new issue)".into(),
                title: new.title.clone(),
                body: new.body.clone(),
                state: IssueState::Open,
                state_reason: None,
                pull_request: None,
                labels: new.labels.clone(),
                author: self.bot.clone(),
                author_is_bot: true,
                created_at: String::new(),
            })
        })
    }
    fn update_issue<'a>(
        &'a self,
        repo: &'a RepoRef,
        n: IssueNumber,
        u: &'a IssueUpdate,
    ) -> BoxFuture<'a, Result<Issue>> {
        Box::pin(async move {
            self.note(format!(
                "PATCH /repos/{repo}/issues/{}  state={:?} title={:?} body={}",
                n.0,
                u.state,
                u.title,
                u.body.as_ref().map_or("unchanged", |_| "changed")
            ));
            self.inner.get_issue(repo, n).await
        })
    }
    fn list_comments<'a>(
        &'a self,
        repo: &'a RepoRef,
        n: IssueNumber,
        since: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Vec<Comment>>> {
        Box::pin(async move {
            // The issue a dry run "created" has no comments.
            if n.0 == 0 {
                Ok(Vec::new())
            } else {
                self.inner.list_comments(repo, n, since).await
            }
        })
    }
    fn create_comment<'a>(
        &'a self,
        repo: &'a RepoRef,
        n: IssueNumber,
        body: &'a str,
        _marker: Option<&'a str>,
    ) -> BoxFuture<'a, Result<Comment>> {
        Box::pin(async move {
            let issue = if n.0 == 0 {
                "(new issue)".to_string()
            } else {
                n.0.to_string()
            };
            self.note(format!(
                "POST /repos/{repo}/issues/{issue}/comments  {:?}",
                first_line(body)
            ));
            Ok(Comment {
                id: CommentId(0),
                body: body.into(),
                author: self.bot.clone(),
                author_is_bot: true,
                created_at: String::new(),
                updated_at: String::new(),
                html_url: String::new(),
                reactions: Default::default(),
            })
        })
    }
    fn update_comment<'a>(
        &'a self,
        repo: &'a RepoRef,
        id: CommentId,
        body: &'a str,
    ) -> BoxFuture<'a, Result<Comment>> {
        Box::pin(async move {
            self.note(format!("PATCH /repos/{repo}/issues/comments/{}", id.0));
            Ok(Comment {
                id,
                body: body.into(),
                author: self.bot.clone(),
                author_is_bot: true,
                created_at: String::new(),
                updated_at: String::new(),
                html_url: String::new(),
                reactions: Default::default(),
            })
        })
    }
    fn delete_comment<'a>(&'a self, repo: &'a RepoRef, id: CommentId) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.note(format!("DELETE /repos/{repo}/issues/comments/{}", id.0));
            Ok(())
        })
    }
    fn add_reaction<'a>(
        &'a self,
        repo: &'a RepoRef,
        c: CommentId,
        r: Reaction,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.note(format!(
                "POST /repos/{repo}/issues/comments/{}/reactions  {}",
                c.0,
                r.content()
            ));
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
            self.note(format!(
                "POST /repos/{repo}/issues/{}/labels  {labels:?}",
                n.0
            ));
            Ok(())
        })
    }
    fn ensure_label<'a>(&'a self, repo: &'a RepoRef, name: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.note(format!("(if missing) POST /repos/{repo}/labels  {name:?}"));
            Ok(())
        })
    }
    fn create_check_run<'a>(
        &'a self,
        repo: &'a RepoRef,
        run: &'a NewCheckRun,
    ) -> BoxFuture<'a, Result<CheckRunId>> {
        Box::pin(async move {
            self.note(format!(
                "POST /repos/{repo}/check-runs  name={:?} conclusion={} ({} annotations)",
                run.name,
                run.conclusion.as_str(),
                run.annotations.len()
            ));
            Ok(CheckRunId(0))
        })
    }
    fn issue_ops<'a>(&'a self, ops: &'a [IssueOp]) -> BoxFuture<'a, Result<Vec<Result<()>>>> {
        Box::pin(async move {
            let described: Vec<String> = ops.iter().map(|op| format!("{op:?}")).collect();
            self.note(format!("POST /graphql  {}", described.join(", ")));
            Ok(ops.iter().map(|_| Ok(())).collect())
        })
    }
    fn add_issue_reaction<'a>(
        &'a self,
        repo: &'a RepoRef,
        n: IssueNumber,
        r: Reaction,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.note(format!(
                "POST /repos/{repo}/issues/{}/reactions  {}",
                n.0,
                r.content()
            ));
            Ok(())
        })
    }
    fn sub_issues<'a>(
        &'a self,
        repo: &'a RepoRef,
        n: IssueNumber,
    ) -> BoxFuture<'a, Result<Vec<Issue>>> {
        Box::pin(async move {
            // The issue a dry run "created" has none.
            if n.0 == 0 {
                Ok(Vec::new())
            } else {
                self.inner.sub_issues(repo, n).await
            }
        })
    }
    fn add_sub_issue<'a>(
        &'a self,
        repo: &'a RepoRef,
        parent: IssueNumber,
        sub_issue_id: u64,
        replace_parent: bool,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            let parent = if parent.0 == 0 {
                "(new issue)".to_string()
            } else {
                parent.0.to_string()
            };
            self.note(format!(
                "POST /repos/{repo}/issues/{parent}/sub_issues  sub_issue_id={sub_issue_id} replace_parent={replace_parent}"
            ));
            Ok(())
        })
    }
    fn remove_sub_issue<'a>(
        &'a self,
        repo: &'a RepoRef,
        parent: IssueNumber,
        sub_issue_id: u64,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.note(format!(
                "DELETE /repos/{repo}/issues/{}/sub_issue  sub_issue_id={sub_issue_id}",
                parent.0
            ));
            Ok(())
        })
    }
    fn pin_comment<'a>(
        &'a self,
        repo: &'a RepoRef,
        comment: CommentId,
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            self.note(format!(
                "PUT /repos/{repo}/issues/comments/{}/pin",
                comment.0
            ));
            Ok(())
        })
    }
}
