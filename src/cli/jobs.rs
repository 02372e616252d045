//! `sprintbot jobs`: placeholder until its issue lands.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(_config: Option<PathBuf>, _args: Args) -> ExitCode {
    eprintln!("sprintbot: this subcommand is not built yet");
    ExitCode::FAILURE
}
