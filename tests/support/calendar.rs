//! Helpers for the calendar stories (`sprint_calendar.rs`): a comment
//! delivered to an organisation's bot, a one-shot `tick` with a database of
//! its own, and the sprint issues a repository has, oldest first.

use std::time::Duration;

use serde_json::json;

use super::bot::SECRET;
use super::fake_github::{FakeGitHub, FakeIssue};
use super::org::Org;
use super::process::KillOnDrop;
use super::webhooks::payload;

pub const REPO: &str = "acme/app";
pub const INSTALLATION: u64 = 7;

/// `author` comments on `issue` of `REPO` in the org, and GitHub delivers it.
pub async fn comment(org: &Org, issue: u64, author: &str, body: &str) -> u64 {
    comment_in(org, REPO, issue, author, body).await
}

/// `author` comments on `issue` of `repo` (of installation 7), delivered.
pub async fn comment_in(org: &Org, repo: &str, issue: u64, author: &str, body: &str) -> u64 {
    let id = org.fake.add_comment(repo, issue, author, body);
    let mut p = payload("issue_comment.created");
    p["action"] = json!("created");
    p["issue"]["number"] = json!(issue);
    p["issue"]["state"] = json!("open");
    p["comment"]["id"] = json!(id);
    p["comment"]["body"] = json!(body);
    p["comment"]["user"]["login"] = json!(author);
    p["comment"]["user"]["type"] = json!("User");
    p["comment"]["created_at"] = json!(super::fake_github::github_time(org.now()));
    p["repository"]["full_name"] = json!(repo);
    p["repository"]["id"] = json!(org.fake.repo_id(repo));
    p["sender"]["login"] = json!(author);
    p["sender"]["type"] = json!("User");
    p["installation"] = json!({ "id": INSTALLATION });
    let status = org
        .fake
        .send_webhook(&org.bot.webhook_url(), SECRET, "issue_comment", &p)
        .await;
    assert_eq!(status, 202);
    org.settle_within(Duration::from_secs(30)).await;
    id
}

/// The sprint issues sprintbot opened, oldest first: (title, opened at).
pub fn sprint_issues(fake: &FakeGitHub, author: &str) -> Vec<FakeIssue> {
    let mut issues: Vec<FakeIssue> = fake
        .issues(REPO)
        .into_iter()
        .filter(|i| i.author == author && i.body.contains("<!-- sprintbot:sprint "))
        .collect();
    issues.sort_by_key(|i| i.number);
    issues
}

pub fn titles(issues: &[FakeIssue]) -> Vec<String> {
    issues.iter().map(|i| i.title.clone()).collect()
}

/// `sprintbot tick` at `now`, with a database of its own (as a fresh CI
/// runner has), to completion.
pub async fn tick(fake: &FakeGitHub, dir: &std::path::Path, now: &str) {
    let db = dir.join(format!("{}.db", now.replace(':', "-")));
    let child = KillOnDrop::new(
        std::process::Command::new(env!("CARGO_BIN_EXE_sprintbot"))
            .args(["tick", "--repo", REPO, "--now", now])
            .env("GITHUB_TOKEN", "ghp_actions")
            .env("GITHUB_API_URL", fake.url())
            .env("SPRINTBOT_DATABASE_URL", db)
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{now}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
