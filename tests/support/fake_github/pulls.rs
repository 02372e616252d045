//! The fake's pull requests and check runs: the files a pull request
//! changes, file contents at its head commit (`contents/{path}?ref=`), and
//! check runs created and updated, kept for tests to read back. Responses
//! are GitHub's examples with the fields the fake controls filled in.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::FakeGitHub;
use super::responses as r;
use super::routes::{Reply, Req, ok, paginate, status, with_status};
use super::state::State;

/// What the fake keeps about pull requests and check runs.
#[derive(Default)]
pub struct PullsState {
    /// (repository, number) → the files it changes.
    files: HashMap<(String, u64), Vec<Value>>,
    /// (repository, commit) → path → content at that commit (`None`: removed).
    at_commit: HashMap<(String, String), HashMap<String, Option<String>>>,
    check_runs: Vec<FakeCheckRun>,
}

/// A check run as the bot left it.
#[derive(Debug, Clone)]
pub struct FakeCheckRun {
    pub id: u64,
    pub repo: String,
    pub name: String,
    pub head_sha: String,
    pub status: String,
    pub conclusion: Option<String>,
    pub title: String,
    pub summary: String,
    /// GitHub's annotation objects, as sent.
    pub annotations: Vec<Value>,
}

fn example(name: &str) -> Value {
    let path = super::super::webhooks::fixtures_dir()
        .join("github/rest/examples")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("example")).expect("JSON")
}

fn check_run_json(full: &str, run: &FakeCheckRun) -> Value {
    let mut v =
        example("POST_repos-owner-repo-check-runs.201.example-of-completed-conclusion.json");
    v["id"] = json!(run.id);
    v["name"] = json!(run.name);
    v["head_sha"] = json!(run.head_sha);
    v["status"] = json!(run.status);
    v["conclusion"] = json!(run.conclusion);
    v["output"]["title"] = json!(run.title);
    v["output"]["summary"] = json!(run.summary);
    v["output"]["annotations_count"] = json!(run.annotations.len());
    v["html_url"] = json!(format!("https://github.com/{full}/runs/{}", run.id));
    v
}

/// Repository endpoints for pull requests and check runs; `None` for
/// anything else (the caller routes it).
pub fn route(state: &mut State, full: &str, q: &Req<'_>, rest: &[&str]) -> Option<Reply> {
    let body = q.body.clone().unwrap_or(Value::Null);
    Some(match (q.method, rest) {
        ("GET", ["pulls", n, "files"]) => {
            let n: u64 = n.parse().unwrap_or(0);
            match state.pulls.files.get(&(full.to_string(), n)) {
                Some(files) => paginate(files.clone(), &q.query),
                None => status(404, "Not Found"),
            }
        }
        ("GET", ["contents", path @ ..]) if q.query.contains_key("ref") => {
            let path = path.join("/");
            let git_ref = &q.query["ref"];
            let Some(files) = state
                .pulls
                .at_commit
                .get(&(full.to_string(), git_ref.clone()))
            else {
                return Some(status(
                    404,
                    &format!("No commit found for the ref {git_ref}"),
                ));
            };
            // Files the pull request does not touch are as on the default branch.
            let content = match files.get(&path) {
                Some(changed) => changed.clone(),
                None => state
                    .repos
                    .get(full)
                    .and_then(|r| r.files.get(&path).cloned()),
            };
            match content {
                Some(text) => ok(r::file(&path, &text, &r::blob_sha(&text))),
                None => status(404, "Not Found"),
            }
        }
        ("POST", ["check-runs"]) => {
            let id = state.next_id();
            let output = &body["output"];
            let run = FakeCheckRun {
                id,
                repo: full.to_string(),
                name: body["name"].as_str().unwrap_or("").into(),
                head_sha: body["head_sha"].as_str().unwrap_or("").into(),
                status: body["status"].as_str().unwrap_or("queued").into(),
                conclusion: body["conclusion"].as_str().map(String::from),
                title: output["title"].as_str().unwrap_or("").into(),
                summary: output["summary"].as_str().unwrap_or("").into(),
                annotations: output["annotations"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            };
            let reply = check_run_json(full, &run);
            state.pulls.check_runs.push(run);
            with_status(201, reply)
        }
        ("PATCH", ["check-runs", id]) => {
            let Some(run) = state
                .pulls
                .check_runs
                .iter_mut()
                .find(|c| c.repo == full && c.id.to_string() == *id)
            else {
                return Some(status(404, "Not Found"));
            };
            let output = &body["output"];
            if let Some(more) = output["annotations"].as_array() {
                run.annotations.extend(more.iter().cloned());
            }
            if let Some(summary) = output["summary"].as_str() {
                run.summary = summary.into();
            }
            ok(check_run_json(full, run))
        }
        _ => return None,
    })
}

impl FakeGitHub {
    /// Pull request `number` of `repo` with head commit `head_sha`, changing
    /// each path to the given text (`None`: removing it).
    pub fn add_pull(
        &self,
        repo: &str,
        number: u64,
        head_sha: &str,
        changes: &[(&str, Option<&str>)],
    ) {
        self.with(|s| {
            let base: HashMap<String, String> =
                s.repo(repo).map(|r| r.files.clone()).unwrap_or_default();
            let mut template =
                example("GET_repos-owner-repo-pulls-pull_number-files.200.json")[0].clone();
            let files = changes
                .iter()
                .map(|(path, text)| {
                    let status = match (text, base.contains_key(*path)) {
                        (None, _) => "removed",
                        (Some(_), true) => "modified",
                        (Some(_), false) => "added",
                    };
                    template["filename"] = json!(path);
                    template["status"] = json!(status);
                    template["contents_url"] = json!(format!(
                        "https://api.github.com/repos/{repo}/contents/{path}?ref={head_sha}"
                    ));
                    template.clone()
                })
                .collect();
            s.pulls.files.insert((repo.to_string(), number), files);
            s.pulls.at_commit.insert(
                (repo.to_string(), head_sha.to_string()),
                changes
                    .iter()
                    .map(|(p, t)| (p.to_string(), t.map(String::from)))
                    .collect(),
            );
        })
    }

    /// Every check run created on `repo`, oldest first.
    pub fn check_runs(&self, repo: &str) -> Vec<FakeCheckRun> {
        self.with(|s| {
            s.pulls
                .check_runs
                .iter()
                .filter(|c| c.repo == repo)
                .cloned()
                .collect()
        })
    }
}
