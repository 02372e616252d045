//! Child processes that die with the test: a failing assertion (a panic)
//! drops the guard, which kills and reaps the process, so no `sprintbot
//! serve` outlives the test that started it.

use std::ops::{Deref, DerefMut};
use std::process::{Child, Output};

/// Kills its process when dropped, unless it has already been waited for.
pub struct KillOnDrop(Option<Child>);

impl KillOnDrop {
    pub fn new(child: Child) -> KillOnDrop {
        KillOnDrop(Some(child))
    }

    /// `kill -9` now and reap it.
    pub fn kill_now(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Wait for it to exit on its own and collect its output (blocking).
    pub fn wait_with_output(mut self) -> Output {
        self.0
            .take()
            .expect("process still owned")
            .wait_with_output()
            .expect("wait for the process")
    }
}

impl Deref for KillOnDrop {
    type Target = Child;
    fn deref(&self) -> &Child {
        self.0.as_ref().expect("process still owned")
    }
}

impl DerefMut for KillOnDrop {
    fn deref_mut(&mut self) -> &mut Child {
        self.0.as_mut().expect("process still owned")
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        self.kill_now();
    }
}

/// Runs the `sprintbot` binary with `args` as a one-shot command acting
/// with a token on the fake GitHub, its store in the SQLite file `db`.
pub async fn run_with_token(
    fake: &super::fake_github::FakeGitHub,
    db: &std::path::Path,
    args: &[&str],
) -> Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sprintbot"));
    cmd.args(args)
        .env("GITHUB_TOKEN", "ghp_actions")
        .env("GITHUB_API_URL", fake.url())
        .env("SPRINTBOT_DATABASE_URL", db)
        .env("RUST_LOG", "warn");
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}
