//! Looking up what a comment's commands need to be decided: the author's
//! permission on the repository and whether people are engineers (members
//! of the configured GitHub team). Both are cached for a minute, so a burst
//! of comments costs one look-up per person, while a change of access is
//! seen soon. Also the sprint issue's team comments, read only for a
//! `/sprint preview` (one call), so that it can say where each team's plan
//! items would go.

use jiff::{Timestamp, ToSpan};

use super::decide::{Facts, Needs};
use super::parse::{Command, Line};
use crate::config::repo::RepoConfig;
use crate::github::{GitHub, GitHubError, IssueNumber, Permission, RepoRef};
use crate::lifecycle::team_docs;
use crate::sprint::Login;
use crate::sprint::body::SprintDoc;
use crate::sprint::team::TeamDoc;

/// How long a looked-up fact is trusted.
const TTL_SECS: i64 = 60;

use crate::context::Cached;
pub use crate::context::FactCache;

fn fresh<T: Copy>(map: &Cached<T>, key: &(String, String), now: Timestamp) -> Option<T> {
    let map = map.lock().unwrap_or_else(|e| e.into_inner());
    let (value, at) = map.get(key)?;
    (now < at.saturating_add(TTL_SECS.seconds()).unwrap_or(*at)).then_some(*value)
}

fn remember<T>(map: &Cached<T>, key: (String, String), value: T, now: Timestamp) {
    map.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, (value, now));
}

impl FactCache {
    /// `author`'s permission on `repo`, and whether GitHub was called.
    pub async fn permission(
        &self,
        gh: &dyn GitHub,
        repo: &RepoRef,
        author: &Login,
        now: Timestamp,
    ) -> Result<(Permission, bool), GitHubError> {
        let key = (repo.to_string(), author.0.to_ascii_lowercase());
        if let Some(p) = fresh(&self.permissions, &key, now) {
            return Ok((p, false));
        }
        let p = gh.permission(repo, author).await?;
        remember(&self.permissions, key, p, now);
        Ok((p, true))
    }

    /// Look up what `needs` asks for. Returns the facts and whether GitHub
    /// was called (then a body read before it may be stale).
    pub async fn gather(
        &self,
        gh: &dyn GitHub,
        repo: &RepoRef,
        config: &RepoConfig,
        author: &Login,
        needs: &Needs,
        now: Timestamp,
    ) -> Result<(Facts, bool), GitHubError> {
        let mut facts = Facts::default();
        let mut called = false;
        if needs.permission {
            let (p, asked) = self.permission(gh, repo, author, now).await?;
            called |= asked;
            facts.permission = Some(p);
        }
        if let Some((org, team)) = config
            .engineers
            .github_team
            .as_deref()
            .and_then(|t| t.split_once('/'))
        {
            for login in &needs.engineers {
                let key = (format!("{org}/{team}"), login.0.to_ascii_lowercase());
                let member = match fresh(&self.members, &key, now) {
                    Some(m) => m,
                    None => {
                        called = true;
                        let m = gh.is_team_member(org, team, login).await?;
                        remember(&self.members, key, m, now);
                        m
                    }
                };
                facts.engineers.insert(login.0.to_ascii_lowercase(), member);
            }
        }
        Ok((facts, called))
    }
}

/// The team comments of sprint issue `issue` (body `doc`) when one of
/// `lines` is `/sprint preview`; nothing, and no call, otherwise.
pub async fn team_comments_for_preview(
    gh: &dyn GitHub,
    repo: &RepoRef,
    issue: IssueNumber,
    bot: &Login,
    doc: &SprintDoc,
    config: &RepoConfig,
    lines: &[Line],
) -> Result<Vec<TeamDoc>, GitHubError> {
    let previewed = lines
        .iter()
        .any(|l| matches!(l.command, Ok(Command::SprintPreview)));
    let Some(meta) = doc.metadata().filter(|_| previewed) else {
        return Ok(Vec::new());
    };
    let comments = gh.list_comments(repo, issue, None).await?;
    Ok(team_docs::read(&comments, bot, meta.sprint, config).docs)
}
