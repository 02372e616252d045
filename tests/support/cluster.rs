//! Several `sprintbot serve` replicas on one PostgreSQL database, against
//! the fake GitHub on the real clock (the binary signs its JWTs with it).
//! Each replica logs to its own file, printed when a test fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use sprintbot::github::clock::SystemClock;

use super::bot::SECRET;
use super::fake_github::{APP_ID, FakeGitHub};
use super::pg::TestDb;
use super::process::KillOnDrop;

pub struct Cluster {
    pub fake: FakeGitHub,
    pub db: TestDb,
    pub ports: Vec<u16>,
    replicas: Vec<Option<KillOnDrop>>,
    dir: tempfile::TempDir,
    /// Whether the replicas run as the App (commands, scheduler) or only
    /// store and acknowledge deliveries.
    with_app: bool,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Cluster {
    /// `n` replica slots on a fresh database (none started yet).
    pub async fn new(n: usize, with_app: bool) -> Cluster {
        sprintbot::telemetry::metrics();
        let fake = FakeGitHub::start(Arc::new(SystemClock)).await;
        let dir = tempfile::tempdir().unwrap();
        // Claims and leases of a killed replica lapse in a second.
        std::fs::write(
            dir.path().join("sprintbot.toml"),
            "[worker]\nclaim_ms = 1000\nper_installation = 4\n",
        )
        .unwrap();
        Cluster {
            fake,
            db: TestDb::create(),
            ports: (0..n).map(|_| free_port()).collect(),
            replicas: (0..n).map(|_| None).collect(),
            dir,
            with_app,
        }
    }

    fn log(&self, i: usize) -> PathBuf {
        self.dir.path().join(format!("replica-{i}.log"))
    }

    /// Start replica `i` (again, after a kill) and wait until it answers.
    pub async fn start(&mut self, i: usize) {
        self.spawn(i);
        self.wait_healthy(i).await;
    }

    /// Start every replica at once (their schedulers race for the lead),
    /// then wait until each answers.
    pub async fn start_all(&mut self) {
        for i in 0..self.ports.len() {
            self.spawn(i);
        }
        for i in 0..self.ports.len() {
            self.wait_healthy(i).await;
        }
    }

    fn spawn(&mut self, i: usize) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.log(i))
            .unwrap();
        let key =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/support/keys/app-private.pem");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_sprintbot"));
        cmd.args(["serve", "--listen", &format!("127.0.0.1:{}", self.ports[i])])
            .env("SPRINTBOT_CONFIG", self.dir.path().join("sprintbot.toml"))
            .env("SPRINTBOT_DATABASE_URL", self.db.url())
            .env("GITHUB_WEBHOOK_SECRET", SECRET)
            .env("GITHUB_API_URL", self.fake.url())
            .env("RUST_LOG", "warn,sprintbot=info")
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_APP_ID")
            .env_remove("GITHUB_APP_PRIVATE_KEY")
            .env_remove("GITHUB_APP_PRIVATE_KEY_PATH")
            .stdout(Stdio::null())
            .stderr(log);
        if self.with_app {
            cmd.env("GITHUB_APP_ID", APP_ID.to_string())
                .env("GITHUB_APP_PRIVATE_KEY_PATH", key);
        }
        self.replicas[i] = Some(KillOnDrop::new(cmd.spawn().expect("start sprintbot")));
    }

    async fn wait_healthy(&self, i: usize) {
        let url = format!("http://127.0.0.1:{}/healthz", self.ports[i]);
        for _ in 0..400 {
            if reqwest::get(&url)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("replica {i} did not start:\n{}", self.logs());
    }

    /// `kill -9` replica `i`.
    pub fn kill(&mut self, i: usize) {
        if let Some(mut p) = self.replicas[i].take() {
            p.kill_now();
        }
    }

    pub fn webhook_url(&self, i: usize) -> String {
        format!("http://127.0.0.1:{}/webhook", self.ports[i])
    }

    /// What replica `i` has logged so far.
    pub fn log_of(&self, i: usize) -> String {
        std::fs::read_to_string(self.log(i)).unwrap_or_default()
    }

    /// Every replica's log, for failure messages.
    pub fn logs(&self) -> String {
        (0..self.ports.len())
            .map(|i| format!("--- replica {i} ---\n{}", tail(&self.log_of(i), 40)))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Poll `cond` every 100 ms for up to `secs`; panics with `what` and the logs.
pub async fn wait_until(
    cluster: &Cluster,
    secs: u64,
    what: &str,
    mut cond: impl AsyncFnMut() -> bool,
) {
    for _ in 0..secs * 10 {
        if cond().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not happen within {secs} s\n{}", cluster.logs());
}
