//! `scripts/install-sprintbot`, the download-and-verify step of the GitHub
//! Action, run as the Action runs it: against a local server that publishes
//! release assets laid out as GitHub does, with archives made here by the
//! system `tar`. Each test is a user's story: a good release installs, a
//! tampered or missing one is refused with a message that says what and where.

use std::collections::HashMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// `--version v1` (the Action's own floating tag), a branch or a commit.
#[path = "install_script/refs.rs"]
mod refs;

const TARGET: &str = "x86_64-unknown-linux-musl";

/// What the fake release server answers for one path.
#[derive(Clone)]
enum Asset {
    File(Vec<u8>),
    /// A redirect to this path on the same server (GitHub's /releases/latest).
    RedirectTo(String),
}

/// A release server on 127.0.0.1 for one test, plus a scratch folder.
struct Releases {
    assets: HashMap<String, Asset>,
    dir: tempfile::TempDir,
}

impl Releases {
    fn new() -> Self {
        Releases {
            assets: HashMap::new(),
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Publish `version` for TARGET: an archive holding an executable
    /// `sprintbot` that prints its version, and the archive's checksum line.
    fn publish(&mut self, version: &str) -> &mut Self {
        let archive = self.archive_with(version, &[("sprintbot", &fake_bot(version))]);
        let sum = format!("{}  {}\n", sha256_hex(&archive), archive_name(version));
        self.put(&format!("{}.sha256", asset_path(version)), sum.into_bytes());
        self.put(&asset_path(version), archive)
    }

    fn put(&mut self, path: &str, body: Vec<u8>) -> &mut Self {
        self.assets.insert(path.to_string(), Asset::File(body));
        self
    }

    fn remove(&mut self, path: &str) -> &mut Self {
        self.assets.remove(path);
        self
    }

    fn latest_is(&mut self, version: &str) -> &mut Self {
        let to = format!("/releases/tag/{version}");
        self.assets
            .insert("/releases/latest".into(), Asset::RedirectTo(to));
        self
    }

    /// A .tar.gz made by the system `tar` from `files` (name, contents).
    fn archive_with(&self, version: &str, files: &[(&str, &str)]) -> Vec<u8> {
        let staging = self.dir.path().join(format!("staging-{version}"));
        std::fs::create_dir_all(&staging).unwrap();
        let mut names = Vec::new();
        for (name, contents) in files {
            let path = staging.join(name);
            std::fs::write(&path, contents).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
            names.push(*name);
        }
        let out = self.dir.path().join(format!("{version}.tar.gz"));
        let status = Command::new("tar")
            .arg("-czf")
            .arg(&out)
            .arg("-C")
            .arg(&staging)
            .args(&names)
            .status()
            .expect("the system tar runs");
        assert!(status.success(), "tar failed");
        std::fs::read(out).unwrap()
    }

    fn dest(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    /// Serve the assets and run the script with `args` (plus --target,
    /// --base-url and --dest), in an environment holding only PATH and HOME.
    fn install(&self, args: &[&str]) -> Run {
        let server = Server::start(self.assets.clone());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-sprintbot");
        let output = Command::new("bash")
            .arg(script)
            .args(args)
            .args(["--target", TARGET, "--base-url"])
            .arg(format!("{}/releases/download", server.url))
            .arg("--dest")
            .arg(self.dest())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .output()
            .expect("bash runs");
        Run {
            output,
            base: server.url.clone(),
        }
    }
}

struct Run {
    output: Output,
    /// The server's address, for asserting on URLs in messages.
    base: String,
}

impl Run {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    fn code(&self) -> Option<i32> {
        self.output.status.code()
    }
    fn assert_failed_with(&self, code: i32, words: &[&str]) {
        let err = self.stderr();
        assert_eq!(
            self.code(),
            Some(code),
            "stdout: {}\nstderr: {err}",
            self.stdout()
        );
        for w in words {
            assert!(err.contains(w), "stderr should mention {w:?}:\n{err}");
        }
    }
}

/// The fake GitHub: answers from the asset map, 404 for anything else.
struct Server {
    url: String,
    _runtime: tokio::runtime::Runtime,
}

impl Server {
    fn start(assets: HashMap<String, Asset>) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new()
            .fallback(answer)
            .with_state(Arc::new((assets, url.clone())));
        runtime.spawn(async move { axum::serve(listener, app).await });
        Server {
            url,
            _runtime: runtime,
        }
    }
}

async fn answer(State(state): State<Arc<(HashMap<String, Asset>, String)>>, uri: Uri) -> Response {
    let (assets, base) = &*state;
    match assets.get(uri.path()) {
        Some(Asset::File(body)) => body.clone().into_response(),
        Some(Asset::RedirectTo(to)) => (
            StatusCode::FOUND,
            [(header::LOCATION, format!("{base}{to}"))],
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn archive_name(version: &str) -> String {
    format!("sprintbot-{version}-{TARGET}.tar.gz")
}

fn asset_path(version: &str) -> String {
    format!("/releases/download/{version}/{}", archive_name(version))
}

fn fake_bot(version: &str) -> String {
    format!("#!/bin/sh\necho \"sprintbot {version} $*\"\n")
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The installed binary's answer to `--version`.
fn run_installed(dest: &Path) -> String {
    let out = Command::new(dest.join("sprintbot"))
        .arg("--version")
        .output()
        .expect("the installed sprintbot runs");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn a_good_release_installs_an_executable_that_runs() {
    let mut r = Releases::new();
    r.publish("v1.2.3");
    let run = r.install(&["--version", "v1.2.3"]);
    assert_eq!(run.code(), Some(0), "stderr: {}", run.stderr());
    let bin = r.dest().join("sprintbot");
    assert!(run.stdout().contains(&format!(
        "installed sprintbot v1.2.3 ({TARGET}) at {}",
        bin.display()
    )));
    let mode = std::fs::metadata(&bin).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o755);
    assert_eq!(run_installed(&r.dest()), "sprintbot v1.2.3 --version");
}

#[test]
fn an_installed_binary_is_replaced_by_a_newer_release() {
    let mut r = Releases::new();
    r.publish("v1.2.3").publish("v1.3.0");
    assert_eq!(r.install(&["--version", "v1.2.3"]).code(), Some(0));
    assert_eq!(r.install(&["--version", "v1.3.0"]).code(), Some(0));
    assert_eq!(run_installed(&r.dest()), "sprintbot v1.3.0 --version");
}

#[test]
fn a_checksum_mismatch_is_refused_and_installs_nothing() {
    let mut r = Releases::new();
    r.publish("v1.2.3");
    let other = format!("{}  {}\n", sha256_hex(b"not it"), archive_name("v1.2.3"));
    r.put(
        &format!("{}.sha256", asset_path("v1.2.3")),
        other.into_bytes(),
    );
    let run = r.install(&["--version", "v1.2.3"]);
    run.assert_failed_with(
        1,
        &["checksum mismatch", &sha256_hex(b"not it"), "refusing"],
    );
    assert!(!r.dest().join("sprintbot").exists());
}

#[test]
fn a_checksum_file_that_is_not_a_sha256sum_line_is_refused() {
    let mut r = Releases::new();
    r.publish("v1.2.3");
    r.put(
        &format!("{}.sha256", asset_path("v1.2.3")),
        b"<html>".to_vec(),
    );
    let run = r.install(&["--version", "v1.2.3"]);
    run.assert_failed_with(1, &["is not a checksum file", ".tar.gz.sha256"]);
    assert!(!r.dest().join("sprintbot").exists());
}

#[test]
fn an_unpublished_version_names_the_missing_asset() {
    let mut r = Releases::new();
    r.publish("v1.2.3");
    let run = r.install(&["--version", "v9.9.9"]);
    let url = format!("{}{}.sha256", run.base, asset_path("v9.9.9"));
    run.assert_failed_with(1, &["missing release asset", &url, "HTTP 404", TARGET]);
    assert!(!r.dest().join("sprintbot").exists());
}

#[test]
fn a_missing_archive_beside_its_checksum_names_the_archive() {
    let mut r = Releases::new();
    r.publish("v1.2.3").remove(&asset_path("v1.2.3"));
    let run = r.install(&["--version", "v1.2.3"]);
    let url = format!("{}{}", run.base, asset_path("v1.2.3"));
    run.assert_failed_with(1, &["missing release asset", &format!("{url} (HTTP 404)")]);
}

#[test]
fn an_archive_without_the_binary_is_refused() {
    let mut r = Releases::new();
    let archive = r.archive_with("v1.2.3", &[("README.md", "no binary here")]);
    let sum = format!("{}  {}\n", sha256_hex(&archive), archive_name("v1.2.3"));
    r.put(&asset_path("v1.2.3"), archive);
    r.put(
        &format!("{}.sha256", asset_path("v1.2.3")),
        sum.into_bytes(),
    );
    let run = r.install(&["--version", "v1.2.3"]);
    run.assert_failed_with(1, &["holds no sprintbot binary"]);
}

#[test]
fn an_unreachable_server_is_named() {
    let r = Releases::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}/releases/download");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-sprintbot");
    let output = Command::new("bash")
        .arg(script)
        .args([
            "--version",
            "v1.2.3",
            "--target",
            TARGET,
            "--base-url",
            &base,
        ])
        .arg("--dest")
        .arg(r.dest())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("cannot download {base}/v1.2.3/")),
        "{err}"
    );
}

#[test]
fn latest_installs_the_release_github_redirects_to() {
    let mut r = Releases::new();
    r.publish("v1.2.3").publish("v1.3.0").latest_is("v1.3.0");
    let run = r.install(&[]);
    assert_eq!(run.code(), Some(0), "stderr: {}", run.stderr());
    assert_eq!(run_installed(&r.dest()), "sprintbot v1.3.0 --version");
}

#[test]
fn latest_without_any_release_says_so() {
    let r = Releases::new();
    let run = r.install(&["--version", "latest"]);
    run.assert_failed_with(1, &["no latest release", "/releases/latest"]);
}

#[test]
fn a_bad_destination_is_named_and_nothing_is_left_behind() {
    let mut r = Releases::new();
    r.publish("v1.2.3");
    std::fs::write(r.dest(), "a file where the folder should be").unwrap();
    let run = r.install(&["--version", "v1.2.3"]);
    run.assert_failed_with(1, &["cannot create", &r.dest().display().to_string()]);
}

#[test]
fn help_and_usage_errors() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-sprintbot");
    let help = Command::new("bash")
        .arg(&script)
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("--base-url URL"));

    for (args, says) in [
        (&["--bogus"][..], "unknown argument: --bogus"),
        (&["--version"][..], "--version needs a value"),
        (
            &["--target", TARGET][..],
            "--repo OWNER/NAME or --base-url URL",
        ),
    ] {
        let out = Command::new("bash")
            .arg(&script)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}
