//! `sprintbot rollover --repo owner/name [--dry-run]`: close the newest
//! sprint and open the next one now (or finish an opening that was cut
//! short). `--dry-run` prints every write it would make and changes nothing.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use super::oneshot::{block_on, setup};
use crate::lifecycle::dry_run::DryRun;
use crate::lifecycle::lease::{LEASE_MS, leased};
use crate::lifecycle::{Goal, Repo, open};

#[derive(Debug, clap::Args)]
#[command(after_help = super::oneshot::ENV_HELP)]
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
        let r = s.repo_view().ok_or("the repository config is not valid")?;
        if args.dry_run {
            let dry = DryRun::new(s.client.as_ref(), s.bot.clone());
            // A dry run must not leave held answers or records behind.
            let scratch = crate::store::Store::open(std::path::Path::new(":memory:"))
                .map_err(|e| e.to_string())?;
            let commands = crate::context::Context::new(
                s.identity.clone(),
                scratch,
                s.commands.clock.clone(),
                s.commands.defaults.clone(),
            );
            let view = Repo {
                gh: &dry,
                commands: &commands,
                ..r
            };
            let done = open(&view, Goal::Next(now))
                .await
                .map_err(|e| e.to_string())?;
            match done.report {
                Some(r) => println!(
                    "dry run: sprint {} of {} would be opened with these calls:",
                    r.sprint, s.repo
                ),
                None => println!("dry run: nothing to open in {}", s.repo),
            }
            for w in dry.writes() {
                println!("  {w}");
            }
            return Ok(());
        }
        let done = leased(
            &s.store,
            &s.repo,
            Duration::from_secs(600),
            LEASE_MS,
            async || open(&r, Goal::Next(now)).await,
        )
        .await
        .map_err(|e| e.to_string())?;
        s.store
            .apply_effects(done.effects)
            .await
            .map_err(|e| e.to_string())?;
        match done.report {
            Some(r) if r.created => {
                println!("{}: sprint {} is open as #{}", s.repo, r.sprint, r.issue.0)
            }
            Some(r) => println!(
                "{}: finished opening sprint {} (#{})",
                s.repo, r.sprint, r.issue.0
            ),
            None => println!("{}: nothing to open", s.repo),
        }
        Ok(())
    })
}
