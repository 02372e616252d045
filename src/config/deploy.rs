//! The deployment config (`config/sprintbot.toml`) plus the environment:
//! where to listen, where the store lives, how the worker retries, and the
//! secrets, which only ever come from the environment or files named there.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::diag::Diagnostic;
use super::redact::redact_url;

mod check;
pub mod credentials;

pub use check::TOP as KEYS;

/// The sample config, built into the binary and used when no file is given.
pub const SAMPLE: &str = include_str!("../../config/sprintbot.toml");

/// The deployment config, after the environment has been applied.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct DeployConfig {
    pub server: ServerConfig,
    pub storage: StorageConfig,
    pub worker: WorkerConfig,
    pub scheduler: SchedulerConfig,
    /// Repository-config defaults; interpreted by `config::repo`.
    pub defaults: toml::Table,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub listen: String,
    /// At most this many connections are open at once.
    pub max_connections: usize,
    /// A request head (request line and headers) must arrive this fast.
    pub header_timeout_ms: u64,
    /// A webhook body must arrive this fast.
    pub body_timeout_ms: u64,
    /// Webhook bodies being read hold at most this much memory together.
    pub body_memory_mib: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        use crate::webhook::{connections, limits};
        ServerConfig {
            listen: "0.0.0.0:3000".into(),
            max_connections: connections::MAX_CONNECTIONS,
            header_timeout_ms: connections::HEADER_TIMEOUT.as_millis() as u64,
            body_timeout_ms: limits::BODY_DEADLINE.as_millis() as u64,
            body_memory_mib: limits::BODY_BUDGET_BYTES / (1024 * 1024),
        }
    }
}

impl ServerConfig {
    /// What the edge allows each connection.
    pub fn connection_limits(&self) -> crate::webhook::ConnectionLimits {
        crate::webhook::ConnectionLimits {
            max_connections: self.max_connections,
            header_timeout: std::time::Duration::from_millis(self.header_timeout_ms),
        }
    }

    /// What the edge allows each webhook body.
    pub fn body_limits(&self) -> crate::webhook::BodyLimits {
        crate::webhook::BodyLimits::new(
            self.body_memory_mib * 1024 * 1024,
            crate::webhook::limits::PERMIT_WAIT,
            std::time::Duration::from_millis(self.body_timeout_ms),
        )
    }
}

#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// The SQLite file, used unless `url` is set.
    pub path: PathBuf,
    /// A database URL (`postgres://…`, `sqlite://path`); overrides `path`.
    pub url: String,
    /// Handled deliveries' payloads are dropped this many days after their
    /// job finished.
    pub payload_retention_days: u64,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            path: PathBuf::from("sprintbot.db"),
            url: String::new(),
            payload_retention_days: 7,
        }
    }
}

impl StorageConfig {
    /// The database to open: `url` when set, else the SQLite file at `path`.
    pub fn database_url(&self) -> String {
        if self.url.trim().is_empty() {
            self.path.display().to_string()
        } else {
            self.url.trim().to_string()
        }
    }

    /// The URL with any password (userinfo or query) replaced by `***`, for
    /// logs and errors.
    pub fn redacted_url(&self) -> String {
        redact_url(&self.database_url())
    }
}

/// Printed with the URL redacted: a `{config:?}` must never show a password.
impl fmt::Debug for StorageConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StorageConfig")
            .field("path", &self.path)
            .field("url", &redact_url(&self.url))
            .field("payload_retention_days", &self.payload_retention_days)
            .finish()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkerConfig {
    pub concurrency: usize,
    /// At most this many jobs of one installation run at once.
    pub per_installation: usize,
    pub max_attempts: u32,
    pub backoff_base_ms: u64,
    pub backoff_max_ms: u64,
    /// The longest wait between tries of work owed to someone (commands,
    /// answers, rollovers), which is retried until it succeeds.
    pub persistent_backoff_max_ms: u64,
    pub shutdown_deadline_secs: u64,
    /// A running job is claimed for this long and its worker renews the
    /// claim every third of it; a dead worker's jobs run again once their
    /// claims lapse.
    pub claim_ms: u64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            concurrency: 4,
            per_installation: 2,
            persistent_backoff_max_ms: 30_000,
            max_attempts: 8,
            backoff_base_ms: 1000,
            backoff_max_ms: 600_000,
            shutdown_deadline_secs: 20,
            claim_ms: 30_000,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SchedulerConfig {
    pub tick_secs: u64,
    /// A repository config read from GitHub is revalidated (with a
    /// conditional request) once it is this old; pushes refresh it at once.
    pub revalidate_hours: u64,
    /// A rollover still not done this long after its opening instant is
    /// reported (a warning naming the repository, and a metric).
    pub overdue_minutes: u64,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig {
            tick_secs: 60,
            revalidate_hours: 24,
            overdue_minutes: 15,
        }
    }
}

/// A secret value: never printed, logged or serialised.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The value, for the one place that needs it (signing, verifying).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Secrets and endpoints from the environment (SPEC §5). The App's
/// credentials are read by `serve` alone, through [`credentials::read`].
#[derive(Clone, Default)]
pub struct Env {
    /// Webhook secrets; several may be active while one is being rotated.
    pub webhook_secrets: Vec<Secret>,
    pub token: Option<Secret>,
    pub api_url: String,
}

/// Printed with the API URL redacted (it could carry credentials).
impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Env")
            .field("webhook_secrets", &self.webhook_secrets)
            .field("token", &self.token)
            .field("api_url", &redact_url(&self.api_url))
            .finish()
    }
}

/// Load the deployment config from `path` (or the built-in sample), then
/// apply `SPRINTBOT_LISTEN` and `SPRINTBOT_DATABASE_URL`.
pub fn load(path: Option<&Path>) -> Result<DeployConfig, Vec<Diagnostic>> {
    let (name, source) = match path {
        Some(p) => {
            let name = p.display().to_string();
            let source = std::fs::read_to_string(p).map_err(|e| {
                vec![Diagnostic::whole_file(
                    &name,
                    format!("cannot read the file: {e}"),
                )]
            })?;
            (name, source)
        }
        None => (
            "(built-in config/sprintbot.toml)".to_string(),
            SAMPLE.to_string(),
        ),
    };
    let mut config = parse(&name, &source)?;
    apply_env(&mut config, |k| std::env::var(k).ok());
    Ok(config)
}

/// Parse and validate a deployment config's text: every problem at once.
pub fn parse(file: &str, source: &str) -> Result<DeployConfig, Vec<Diagnostic>> {
    check::parse(file, source)
}

/// Apply the environment overrides to a loaded config.
pub fn apply_env(config: &mut DeployConfig, var: impl Fn(&str) -> Option<String>) {
    if let Some(listen) = var("SPRINTBOT_LISTEN").filter(|v| !v.is_empty()) {
        config.server.listen = listen;
    }
    if let Some(url) = var("SPRINTBOT_DATABASE_URL").filter(|v| !v.trim().is_empty()) {
        let url = url.trim().to_string();
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .or_else(|| (!url.contains("://")).then_some(url.as_str()))
        {
            config.storage.path = PathBuf::from(path);
            config.storage.url = String::new();
        } else {
            config.storage.url = url;
        }
    }
}

/// Errors reading secrets from the environment.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    #[error("{var} names {path}, which cannot be read: {source}")]
    File {
        var: &'static str,
        path: String,
        source: std::io::Error,
    },
}

/// Read the secrets and endpoints from the environment, via `var`.
pub fn read_env(var: impl Fn(&str) -> Option<String>) -> Result<Env, EnvError> {
    let read_file = |name: &'static str| -> Result<Option<String>, EnvError> {
        match var(name).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(path) => std::fs::read_to_string(&path)
                .map(|s| Some(s.trim_end().to_string()))
                .map_err(|source| EnvError::File {
                    var: name,
                    path,
                    source,
                }),
        }
    };
    let mut webhook_secrets: Vec<Secret> = var("GITHUB_WEBHOOK_SECRET")
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Secret::new)
                .collect()
        })
        .unwrap_or_default();
    if let Some(from_file) = read_file("GITHUB_WEBHOOK_SECRET_FILE")? {
        webhook_secrets.extend(
            from_file
                .lines()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(Secret::new),
        );
    }
    let token = var("GITHUB_TOKEN")
        .filter(|v| !v.is_empty())
        .map(Secret::new);
    let api_url = var("GITHUB_API_URL")
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "https://api.github.com".to_string());
    Ok(Env {
        webhook_secrets,
        token,
        api_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_config_is_valid_and_has_the_documented_defaults() {
        let c = parse("sample", SAMPLE).expect("the sample parses");
        assert_eq!(c.server.listen, "0.0.0.0:3000");
        assert_eq!(c.storage.path, PathBuf::from("sprintbot.db"));
        assert_eq!(c.worker.max_attempts, 8);
    }

    #[test]
    fn unknown_keys_are_located() {
        let err = parse("x.toml", "[server]\nlistn = \"1\"\n").unwrap_err();
        assert_eq!((err[0].line, err[0].column), (2, 1));
        assert!(err[0].message.contains("listn"), "{}", err[0]);
    }

    #[test]
    fn bad_values_name_line_and_fix() {
        let err = parse(
            "x.toml",
            "[server]\nlisten = \"nowhere\"\n[worker]\n  concurrency = 0\n",
        )
        .unwrap_err();
        assert_eq!(err.len(), 2);
        assert_eq!((err[0].line, err[0].column), (2, 1));
        assert_eq!((err[1].line, err[1].column), (4, 3));
        assert!(err[1].help.as_deref().unwrap_or("").contains("concurrency"));
    }

    #[test]
    fn an_empty_database_path_is_refused() {
        let err = parse("x.toml", "[storage]\npath = \"\"\n").unwrap_err();
        assert_eq!((err[0].line, err[0].column), (2, 1));
        assert!(err[0].message.contains("empty"), "{}", err[0]);
    }

    #[test]
    fn environment_overrides_listen_and_database() {
        let mut c = parse("s", SAMPLE).unwrap();
        apply_env(&mut c, |k| match k {
            "SPRINTBOT_LISTEN" => Some("127.0.0.1:9".into()),
            "SPRINTBOT_DATABASE_URL" => Some("sqlite:///tmp/x.db".into()),
            _ => None,
        });
        assert_eq!(c.server.listen, "127.0.0.1:9");
        assert_eq!(c.storage.path, PathBuf::from("/tmp/x.db"));
    }

    #[test]
    fn several_webhook_secrets_and_hidden_debug() {
        let env =
            read_env(|k| (k == "GITHUB_WEBHOOK_SECRET").then(|| "old, new".to_string())).unwrap();
        assert_eq!(env.webhook_secrets.len(), 2);
        assert_eq!(env.webhook_secrets[1].expose(), "new");
        assert!(!format!("{env:?}").contains("new"));
    }

    #[test]
    fn an_unreadable_secret_file_is_a_clear_error() {
        let err = read_env(|k| {
            (k == "GITHUB_WEBHOOK_SECRET_FILE").then(|| "/nonexistent/secret".to_string())
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("GITHUB_WEBHOOK_SECRET_FILE"),
            "{err}"
        );
    }
}
