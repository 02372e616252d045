//! The one-shot mode as a scheduled GitHub Actions job runs it: the real
//! binary, a token, and a store that may be shared or brand new.

mod support;

use std::process::{Command, Output};
use std::sync::Arc;

use sprintbot::github::clock::{Clock, ManualClock};
use support::fake_github::FakeGitHub;
use support::process::KillOnDrop;
use support::sprint::POSTHOG_CONFIG;

const REPO: &str = "acme/app";

async fn fake_with_one_team() -> FakeGitHub {
    fake_with_one_team_at("2022-11-14T09:30:00Z".parse().unwrap()).await
}

async fn fake_with_one_team_at(now: jiff::Timestamp) -> FakeGitHub {
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(now));
    let fake = FakeGitHub::start(clock).await;
    fake.add_repo(REPO);
    fake.add_plain_token("ghp_actions");
    let cut = POSTHOG_CONFIG.find("[engineers]").unwrap();
    let config = format!("[[teams]]\nname = \"Growth\"\n\n{}", &POSTHOG_CONFIG[cut..]);
    fake.put_file(REPO, ".github/sprintbot.toml", &config);
    fake
}

fn tick(fake: &FakeGitHub, db: &std::path::Path, extra: &[&str]) -> KillOnDrop {
    KillOnDrop::new(
        Command::new(env!("CARGO_BIN_EXE_sprintbot"))
            .arg("tick")
            .args(extra)
            .env("GITHUB_TOKEN", "ghp_actions")
            .env("GITHUB_API_URL", fake.url())
            .env("SPRINTBOT_DATABASE_URL", db)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    )
}

async fn finish(child: KillOnDrop) -> Output {
    tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_ticks_started_together_on_one_store_open_one_sprint() {
    let fake = fake_with_one_team().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("actions.db");
    let args = ["--repo", REPO, "--now", "2022-11-14T09:30:00Z"];
    let a = tick(&fake, &db, &args);
    let b = tick(&fake, &db, &args);
    let (a, b) = (finish(a).await, finish(b).await);
    for out in [&a, &b] {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let said: Vec<String> = [a, b]
        .iter()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .collect();
    assert_eq!(
        said.iter()
            .filter(|s| s.contains("opened sprint 2022-11-14"))
            .count(),
        1,
        "{said:?}"
    );
    assert_eq!(
        said.iter().filter(|s| s.contains("nothing due")).count(),
        1,
        "{said:?}"
    );
    assert_eq!(fake.issues(REPO).len(), 1);
    assert_eq!(fake.comments(REPO, 1).len(), 1);
    fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tick_explains_what_it_needs() {
    let fake = fake_with_one_team().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let run = |envs: &[(&str, &str)], args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_sprintbot"));
        c.arg("tick")
            .args(args)
            .env_remove("GITHUB_TOKEN")
            .env_remove("GITHUB_REPOSITORY")
            .env("SPRINTBOT_DATABASE_URL", &db)
            .env("GITHUB_API_URL", fake.url());
        for (k, v) in envs {
            c.env(k, v);
        }
        c.output().unwrap()
    };
    let out = run(&[], &["--repo", REPO]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("no credentials: set GITHUB_TOKEN") && said.contains("GITHUB_APP_ID"),
        "{said}"
    );
    let out = run(&[("GITHUB_TOKEN", "ghp_actions")], &[]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("no repository"));
    fake.add_repo("acme/other");
    let out = run(
        &[("GITHUB_TOKEN", "ghp_actions")],
        &["--repo", "acme/other"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("has no valid .github/sprintbot.toml"));
    let out = run(
        &[("GITHUB_TOKEN", "ghp_actions")],
        &["--repo", REPO, "--now", "yesterday"],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an instant"));
    let out = run(&[("GITHUB_TOKEN", "wrong")], &["--repo", REPO]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("credentials"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tick_before_the_cadence_anchor_opens_nothing() {
    // check-config warns "no sprint opens before 2022-10-03"; the bot keeps
    // that promise instead of opening a sprint numbered backwards from it.
    let fake = fake_with_one_team().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("early.db");
    let out = finish(tick(
        &fake,
        &db,
        &["--repo", REPO, "--now", "2022-10-03T07:59:00Z"],
    ))
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("nothing due"));
    assert!(fake.issues(REPO).is_empty());
    // At the anchor's opening (09:00 in London, 08:00 UTC) the first sprint opens.
    let out = finish(tick(
        &fake,
        &db,
        &["--repo", REPO, "--now", "2022-10-03T08:00:00Z"],
    ))
    .await;
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("opened sprint 2022-10-03"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tick_applies_and_answers_commands_with_an_empty_store_each_time() {
    let fake = fake_with_one_team().await;
    fake.set_role(REPO, "kappa90", "write");
    let dir = tempfile::tempdir().unwrap();
    let args = ["--repo", REPO, "--now", "2022-11-14T09:30:00Z"];
    let run = async |n: usize| {
        let out = finish(tick(&fake, &dir.path().join(format!("run{n}.db")), &args)).await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    run(1).await;
    let issue = fake.issues(REPO)[0].number;
    let ok = fake.add_comment(
        REPO,
        issue,
        "kappa90",
        "/goal Ship the new onboarding why: activation",
    );
    let refused = fake.add_comment(REPO, issue, "visitor", "/goal Not mine");
    let chatter = fake.add_comment(REPO, issue, "kappa90", "Nice sprint, everyone");
    run(2).await;
    let body = fake.issue(REPO, issue).unwrap().body;
    assert!(
        body.contains("- [ ] Ship the new onboarding @kappa90 — Why: activation"),
        "{body}"
    );
    assert!(!body.contains("Not mine"));
    let reactions = |id| {
        fake.reactions(REPO, id)
            .into_iter()
            .map(|(_, c)| c)
            .collect::<Vec<_>>()
    };
    assert_eq!(reactions(ok), ["+1"]);
    assert_eq!(reactions(refused), ["confused"]);
    assert!(reactions(chatter).is_empty());
    let replies: Vec<_> = fake
        .comments(REPO, issue)
        .into_iter()
        .filter(|c| c.body.contains(&format!("reply-to={refused}")))
        .collect();
    assert_eq!(replies.len(), 1);
    // A third run, again with an empty store, has nothing to do: no write.
    let writes = |f: &FakeGitHub| f.requests().iter().filter(|r| r.method != "GET").count();
    let before = writes(&fake);
    run(3).await;
    assert_eq!(writes(&fake), before);
    fake.assert_no_violations();
}

/// Run `sprintbot <cmd> --repo acme/app` with these credentials.
fn run_as(fake: &FakeGitHub, db: &std::path::Path, cmd: &str, envs: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sprintbot"));
    c.args([cmd, "--repo", REPO])
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITHUB_APP_ID")
        .env_remove("GITHUB_APP_PRIVATE_KEY")
        .env_remove("GITHUB_APP_PRIVATE_KEY_PATH")
        .env_remove("SPRINTBOT_BOT_LOGIN")
        .env("GITHUB_API_URL", fake.url())
        .env("SPRINTBOT_DATABASE_URL", db)
        .env("RUST_LOG", "warn");
    if cmd == "tick" {
        c.args(["--now", "2022-11-14T09:30:00Z"]);
    }
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tick_runs_with_the_app_s_credentials_and_a_person_s_token_writes_nothing() {
    // The App's JSON web token is signed on the real clock, as GitHub checks it.
    let fake = fake_with_one_team_at(jiff::Timestamp::now()).await;
    fake.add_installation(7, "acme", &[]);
    fake.add_user_token("ghp_alice", "alice");
    let dir = tempfile::tempdir().unwrap();
    let app_id = support::fake_github::APP_ID.to_string();
    let app = [
        ("GITHUB_APP_ID", app_id.as_str()),
        ("GITHUB_APP_PRIVATE_KEY", support::fake_github::PRIVATE_KEY),
    ];
    let out = run_as(&fake, &dir.path().join("app.db"), "tick", &app);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let issues = fake.issues(REPO);
    assert_eq!(issues.len(), 1);
    assert_eq!(issues[0].author, support::fake_github::BOT_LOGIN);

    // A person runs `rollover` with their own token on the App's repository.
    let person = [("GITHUB_TOKEN", "ghp_alice")];
    let out = run_as(&fake, &dir.path().join("alice.db"), "rollover", &person);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("written by `sprintbot[bot]` (the newest is #1)")
            && said.contains("acts as `alice`"),
        "{said}"
    );
    assert_eq!(fake.issues(REPO).len(), 1, "no second issue for the sprint");
    let out = run_as(&fake, &dir.path().join("alice.db"), "tick", &person);
    assert!(
        !out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(fake.issues(REPO).len(), 1);
    // The App itself goes on as before.
    let out = run_as(&fake, &dir.path().join("app.db"), "tick", &app);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    fake.assert_no_violations();
}
