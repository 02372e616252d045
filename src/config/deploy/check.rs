//! Checking a deployment config's text: every key it may set with its type
//! (its `[defaults]` table takes a repository config's keys), then what the
//! values mean. Every problem is reported at once, at its key, with a fix.

use serde::Deserialize;

use super::DeployConfig;
use crate::config::diag::{self, Diagnostic};
use crate::config::repo;
use crate::config::schema::{self, Key, Spans};

/// The top-level tables of a deployment config.
pub const TOP: &[Key] = &[
    Key::table("server", SERVER),
    Key::table("storage", STORAGE),
    Key::table("worker", WORKER),
    Key::table("scheduler", SCHEDULER),
    Key::table("defaults", repo::keys::TOP),
];

const SERVER: &[Key] = &[
    Key::str("listen", "\"0.0.0.0:3000\""),
    Key::int_in("max_connections", 1, 1_000_000, "512"),
    Key::int_in("header_timeout_ms", 1, 600_000, "10000"),
    Key::int_in("body_timeout_ms", 1, 600_000, "10000"),
    // Half goes to small bodies; the other half must hold a 25 MiB one.
    Key::int_in("body_memory_mib", 50, 1 << 40, "64"),
];
const STORAGE: &[Key] = &[
    Key::str("path", "\"sprintbot.db\""),
    Key::str("url", "\"postgres://sprintbot@db.internal/sprintbot\""),
    Key::int_in("payload_retention_days", 1, 3650, "7"),
];
const WORKER: &[Key] = &[
    Key::int_in("concurrency", 1, i64::MAX, "4"),
    Key::int_in("per_installation", 1, i64::MAX, "2"),
    Key::int_in("persistent_backoff_max_ms", 0, i64::MAX, "30000"),
    Key::int_in("max_attempts", 1, u32::MAX as i64, "8"),
    Key::int_in("backoff_base_ms", 0, i64::MAX, "1000"),
    Key::int_in("backoff_max_ms", 0, i64::MAX, "600000"),
    Key::int_in("shutdown_deadline_secs", 0, i64::MAX, "20"),
    Key::int_in("claim_ms", 300, i64::MAX, "30000"),
];
const SCHEDULER: &[Key] = &[
    Key::int_in("tick_secs", 1, i64::MAX, "60"),
    Key::int_in("revalidate_hours", 1, 24 * 365, "24"),
    Key::int_in("overdue_minutes", 1, 24 * 60, "15"),
];

/// Parse and check a deployment config's text.
pub(super) fn parse(file: &str, source: &str) -> Result<DeployConfig, Vec<Diagnostic>> {
    let walked = schema::walk(file, source, TOP);
    let mut problems = walked.problems;
    let config = if walked.parsed {
        // Only well-typed keys are left, so serde cannot fail on this file.
        DeployConfig::deserialize(toml::Value::Table(walked.table))
            .map_err(|e| problems.push(Diagnostic::whole_file(file, e.message().to_string())))
            .ok()
    } else {
        None
    };
    if let Some(config) = &config {
        values(file, source, &walked.spans, config, &mut problems);
    }
    diag::sort(&mut problems);
    match config {
        Some(config) if problems.is_empty() => Ok(config),
        _ => Err(problems),
    }
}

/// What the values mean (their types are already right).
fn values(file: &str, source: &str, spans: &Spans, c: &DeployConfig, out: &mut Vec<Diagnostic>) {
    let mut at = |path: &str, message: String, help: &str| {
        let d = match spans.key(path) {
            Some(span) => Diagnostic::at_span(file, source, span, message),
            None => Diagnostic::whole_file(file, message),
        };
        out.push(d.with_help(help));
    };
    if c.server.listen.parse::<std::net::SocketAddr>().is_err() {
        at(
            "server.listen",
            format!("`{}` is not an address", c.server.listen),
            "write an IP address and port, e.g. listen = \"0.0.0.0:3000\"",
        );
    }
    if c.storage
        .path
        .as_os_str()
        .to_string_lossy()
        .trim()
        .is_empty()
    {
        at(
            "storage.path",
            "the database path is empty".into(),
            "name the SQLite file, e.g. path = \"sprintbot.db\" (or remove the key for that default)",
        );
    }
    if !c.storage.url.trim().is_empty()
        && let Err(e) = crate::store::Location::parse(&c.storage.url)
    {
        at(
            "storage.url",
            e.to_string(),
            "use postgres://user@host/db, sqlite://path, or remove the key to use path",
        );
    }
    if c.worker.backoff_base_ms > c.worker.backoff_max_ms {
        at(
            "worker.backoff_base_ms",
            "backoff_base_ms is larger than backoff_max_ms".into(),
            "make backoff_max_ms at least backoff_base_ms",
        );
    }
}
