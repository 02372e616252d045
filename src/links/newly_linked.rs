//! Goals that commands just linked. A webhook says when a linked issue
//! closes or a pull request merges, but a goal may link one that closed
//! before the goal was written, and no webhook will ever come for it: so a
//! command that adds or relinks a linked goal queues the same `link` job a
//! webhook would, which reads the linked issue and ticks the goal if it is
//! already done. One-shot mode reads every link on each run (`check.rs`).

use super::{LinkJob, link_job};
use crate::commands::replay::Outcome;
use crate::config::repo::RepoConfig;
use crate::github::RepoRef;
use crate::sprint::links::link_of_item;
use crate::store::Effect;

/// One `link` job per issue a goal was newly linked to by these outcomes.
pub fn after_commands(
    config: &RepoConfig,
    installation: u64,
    repo: &RepoRef,
    repo_id: Option<u64>,
    outcomes: &[Outcome],
) -> Vec<Effect> {
    if !config.switches.tick_linked_goals {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for o in outcomes {
        for a in &o.applied {
            if !matches!(a.action, "goal.add" | "goal.edit") {
                continue;
            }
            let Some(number) = a.after.as_deref().and_then(link_of_item) else {
                continue;
            };
            let before = a.before.as_deref().and_then(link_of_item);
            if before == Some(number) || seen.contains(&number) {
                continue;
            }
            seen.push(number);
            out.push(Effect::Enqueue(link_job(&LinkJob {
                installation,
                repo: repo.to_string(),
                repo_id,
                number,
                event: "goal.linked".into(),
                actor: o.author.0.clone(),
                // One job per comment and link, however often it is retried.
                delivery: Some(format!("comment-{}", o.comment)),
            })));
        }
    }
    out
}
