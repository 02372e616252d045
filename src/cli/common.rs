//! Helpers shared by the subcommands: loading the deployment config and
//! printing diagnostics the same way everywhere.

use std::path::PathBuf;

use crate::config::deploy::{self, DeployConfig};
use crate::config::diag::Diagnostic;

/// Exit code for a configuration problem (sysexits' EX_CONFIG is 78; we keep
/// it simple: 2 = bad input, 1 = runtime failure).
pub const EXIT_CONFIG: u8 = 2;

/// Load the deployment config or print why not.
pub fn load_config(path: &Option<PathBuf>) -> Result<DeployConfig, std::process::ExitCode> {
    deploy::load(path.as_deref()).map_err(|diags| {
        print_diagnostics(&diags);
        std::process::ExitCode::from(EXIT_CONFIG)
    })
}

/// Print diagnostics to stderr, one per paragraph, each led by its severity.
pub fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        eprintln!("{}: {d}", d.severity);
    }
}

/// A config file's name and text, or the built-in one when no path is given;
/// an unreadable file is reported as a diagnostic.
pub fn read_config_file(
    path: Option<&std::path::Path>,
    builtin_name: &str,
    builtin: &str,
) -> Result<(String, String), std::process::ExitCode> {
    match path {
        Some(path) => std::fs::read_to_string(path)
            .map(|s| (path.display().to_string(), s))
            .map_err(|e| {
                print_diagnostics(&[Diagnostic::whole_file(
                    &path.display().to_string(),
                    format!("cannot read the file: {e}"),
                )]);
                std::process::ExitCode::from(EXIT_CONFIG)
            }),
        None => Ok((builtin_name.to_string(), builtin.to_string())),
    }
}
