//! Configuration: the deployment file (`config/sprintbot.toml`) and each
//! repository's `.github/sprintbot.toml`, with diagnostics that point at a
//! file, line and column and say how to fix the problem.

pub mod deploy;
pub mod diag;
pub mod kind;
pub mod redact;
pub mod repo;
pub mod schema;
