//! Linked issues and pull requests in scenario tests: people close, reopen
//! and merge them on GitHub, and GitHub delivers the webhook. GitHub's
//! examples have no `issues.closed` payload and no merged
//! `pull_request.closed` one, so they are built from `issues.reopened` and
//! `pull_request.closed` by changing only the fields GitHub's schema names
//! (`action`, `state`, `state_reason`, `closed_at`, `merged`, `merged_at`).

use serde_json::{Value, json};
use sprintbot::github::clock::Clock as _;

use super::bot::SECRET;
use super::scenario::{INSTALLATION, REPO, REPO_ID, Scenario};
use super::webhooks::payload;

fn ours(mut p: Value, sender: &str) -> Value {
    p["repository"]["full_name"] = json!(REPO);
    p["repository"]["id"] = json!(REPO_ID);
    p["installation"] = json!({ "id": INSTALLATION });
    p["sender"]["login"] = json!(sender);
    p["sender"]["type"] = json!("User");
    p
}

/// `issues.closed` (`reason`: `completed`, `not_planned`) or
/// `issues.reopened` (`reason`: `None`) for issue `n`.
pub fn issue_payload(n: u64, reason: Option<&str>, sender: &str, at: &str) -> Value {
    let mut p = payload("issues.reopened");
    p["action"] = json!(if reason.is_some() {
        "closed"
    } else {
        "reopened"
    });
    p["issue"]["number"] = json!(n);
    p["issue"]["state"] = json!(if reason.is_some() { "closed" } else { "open" });
    p["issue"]["state_reason"] = json!(reason.unwrap_or("reopened"));
    p["issue"]["closed_at"] = if reason.is_some() {
        json!(at)
    } else {
        Value::Null
    };
    p["issue"]["body"] = json!("A linked issue");
    ours(p, sender)
}

/// `pull_request.closed` for pull request `n`, merged or not.
pub fn pull_payload(n: u64, merged: bool, sender: &str, at: &str) -> Value {
    let mut p = payload("pull_request.closed");
    p["number"] = json!(n);
    p["pull_request"]["number"] = json!(n);
    p["pull_request"]["state"] = json!("closed");
    p["pull_request"]["closed_at"] = json!(at);
    p["pull_request"]["merged"] = json!(merged);
    p["pull_request"]["merged_at"] = if merged { json!(at) } else { Value::Null };
    ours(p, sender)
}

impl Scenario {
    /// GitHub delivers `event` with `payload`; the bot finishes its jobs.
    pub async fn deliver_event(&self, event: &str, payload: &Value) {
        let status = self
            .fake
            .send_webhook(&self.bot.webhook_url(), SECRET, event, payload)
            .await;
        assert_eq!(status, 202, "{event}");
        self.settle().await;
    }

    /// `who` closes issue `n` (`completed` or `not_planned`); returns the payload.
    pub async fn close_issue(&self, n: u64, reason: &str, who: &str) -> Value {
        self.fake.set_issue_state(REPO, n, Some(reason));
        let p = issue_payload(
            n,
            Some(reason),
            who,
            &super::fake_github::github_time(self.clock.now()),
        );
        self.deliver_event("issues", &p).await;
        p
    }

    /// `who` reopens issue `n`.
    pub async fn reopen_issue(&self, n: u64, who: &str) {
        self.fake.set_issue_state(REPO, n, None);
        let p = issue_payload(
            n,
            None,
            who,
            &super::fake_github::github_time(self.clock.now()),
        );
        self.deliver_event("issues", &p).await;
    }

    /// `who` merges pull request `n` (or closes it unmerged); returns the payload.
    pub async fn merge_pull(&self, n: u64, merged: bool, who: &str) -> Value {
        self.fake.close_pull_request(REPO, n, merged);
        let p = pull_payload(
            n,
            merged,
            who,
            &super::fake_github::github_time(self.clock.now()),
        );
        self.deliver_event("pull_request", &p).await;
        p
    }

    /// Move the clock to `t`.
    pub fn at(&self, t: &str) {
        self.clock.set(t.parse().unwrap());
    }

    /// The rollover due at `t` runs; returns the new sprint issue.
    pub async fn roll_at(&mut self, t: &str) -> u64 {
        self.at(t);
        self.rollover_due().await;
        let newest = self
            .fake
            .issues(REPO)
            .into_iter()
            .filter(|i| i.labels.iter().any(|l| l == "sprint"))
            .map(|i| i.number)
            .max()
            .unwrap();
        assert_ne!(newest, self.issue, "a new sprint issue opened at {t}");
        self.issue = newest;
        newest
    }
}
