//! The fake's answers for what `/sprint doctor` and `/sprint adopt` read:
//! one comment by its id (GitHub's example response, fields filled in) and
//! the GraphQL `pinnedIssues` query (shaped as GitHub's public GraphQL
//! schema describes it, `@octokit/graphql-schema`); and helpers for tests to pin an
//! issue as a person would.

use serde_json::{Value, json};

use super::FakeGitHub;
use super::routes::{Reply, Req, ok, status};
use super::state::State;

fn example(name: &str) -> Value {
    let path = super::super::webhooks::fixtures_dir()
        .join("github/rest/examples")
        .join(name);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

/// `GET /repos/{owner}/{repo}/issues/comments/{comment_id}`; `None` for
/// other requests.
pub fn route(state: &mut State, full: &str, q: &Req<'_>, rest: &[&str]) -> Option<Reply> {
    let ("GET", ["issues", "comments", cid]) = (q.method, rest) else {
        return None;
    };
    let repo = state.repo(full)?;
    let Some(c) = repo.comments.iter().find(|c| c.id.to_string() == *cid) else {
        return Some(status(404, "Not Found"));
    };
    let mut v = example("GET_repos-owner-repo-issues-comments-comment_id.200.json");
    v["id"] = json!(c.id);
    v["body"] = json!(c.body);
    v["user"]["login"] = json!(c.author);
    v["user"]["type"] = json!(if c.bot { "Bot" } else { "User" });
    v["created_at"] = json!(c.created_at);
    v["updated_at"] = json!(c.updated_at);
    v["issue_url"] = json!(format!(
        "https://api.github.com/repos/{full}/issues/{}",
        c.issue
    ));
    v["html_url"] = json!(format!(
        "https://github.com/{full}/issues/{}#issuecomment-{}",
        c.issue, c.id
    ));
    Some(ok(v))
}

/// The `pinnedIssues` query of a repository; `None` for other documents.
pub fn graphql_query(state: &State, body: &Value) -> Option<Reply> {
    let query = body["query"].as_str()?;
    if !query.trim_start().starts_with("query") || !query.contains("pinnedIssues") {
        return None;
    }
    let full = format!(
        "{}/{}",
        body["variables"]["owner"].as_str().unwrap_or(""),
        body["variables"]["name"].as_str().unwrap_or("")
    );
    let Some(repo) = state.repos.get(&full) else {
        return Some(ok(json!({ "data": { "repository": null }, "errors": [{
            "type": "NOT_FOUND", "path": ["repository"],
            "message": format!("Could not resolve to a Repository with the name '{full}'.") }] })));
    };
    let nodes: Vec<Value> = state
        .pinned
        .iter()
        .filter(|(r, _)| *r == full)
        .filter_map(|(_, node)| repo.issues.values().find(|i| i.node_id == *node))
        .map(|i| json!({ "issue": { "number": i.number } }))
        .collect();
    Some(ok(
        json!({ "data": { "repository": { "pinnedIssues": { "nodes": nodes } } } }),
    ))
}

impl FakeGitHub {
    /// A person pins issue `n` (as the issue page's "Pin issue" does).
    pub fn pin_issue(&self, repo: &str, n: u64) {
        self.with(|s| {
            let node = s
                .repo(repo)
                .and_then(|r| r.issues.get(&n))
                .map(|i| i.node_id.clone());
            if let Some(node) = node
                && !s.pinned.iter().any(|(_, p)| *p == node)
            {
                s.pinned.push((repo.to_string(), node));
            }
        })
    }
}
