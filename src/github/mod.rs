//! The one place sprintbot talks to GitHub: the narrow [`GitHub`] interface
//! holding exactly the calls the bot makes, implemented over octocrab with
//! App authentication, retries, rate-limit obedience and write pacing.

pub mod auth;
pub mod budget;
mod checks;
mod client;
pub mod clock;
pub mod deliveries;
pub mod error;
mod graphql;
pub mod identity;
pub mod line;
mod links;
mod lookups;
mod models;
pub mod needs;
pub mod pacing;
mod probe;
mod repo_state;
pub mod transport;
pub mod types;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use checks::{Annotation, AnnotationLevel, CheckRunId, Conclusion, NewCheckRun, PullFile};
pub use client::Client;
pub use error::GitHubError;
pub use identity::{AppInfo, Installations, TokenIdentity};
pub use links::MAX_SUB_ISSUES;
pub use types::*;

use crate::sprint::Login;
use crate::util::BoxFuture;
use auth::{AppCredentials, AppJwt, InstallationTokens, StaticToken};
use clock::Clock;
use transport::{Policy, Transport};

pub(crate) type Result<T> = std::result::Result<T, GitHubError>;

/// Every call sprintbot makes on GitHub, declared once, as reads and
/// writes. `calls!(then)` hands the list to the macro `then`, which makes
/// one thing from it: the [`GitHub`] trait (`declare_github`), the
/// [`Client`]'s implementation, which forwards each call to the `Client`
/// method of the same name (`client::implement`), and the dry run's
/// forwarding of every read (`lifecycle::dry_run`). A new call is one entry
/// here, one `Client` method, and (a write) what the dry run says of it.
macro_rules! calls {
    ($then:ident) => {
        $then! {
        // Reads: a dry run makes them for real.
        read {
            fn get_issue<'a>(repo: &'a RepoRef, n: IssueNumber) -> Issue;
            /// Issues carrying `label`, newest first, all pages.
            fn list_issues<'a>(repo: &'a RepoRef, label: &'a str, state: StateFilter) -> Vec<Issue>;
            /// Issues `creator` opened, newest first, all pages (whatever their
            /// labels).
            fn list_issues_by<'a>(repo: &'a RepoRef, creator: &'a Login, state: StateFilter) -> Vec<Issue>;
            /// Who left which reaction on a comment: (login, content).
            fn list_reactions<'a>(repo: &'a RepoRef, comment: CommentId) -> Vec<(Login, String)>;
            /// Who left which reaction on an issue: (login, content).
            fn list_issue_reactions<'a>(repo: &'a RepoRef, n: IssueNumber) -> Vec<(Login, String)>;
            fn permission<'a>(repo: &'a RepoRef, user: &'a Login) -> Permission;
            /// Whether `user` is an active member of `org/team`.
            fn is_team_member<'a>(org: &'a str, team: &'a str, user: &'a Login) -> bool;
            /// A repository file's text, `None` when there is none.
            fn read_file<'a>(repo: &'a RepoRef, path: &'a str) -> Option<String>;
            /// A repository file, unless it is unchanged since `etag` (a conditional
            /// request: a 304 does not count against the rate limit).
            fn read_file_if_changed<'a>(repo: &'a RepoRef, path: &'a str, etag: Option<&'a str>) -> FileRead;
            /// A repository file's text at a commit (or branch or tag), `None`
            /// when it has no such file there.
            fn read_file_at<'a>(repo: &'a RepoRef, path: &'a str, git_ref: &'a str) -> Option<String>;
            /// The files a pull request changes, all pages.
            fn pull_request_files<'a>(repo: &'a RepoRef, n: IssueNumber) -> Vec<PullFile>;
            /// Repositories this identity can see (installation repositories), with
            /// GitHub's id of each.
            fn repositories<'a>() -> Vec<(u64, RepoRef)>;
            /// The repository's default branch and address.
            fn repository<'a>(repo: &'a RepoRef) -> RepoInfo;
            /// Closed pull requests into `base`, most recently updated first, as far
            /// back as those updated at or after `updated_since` (pages beyond are
            /// not read).
            fn closed_pulls<'a>(repo: &'a RepoRef, base: &'a str, updated_since: jiff::Timestamp) -> Vec<PullRequest>;
            /// The members of `org/team`, all pages.
            fn team_members<'a>(org: &'a str, team: &'a str) -> Vec<Login>;
            /// One comment of the repository, by its id.
            fn get_comment<'a>(repo: &'a RepoRef, id: CommentId) -> Comment;
            /// The names of the repository's labels, all pages.
            fn labels<'a>(repo: &'a RepoRef) -> Vec<String>;
            /// The issues pinned on the repository (GraphQL; REST cannot tell).
            fn pinned_issues<'a>(repo: &'a RepoRef) -> Vec<IssueNumber>;
        }
        // Reads a dry run answers itself for the issue it only pretended to create.
        read_own {
            /// Comments of an issue, oldest first, all pages; `since` as GitHub reads it.
            fn list_comments<'a>(repo: &'a RepoRef, n: IssueNumber, since: Option<&'a str>) -> Vec<Comment>;
            /// The sub-issues of issue `n`, all pages.
            fn sub_issues<'a>(repo: &'a RepoRef, n: IssueNumber) -> Vec<Issue>;
        }
        // Writes: a dry run describes them instead.
        write {
            /// Create an issue. `marker` is a string only this issue's body holds:
            /// after a timeout it is searched for, so the issue is never made twice.
            fn create_issue<'a>(repo: &'a RepoRef, new: &'a NewIssue, marker: &'a str) -> Issue;
            fn update_issue<'a>(repo: &'a RepoRef, n: IssueNumber, update: &'a IssueUpdate) -> Issue;
            /// Comment on an issue; `marker` (when given) makes a retry after a
            /// timeout find the comment instead of posting it twice.
            fn create_comment<'a>(repo: &'a RepoRef, n: IssueNumber, body: &'a str, marker: Option<&'a str>) -> Comment;
            fn update_comment<'a>(repo: &'a RepoRef, id: CommentId, body: &'a str) -> Comment;
            /// Delete a comment sprintbot wrote (a duplicate).
            fn delete_comment<'a>(repo: &'a RepoRef, id: CommentId) -> ();
            fn add_reaction<'a>(repo: &'a RepoRef, comment: CommentId, reaction: Reaction) -> ();
            /// React to an issue itself (GitHub answers 200 if it is there already).
            fn add_issue_reaction<'a>(repo: &'a RepoRef, n: IssueNumber, reaction: Reaction) -> ();
            fn add_labels<'a>(repo: &'a RepoRef, n: IssueNumber, labels: &'a [String]) -> ();
            /// Create the label unless the repository has it.
            fn ensure_label<'a>(repo: &'a RepoRef, name: &'a str) -> ();
            /// Create a finished check run on a commit.
            fn create_check_run<'a>(repo: &'a RepoRef, run: &'a NewCheckRun) -> CheckRunId;
            /// Pin, unpin and close issues in one GraphQL request, in order. The
            /// request fails as a whole only when GitHub cannot be asked; each
            /// operation's own refusal is returned in its place.
            fn issue_ops<'a>(ops: &'a [IssueOp]) -> Vec<std::result::Result<(), GitHubError>>;
            /// Make the issue with database id `sub_issue_id` a sub-issue of
            /// `parent`; `replace_parent` moves it from the parent it has.
            fn add_sub_issue<'a>(repo: &'a RepoRef, parent: IssueNumber, sub_issue_id: u64, replace_parent: bool) -> ();
            /// Take a sub-issue (by database id) off `parent`; one already gone is fine.
            fn remove_sub_issue<'a>(repo: &'a RepoRef, parent: IssueNumber, sub_issue_id: u64) -> ();
            /// Pin a comment on its issue.
            fn pin_comment<'a>(repo: &'a RepoRef, comment: CommentId) -> ();
        }
        }
    };
}
pub(crate) use calls;

/// The trait of the calls in [`calls`].
macro_rules! declare_github {
    ($($group:ident {
        $($(#[$doc:meta])* fn $name:ident<$lt:lifetime>($($arg:ident: $ty:ty),*) -> $ret:ty;)*
    })*) => {
        /// The calls sprintbot makes on one repository owner's behalf.
        pub trait GitHub: Send + Sync {
            $($(
                $(#[$doc])*
                fn $name<$lt>(&$lt self, $($arg: $ty),*) -> BoxFuture<$lt, Result<$ret>>;
            )*)*
        }
    };
}
calls!(declare_github);

/// The GitHub App: App-level calls and one cached client per installation.
pub struct GitHubApp {
    api_base: String,
    app: Arc<AppCredentials>,
    app_transport: Arc<Transport>,
    /// The App's line for redelivery requests, paced by its caller in
    /// batches (`lifecycle::redeliver`), so token mints on `app_transport`
    /// never queue behind hundreds of them.
    hook_transport: Transport,
    clock: Arc<dyn Clock>,
    policy: Policy,
    installations: Mutex<HashMap<InstallationId, Arc<Client>>>,
    info: tokio::sync::OnceCell<AppInfo>,
    /// Write slots and rate limits shared with other replicas, if any.
    shared_limits: std::sync::OnceLock<Arc<dyn pacing::SharedLimits>>,
}

impl GitHubApp {
    pub fn new(
        api_base: &str,
        app: AppCredentials,
        clock: Arc<dyn Clock>,
        policy: Policy,
    ) -> Result<Self> {
        let app = Arc::new(app);
        let jwt = Arc::new(AppJwt {
            app: app.clone(),
            clock: clock.clone(),
        });
        // The App's own calls (token mints, redeliveries) create no content.
        let app_policy = Policy {
            write_limits: None,
            ..policy.clone()
        };
        let app_transport = Arc::new(Transport::new(
            api_base,
            jwt.clone(),
            clock.clone(),
            app_policy.clone(),
        )?);
        let unpaced = Policy {
            write_interval: std::time::Duration::ZERO,
            ..app_policy
        };
        let hook_transport = Transport::new(api_base, jwt, clock.clone(), unpaced)?;
        Ok(GitHubApp {
            api_base: api_base.to_string(),
            app,
            app_transport,
            hook_transport,
            clock,
            policy,
            installations: Mutex::new(HashMap::new()),
            info: tokio::sync::OnceCell::new(),
            shared_limits: std::sync::OnceLock::new(),
        })
    }

    /// Share every installation's write pacing and rate limits through
    /// `limits` (set once, before the first installation client is made).
    pub fn share_limits(&self, limits: Arc<dyn pacing::SharedLimits>) {
        let _ = self.shared_limits.set(limits);
    }

    pub fn app_id(&self) -> u64 {
        self.app.app_id
    }

    /// The client of one installation; the same one (and its token) every time.
    pub fn installation(&self, id: InstallationId) -> Result<Arc<Client>> {
        let mut map = self.installations.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = map.get(&id) {
            return Ok(c.clone());
        }
        let tokens = Arc::new(InstallationTokens::new(
            id,
            self.app_transport.clone(),
            self.clock.clone(),
        ));
        let mut transport = Transport::new(
            &self.api_base,
            tokens,
            self.clock.clone(),
            self.policy.clone(),
        )?;
        if let Some(limits) = self.shared_limits.get() {
            transport.share_limits(id.0, limits.clone());
        }
        let client = Arc::new(Client::new(transport));
        map.insert(id, client.clone());
        Ok(client)
    }

    /// What GitHub says about the App now (`GET /app`, asked every time:
    /// `/sprint doctor` must see a permission granted since start-up).
    pub async fn info_now(&self) -> Result<AppInfo> {
        self.app_transport
            .request(http::Method::GET, "/app", None, false)
            .await?
            .json::<AppInfo>()
    }

    /// What GitHub says about the App (`GET /app`), asked once.
    pub async fn info(&self) -> Result<AppInfo> {
        self.info
            .get_or_try_init(|| async {
                self.app_transport
                    .request(http::Method::GET, "/app", None, false)
                    .await?
                    .json::<AppInfo>()
            })
            .await
            .cloned()
    }

    /// Every installation of the App.
    pub async fn list_installations(&self) -> Result<Vec<Installation>> {
        client::list_installations(&self.app_transport).await
    }
}

/// A client for a plain token (`GITHUB_TOKEN`), for the one-shot commands.
pub fn token_client(
    api_base: &str,
    token: crate::config::deploy::Secret,
    clock: Arc<dyn Clock>,
    policy: Policy,
) -> Result<Client> {
    Ok(Client::new(Transport::new(
        api_base,
        Arc::new(StaticToken(token)),
        clock,
        policy,
    )?))
}
