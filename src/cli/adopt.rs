//! `sprintbot adopt --repo owner/name --issue N [--now T] [--dry-run]`:
//! what `/sprint adopt` does, for a team that runs sprintbot as an Action
//! (a token) or with the App's credentials: the same checks, the same
//! refusals and the same record comment (`commands::adopt`). It prints the
//! record, or the refusal and exits non-zero. `--dry-run` prints the
//! record and every write it would make, and changes nothing; `--now`
//! acts as if it were that instant, as for `tick`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::oneshot::{block_on, setup};
use crate::commands::adopt::Request;
use crate::github::IssueNumber;
use crate::lifecycle::dry_run::DryRun;

#[derive(Debug, clap::Args)]
#[command(after_help = super::oneshot::ENV_HELP)]
pub struct Args {
    /// The repository (default: $GITHUB_REPOSITORY).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// The issue people wrote, to become the current sprint issue.
    #[arg(long, value_name = "N")]
    pub issue: u64,
    /// Act as if it were this instant (RFC 3339, e.g. 2022-11-14T09:00:00Z).
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
    /// Print what would be written, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(config: Option<PathBuf>, args: Args) -> ExitCode {
    block_on(async move {
        let now = match &args.now {
            Some(t) => t
                .parse::<jiff::Timestamp>()
                .map_err(|_| format!("`{t}` is not an instant like 2022-11-14T09:00:00Z"))?,
            None => jiff::Timestamp::now(),
        };
        let s = setup(&config, args.repo).await?;
        let dry = DryRun::new(s.client.as_ref(), s.bot.clone());
        let gh: &dyn crate::github::GitHub = if args.dry_run {
            &dry
        } else {
            s.client.as_ref()
        };
        let issue = gh
            .get_issue(&s.repo, IssueNumber(args.issue))
            .await
            .map_err(|e| format!("cannot read {}#{}: {e}", s.repo, args.issue))?;
        let req = Request {
            gh,
            repo: &s.repo,
            repo_id: None,
            issue: &issue,
            now,
            asked: None,
        };
        let done = s
            .commands
            .adopt_issue(&req)
            .await
            .map_err(|e| e.to_string())?
            .map_err(|refused| format!("{}#{}: {refused}", s.repo, args.issue))?;
        if args.dry_run {
            println!(
                "dry run: {}#{} would become the sprint issue of {}, with this comment:\n",
                s.repo, args.issue, done.sprint
            );
            println!("{}", done.record);
            println!("and these calls:");
            for w in dry.writes() {
                println!("  {w}");
            }
            return Ok(());
        }
        s.store
            .apply_effects(done.effects)
            .await
            .map_err(|e| e.to_string())?;
        println!(
            "{}#{} is the sprint issue of {}, with this record:\n",
            s.repo, args.issue, done.sprint
        );
        println!("{}", done.record);
        Ok(())
    })
}
