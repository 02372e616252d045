//! Writing decided commands to the sprint issue, with the window in which
//! a person's edit could be lost as small as GitHub allows: the body is read
//! again if anything was asked of GitHub since it was read, the changes are
//! re-applied to that text, the answers are held in the store, and the body
//! is written at once, with no other GitHub call in between. A change to
//! the sprint's dates retitles the issue in that same call.

use super::messages::{self, Refusal};
use super::replay::{self, Item, Outcome};
use crate::config::repo::RepoConfig;
use crate::github::{GitHub, GitHubError, Issue, IssueUpdate, MAX_BODY_CHARS, RepoRef};
use crate::sprint::body::SprintDoc;
use crate::sprint::exceptions::{self, Recorded};
use crate::sprint::markers::Metadata;
use crate::store::{AuditEntry, Effect, NewJob, Store};
use crate::worker::{JobError, github_error};

/// Where a batch goes.
pub struct Target<'a> {
    pub gh: &'a dyn GitHub,
    pub store: &'a Store,
    pub repo: &'a RepoRef,
    /// The config in force: a change to the sprint's dates (`/sprint
    /// extend`) retitles the issue in the same write.
    pub config: Option<&'a RepoConfig>,
}

/// What a batch did: each comment's outcome, and what to commit with the job.
#[derive(Debug, Default)]
pub struct Written {
    pub outcomes: Vec<Outcome>,
    pub effects: Vec<Effect>,
    /// The body as it now is on GitHub.
    pub body: Option<String>,
}

/// The jobs owed for an outcome (its answer, or a rollover that answers),
/// all keyed under `prefix`.
pub type Prepare<'a> = &'a (dyn Fn(&Outcome) -> (String, Vec<NewJob>) + Send + Sync);

fn refuse_all(outcomes: &mut [Outcome], reason: &str) {
    for o in outcomes {
        o.notes.clear();
        for a in o.applied.drain(..) {
            o.refused.push(Refusal::new(&a.line, reason.to_string()));
        }
        o.rollover = false;
    }
}

fn unwritten(items: Vec<Item>, reason: &str) -> Vec<Outcome> {
    let mut outcomes: Vec<Outcome> = items
        .into_iter()
        .map(|i| {
            let mut refused = i.decision.refused;
            refused.extend(
                i.decision
                    .planned
                    .iter()
                    .map(|p| Refusal::new(&p.line, reason.to_string())),
            );
            Outcome {
                comment: i.comment,
                author: i.author,
                since: i.since,
                kind: i.kind,
                refused,
                help: i.decision.help,
                rollover: false,
                doctor: i.decision.doctor,
                applied: Vec::new(),
                notes: Vec::new(),
            }
        })
        .collect();
    refuse_all(&mut outcomes, reason);
    outcomes
}

/// Queue the jobs owed for outcomes that need no write (refusals only).
fn enqueue_all(outcomes: &[Outcome], prepare: Prepare<'_>) -> Vec<Effect> {
    outcomes
        .iter()
        .flat_map(|o| prepare(o).1)
        .map(Effect::Enqueue)
        .collect()
}

/// Hold each outcome's jobs and audit entries in the store until the body
/// is written; returns their prefixes, to release or drop.
async fn hold(
    t: &Target<'_>,
    issue: &Issue,
    outcomes: &[Outcome],
    prepare: Prepare<'_>,
) -> Result<Vec<String>, JobError> {
    let mut prefixes = Vec::new();
    let mut held = Vec::new();
    let mut audit = Vec::new();
    for o in outcomes {
        let (prefix, jobs) = prepare(o);
        for a in &o.applied {
            audit.push((
                prefix.clone(),
                AuditEntry {
                    actor: o.author.0.clone(),
                    action: a.action.into(),
                    target: format!("{}#{}", t.repo, issue.number.0),
                    before: a.before.clone(),
                    after: a.after.clone(),
                    source: Some(format!("comment {}: {}", o.comment, a.line.trim())),
                },
            ));
        }
        prefixes.push(prefix);
        held.extend(jobs);
    }
    t.store
        .hold(held, audit)
        .await
        .map_err(|e| JobError::Transient(e.to_string()))?;
    Ok(prefixes)
}

/// Let go of what `hold` held: nothing was written.
async fn drop_held(t: &Target<'_>, prefixes: &[String]) -> Result<(), JobError> {
    for p in prefixes {
        t.store
            .drop_held(p)
            .await
            .map_err(|e| JobError::Transient(e.to_string()))?;
    }
    Ok(())
}

/// Apply `items` to `issue` (as read; `stale` when GitHub was called since),
/// holding each outcome's jobs until the body is written.
pub async fn write(
    t: &Target<'_>,
    issue: &Issue,
    stale: bool,
    items: Vec<Item>,
    compact: Option<(u64, Option<String>)>,
    prepare: Prepare<'_>,
) -> Result<Written, JobError> {
    let fresh;
    let issue = if stale {
        fresh =
            t.gh.get_issue(t.repo, issue.number)
                .await
                .map_err(github_error)?;
        &fresh
    } else {
        issue
    };
    let replayed = match SprintDoc::parse(&issue.body)
        .and_then(|doc| replay::replay(doc, items.clone(), compact))
    {
        Ok(r) => r,
        Err(e) => {
            let outcomes = unwritten(items, &messages::damaged(&e.to_string()));
            let effects = enqueue_all(&outcomes, prepare);
            return Ok(Written {
                outcomes,
                effects,
                body: None,
            });
        }
    };
    let mut outcomes = replayed.outcomes;
    if !replayed.recorded || replayed.doc.text() == issue.body {
        let effects = enqueue_all(&outcomes, prepare);
        return Ok(Written {
            outcomes,
            effects,
            body: Some(issue.body.clone()),
        });
    }
    let prefixes = hold(t, issue, &outcomes, prepare).await?;
    let title = match (t.config, SprintDoc::parse(&issue.body)) {
        (Some(config), Ok(before)) => {
            super::decide::retitle(config, &before, &replayed.doc, &issue.title)
        }
        _ => None,
    };
    let update = IssueUpdate {
        body: Some(replayed.doc.text().to_string()),
        title,
        ..Default::default()
    };
    match t.gh.update_issue(t.repo, issue.number, &update).await {
        Ok(_) => {}
        // GitHub refused the body (its own count of its length): nothing was
        // written, so every change is refused and said so.
        Err(GitHubError::Validation { .. }) => {
            drop_held(t, &prefixes).await?;
            refuse_all(&mut outcomes, &messages::body_too_long(MAX_BODY_CHARS));
            let effects = enqueue_all(&outcomes, prepare);
            return Ok(Written {
                outcomes,
                effects,
                body: Some(issue.body.clone()),
            });
        }
        Err(e) => return Err(github_error(e)),
    }
    // Releasing a prefix lets its answers run and moves its audit entries
    // into the log, in the transaction that completes the job.
    let effects: Vec<Effect> = prefixes.into_iter().map(Effect::Release).collect();
    Ok(Written {
        outcomes,
        effects,
        body: Some(replayed.doc.text().to_string()),
    })
}

/// When a write changed the calendar marker of the current issue (`/sprint
/// skip next`, `/sprint extend`): the store's note of it, so the scheduler
/// wakes at the new opening instant.
pub(crate) fn calendar_moved(
    repo: &RepoRef,
    issue: &Issue,
    meta: &Metadata,
    body: &str,
) -> Option<Effect> {
    let now = Recorded::from_body(body);
    (now != Recorded::from_body(&issue.body)).then(|| Effect::CurrentIssue {
        repo: repo.to_string(),
        issue: issue.number.0,
        sprint: exceptions::note(meta.sprint, &now),
    })
}
