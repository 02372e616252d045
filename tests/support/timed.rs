//! Builders for the stories of timed writes (`tests/sprint_timed.rs`): a
//! repository of the example org with its sprint planned, a team that
//! plans, the bot's reminder comments, the calls a reminder costs, and
//! `sprintbot tick` run as GitHub Actions runs it.

use std::process::{Command, Output};
use std::time::Duration;

use jiff::Timestamp;
use sprintbot::sprint::Login;
use sprintbot::sprint::body::{Change, SprintDoc};

use super::fake_github::{FakeComment, FakeGitHub};
use super::org::Org;
use super::process::KillOnDrop;
use super::sprint::POSTHOG_CONFIG;

pub const REPO: &str = "acme/repo-0";

/// The example config with some lines changed.
pub fn config(changes: &[(&str, &str)]) -> String {
    let mut c = POSTHOG_CONFIG.to_string();
    for (from, to) in changes {
        assert!(c.contains(from), "{from}");
        c = c.replacen(from, to, 1);
    }
    c
}

pub fn at(t: &str) -> Timestamp {
    t.parse().unwrap()
}

/// People plan issue `n`: three goals, the last done, the second with a
/// status, the first without.
pub fn plan_goals(fake: &FakeGitHub, repo: &str, n: u64) {
    fake.edit_issue_body(repo, n, |body| {
        let add = |title: &str, owner: &str| Change::AddGoal {
            title: title.into(),
            owner: Some(Login(owner.into())),
            why: None,
        };
        let changes = [
            add("Ship the new onboarding", "kappa90"),
            add("Static playlists", "tiina303"),
            add("Sentry is clean", "kappa90"),
            Change::Tick(3),
            Change::SetStatus(2, "🟡 half the flows moved".into()),
        ];
        changes.iter().fold(body.to_string(), |b, c| {
            SprintDoc::parse(&b).unwrap().apply(c).unwrap().body
        })
    });
}

/// Team Growth writes its plan in its comment on issue `n` (by `author`),
/// one item ticked, one not. Returns the comment's id.
pub fn growth_plans(fake: &FakeGitHub, repo: &str, n: u64, author: &str) -> u64 {
    let c = fake
        .comments(repo, n)
        .into_iter()
        .find(|c| c.author == author && c.body.contains("slug=growth"))
        .expect("Growth's comment");
    let marker = c.body.lines().next().unwrap().to_string();
    let body = format!(
        "{marker}\nTeam Growth\n\n## Planning\n\n### Bugs\n\n- [ ] Fix the funnel\n- [x] Fixed the login\n"
    );
    fake.edit_comment(repo, c.id, &body);
    c.id
}

/// The bot's reminder comments of kind `name` on issue `n`.
pub fn reminders(fake: &FakeGitHub, n: u64, name: &str) -> Vec<FakeComment> {
    fake.comments(REPO, n)
        .into_iter()
        .filter(|c| {
            c.body
                .contains(&format!("<!-- sprintbot:timed {name} sprint="))
        })
        .collect()
}

/// The calls about the repository since `from`, config reads left out
/// (their own economy is the loader's).
pub fn repo_calls(org: &Org, from: usize) -> Vec<String> {
    org.calls_since(from)
        .into_iter()
        .filter(|c| c.contains(&format!("/repos/{REPO}/")) && !c.contains("/contents/"))
        .collect()
}

/// One repository of the example org with `config`, its sprint containing
/// `sprint_date` open and planned (three goals), the bot started at `now`.
pub async fn org_at(now: &str, sprint_date: &str, config: &str) -> Org {
    let org = Org::start(now).await;
    org.install(7, "acme", 1, &[0], sprint_date);
    org.fake.put_file(REPO, ".github/sprintbot.toml", config);
    plan_goals(&org.fake, REPO, 1);
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    org
}

/// One scheduler step at `t`, and its jobs run.
pub async fn step_at(org: &Org, t: &str) -> sprintbot::lifecycle::scheduler::Step {
    org.at(t);
    let step = org.scheduler.step(org.now()).await;
    org.settle().await;
    step
}

pub const THREE_CALLS: [&str; 3] = [
    "GET /repos/acme/repo-0/issues/1/comments",
    "GET /repos/acme/repo-0/issues/1",
    "POST /repos/acme/repo-0/issues/1/comments",
];

/// `sprintbot tick` as a scheduled GitHub Actions job runs it.
pub fn tick(fake: &FakeGitHub, db: &std::path::Path, now: &str) -> KillOnDrop {
    KillOnDrop::new(
        Command::new(env!("CARGO_BIN_EXE_sprintbot"))
            .args(["tick", "--repo", "acme/app", "--now", now])
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

pub async fn finish(child: KillOnDrop) -> Output {
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
