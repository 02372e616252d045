//! Catching up on a whole sprint issue: every comment not handled yet is
//! decided and written in one body update, in comment order; a comment the
//! ledger has but whose answer was lost is answered; and once every comment
//! up to some point is handled and answered, the ledger's cursor moves past
//! it. Used at start-up, by the one-shot `tick`, as a rollover's first step
//! (so the retro sees every command), and when the ledger grows long.
//! Comments are listed `since` the ledger's time, so old ones cost nothing.
//!
//! After a lost store, GitHub alone says where each comment stands, by
//! what no collaborator can forge: the body's ledger says what was applied
//! (it is written in the same update as the change), and sprintbot's own
//! reaction on a comment says it was answered. A reply's marker only saves
//! looking the reaction up, and only on a reply nobody edited whose
//! comment carries a 👍 or 😕: a marker a person edited to name another
//! comment can neither swallow that comment's command nor, edited away,
//! get one answered twice.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::answers::owed;
use super::answers::{self, Addressee};
use super::decide;
use super::messages::{self, replied_to};
use super::parse::{self, Line};
use super::replay::{Item, ItemKind};
use super::write::{self, Target};
use crate::context::Context;
use crate::github::{Comment, GitHub, InstallationId, Issue, IssueNumber, RepoRef};
use crate::repos::Loaded;
use crate::sprint::Login;
use crate::sprint::body::SprintDoc;
use crate::sprint_issues::{self, Currency};
use crate::store::{Effect, Job, NewJob};
use crate::util::BoxFuture;
use crate::work::{self, decided_prefix};
use crate::worker::{Handler, JobError, github_error};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncJob {
    pub installation: u64,
    pub repo: String,
    #[serde(default)]
    pub repo_id: Option<u64>,
    pub issue: u64,
}

/// A job to catch up on one issue (serial with the repository's other work).
pub fn sync_job(installation: u64, repo: &RepoRef, repo_id: Option<u64>, issue: u64) -> NewJob {
    let job = SyncJob {
        installation,
        repo: repo.to_string(),
        repo_id,
        issue,
    };
    NewJob {
        kind: work::JobKind::Sync.into(),
        payload: serde_json::to_string(&job).unwrap_or_default(),
        dedupe_key: Some(format!(
            "sync/{}/{issue}",
            repo.to_string().to_ascii_lowercase()
        )),
        serial_key: work::JobKind::Sync.serial_key(&repo.to_string()),
        tenant: Some(installation),
        run_after_ms: 0,
    }
}

/// What catching up on an issue did.
#[derive(Debug, Default)]
pub struct Synced {
    pub effects: Vec<Effect>,
    /// The issue's body as it now is on GitHub.
    pub body: String,
    /// How many comments were decided.
    pub decided: usize,
}

/// Where one comment stands.
enum Standing {
    /// Handled, and its answer is known to have been sent.
    Confirmed,
    /// Handled, its answer queued or held: the cursor must wait for it.
    Owed,
    /// Not handled yet.
    Pending(Vec<Line>),
}

/// The issue being caught up on.
pub struct Subject<'a> {
    pub gh: &'a dyn GitHub,
    pub installation: u64,
    pub repo: &'a RepoRef,
    pub repo_id: Option<u64>,
    pub bot: &'a Login,
    pub loaded: &'a Loaded,
    pub issue: &'a Issue,
    pub currency: Currency,
}

impl Context {
    /// Catch up on `s.issue`. `listed`: its comments, when the caller has
    /// just listed them (since the ledger's time).
    pub async fn sync_issue(
        &self,
        s: &Subject<'_>,
        listed: Option<Vec<Comment>>,
    ) -> Result<Synced, JobError> {
        let mut out = Synced {
            body: s.issue.body.clone(),
            ..Synced::default()
        };
        let Some(meta) = sprint_issues::recognise_on_github(s.gh, s.repo, s.issue, s.bot)
            .await
            .map_err(github_error)?
        else {
            return Ok(out);
        };
        let comments = match listed {
            Some(c) => c,
            None => {
                s.gh.list_comments(s.repo, s.issue.number, meta.ledger.since.as_deref())
                    .await
                    .map_err(github_error)?
            }
        };
        // A reply's marker is evidence only on a reply nobody edited
        // (sprintbot never edits its replies; GitHub stamps every edit).
        let replies: HashSet<u64> = comments
            .iter()
            .filter(|c| c.author == *s.bot && c.issue() == Some(s.issue.number))
            .filter(|c| c.updated_at == c.created_at)
            .filter_map(|c| replied_to(&c.body))
            .collect();
        let mut sorted: Vec<&Comment> = comments
            .iter()
            .filter(|c| c.id.0 > meta.ledger.cursor)
            .collect();
        sorted.sort_by_key(|c| c.id);
        let to = Addressee {
            installation: s.installation,
            repo: s.repo.to_string(),
            issue: s.issue.number.0,
            comment: 0,
            author: String::new(),
            since: String::new(),
        };
        let mut pending: Vec<(&Comment, Vec<Line>)> = Vec::new();
        let mut compact_to: Option<&Comment> = None;
        let mut blocked = false;
        for c in sorted {
            let standing = self
                .standing(s, &meta.ledger, &replies, &to, c, &mut out.effects)
                .await?;
            match standing {
                Standing::Confirmed if !blocked => compact_to = Some(c),
                Standing::Confirmed => {}
                Standing::Owed => blocked = true,
                Standing::Pending(lines) => {
                    blocked = true;
                    pending.push((c, lines));
                }
            }
        }
        // A comment edited before sprintbot read it: GitHub's REST answer
        // does not say who edited it, and anyone with write access can edit
        // anyone's comment, so its text is not run as its author's. (An
        // edit whose webhook arrives says who made it: see `comment.rs`.)
        let (edited, pending): (Vec<_>, Vec<_>) = pending
            .into_iter()
            .partition(|(c, _)| c.updated_at != c.created_at);
        if !edited.is_empty() {
            let reason = messages::edited_before_read();
            out.effects
                .extend(self.refuse_caught_up(s, &edited, &to, &reason).await?);
        }
        let compact = compact_to.map(|c| (c.id.0, Some(c.created_at.clone())));
        if pending.is_empty() && !(compact.is_some() && meta.ledger.wants_compaction()) {
            return Ok(out);
        }
        out.decided = pending.len();
        if let Currency::Superseded { current } = s.currency {
            let reason = messages::not_current(current.map(|n| n.0));
            out.effects
                .extend(self.refuse_caught_up(s, &pending, &to, &reason).await?);
            return Ok(out);
        }
        let Some(config) = s.loaded.config.as_ref() else {
            let problem = s.loaded.problem_summary().unwrap_or_default();
            let reason = messages::config_broken(&problem);
            out.effects
                .extend(self.refuse_caught_up(s, &pending, &to, &reason).await?);
            return Ok(out);
        };
        let mut scratch = match SprintDoc::parse(&s.issue.body) {
            Ok(doc) => doc,
            Err(e) => {
                let reason = messages::damaged(&e.to_string());
                out.effects
                    .extend(self.refuse_caught_up(s, &pending, &to, &reason).await?);
                return Ok(out);
            }
        };
        let mut items = Vec::new();
        for (c, lines) in &pending {
            let needs = decide::needs(config, &c.author, lines);
            let (mut facts, _) = self
                .facts
                .gather(s.gh, s.repo, config, &c.author, &needs, self.clock.now())
                .await
                .map_err(github_error)?;
            facts.team_comments = super::facts::team_comments_for_preview(
                s.gh,
                s.repo,
                s.issue.number,
                s.bot,
                &scratch,
                config,
                lines,
            )
            .await
            .map_err(github_error)?;
            let decision = decide::decide(&scratch, config, s.repo, &c.author, lines, &facts);
            for p in &decision.planned {
                if let Ok(next) = scratch
                    .apply(&p.change)
                    .and_then(|a| SprintDoc::parse(&a.body))
                {
                    scratch = next;
                }
            }
            items.push(Item {
                comment: c.id.0,
                author: c.author.clone(),
                since: c.created_at.clone(),
                kind: ItemKind::Created,
                decision,
            });
        }
        let prepare = owed(&to, &meta, s.repo_id.unwrap_or(0), &config.layout);
        let target = Target {
            gh: s.gh,
            store: &self.store,
            repo: s.repo,
            config: Some(config),
        };
        // Comments were listed since the issue was read: read it again.
        let written = write::write(&target, s.issue, true, items, compact, &prepare).await?;
        out.effects.extend(written.effects);
        out.effects.extend(crate::links::sub_issues::after_commands(
            config,
            s.installation,
            s.repo,
            s.repo_id,
            s.issue.number.0,
            &written.outcomes,
        ));
        out.effects
            .extend(crate::links::newly_linked::after_commands(
                config,
                s.installation,
                s.repo,
                s.repo_id,
                &written.outcomes,
            ));
        if let Some(body) = written.body {
            out.effects
                .extend(write::calendar_moved(s.repo, s.issue, &meta, &body));
            out.body = body;
        }
        Ok(out)
    }

    async fn standing(
        &self,
        s: &Subject<'_>,
        ledger: &crate::sprint::ledger::Ledger,
        replies: &HashSet<u64>,
        to: &Addressee,
        c: &Comment,
        effects: &mut Vec<Effect>,
    ) -> Result<Standing, JobError> {
        if c.author_is_bot || c.author == *s.bot {
            return Ok(Standing::Confirmed);
        }
        let lines = parse::parse(&c.body);
        if lines.is_empty() {
            return Ok(Standing::Confirmed);
        }
        let store_err = |e: crate::store::StoreError| JobError::Transient(e.to_string());
        let prefix = decided_prefix(s.repo, c.id, "c");
        let known = self.store.jobs_under(&prefix).await.map_err(store_err)?;
        let sent = known
            .jobs
            .iter()
            .any(|(k, st)| k.ends_with("/answer") && st == "done");
        if ledger.is_applied(c.id.0) {
            if known.any_held() {
                effects.push(Effect::Release(prefix));
                return Ok(Standing::Owed);
            }
            if sent || self.answered_on_github(s, replies, c).await? {
                return Ok(Standing::Confirmed);
            }
            if known.is_empty() {
                let to = Addressee {
                    comment: c.id.0,
                    author: c.author.0.clone(),
                    since: c.created_at.clone(),
                    ..to.clone()
                };
                let a = answers::rebuilt(&to, "c", ledger.was_refused(c.id.0));
                effects.push(Effect::Enqueue(work::answer_job(&prefix, &a)));
            }
            return Ok(Standing::Owed);
        }
        if known.any_held() {
            self.store.drop_held(&prefix).await.map_err(store_err)?;
            return Ok(Standing::Pending(lines));
        }
        if !known.is_empty() {
            return Ok(if sent {
                Standing::Confirmed
            } else {
                Standing::Owed
            });
        }
        if self.answered_on_github(s, replies, c).await? {
            return Ok(Standing::Confirmed);
        }
        Ok(Standing::Pending(lines))
    }

    /// Whether sprintbot answered `c` on GitHub: its reaction, looked up
    /// only when the comment has any 👍 or 😕 (an answer always has one),
    /// and not at all when an unedited reply of sprintbot's names `c`.
    async fn answered_on_github(
        &self,
        s: &Subject<'_>,
        replies: &HashSet<u64>,
        c: &Comment,
    ) -> Result<bool, JobError> {
        if c.reactions.none() {
            return Ok(false);
        }
        if replies.contains(&c.id.0) {
            return Ok(true);
        }
        let reactions =
            s.gh.list_reactions(s.repo, c.id)
                .await
                .map_err(github_error)?;
        Ok(reactions
            .iter()
            .any(|(login, content)| login == s.bot && (content == "+1" || content == "confused")))
    }

    /// Catch up on every open sprint issue of a repository: the current one
    /// is synced; older ones still open refuse their pending commands with a
    /// link to the current one. Returns what to commit.
    pub async fn catch_up_repo(
        &self,
        installation: InstallationId,
        repo: &RepoRef,
        repo_id: Option<u64>,
    ) -> Result<Vec<Effect>, JobError> {
        let gh = self.github.client(installation).map_err(github_error)?;
        let bot = self.github.bot_login().await.map_err(github_error)?;
        let loaded = self.config(gh.as_ref(), repo, repo_id, &bot).await?;
        let Some(config) = loaded.config.as_ref() else {
            return Ok(Vec::new());
        };
        let open = sprint_issues::list(
            gh.as_ref(),
            repo,
            &config.sprint_label,
            crate::github::StateFilter::Open,
            &bot,
        )
        .await
        .map_err(github_error)?;
        let current = open.first().map(|(_, i)| i.number);
        let mut effects = Vec::new();
        for (i, (meta, issue)) in open.iter().enumerate() {
            if i == 0 {
                effects.push(Effect::CurrentIssue {
                    repo: repo.to_string(),
                    issue: issue.number.0,
                    sprint: sprint_issues::note(meta, issue),
                });
            }
            let subject = Subject {
                gh: gh.as_ref(),
                installation: installation.0,
                repo,
                repo_id,
                bot: &bot,
                loaded: &loaded,
                issue,
                currency: if i == 0 {
                    Currency::Current
                } else {
                    Currency::Superseded { current }
                },
            };
            effects.extend(self.sync_issue(&subject, None).await?.effects);
        }
        Ok(effects)
    }
}

/// The `sync` job handler: catch up on one issue.
pub struct SyncHandler(pub std::sync::Arc<Context>);

impl SyncHandler {
    async fn run(&self, job: &Job) -> Result<Vec<Effect>, JobError> {
        let j: SyncJob = serde_json::from_slice(&job.payload)
            .map_err(|e| JobError::Permanent(format!("bad sync job: {e}")))?;
        let repo = RepoRef::parse(&j.repo)
            .ok_or_else(|| JobError::Permanent(format!("bad repository {}", j.repo)))?;
        let c = &self.0;
        let installation = InstallationId(j.installation);
        let gh = c.github.client(installation).map_err(github_error)?;
        let bot = c.github.bot_login().await.map_err(github_error)?;
        let issue = gh
            .get_issue(&repo, IssueNumber(j.issue))
            .await
            .map_err(github_error)?;
        let loaded = c.config(gh.as_ref(), &repo, j.repo_id, &bot).await?;
        let label = loaded
            .config
            .as_ref()
            .map_or("sprint".to_string(), |c| c.sprint_label.clone());
        let (currency, _) =
            sprint_issues::currency(gh.as_ref(), &c.store, &repo, &label, &issue, &bot)
                .await
                .map_err(|e| JobError::Transient(e.to_string()))?;
        let subject = Subject {
            gh: gh.as_ref(),
            installation: j.installation,
            repo: &repo,
            repo_id: j.repo_id,
            bot: &bot,
            loaded: &loaded,
            issue: &issue,
            currency,
        };
        Ok(c.sync_issue(&subject, None).await?.effects)
    }
}

impl Handler for SyncHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(self.run(job))
    }
}
