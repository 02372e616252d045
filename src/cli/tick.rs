//! `sprintbot tick [--now T] [--repo owner/name]`: run whatever is due once,
//! with `GITHUB_TOKEN`: the one-shot mode for GitHub Actions. It ticks the
//! goals whose linked issues closed (and unticks those reopened) since the
//! last run, finishes a sprint opening that was cut short, opens the sprint
//! that is due, applies every command written on the open sprint issues
//! since the last run and answers them, and writes the reminders that are
//! due (the review before the rollover, the nudges) and not yet on GitHub.
//! GitHub holds all the state, so an empty store is fine, and a run with
//! nothing to do writes nothing.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::oneshot::{block_on, setup};
use crate::github::InstallationId;
use crate::lifecycle::lease::{LEASE_MS, leased};
use crate::lifecycle::{Goal, open, timed};
use crate::worker::Worker;

/// How long `tick` keeps retrying answers GitHub refused for a moment.
const DRAIN_FOR: Duration = Duration::from_secs(120);

#[derive(Debug, clap::Args)]
#[command(after_help = super::oneshot::ENV_HELP)]
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
        let r = s.repo_view().ok_or("the repository config is not valid")?;
        // Before the rollover, so a pull request merged on the last day is
        // in the retro as done.
        let ticked =
            crate::links::check::check(s.client.as_ref(), &s.store, &s.repo, r.config, &s.bot, now)
                .await
                .map_err(|e| e.to_string())?;
        s.store
            .apply_effects(ticked)
            .await
            .map_err(|e| e.to_string())?;
        let done = leased(
            &s.store,
            &s.repo,
            Duration::from_secs(600),
            LEASE_MS,
            async || open(&r, Goal::Due(now)).await,
        )
        .await
        .map_err(|e| e.to_string())?;
        s.store
            .apply_effects(done.effects)
            .await
            .map_err(|e| e.to_string())?;
        match &done.report {
            Some(r) if r.created => {
                println!("{}: opened sprint {} as #{}", s.repo, r.sprint, r.issue.0)
            }
            Some(r) => println!(
                "{}: finished opening sprint {} (#{})",
                s.repo, r.sprint, r.issue.0
            ),
            None => println!("{}: nothing due", s.repo),
        }
        let effects = s
            .commands
            .catch_up_repo(InstallationId(0), &s.repo, None)
            .await
            .map_err(|e| e.to_string())?;
        s.store
            .apply_effects(effects)
            .await
            .map_err(|e| e.to_string())?;
        // After the commands, so the review sees every `/goal done` so far.
        let ran = leased(
            &s.store,
            &s.repo,
            Duration::from_secs(600),
            LEASE_MS,
            async || timed::run(&r, now).await,
        )
        .await
        .map_err(|e| e.to_string())?;
        for p in ran.posted {
            println!(
                "{}: wrote the {} reminder on #{}",
                s.repo,
                p.reminder.name(),
                p.issue.0
            );
        }
        let worker = Worker::new(
            s.store.clone(),
            crate::app::handlers(&s.commands),
            s.worker.clone(),
            Arc::new(tokio::sync::Notify::new()),
        );
        let left = worker.run_until_idle(Instant::now() + DRAIN_FOR).await;
        let stats = s.store.queue_stats().await.map_err(|e| e.to_string())?;
        if stats.done > 0 {
            println!("{}: {} answer(s) and rollover(s) done", s.repo, stats.done);
        }
        if left > 0 || stats.dead > 0 {
            return Err(format!(
                "{} job(s) could not finish ({} failed for good); the next run finds them again on GitHub",
                left, stats.dead
            ));
        }
        Ok(())
    })
}
