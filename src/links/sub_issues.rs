//! Linked goals as GitHub sub-issues of the sprint issue (`[switches]
//! goals_as_sub_issues`), so that GitHub shows the sprint's progress. One
//! reconciler makes the sprint issue's sub-issues match its goals: every
//! linked issue is added (by its database id), a dropped goal's issue is
//! taken off, and at a rollover the unfinished ones move over from the
//! previous sprint issue (`replace_parent`). It lists the sub-issues first,
//! so whatever it did before is not done again. Pull requests cannot be
//! sub-issues and are left out (their goals still tick on merge); an issue
//! that has another parent is left where it is. GitHub allows 100
//! sub-issues per issue: beyond that, and for any issue GitHub refuses, one
//! note on the sprint issue says which linked issues are not sub-issues and
//! why; it is updated, never posted twice.
//!
//! After commands change linked goals a `sub_issues` job runs the
//! reconciler (`after_commands`); a rollover runs it on the new issue
//! (`lifecycle::steps`).

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::commands::replay::Outcome;
use crate::config::repo::RepoConfig;
use crate::context::Context;
use crate::github::{
    Comment, GitHub, GitHubError, Issue, IssueNumber, IssueState, MAX_SUB_ISSUES, RepoRef,
};
use crate::sprint::Login;
use crate::sprint::body::SprintDoc;
use crate::sprint::links::link_of_item;
use crate::sprint_issues;
use crate::store::{Effect, Job, NewJob};
use crate::util::BoxFuture;
use crate::work::JobKind;
use crate::worker::{Handler, JobError, github_error};

const NOTE_MARKER: &str = "<!-- sprintbot:sub-issues -->";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubIssuesJob {
    pub installation: u64,
    pub repo: String,
    #[serde(default)]
    pub repo_id: Option<u64>,
    pub issue: u64,
}

/// The job for one sprint issue; one waiting job covers any number of changes.
pub fn sub_issues_job(j: &SubIssuesJob) -> NewJob {
    NewJob {
        kind: JobKind::SubIssues.into(),
        payload: serde_json::to_string(j).unwrap_or_default(),
        dedupe_key: Some(format!(
            "sub_issues/{}/{}",
            j.repo.to_ascii_lowercase(),
            j.issue
        )),
        serial_key: JobKind::SubIssues.serial_key(&j.repo),
        tenant: Some(j.installation),
        run_after_ms: 0,
    }
}

/// The job to queue after commands were applied to `issue`, when one of them
/// added, relinked or dropped a linked goal.
pub fn after_commands(
    config: &RepoConfig,
    installation: u64,
    repo: &RepoRef,
    repo_id: Option<u64>,
    issue: u64,
    outcomes: &[Outcome],
) -> Option<Effect> {
    if !config.switches.goals_as_sub_issues {
        return None;
    }
    let linked = |line: &Option<String>| line.as_deref().and_then(link_of_item).is_some();
    let touched = outcomes
        .iter()
        .flat_map(|o| &o.applied)
        .any(|a| match a.action {
            "goal.add" | "goal.edit" => linked(&a.after),
            "goal.drop" => linked(&a.before),
            _ => false,
        });
    touched.then(|| {
        Effect::Enqueue(sub_issues_job(&SubIssuesJob {
            installation,
            repo: repo.to_string(),
            repo_id,
            issue,
        }))
    })
}

/// Which issues should be sub-issues of a sprint issue, and which should go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wanted {
    /// Every linked goal's issue, in goal order.
    pub linked: Vec<u64>,
    /// Issues of dropped goals: taken off unless another goal links them.
    pub dropped: Vec<u64>,
}

impl Wanted {
    /// From a sprint issue's body.
    pub fn of(doc: &SprintDoc) -> Wanted {
        let mut linked: Vec<u64> = Vec::new();
        for n in doc
            .goals()
            .unwrap_or_default()
            .iter()
            .filter_map(|g| g.link())
        {
            if !linked.contains(&n) {
                linked.push(n);
            }
        }
        let dropped = doc
            .dropped()
            .unwrap_or_default()
            .iter()
            .filter_map(|d| d.link)
            .filter(|n| !linked.contains(n))
            .collect();
        Wanted { linked, dropped }
    }
}

/// What a reconcile did, and what it could not do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reconciled {
    pub added: Vec<u64>,
    /// Moved over from the previous sprint issue.
    pub moved: Vec<u64>,
    pub removed: Vec<u64>,
    /// Not added: the sprint issue has GitHub's 100 sub-issues already.
    pub full: Vec<u64>,
    /// Not added, with GitHub's reason (another parent, ...).
    pub refused: Vec<(u64, String)>,
}

/// Make the sub-issues of `parent` what `wanted` says. `existing`: its
/// sub-issues when known (an issue just created has none); `from`: the
/// previous sprint issue's sub-issues, which move over when wanted.
pub async fn reconcile(
    gh: &dyn GitHub,
    repo: &RepoRef,
    parent: IssueNumber,
    wanted: &Wanted,
    existing: Option<Vec<Issue>>,
    from: &[Issue],
) -> Result<Reconciled, GitHubError> {
    let existing = match existing {
        Some(e) => e,
        None => gh.sub_issues(repo, parent).await?,
    };
    let mut out = Reconciled::default();
    let mut count = existing.len();
    for n in &wanted.dropped {
        if let Some(sub) = existing.iter().find(|i| i.number.0 == *n) {
            gh.remove_sub_issue(repo, parent, sub.id).await?;
            out.removed.push(*n);
            count -= 1;
        }
    }
    for n in &wanted.linked {
        if existing.iter().any(|i| i.number.0 == *n) {
            continue;
        }
        if count >= MAX_SUB_ISSUES {
            out.full.push(*n);
            continue;
        }
        let (id, replace) = match from.iter().find(|i| i.number.0 == *n) {
            Some(sub) => (sub.id, true),
            None => match gh.get_issue(repo, IssueNumber(*n)).await {
                Ok(i) if i.pull_request.is_none() => (i.id, false),
                // A pull request (GitHub has no sub-pull-requests), or gone.
                Ok(_) | Err(GitHubError::NotFound { .. }) => continue,
                Err(e) => return Err(e),
            },
        };
        match gh.add_sub_issue(repo, parent, id, replace).await {
            Ok(()) if replace => out.moved.push(*n),
            Ok(()) => out.added.push(*n),
            Err(GitHubError::Validation { message }) | Err(GitHubError::Forbidden { message }) => {
                out.refused.push((*n, message));
                continue;
            }
            Err(e) => return Err(e),
        }
        count += 1;
    }
    Ok(out)
}

/// The previous sprint issue's sub-issues that move to the new one at a
/// rollover: those still open that an unfinished goal of it links.
pub fn moving(previous: &SprintDoc, subs: Vec<Issue>) -> Vec<Issue> {
    let unfinished: Vec<u64> = previous
        .goals()
        .unwrap_or_default()
        .iter()
        .filter(|g| !g.done)
        .filter_map(|g| g.link())
        .collect();
    subs.into_iter()
        .filter(|i| i.state == IssueState::Open && unfinished.contains(&i.number.0))
        .collect()
}

/// The note's text for what could not be done, or `None` when all went well.
pub fn note_text(r: &Reconciled) -> Option<String> {
    if r.full.is_empty() && r.refused.is_empty() {
        return None;
    }
    let mut s =
        format!("{NOTE_MARKER}\nSome linked goals are not sub-issues of this sprint issue:\n\n");
    if !r.full.is_empty() {
        let list: Vec<String> = r.full.iter().map(|n| format!("#{n}")).collect();
        s.push_str(&format!(
            "- {}: GitHub allows at most {MAX_SUB_ISSUES} sub-issues per issue, and this one has {MAX_SUB_ISSUES}. Remove some sub-issues that are done, and the next change to the goals adds these.\n",
            list.join(", ")
        ));
    }
    for (n, why) in &r.refused {
        s.push_str(&format!(
            "- #{n}: GitHub refused it ({why}); an issue with a parent of its own stays there.\n"
        ));
    }
    s.push_str("\nTheir goals are still ticked when they are closed as completed.\n");
    Some(s)
}

/// Post (or update) the note about what could not be done; `comments`: the
/// issue's comments when the caller has them.
pub async fn note(
    gh: &dyn GitHub,
    repo: &RepoRef,
    issue: IssueNumber,
    bot: &Login,
    r: &Reconciled,
    comments: Option<&[Comment]>,
) -> Result<(), GitHubError> {
    let Some(text) = note_text(r) else {
        return Ok(());
    };
    metrics::counter!("sprintbot_sub_issues_refused_total")
        .increment((r.full.len() + r.refused.len()) as u64);
    tracing::warn!(%repo, issue = issue.0, full = ?r.full, refused = ?r.refused,
        "some linked goals could not be made sub-issues");
    let listed;
    let comments = match comments {
        Some(c) => c,
        None => {
            listed = gh.list_comments(repo, issue, None).await?;
            &listed
        }
    };
    match crate::sprint_issues::find_written(comments, bot, issue, NOTE_MARKER, &text) {
        Some(c) if c.body == text => Ok(()),
        Some(c) => gh.update_comment(repo, c.id, &text).await.map(|_| ()),
        None => gh
            .create_comment(repo, issue, &text, Some(NOTE_MARKER))
            .await
            .map(|_| ()),
    }
}

/// Runs `sub_issues` jobs.
pub struct SubIssuesHandler(pub Arc<Context>);

impl SubIssuesHandler {
    async fn run(&self, job: &Job) -> Result<Vec<Effect>, JobError> {
        let j: SubIssuesJob = serde_json::from_slice(&job.payload)
            .map_err(|e| JobError::Permanent(format!("bad sub_issues job: {e}")))?;
        let c = &self.0;
        let crate::context::RepoContext {
            repo,
            gh,
            bot,
            loaded,
        } = c.open_repo(j.installation, &j.repo, j.repo_id).await?;
        if !loaded
            .config
            .as_ref()
            .is_some_and(|c| c.switches.goals_as_sub_issues)
        {
            return Ok(Vec::new());
        }
        let issue = gh
            .get_issue(&repo, IssueNumber(j.issue))
            .await
            .map_err(github_error)?;
        if sprint_issues::recognise_on_github(gh.as_ref(), &repo, &issue, &bot)
            .await
            .map_err(github_error)?
            .is_none()
        {
            return Ok(Vec::new());
        }
        let Ok(doc) = SprintDoc::parse(&issue.body) else {
            return Ok(Vec::new());
        };
        let done = reconcile(
            gh.as_ref(),
            &repo,
            issue.number,
            &Wanted::of(&doc),
            None,
            &[],
        )
        .await
        .map_err(github_error)?;
        note(gh.as_ref(), &repo, issue.number, &bot, &done, None)
            .await
            .map_err(github_error)?;
        Ok(Vec::new())
    }
}

impl Handler for SubIssuesHandler {
    fn handle<'a>(&'a self, job: &'a Job) -> BoxFuture<'a, Result<Vec<Effect>, JobError>> {
        Box::pin(self.run(job))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linked_and_dropped_goals_say_what_the_sub_issues_should_be() {
        let body = "<!-- sprintbot:goals:start -->\n- [ ] A (#3) @ann\n- [x] B #4\n- [ ] C\n- [ ] D (#3)\n<!-- sprintbot:dropped id=00aa11 carried=0 link=#9 -->\n<!-- sprintbot:dropped id=00aa12 carried=0 link=#4 -->\n<!-- sprintbot:goals:end -->\n";
        let w = Wanted::of(&SprintDoc::parse(body).unwrap());
        assert_eq!(w.linked, [3, 4]);
        assert_eq!(w.dropped, [9], "#4 is still linked by another goal");
    }

    #[test]
    fn the_note_says_what_is_missing_and_why() {
        assert_eq!(note_text(&Reconciled::default()), None);
        let r = Reconciled {
            full: vec![5, 6],
            refused: vec![(7, "Validation Failed".into())],
            ..Reconciled::default()
        };
        let text = note_text(&r).unwrap();
        assert!(text.starts_with(NOTE_MARKER), "{text}");
        assert!(
            text.contains("- #5, #6: GitHub allows at most 100 sub-issues"),
            "{text}"
        );
        assert!(
            text.contains("- #7: GitHub refused it (Validation Failed)"),
            "{text}"
        );
    }
}
