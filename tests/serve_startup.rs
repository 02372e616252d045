//! Stories of `sprintbot serve` starting: the real binary, App credentials
//! in the environment as an operator sets them, and a fake GitHub (on the
//! real clock, since the binary signs its JWTs with it). Bad credentials
//! stop the start with a message naming the variable to fix; an unreachable
//! GitHub does not, but `/readyz` says why until GitHub answers.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use sprintbot::github::clock::SystemClock;
use support::fake_github::FakeGitHub;
use support::process::KillOnDrop;

fn key(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support/keys")
        .join(name)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `sprintbot serve` on `port` with these variables (and a webhook secret
/// and a fresh database).
fn serve(dir: &Path, port: u16, vars: &[(&str, &str)]) -> KillOnDrop {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sprintbot"));
    cmd.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env_remove("GITHUB_APP_ID")
        .env_remove("GITHUB_APP_PRIVATE_KEY")
        .env_remove("GITHUB_APP_PRIVATE_KEY_PATH")
        .env("GITHUB_WEBHOOK_SECRET", "s3cret")
        .env("SPRINTBOT_DATABASE_URL", dir.join("bot.db"))
        .env("RUST_LOG", "warn,sprintbot=info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    KillOnDrop::new(cmd.spawn().expect("start sprintbot"))
}

/// Wait for a process that should exit by itself.
async fn exited(child: KillOnDrop) -> (i32, String) {
    let out: Output = tokio::time::timeout(
        Duration::from_secs(30),
        tokio::task::spawn_blocking(move || child.wait_with_output()),
    )
    .await
    .expect("sprintbot exits within 30 s")
    .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// SIGTERM a running server and collect what it logged.
async fn stopped(child: KillOnDrop) -> String {
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    exited(child).await.1
}

/// GET a path of the server; `None` while it does not answer.
async fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let r = reqwest::get(format!("http://127.0.0.1:{port}{path}"))
        .await
        .ok()?;
    Some((r.status().as_u16(), r.text().await.unwrap_or_default()))
}

async fn wait_for(port: u16, path: &str, status: u16, secs: u64) -> String {
    let mut last = None;
    for _ in 0..secs * 20 {
        last = get(port, path).await;
        if let Some((s, body)) = &last
            && *s == status
        {
            return body.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{path} did not answer {status} within {secs} s; last: {last:?}");
}

async fn fake() -> FakeGitHub {
    FakeGitHub::start_with_prefix(Arc::new(SystemClock), "/api/v3").await
}

fn app_vars<'a>(fake_url: &'a str, id: &'a str, key: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("GITHUB_API_URL", fake_url),
        ("GITHUB_APP_ID", id),
        ("GITHUB_APP_PRIVATE_KEY_PATH", key),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn good_credentials_start_a_ready_server_without_warnings() {
    let fake = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let key = key("app-private.pem").display().to_string();
    let url = fake.url();
    let bot = serve(dir.path(), port, &app_vars(&url, "4242", &key));
    assert_eq!(wait_for(port, "/readyz", 200, 20).await, "ready\n");
    let log = stopped(bot).await;
    assert!(
        log.contains("GitHub accepts the App's credentials"),
        "{log}"
    );
    assert!(!log.contains("lacks"), "{log}");
    assert!(fake.count("GET", "/app") >= 1);
    fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_app_without_what_sprintbot_needs_is_warned_about_once() {
    let fake = fake().await;
    fake.set_app_grants(
        &[
            ("issues", "write"),
            ("metadata", "read"),
            ("contents", "read"),
            ("members", "read"),
        ],
        &["issues", "issue_comment", "push"],
    );
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let key = key("app-private.pem").display().to_string();
    let url = fake.url();
    let bot = serve(dir.path(), port, &app_vars(&url, "4242", &key));
    wait_for(port, "/readyz", 200, 20).await;
    let log = stopped(bot).await;
    let warnings: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("lacks what sprintbot needs"))
        .collect();
    assert_eq!(warnings.len(), 1, "{log}");
    for lack in [
        "permission checks: write",
        "permission pull_requests: read",
        "event pull_request",
        "event installation_target",
    ] {
        assert!(warnings[0].contains(lack), "{lack}: {}", warnings[0]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_github_refuses_stop_the_start_naming_the_variable() {
    let fake = fake().await;
    let url = fake.url();
    let dir = tempfile::tempdir().unwrap();
    let good = key("app-private.pem").display().to_string();
    let other = key("other-private.pem").display().to_string();
    let public = key("app-public.pem").display().to_string();
    // A key of another App.
    let (code, err) = exited(serve(
        dir.path(),
        free_port(),
        &app_vars(&url, "4242", &other),
    ))
    .await;
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("GitHub refused the App's credentials (401"),
        "{err}"
    );
    assert!(
        err.contains(&format!("GITHUB_APP_PRIVATE_KEY_PATH ({other})")),
        "{err}"
    );
    // An App ID GitHub does not know.
    let (code, err) = exited(serve(
        dir.path(),
        free_port(),
        &app_vars(&url, "999", &good),
    ))
    .await;
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("GitHub has no App with GITHUB_APP_ID=999 (Integration not found)"),
        "{err}"
    );
    // A public key given as the private key: refused before GitHub is asked.
    let before = fake.count("GET", "/app");
    let (code, err) = exited(serve(
        dir.path(),
        free_port(),
        &app_vars(&url, "4242", &public),
    ))
    .await;
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("GITHUB_APP_PRIVATE_KEY_PATH ({public})")),
        "{err}"
    );
    assert!(err.contains("not an RSA private key"), "{err}");
    assert_eq!(fake.count("GET", "/app"), before);
    fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_half_set_combination_has_its_own_message() {
    let dir = tempfile::tempdir().unwrap();
    let good = key("app-private.pem").display().to_string();
    let pem = std::fs::read_to_string(&good).unwrap();
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[("GITHUB_APP_ID", "4242")],
            "error: GITHUB_APP_ID is set but no private key is",
        ),
        (
            &[("GITHUB_APP_PRIVATE_KEY_PATH", &good)],
            "error: GITHUB_APP_PRIVATE_KEY_PATH is set but GITHUB_APP_ID is not",
        ),
        (
            &[("GITHUB_APP_PRIVATE_KEY", &pem)],
            "error: GITHUB_APP_PRIVATE_KEY is set but GITHUB_APP_ID is not",
        ),
        (
            &[
                ("GITHUB_APP_ID", "4242"),
                ("GITHUB_APP_PRIVATE_KEY", &pem),
                ("GITHUB_APP_PRIVATE_KEY_PATH", &good),
            ],
            "error: both GITHUB_APP_PRIVATE_KEY and GITHUB_APP_PRIVATE_KEY_PATH are set",
        ),
        (
            &[
                ("GITHUB_APP_ID", "4242"),
                ("GITHUB_APP_PRIVATE_KEY_PATH", "/nonexistent/app.pem"),
            ],
            "error: GITHUB_APP_PRIVATE_KEY_PATH names /nonexistent/app.pem, which cannot be read",
        ),
    ];
    for (vars, message) in cases {
        let (code, err) = exited(serve(dir.path(), free_port(), vars)).await;
        assert_eq!(code, 2, "{vars:?}: {err}");
        assert!(err.starts_with(message), "{vars:?}: {err}");
        assert!(err.contains("help: "), "{err}");
    }
}

/// Forward TCP connections from `listener` to `to`.
async fn forward(listener: tokio::net::TcpListener, to: String) {
    while let Ok((mut inbound, _)) = listener.accept().await {
        let to = to.clone();
        tokio::spawn(async move {
            if let Ok(mut outbound) = tokio::net::TcpStream::connect(&to).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_github_starts_the_server_not_ready_until_github_answers() {
    let fake = fake().await;
    // GitHub's address, with nothing listening there yet.
    let github_port = free_port();
    let api = format!("http://127.0.0.1:{github_port}/api/v3");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let key = key("app-private.pem").display().to_string();
    let bot = serve(dir.path(), port, &app_vars(&api, "4242", &key));

    wait_for(port, "/healthz", 200, 20).await;
    let reason = wait_for(port, "/readyz", 503, 5).await;
    assert!(
        reason.starts_with("not ready: GitHub has not confirmed the App yet"),
        "{reason}"
    );
    assert!(reason.contains("cannot reach GitHub"), "{reason}");

    // GitHub comes back.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", github_port))
        .await
        .unwrap();
    let fake_addr = fake.web_url().trim_start_matches("http://").to_string();
    tokio::spawn(forward(listener, fake_addr));
    assert_eq!(wait_for(port, "/readyz", 200, 30).await, "ready\n");
    let log = stopped(bot).await;
    assert!(log.contains("starting anyway"), "{log}");
    assert!(
        log.contains("the App's credentials are good; ready"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_password_in_the_url_is_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on port 1: the connection fails, and the error names
    // the database without its password, wherever the URL holds one.
    for url in [
        "postgres://bot@127.0.0.1:1/sprintbot?password=hunter2&sslpassword=k3ypass&connect_timeout=2",
        "postgresql://bot:hunter2@127.0.0.1:1/sprintbot?sslmode=disable&connect_timeout=2",
    ] {
        let bot = serve(
            dir.path(),
            free_port(),
            &[("SPRINTBOT_DATABASE_URL", url), ("RUST_LOG", "debug")],
        );
        let (code, said) = exited(bot).await;
        assert_ne!(code, 0, "{said}");
        assert!(said.contains("127.0.0.1"), "{said}");
        assert!(
            !said.contains("hunter2") && !said.contains("k3ypass"),
            "{said}"
        );
    }
    // The store's own error says nothing of it either.
    let e = sprintbot::store::Store::connect(
        "postgres://bot@127.0.0.1:1/x?password=hunter2&connect_timeout=2",
    )
    .await
    .err()
    .expect("nothing listens on port 1");
    assert!(!format!("{e} {e:?}").contains("hunter2"), "{e:?}");
}

/// `sprintbot SUBCOMMAND --help`, as an operator reads it.
fn help(subcommand: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .args([subcommand, "--help"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{subcommand} --help failed");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_runner_names_the_environment_variables_it_reads_in_its_help() {
    let app = [
        "GITHUB_APP_ID",
        "GITHUB_APP_PRIVATE_KEY",
        "GITHUB_APP_PRIVATE_KEY_PATH",
        "GITHUB_API_URL",
        "SPRINTBOT_CONFIG",
        "SPRINTBOT_DATABASE_URL",
        "RUST_LOG",
        "SPRINTBOT_LOG_FORMAT",
    ];
    let serve = help("serve");
    for var in app.iter().chain(&[
        "GITHUB_WEBHOOK_SECRET",
        "GITHUB_WEBHOOK_SECRET_FILE",
        "SPRINTBOT_LISTEN",
    ]) {
        assert!(serve.contains(var), "serve --help lacks {var}:\n{serve}");
    }
    for subcommand in ["tick", "rollover"] {
        let text = help(subcommand);
        for var in app
            .iter()
            .chain(&["GITHUB_TOKEN", "GITHUB_REPOSITORY", "SPRINTBOT_BOT_LOGIN"])
        {
            assert!(
                text.contains(var),
                "{subcommand} --help lacks {var}:\n{text}"
            );
        }
    }
    assert!(help("jobs").contains("SPRINTBOT_DATABASE_URL"));
    assert!(help("healthcheck").contains("SPRINTBOT_LISTEN"));
}
