//! The command line: clap definitions and dispatch. Each subcommand's
//! arguments and runner live in their own file; this file only wires them.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod adopt;
mod check_config;
mod common;
mod healthcheck;
mod jobs;
mod oneshot;
mod preview;
mod register;
mod rollover;
mod serve;
mod startup;
mod tick;

/// sprintbot runs your team's two-week sprint ritual inside a GitHub issue.
#[derive(Debug, Parser)]
#[command(name = "sprintbot", version, about, long_about = None)]
pub struct Cli {
    /// Deployment config file. When absent, the sample config built into the
    /// binary is used.
    #[arg(long, global = true, env = "SPRINTBOT_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the GitHub App server: verify and queue webhooks, run their jobs.
    Serve(serve::Args),
    /// Print the sprint issue and team comments for a date; no network.
    Preview(preview::Args),
    /// Validate a deployment config or a repository's .github/sprintbot.toml.
    CheckConfig(check_config::Args),
    /// Run whatever is due once with GITHUB_TOKEN or the App's credentials
    /// (one-shot mode, e.g. from GitHub Actions).
    Tick(tick::Args),
    /// Close the newest sprint and open the next one now.
    Rollover(rollover::Args),
    /// Make an issue people wrote the current sprint issue, as
    /// `/sprint adopt` does.
    Adopt(adopt::Args),
    /// Show the job queue: pending, running, retrying, dead, with last errors.
    Jobs(jobs::Args),
    /// Ask a running server's /healthz; exit 0 when healthy (for Docker).
    Healthcheck(healthcheck::Args),
    /// Create the GitHub App from a manifest: a local page, one click on
    /// GitHub, and an env file with the App's credentials.
    Register(register::Args),
}

/// Run the parsed command line and return the process exit code.
pub fn run(cli: Cli) -> ExitCode {
    let config = cli.config;
    match cli.command {
        Command::Serve(args) => serve::run(config, args),
        Command::Preview(args) => preview::run(config, args),
        Command::CheckConfig(args) => check_config::run(config, args),
        Command::Tick(args) => tick::run(config, args),
        Command::Rollover(args) => rollover::run(config, args),
        Command::Adopt(args) => adopt::run(config, args),
        Command::Jobs(args) => jobs::run(config, args),
        Command::Healthcheck(args) => healthcheck::run(config, args),
        Command::Register(args) => register::run(config, args),
    }
}
