//! What sprintbot knows about each repository it serves: its config (one
//! loader used by commands, the scheduler and push handling; cached in the
//! store and revalidated with conditional requests) and the
//! `sprintbot: configuration error` issue that reports a broken file; and
//! the `sprintbot config` check run on pull requests that change the file.

pub mod check_run;
pub mod config;
pub(crate) mod config_issue;
pub mod pull_request;

/// Where a repository keeps its sprintbot config.
pub const CONFIG_PATH: &str = ".github/sprintbot.toml";

pub use config::{Loaded, Loader, cached};
pub use config_issue::{ERROR_TITLE, NOTICE_LABEL, report_problem};
