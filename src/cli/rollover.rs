//! `sprintbot rollover --repo owner/name [--dry-run]`: close the newest
//! sprint and open the next one now. `--dry-run` prints every write it would
//! make and changes nothing.

use std::path::PathBuf;
use std::process::ExitCode;

use super::oneshot::{block_on, setup};
use crate::lifecycle::dry_run::DryRun;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The repository (default: $GITHUB_REPOSITORY).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// Print the calls that would change GitHub, and make none of them.
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run(config: Option<PathBuf>, args: Args) -> ExitCode {
    block_on(async move {
        let s = setup(&config, args.repo).await?;
        let now = jiff::Timestamp::now();
        if args.dry_run {
            let dry = DryRun::new(&s.client);
            // A dry run must not leave a record of steps it did not take.
            let scratch = crate::store::Store::open(std::path::Path::new(":memory:"))
                .map_err(|e| e.to_string())?;
            let r = crate::lifecycle::rollover_now(&dry, &scratch, &s.repo, &s.config, now, None)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "dry run: sprint {} of {} would be opened with these calls:",
                r.sprint, s.repo
            );
            for w in dry.writes() {
                println!("  {w}");
            }
            return Ok(());
        }
        let r = crate::lifecycle::rollover_now(&s.client, &s.store, &s.repo, &s.config, now, None)
            .await
            .map_err(|e| e.to_string())?;
        println!("{}: sprint {} is open as #{}", s.repo, r.sprint, r.issue.0);
        Ok(())
    })
}
