//! The `sprintbot` binary: parse the command line and run one subcommand.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = sprintbot::cli::Cli::parse();
    sprintbot::cli::run(cli)
}
