//! Writing the ticks and unticks of linked goals to the sprint issue, with
//! the discipline of commands' writes: the body is read again just before
//! the write, the changes are worked out again on that text (a person may
//! have ticked the goal meanwhile), the body must stay within GitHub's
//! limit, and the audit entries are held in the store until the write has
//! landed. What records that a tick was made is the tick marker on the
//! goal's own line, written in the same update: a retry, or another event
//! for the same link, finds it and changes nothing.

use std::collections::BTreeMap;

use crate::github::{GitHub, GitHubError, IssueNumber, IssueUpdate, RepoRef, body_fits};
use crate::sprint::body::{Change, SprintDoc};
use crate::sprint::links::{self, LinkState};
use crate::store::{AuditEntry, Effect, Store};
use crate::worker::{JobError, github_error};

/// Where ticks are written, and what the audit log says caused them.
pub struct Ticks<'a> {
    pub gh: &'a dyn GitHub,
    pub store: &'a Store,
    pub repo: &'a RepoRef,
    /// Who caused them: the webhook's sender, or `scheduler` for `tick`.
    pub actor: &'a str,
    /// What caused them: the delivery and event, or the `tick` run.
    pub source: &'a str,
    /// The key the audit entries are held under until the write lands; one
    /// per event, so a retry of the same event finds its own.
    pub prefix: &'a str,
}

/// What a write did.
#[derive(Debug, Default)]
pub struct Ticked {
    /// To commit with the job (the held audit entries' release).
    pub effects: Vec<Effect>,
    /// How many goals were ticked or unticked.
    pub changed: usize,
}

fn store_err(e: crate::store::StoreError) -> JobError {
    JobError::Transient(e.to_string())
}

/// Whether the body shows what an earlier write for these states did: a
/// finished link has ticked a goal (its marker is there), a reopened one
/// has no goal ticked by it any more.
fn landed(doc: &SprintDoc, states: &BTreeMap<u64, LinkState>) -> bool {
    let goals = doc.goals().unwrap_or_default();
    states.iter().all(|(n, state)| {
        let marked = goals.iter().any(|g| g.ticked_by == Some(*n));
        match state {
            LinkState::Finished => marked,
            LinkState::Open => !marked,
            LinkState::Abandoned => true,
        }
    })
}

/// Tick and untick the goals of sprint issue `issue` as the links' `states`
/// say (links not in `states` change nothing).
pub async fn write(
    t: &Ticks<'_>,
    issue: IssueNumber,
    states: &BTreeMap<u64, LinkState>,
) -> Result<Ticked, JobError> {
    let fresh = t.gh.get_issue(t.repo, issue).await.map_err(github_error)?;
    let doc = match SprintDoc::parse(&fresh.body) {
        Ok(doc) => doc,
        Err(e) => {
            // Commands on the issue say so to people; a tick just waits.
            tracing::warn!(repo = %t.repo, issue = issue.0, error = %e,
                "the sprint issue is damaged: its linked goals are not ticked");
            return Ok(Ticked::default());
        }
    };
    let goals = doc.goals().unwrap_or_default();
    let changes = links::changes(&goals, |n| states.get(&n).copied());
    if changes.is_empty() {
        // Nothing to do; an earlier attempt's held entries go into the log
        // if its write is what made it so, and are dropped otherwise.
        if landed(&doc, states) {
            return Ok(Ticked {
                effects: vec![Effect::Release(t.prefix.to_string())],
                changed: 0,
            });
        }
        t.store.drop_held(t.prefix).await.map_err(store_err)?;
        return Ok(Ticked::default());
    }
    t.store.drop_held(t.prefix).await.map_err(store_err)?;
    let mut next = doc;
    let mut audit = Vec::new();
    for change in &changes {
        let applied = match next.apply(change) {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(repo = %t.repo, issue = issue.0, error = %e, "a linked goal could not be changed");
                continue;
            }
        };
        let action = match change {
            Change::LinkTick(..) => "goal.done.linked",
            _ => "goal.undone.linked",
        };
        audit.push((
            t.prefix.to_string(),
            AuditEntry {
                actor: t.actor.to_string(),
                action: action.into(),
                target: format!("{}#{}", t.repo, issue.0),
                before: applied.before.clone(),
                after: applied.after.clone(),
                source: Some(t.source.to_string()),
            },
        ));
        next = match SprintDoc::parse(&applied.body) {
            Ok(doc) => doc,
            Err(_) => continue,
        };
    }
    if audit.is_empty() {
        return Ok(Ticked::default());
    }
    if !body_fits(next.text()) {
        metrics::counter!("sprintbot_link_ticks_refused_total", "reason" => "too_long")
            .increment(1);
        tracing::warn!(repo = %t.repo, issue = issue.0,
            "ticking a linked goal would make the sprint issue longer than GitHub allows; it stays as it is");
        return Ok(Ticked::default());
    }
    let changed = audit.len();
    t.store.hold(Vec::new(), audit).await.map_err(store_err)?;
    let update = IssueUpdate {
        body: Some(next.text().to_string()),
        ..Default::default()
    };
    match t.gh.update_issue(t.repo, issue, &update).await {
        Ok(_) => {}
        // Refused outright (GitHub's own count of the length): nothing
        // was written, so nothing is logged.
        Err(GitHubError::Validation { message }) => {
            t.store.drop_held(t.prefix).await.map_err(store_err)?;
            tracing::warn!(repo = %t.repo, issue = issue.0, message, "GitHub refused the ticked body");
            return Ok(Ticked::default());
        }
        // Perhaps written: the next attempt looks (see `landed`).
        Err(e) => return Err(github_error(e)),
    }
    metrics::counter!("sprintbot_link_ticks_total").increment(changed as u64);
    Ok(Ticked {
        effects: vec![Effect::Release(t.prefix.to_string())],
        changed,
    })
}
