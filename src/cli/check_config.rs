//! `sprintbot check-config [FILE]`: validate a deployment config (default: the
//! one in use) or a repository's `.github/sprintbot.toml`, printing each
//! problem as `file:line:column: message` with a hint on how to fix it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::common::{EXIT_CONFIG, print_diagnostics, read_config_file};
use crate::config::deploy;
use crate::config::diag::Diagnostic;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The file to check: a deployment config, or a repository's
    /// .github/sprintbot.toml. Default: the deployment config in use.
    pub file: Option<PathBuf>,
}

/// Which kind of config a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Deployment,
    Repository,
}

pub fn run(config: Option<PathBuf>, args: Args) -> ExitCode {
    let file = args.file.or(config);
    let (name, source) = match read_config_file(
        file.as_deref(),
        "(built-in config/sprintbot.toml)",
        deploy::SAMPLE,
    ) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let kind = kind_of(file.as_deref(), &source);
    let result = match kind {
        Kind::Deployment => deploy::parse(&name, &source).map(|_| ()),
        Kind::Repository => check_repository(&name, &source),
    };
    match result {
        Ok(()) => {
            let what = if kind == Kind::Deployment {
                "deployment config"
            } else {
                "repository config"
            };
            println!("{name}: ok ({what})");
            ExitCode::SUCCESS
        }
        Err(diags) => {
            print_diagnostics(&diags);
            eprintln!("{name}: {} problem(s)", diags.len());
            ExitCode::from(EXIT_CONFIG)
        }
    }
}

fn kind_of(path: Option<&Path>, source: &str) -> Kind {
    if let Some(p) = path {
        let s = p.to_string_lossy().replace('\\', "/");
        if s.ends_with(".github/sprintbot.toml") {
            return Kind::Repository;
        }
    }
    match toml::from_str::<toml::Table>(source) {
        Ok(t)
            if !t.contains_key("server")
                && !t.contains_key("storage")
                && (t.contains_key("teams") || t.contains_key("cadence")) =>
        {
            Kind::Repository
        }
        _ => Kind::Deployment,
    }
}

fn check_repository(name: &str, source: &str) -> Result<(), Vec<Diagnostic>> {
    let defaults = deploy::parse("(built-in config/sprintbot.toml)", deploy::SAMPLE)
        .map(|c| c.defaults)
        .unwrap_or_default();
    crate::config::repo::parse(name, source, &defaults).map(|_| ())
}
