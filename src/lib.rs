//! sprintbot: runs a two-week sprint ritual inside a GitHub issue.
//!
//! The module map, in layers, bottom first: a module uses modules of its
//! own layer or below, never above (scripts/house-figures holds the same
//! list and counts the imports that break it). `sprint` is the pure core
//! (no I/O, no clock, no async); the layers above it are the shell.
//!
//! 1. `util`: the boxed future type and the backoff curve.
//! 2. `sprint`: PURE. Calendar, numbering, rotation, the issue body model,
//!    ledger, rollover plan, reminders.
//! 3. `config`: deployment config and repository config: types, loading,
//!    validation. `events`: webhook payloads as typed events, parsed once.
//! 4. `github`: the narrow GitHub interface over octocrab: App auth, retry,
//!    pacing, the write budget. `telemetry`: tracing and Prometheus metrics.
//! 5. `store`: the storage interface; SQLite for one process, PostgreSQL
//!    for replicas sharing a database.
//! 6. `work`: the jobs sprintbot queues: their kinds (one enum, with their
//!    properties), payloads and keys.
//! 7. `worker`: the job contract (`Handler`, `JobError`); claims due jobs,
//!    runs them, retries.
//! 8. `context`: `Context`, what every job handler holds, and
//!    `RepoContext`, a repository as a job sees it.
//! 9. `sprint_issues`: sprint issues on GitHub, recognised by the bot's
//!    metadata; the current one. `repos`: each repository's config: one
//!    loader, cached, its error issue and check run.
//! 10. `links`: goals linked to issues and pull requests: ticked on close or
//!     merge, sub-issues.
//! 11. `lifecycle`: opening sprints and their timed reminders: tick,
//!     rollover, each step checked on GitHub.
//! 12. `commands`: slash commands: grammar, pure parser, messages, the use
//!     case that applies them.
//! 13. `webhook`: the HTTP edge: router, signature check, delivery to a
//!     queued job.
//! 14. `app`: wiring: every job handler for one GitHub identity.
//! 15. `register`: `sprintbot register`, the GitHub App manifest flow.
//! 16. `cli`: clap definitions and one runner per subcommand.

pub mod app;
pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub mod events;
pub mod github;
pub mod lifecycle;
pub mod links;
pub mod register;
pub mod repos;
pub mod sprint;
pub mod sprint_issues;
pub mod store;
pub mod telemetry;
pub mod util;
pub mod webhook;
pub mod work;
pub mod worker;
