//! Commands on an issue sprintbot once ran as a sprint issue but can no
//! longer read as one (its hidden metadata line was edited away or
//! mangled). The issue is still sprintbot's business when its account wrote
//! it (and it is not its configuration-error notice), or when its own
//! comments on the issue carry a team's marker or the record of an
//! adoption: then every command gets a refusal that says how to repair the
//! issue, never silence. An issue sprintbot never ran stays none of its
//! business and costs no write.

use super::answers::{self, Addressee};
use super::messages;
use super::parse::Line;
use super::replay::ItemKind;
use crate::context::Context;
use crate::events::CommentEvent;
use crate::github::{GitHub, GitHubError, Issue};
use crate::sprint::Login;
use crate::sprint::markers::parse_team_marker;
use crate::store::Effect;
use crate::work::{self, decided_prefix};
use crate::worker::{JobError, github_error};

/// Whether `issue`, which does not read as a sprint issue, was one.
async fn was_sprint_issue(
    gh: &dyn GitHub,
    ev: &CommentEvent,
    issue: &Issue,
    bot: &Login,
) -> Result<bool, GitHubError> {
    if issue.author.0.eq_ignore_ascii_case(&bot.0) {
        return Ok(!crate::repos::config_issue::is_error_issue(issue, bot));
    }
    let adopted = format!("<!-- sprintbot:adopted issue={} ", issue.number.0);
    let comments = gh
        .list_comments(&ev.origin.repo, issue.number, None)
        .await?;
    Ok(comments.iter().any(|c| {
        c.author.0.eq_ignore_ascii_case(&bot.0)
            && c.issue() == Some(issue.number)
            && c.body.lines().map(str::trim).any(|l| {
                parse_team_marker(l).is_some() || (l.starts_with(&adopted) && l.ends_with("-->"))
            })
    }))
}

impl Context {
    /// Answer `lines` of a comment on `issue`, which is not (or no longer)
    /// readable as a sprint issue: refused with the repair when it was one,
    /// left alone when it never was.
    pub(super) async fn on_unreadable(
        &self,
        gh: &dyn GitHub,
        ev: &CommentEvent,
        issue: &Issue,
        bot: &Login,
        kind: &ItemKind,
        lines: &[Line],
    ) -> Result<Vec<Effect>, JobError> {
        if !was_sprint_issue(gh, ev, issue, bot)
            .await
            .map_err(github_error)?
        {
            return Ok(Vec::new());
        }
        let repo = &ev.origin.repo;
        let tag = kind.tag();
        let prefix = decided_prefix(repo, ev.comment.id, &tag);
        let known = self
            .store
            .jobs_under(&prefix)
            .await
            .map_err(|e| JobError::Transient(e.to_string()))?;
        if !known.is_empty() {
            return Ok(Vec::new());
        }
        tracing::warn!(%repo, issue = issue.number.0, comment = ev.comment.id.0,
            "a command on a sprint issue whose metadata line is gone is refused");
        let to = Addressee {
            installation: ev.origin.installation.map_or(0, |i| i.0),
            repo: repo.to_string(),
            issue: issue.number.0,
            comment: ev.comment.id.0,
            author: ev.comment.author.0.clone(),
            since: ev.comment.created_at.clone(),
        };
        let reason = messages::metadata_lost();
        let refused: Vec<_> = lines
            .iter()
            .map(|l| messages::Refusal::new(&l.text, reason.clone()))
            .collect();
        let mut a = answers::answer(&to, &tag, &refused, false);
        // The store may have lost the first answer: GitHub has it.
        a.check_first = true;
        Ok(vec![Effect::Enqueue(work::answer_job(&prefix, &a))])
    }
}
