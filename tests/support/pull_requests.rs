//! Pull requests in scenario tests: a pull request of the scenario's
//! repository (or of a fork of it) that changes files, and GitHub's
//! `pull_request` webhook for it, built from GitHub's own payload.

use serde_json::{Value, json};

use super::bot::SECRET;
use super::scenario::{INSTALLATION, REPO, REPO_ID, Scenario};
use super::webhooks::payload;

/// GitHub's `pull_request` payload: pull request `number` of the scenario's
/// repository whose head commit `head_sha` lives in `head_repo`.
pub fn pull_request_payload(action: &str, number: u64, head_sha: &str, head_repo: &str) -> Value {
    let mut p = payload("pull_request.opened.2");
    p["action"] = json!(action);
    p["number"] = json!(number);
    p["pull_request"]["number"] = json!(number);
    p["pull_request"]["head"]["sha"] = json!(head_sha);
    p["pull_request"]["head"]["repo"]["full_name"] = json!(head_repo);
    p["pull_request"]["head"]["repo"]["fork"] = json!(head_repo != REPO);
    p["pull_request"]["base"]["repo"]["full_name"] = json!(REPO);
    p["repository"]["full_name"] = json!(REPO);
    p["repository"]["id"] = json!(REPO_ID);
    p["installation"] = json!({ "id": INSTALLATION });
    p
}

/// Someone opens (or pushes to) pull request `number` from `head_repo`,
/// changing each path to the given text (`None`: deleting it); GitHub
/// delivers the webhook and the bot finishes its jobs.
pub async fn push_pull_request(
    s: &Scenario,
    action: &str,
    number: u64,
    head_sha: &str,
    head_repo: &str,
    changes: &[(&str, Option<&str>)],
) {
    s.fake.add_pull(REPO, number, head_sha, changes);
    let p = pull_request_payload(action, number, head_sha, head_repo);
    let status = s
        .fake
        .send_webhook(&s.bot.webhook_url(), SECRET, "pull_request", &p)
        .await;
    assert_eq!(status, 202);
    s.settle().await;
}
