//! A repository's `.github/sprintbot.toml`: teams, engineers, cadence (with
//! its skipped and extended sprints), numbering, rotation, known time off,
//! labels, switches, reminders and template overrides. Defaults
//! come from the deployment config's `[defaults]` table; the repository file
//! wins key by key. Every problem names file, line and column and a fix,
//! and all of them are reported at once.

use serde::Deserialize;

use super::diag::{self, Diagnostic};
use super::schema;
use raw::Raw;
use report::Report;

mod advice;
mod calendar;
pub mod keys;
mod layout;
mod model;
mod people;
mod raw;
mod reminders;
mod report;
mod templates;
mod timing;
mod validate;

pub use model::{Engineers, RepoConfig, Switches, Team};
pub use timing::Day;

/// The longest repository config read, in bytes (the example is about
/// 5 KB; GitHub serves files of up to 1 MB).
pub const MAX_CONFIG_BYTES: usize = 256 * 1024;

/// Parse and validate a repository config. `file` names it in diagnostics;
/// `defaults` is the deployment config's `[defaults]` table. The error holds
/// every error in the file (not warnings), in file order.
pub fn parse(
    file: &str,
    source: &str,
    defaults: &toml::Table,
) -> Result<RepoConfig, Vec<Diagnostic>> {
    let checked = check(file, source, defaults, None);
    checked.config.ok_or_else(|| {
        checked
            .diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect()
    })
}

/// The outcome of checking a repository config.
#[derive(Debug)]
pub struct Checked {
    /// The config, when the file has no errors.
    pub config: Option<RepoConfig>,
    /// Every error, warning and note, in file order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Check a repository config and, when it is valid, build it. With a `day`,
/// also warn about what is valid but wrong in practice (a team with no
/// members, an anchor on a day off) and say what the config means on that
/// day (an anchor still to come);
/// `check-config` and `preview` both come through here so they agree.
pub fn check(file: &str, source: &str, defaults: &toml::Table, day: Option<Day>) -> Checked {
    // Bounded before it is parsed: the file may be a stranger's.
    if source.len() > MAX_CONFIG_BYTES {
        return Checked {
            config: None,
            diagnostics: vec![
                Diagnostic::whole_file(
                    file,
                    format!(
                        "the file is {} bytes long; at most {MAX_CONFIG_BYTES} are read",
                        source.len()
                    ),
                )
                .with_help(
                    "keep the config short: move long lists (leave, people) out, or trim them",
                ),
            ],
        };
    }
    let walked = schema::walk(file, source, keys::TOP);
    let mut diagnostics = walked.problems;
    let mut config = None;
    // A file that is not valid TOML was only partly read: checking what its
    // values mean would report keys it does have as missing.
    if walked.parsed {
        let mut merged = defaults.clone();
        merge(&mut merged, walked.table);
        match Raw::deserialize(toml::Value::Table(merged)) {
            Ok(raw) => {
                let mut report = Report {
                    file,
                    source,
                    spans: &walked.spans,
                    flagged: &walked.flagged,
                    problems: Vec::new(),
                };
                config = validate::build(&mut report, raw);
                diagnostics.extend(report.problems);
            }
            // The file's own keys were checked above, so this is the defaults.
            Err(e) => diagnostics.push(
                Diagnostic::whole_file(
                    file,
                    format!("with the deployment defaults applied: {}", e.message()),
                )
                .with_help(
                    "fix the [defaults] table of the deployment config (sprintbot check-config)",
                ),
            ),
        }
    }
    if diagnostics.iter().any(Diagnostic::is_error) {
        config = None;
    } else if config.is_none() {
        diagnostics.push(Diagnostic::whole_file(
            file,
            "the file is not a valid repository config",
        ));
    }
    if let (Some(c), Some(day)) = (&config, day) {
        diagnostics.extend(advice::warnings(file, source, &walked.spans, c));
        diagnostics.extend(timing::on_day(file, source, &walked.spans, c, day.date(c)));
    }
    diag::sort(&mut diagnostics);
    Checked {
        config,
        diagnostics,
    }
}

/// Overlay `top` on `base`: tables merge key by key, anything else replaces.
pub fn merge(base: &mut toml::Table, top: toml::Table) {
    for (key, value) in top {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(b)), toml::Value::Table(t)) => merge(b, t),
            (_, v) => {
                base.insert(key, v);
            }
        }
    }
}
