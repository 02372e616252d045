//! sprintbot: runs a two-week sprint ritual inside a GitHub issue.
//!
//! The module map, one line each. `sprint` is the pure
//! core; everything that touches the network, the disk or the clock lives at
//! the edges (`webhook`, `store`, `worker`).

pub mod app; // wiring: every job handler for one GitHub identity
pub mod cli; // clap definitions and one runner per subcommand
pub mod commands; // slash commands: grammar, pure parser, messages, the use case that applies them
pub mod config; // deployment config + repository config: types, loading, validation
pub mod events; // webhook payloads as typed events, parsed in one place
pub mod github; // the narrow GitHub interface, octocrab transport, App auth, retry, pacing
pub mod lifecycle; // opening sprints and their timed reminders: tick, rollover, each step checked on GitHub
pub mod links; // goals linked to issues and pull requests: ticked on close or merge, sub-issues
pub mod register; // `sprintbot register`: the GitHub App manifest flow
pub mod repos; // each repository's config: one loader, cached, and its error issue
pub mod sprint; // PURE: calendar, numbering, rotation, issue body model, ledger, rollover plan, reminders
pub mod sprint_issues; // sprint issues on GitHub: recognised by the bot's metadata; the current one
pub mod store; // storage interface + SQLite implementation
pub mod telemetry; // tracing and Prometheus metrics set-up
pub mod util; // below every module: the boxed future type and the backoff curve
pub mod webhook; // HTTP edge: router, signature check, delivery -> queued job
pub mod work; // the jobs sprintbot queues for itself: answers, rollovers
pub mod worker; // claims jobs, dispatches by event, retries
