//! Applying commands: the job for an `issue_comment` webhook. Everything on
//! one sprint issue is serialised (one writer per issue), the body is read
//! fresh, every comment newer than the body's `handled` cursor is applied in
//! order, and the body is written once with the cursor moved past them — so
//! a redelivered webhook, a retry or a concurrent job never applies a
//! comment twice, and a human edit made a moment earlier is kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Deserialize;

use super::answer::{self, Outcome};
use super::parse::{self, Line};
use crate::config::repo::{self, RepoConfig};
use crate::github::clock::Clock;
use crate::github::{
    Comment, CommentId, GitHub, GitHubError, InstallationId, IssueNumber, IssueState, IssueUpdate,
    RepoRef, StateFilter,
};
use crate::sprint::body::{Change, SprintDoc};
use crate::store::{Effect, Job, Store};
use crate::worker::{BoxFuture, Handler, JobError};

/// Where the repository config lives.
pub const CONFIG_PATH: &str = ".github/sprintbot.toml";

/// Gives the client of an installation.
pub trait Installations: Send + Sync {
    fn client(&self, installation: InstallationId) -> Result<Arc<dyn GitHub>, GitHubError>;
}

impl Installations for crate::github::GitHubApp {
    fn client(&self, installation: InstallationId) -> Result<Arc<dyn GitHub>, GitHubError> {
        Ok(self.installation(installation)?)
    }
}

/// The `webhook:issue_comment` job handler.
pub struct CommandsHandler {
    pub github: Arc<dyn Installations>,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    /// The deployment config's `[defaults]`.
    pub defaults: toml::Table,
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    permissions: super::permissions::PermissionCache,
}

#[derive(Deserialize)]
struct Payload {
    action: String,
    issue: PIssue,
    comment: PComment,
    repository: PRepo,
    installation: Option<PInstallation>,
    #[serde(default)]
    changes: Option<PChanges>,
}
#[derive(Deserialize)]
struct PIssue {
    number: u64,
    #[serde(default)]
    pull_request: Option<serde_json::Value>,
}
#[derive(Deserialize)]
struct PComment {
    id: u64,
    body: Option<String>,
    user: PUser,
    #[serde(default)]
    created_at: String,
    #[serde(default)]
    updated_at: String,
}
#[derive(Deserialize)]
struct PUser {
    login: String,
    #[serde(rename = "type", default)]
    kind: String,
}
#[derive(Deserialize)]
struct PRepo {
    full_name: String,
}
#[derive(Deserialize)]
struct PInstallation {
    id: u64,
}
#[derive(Deserialize)]
struct PChanges {
    body: Option<PFrom>,
}
#[derive(Deserialize)]
struct PFrom {
    from: String,
}

fn gh_err(e: GitHubError) -> JobError {
    if e.is_transient() {
        JobError::Transient(e.to_string())
    } else {
        JobError::Permanent(e.to_string())
    }
}

impl CommandsHandler {
    pub fn new(
        github: Arc<dyn Installations>,
        store: Store,
        clock: Arc<dyn Clock>,
        defaults: toml::Table,
    ) -> Self {
        CommandsHandler {
            github,
            store,
            clock,
            defaults,
            locks: Mutex::new(HashMap::new()),
            permissions: Default::default(),
        }
    }

    fn lock_for(&self, key: String) -> Arc<tokio::sync::Mutex<()>> {
        self.locks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key)
            .or_default()
            .clone()
    }

    async fn run(&self, job: &Job) -> Result<Vec<Effect>, JobError> {
        let p: Payload = serde_json::from_slice(&job.payload).map_err(|e| {
            JobError::Permanent(format!(
                "issue_comment payload does not have the expected shape: {e}"
            ))
        })?;
        if p.comment.user.kind == "Bot" || p.issue.pull_request.is_some() {
            return Ok(Vec::new());
        }
        let body = p.comment.body.clone().unwrap_or_default();
        let new_lines: Vec<Line> = match p.action.as_str() {
            "created" => parse::parse(&body),
            // An edit runs only the command lines that were not there before.
            "edited" => {
                let before: Vec<String> = p
                    .changes
                    .as_ref()
                    .and_then(|c| c.body.as_ref())
                    .map(|b| parse::parse(&b.from).into_iter().map(|l| l.text).collect())
                    .unwrap_or_default();
                parse::parse(&body)
                    .into_iter()
                    .filter(|l| !before.contains(&l.text))
                    .collect()
            }
            _ => return Ok(Vec::new()),
        };
        if new_lines.is_empty() {
            return Ok(Vec::new());
        }
        let repo = RepoRef::parse(&p.repository.full_name).ok_or_else(|| {
            JobError::Permanent(format!("bad repository name {}", p.repository.full_name))
        })?;
        let installation = p
            .installation
            .as_ref()
            .ok_or_else(|| JobError::Permanent("the payload names no installation".into()))?;
        let gh = self
            .github
            .client(InstallationId(installation.id))
            .map_err(gh_err)?;
        let Some(config) = self.config(gh.as_ref(), &repo).await? else {
            return Ok(Vec::new());
        };

        let number = IssueNumber(p.issue.number);
        let mode = if p.action == "edited" {
            Mode::Edited(comment_from(&p), new_lines)
        } else {
            Mode::Created(comment_from(&p))
        };
        self.sync(gh.as_ref(), &repo, &config, number, mode).await
    }

    /// Apply what is new on one sprint issue, under the issue's lock.
    async fn sync(
        &self,
        gh: &dyn GitHub,
        repo: &RepoRef,
        config: &RepoConfig,
        number: IssueNumber,
        mode: Mode,
    ) -> Result<Vec<Effect>, JobError> {
        let lock = self.lock_for(format!("{repo}#{}", number.0));
        let _guard = lock.lock().await;
        let issue = gh.get_issue(repo, number).await.map_err(gh_err)?;
        if issue.state != IssueState::Open {
            return Ok(Vec::new());
        }
        let doc = match SprintDoc::parse(&issue.body) {
            Ok(doc) => doc,
            Err(e) => {
                // A damaged sprint issue is reported, never repaired.
                if let (true, Some((c, line))) = (
                    issue.body.contains("<!-- sprintbot:sprint "),
                    mode.first_line(),
                ) {
                    let reason = format!(
                        "The sprint issue's structure is damaged ({e}); restore the marker lines, then try again."
                    );
                    answer::send(gh, repo, number, c, &Outcome::refused(&line, &reason))
                        .await
                        .map_err(gh_err)?;
                }
                return Ok(Vec::new());
            }
        };
        let Some(meta) = doc.metadata().cloned() else {
            return Ok(Vec::new());
        };
        if meta.sprint != config.cadence.sprint_at(self.clock.now()).id {
            return Ok(Vec::new());
        }
        let ctx = answer::Context {
            gh,
            repo,
            config,
            permissions: &self.permissions,
            now: self.clock.now(),
        };
        let mut doc = doc;
        let mut effects = Vec::new();
        let mut outcomes = Vec::new();
        if let Mode::Edited(c, lines) = &mode {
            let (next, outcome, audit) = answer::apply_lines(&ctx, doc, c, lines)
                .await
                .map_err(gh_err)?;
            doc = next;
            effects.extend(audit);
            outcomes.push((c.clone(), outcome));
        } else {
            // Every comment past the cursor, in order: this one and any whose
            // webhook is late, lost, or handled by a job that is still waiting.
            let mut pending: Vec<Comment> = gh
                .list_comments(repo, issue.number, None)
                .await
                .map_err(gh_err)?
                .into_iter()
                .filter(|c| c.id.0 > meta.handled)
                .collect();
            if let Mode::Created(hint) = &mode
                && hint.id.0 > meta.handled
                && !pending.iter().any(|c| c.id == hint.id)
            {
                pending.push(hint.clone());
            }
            pending.sort_by_key(|c| c.id);
            for c in pending {
                let lines = if c.author_is_bot {
                    Vec::new()
                } else {
                    parse::parse(&c.body)
                };
                if !lines.is_empty() {
                    let (next, outcome, audit) = answer::apply_lines(&ctx, doc, &c, &lines)
                        .await
                        .map_err(gh_err)?;
                    doc = next;
                    effects.extend(audit);
                    outcomes.push((c.clone(), outcome));
                }
                let moved = doc
                    .apply(&Change::SetHandled(c.id.0))
                    .map_err(|e| JobError::Permanent(e.to_string()))?;
                doc = SprintDoc::parse(&moved.body)
                    .map_err(|e| JobError::Permanent(e.to_string()))?;
            }
        }
        // A requested rollover runs before the cursor moves past its comment,
        // so a failure retries it; it targets the sprint after this issue's,
        // so running it again changes nothing.
        if outcomes.iter().any(|(_, o)| o.rollover) {
            let report = crate::lifecycle::rollover_now(
                gh,
                &self.store,
                repo,
                config,
                self.clock.now(),
                Some(meta.sprint),
            )
            .await
            .map_err(|e| JobError::Transient(e.to_string()))?;
            tracing::info!(%repo, issue = report.issue.0, "rolled over on request");
        }
        if doc.text() != issue.body {
            let update = IssueUpdate {
                body: Some(doc.text().to_string()),
                ..Default::default()
            };
            gh.update_issue(repo, issue.number, &update)
                .await
                .map_err(gh_err)?;
        }
        for (c, outcome) in &outcomes {
            answer::send(gh, repo, issue.number, c, outcome)
                .await
                .map_err(gh_err)?;
        }
        Ok(effects)
    }

    /// Apply commands written while the bot was down (or whose webhooks never
    /// came) on the open sprint issues of every repository of an
    /// installation. Returns how many changes it applied.
    pub async fn catch_up(&self, installation: InstallationId) -> Result<usize, JobError> {
        let gh = self.github.client(installation).map_err(gh_err)?;
        let mut applied = 0;
        for repo in gh.repositories().await.map_err(gh_err)? {
            let Some(config) = self.config(gh.as_ref(), &repo).await? else {
                continue;
            };
            let open = gh
                .list_issues(&repo, &config.sprint_label, StateFilter::Open)
                .await
                .map_err(gh_err)?;
            for issue in open
                .into_iter()
                .filter(|i| i.body.contains("<!-- sprintbot:sprint "))
            {
                let effects = self
                    .sync(gh.as_ref(), &repo, &config, issue.number, Mode::CatchUp)
                    .await?;
                applied += effects.len();
                for e in effects {
                    if let Effect::Audit(entry) = e {
                        self.store
                            .audit(entry)
                            .await
                            .map_err(|e| JobError::Transient(e.to_string()))?;
                    }
                }
            }
        }
        Ok(applied)
    }

    async fn config(
        &self,
        gh: &dyn GitHub,
        repo: &RepoRef,
    ) -> Result<Option<RepoConfig>, JobError> {
        let Some(source) = gh.read_file(repo, CONFIG_PATH).await.map_err(gh_err)? else {
            return Ok(None);
        };
        let defaults = match crate::lifecycle::config::defaults_for(gh, repo, &self.defaults)
            .await
            .map_err(gh_err)?
        {
            Ok(d) => d,
            Err(_) => self.defaults.clone(),
        };
        match repo::parse(&format!("{repo}:{CONFIG_PATH}"), &source, &defaults) {
            Ok(c) => Ok(Some(c)),
            Err(diags) => {
                // The configuration-error issue is the scheduler's to raise;
                // commands wait for a valid file.
                tracing::warn!(%repo, problems = diags.len(), "repository config is invalid; commands are paused");
                Ok(None)
            }
        }
    }
}

/// Why an issue is being synced.
enum Mode {
    /// A new comment (the webhook's, as a hint if GitHub's list lags).
    Created(Comment),
    /// An edited comment and its new command lines.
    Edited(Comment, Vec<Line>),
    /// Start-up or a scheduler tick: whatever is past the cursor.
    CatchUp,
}

impl Mode {
    fn first_line(&self) -> Option<(&Comment, String)> {
        match self {
            Mode::Created(c) => parse::parse(&c.body).first().map(|l| (c, l.text.clone())),
            Mode::Edited(c, lines) => lines.first().map(|l| (c, l.text.clone())),
            Mode::CatchUp => None,
        }
    }
}

fn comment_from(p: &Payload) -> Comment {
    Comment {
        id: CommentId(p.comment.id),
        body: p.comment.body.clone().unwrap_or_default(),
        author: crate::sprint::Login(p.comment.user.login.clone()),
        author_is_bot: p.comment.user.kind == "Bot",
        created_at: p.comment.created_at.clone(),
        updated_at: p.comment.updated_at.clone(),
    }
}

impl Handler for CommandsHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(self.run(job))
    }
}
