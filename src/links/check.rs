//! One-shot mode (`sprintbot tick`): no webhook tells it that a linked issue
//! closed, so each run reads the links of the current sprint issue's goals
//! itself, before the rollover (so a pull request merged on the last day
//! is in the retro as done). It costs one call to find the current sprint
//! issue, one per link that can still change something (those of goals not
//! ticked yet, and those that ticked a goal), and two more when a goal
//! changes: the body read again, and written.

use std::collections::BTreeMap;

use super::write::{self, Ticks};
use super::{current_issue, state_of};
use crate::config::repo::RepoConfig;
use crate::github::{GitHub, GitHubError, IssueNumber, RepoRef};
use crate::sprint::Login;
use crate::sprint::body::SprintDoc;
use crate::sprint::links;
use crate::store::{Effect, Store};
use crate::worker::{JobError, github_error};

/// Tick and untick the current sprint issue's linked goals as their links
/// now stand; returns what to commit (the audit entries' release).
pub async fn check(
    gh: &dyn GitHub,
    store: &Store,
    repo: &RepoRef,
    config: &RepoConfig,
    bot: &Login,
    now: jiff::Timestamp,
) -> Result<Vec<Effect>, JobError> {
    if !config.switches.tick_linked_goals {
        return Ok(Vec::new());
    }
    let Some(issue) = current_issue(gh, store, repo, &config.sprint_label, bot).await? else {
        return Ok(Vec::new());
    };
    let goals = SprintDoc::parse(&issue.body)
        .and_then(|d| d.goals())
        .unwrap_or_default();
    let mut states = BTreeMap::new();
    for n in links::watched(&goals) {
        match gh.get_issue(repo, IssueNumber(n)).await {
            Ok(linked) => {
                states.insert(n, state_of(&linked));
            }
            Err(GitHubError::NotFound { .. }) => {}
            Err(e) => return Err(github_error(e)),
        }
    }
    if links::changes(&goals, |n| states.get(&n).copied()).is_empty() {
        return Ok(Vec::new());
    }
    let run = now.as_millisecond();
    let prefix = format!(
        "linked/{}/tick/{run}",
        repo.to_string().to_ascii_lowercase()
    );
    let source = format!("sprintbot tick at {now}: the linked issues' state");
    let ticks = Ticks {
        gh,
        store,
        repo,
        actor: "scheduler",
        source: &source,
        prefix: &prefix,
    };
    Ok(write::write(&ticks, issue.number, &states).await?.effects)
}
