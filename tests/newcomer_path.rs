//! The newcomer's path of the README's quick start, as one story through the
//! real binary against the fake GitHub: `preview` with no credentials at
//! all, `register` (a person approving the App on GitHub's page), installing
//! the App and copying the example config into a repository, `serve` with
//! exactly the credentials `register` wrote, the first sprint issue
//! opening, and a `/goal` comment answered.

mod support;

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sprintbot::github::clock::SystemClock;
use sprintbot::sprint::body::SprintDoc;
use support::fake_github::{BOT_LOGIN, FakeGitHub};
use support::process::KillOnDrop;
use support::register;
use support::webhooks::{Delivery, payload};

const REPO: &str = "acme/app";
const INSTALLATION: u64 = 31;
/// What the newcomer copies into the repository: the shipped example.
const EXAMPLE: &str = include_str!("../config/repo-sprintbot.example.toml");
/// One of the example's (invented) engineers.
const ENGINEER: &str = "ana-example";

/// The `KEY=VALUE` lines of the file `register` wrote, as `set -a; . FILE`
/// reads them.
fn env_file(path: &Path) -> HashMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Poll `cond` every 100 ms for up to `secs`; panics with `what` and the log.
async fn wait_for(log: &Path, secs: u64, what: &str, mut cond: impl AsyncFnMut() -> bool) {
    for _ in 0..secs * 10 {
        if cond().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let said = std::fs::read_to_string(log).unwrap_or_default();
    panic!("{what} did not happen within {secs} s; serve logged:\n{said}");
}

fn goal_comment(fake: &FakeGitHub, issue: u64, id: u64, body: &str) -> serde_json::Value {
    let mut p = payload("issue_comment.created");
    p["action"] = json!("created");
    p["issue"]["number"] = json!(issue);
    p["issue"]["state"] = json!("open");
    p["comment"]["id"] = json!(id);
    p["comment"]["body"] = json!(body);
    p["comment"]["user"]["login"] = json!(ENGINEER);
    p["comment"]["user"]["type"] = json!("User");
    p["comment"]["created_at"] = json!(jiff::Timestamp::now().to_string());
    p["repository"]["full_name"] = json!(REPO);
    p["repository"]["id"] = json!(fake.repo_id(REPO));
    p["sender"]["login"] = json!(ENGINEER);
    p["sender"]["type"] = json!("User");
    p["installation"] = json!({ "id": INSTALLATION });
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn preview_register_serve_open_a_sprint_and_answer_a_goal() {
    let fake = FakeGitHub::start(Arc::new(SystemClock)).await;
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_sprintbot");

    // 1. `preview`: no credentials, no network, no config of one's own.
    let out = Command::new(bin)
        .arg("preview")
        .env_clear()
        .current_dir(dir.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("# Sprint "), "{text}");
    assert!(text.contains("---- comment: team growth ----"), "{text}");

    // 2. `register`: the person approves the App on GitHub's page.
    let web = fake.web_url();
    let run = register::start(
        &fake.url(),
        &[
            "--public-url",
            "https://sprintbot.example.com",
            "--listen",
            "127.0.0.1:0",
        ],
        &[("SPRINTBOT_GITHUB_WEB_URL", web.as_str())],
        dir.path(),
    );
    let (status, page) = register::approve(&run.page_url).await;
    assert_eq!(status, 200, "{page}");
    let done = tokio::task::spawn_blocking(move || run.finish(20))
        .await
        .unwrap();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    let vars = env_file(&dir.path().join("sprintbot.env"));
    let secret = vars["GITHUB_WEBHOOK_SECRET"].clone();
    assert!(vars.contains_key("GITHUB_APP_ID"), "{vars:?}");
    assert!(vars.contains_key("GITHUB_APP_PRIVATE_KEY_PATH"), "{vars:?}");

    // 3. They install the App on a repository and add the example config.
    fake.add_installation(INSTALLATION, "acme", &[REPO]);
    fake.put_file(REPO, ".github/sprintbot.toml", EXAMPLE);
    fake.set_role(REPO, ENGINEER, "write");

    // 4. `serve` with exactly what `register` wrote (and the fake's address).
    let port = free_port();
    let log = dir.path().join("serve.log");
    let mut serve = Command::new(bin);
    serve
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env_clear()
        .envs(&vars)
        .env("GITHUB_API_URL", fake.url())
        .env("RUST_LOG", "warn,sprintbot=info")
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap());
    let _serve = KillOnDrop::new(serve.spawn().expect("start sprintbot serve"));
    let health = format!("http://127.0.0.1:{port}/healthz");
    wait_for(&log, 40, "serve answering /healthz", async || {
        reqwest::get(&health)
            .await
            .is_ok_and(|r| r.status().is_success())
    })
    .await;

    // 5. The first sprint issue opens, by the App, with every team's comment.
    let opened = || {
        fake.issues(REPO)
            .into_iter()
            .filter(|i| i.author == BOT_LOGIN)
            .map(|i| i.number)
            .collect::<Vec<_>>()
    };
    wait_for(&log, 90, "the first sprint issue", async || {
        !opened().is_empty()
    })
    .await;
    let issue = opened()[0];
    let body = fake.issue(REPO, issue).unwrap().body;
    assert!(SprintDoc::parse(&body).is_ok(), "{body}");

    // 6. A `/goal` comment, delivered signed with the secret GitHub gave.
    let text = format!("/goal Write the onboarding guide @{ENGINEER}");
    let id = fake.add_comment(REPO, issue, ENGINEER, &text);
    let delivery = Delivery::signed(
        "issue_comment",
        "newcomer-goal",
        &goal_comment(&fake, issue, id, &text),
        &secret,
    );
    let url = format!("http://127.0.0.1:{port}/webhook");
    assert_eq!(delivery.send(&reqwest::Client::new(), &url).await, 202);
    wait_for(&log, 60, "the /goal answered", async || {
        !fake.reactions(REPO, id).is_empty()
    })
    .await;
    let reactions: Vec<String> = fake
        .reactions(REPO, id)
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    assert_eq!(reactions, ["+1"]);
    let body = fake.issue(REPO, issue).unwrap().body;
    let goals = SprintDoc::parse(&body).unwrap().goals().unwrap();
    assert!(
        goals
            .iter()
            .any(|g| g.title == "Write the onboarding guide"),
        "{body}"
    );
    fake.assert_no_violations();
}
