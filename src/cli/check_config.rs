//! `sprintbot check-config [FILE]`: validate a deployment config (default: the
//! one in use) or a repository's `.github/sprintbot.toml`, told apart by what
//! the file holds. Every problem is printed at once as
//! `severity: file:line:column: message` with a fix; errors fail the exit
//! code, warnings and notes do not.

use std::path::PathBuf;
use std::process::ExitCode;

use super::common::{EXIT_CONFIG, print_diagnostics, read_config_file};
use crate::config::deploy;
use crate::config::diag::{Diagnostic, Severity};
use crate::config::kind::{self, Kind};
use crate::config::repo::{self, Day};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to check: a deployment config, or a repository's
    /// .github/sprintbot.toml (whatever its name). Default: the deployment
    /// config in use.
    pub file: Option<PathBuf>,
    /// Check a repository config as of this date (YYYY-MM-DD) instead of
    /// today in its time zone; e.g. to see whether its anchor is still to come.
    #[arg(long, value_name = "DATE")]
    pub today: Option<String>,
}

pub fn run(config: Option<PathBuf>, args: Args) -> ExitCode {
    let day = match &args.today {
        Some(d) => match d.parse::<jiff::civil::Date>() {
            Ok(d) => Day::On(d),
            Err(_) => {
                eprintln!(
                    "error: `{d}` is not a date\n  help: write it as YYYY-MM-DD, e.g. --today 2022-11-14"
                );
                return ExitCode::from(EXIT_CONFIG);
            }
        },
        // The one clock read, in the shell.
        None => Day::At(jiff::Timestamp::now()),
    };
    // With a FILE, `--config` is the deployment whose defaults it builds on.
    let (file, deployment) = match args.file {
        Some(file) => (Some(file), config),
        None => (config, None),
    };
    let (name, source) = match read_config_file(
        file.as_deref(),
        "(built-in config/sprintbot.toml)",
        deploy::SAMPLE,
    ) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let (kind, mut diagnostics) = match kind::detect(&name, &source) {
        Ok((kind, note)) => (kind, note.into_iter().collect::<Vec<_>>()),
        Err(problems) => return finish(&name, None, problems),
    };
    match kind {
        Kind::Deployment => {
            if let Err(problems) = deploy::parse(&name, &source) {
                diagnostics.extend(problems);
            }
        }
        Kind::Repository => {
            let defaults = match deploy::load(deployment.as_deref()) {
                Ok(d) => d.defaults,
                Err(problems) => {
                    eprintln!("error: the deployment config given with --config is not valid:");
                    print_diagnostics(&problems);
                    return ExitCode::from(EXIT_CONFIG);
                }
            };
            diagnostics.extend(repo::check(&name, &source, &defaults, Some(day)).diagnostics);
        }
    }
    finish(&name, Some(kind), diagnostics)
}

/// Print every diagnostic and a summary; fail only when there is an error.
fn finish(name: &str, kind: Option<Kind>, diagnostics: Vec<Diagnostic>) -> ExitCode {
    print_diagnostics(&diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let warned = match warnings {
        0 => String::new(),
        1 => ", 1 warning".to_string(),
        n => format!(", {n} warnings"),
    };
    match kind {
        Some(kind) if errors == 0 => {
            println!("{name}: ok ({}{warned})", kind.describe());
            ExitCode::SUCCESS
        }
        _ => {
            let s = if errors == 1 { "" } else { "s" };
            let what = kind
                .map(|k| format!(" ({})", k.describe()))
                .unwrap_or_default();
            eprintln!("{name}: {errors} error{s}{warned}{what}");
            ExitCode::from(EXIT_CONFIG)
        }
    }
}
