//! `sprintbot tick [--now T] [--repo owner/name]`: run whatever is due once,
//! with `GITHUB_TOKEN` — the one-shot mode for a scheduled GitHub Actions
//! workflow. Safe to run as often as you like.

use std::path::PathBuf;
use std::process::ExitCode;

use super::oneshot::{block_on, setup};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The repository (default: $GITHUB_REPOSITORY).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// Act as if it were this instant (RFC 3339, e.g. 2022-11-14T09:00:00Z).
    #[arg(long, value_name = "TIME")]
    pub now: Option<String>,
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
        match crate::lifecycle::tick(&s.client, &s.store, &s.repo, &s.config, now)
            .await
            .map_err(|e| e.to_string())?
        {
            Some(r) if r.created => {
                println!("{}: opened sprint {} as #{}", s.repo, r.sprint, r.issue.0)
            }
            Some(r) => println!(
                "{}: finished opening sprint {} (#{})",
                s.repo, r.sprint, r.issue.0
            ),
            None => println!("{}: nothing due", s.repo),
        }
        Ok(())
    })
}
