//! The fake's REST and GraphQL endpoints: each takes the parsed request and
//! the state and returns a status and a JSON body shaped like GitHub's.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::responses as r;
use super::state::{FakeComment, FakeIssue, State};

pub struct Req<'a> {
    pub method: &'a str,
    pub segments: Vec<&'a str>,
    pub query: HashMap<String, String>,
    pub body: Option<Value>,
    /// Installation of the token (0 for a plain token).
    pub installation: u64,
    pub now: String,
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
    /// (items of this page, total) for a `Link` header.
    pub page: Option<(u64, u64, u64)>,
}

fn ok(body: Value) -> Reply {
    Reply {
        status: 200,
        body,
        page: None,
    }
}

fn status(status: u16, message: &str) -> Reply {
    Reply {
        status,
        body: r::error(message),
        page: None,
    }
}

fn paginate(items: Vec<Value>, q: &HashMap<String, String>) -> Reply {
    let per_page: u64 = q
        .get("per_page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    let page: u64 = q
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let total = items.len() as u64;
    let slice: Vec<Value> = items
        .into_iter()
        .skip(((page - 1) * per_page) as usize)
        .take(per_page as usize)
        .collect();
    Reply {
        status: 200,
        body: Value::Array(slice),
        page: Some((page, per_page, total)),
    }
}

pub fn graphql(state: &mut State, body: &Value) -> Reply {
    let query = body["query"].as_str().unwrap_or("");
    let id = body["variables"]["id"].as_str().unwrap_or("").to_string();
    let exists = state
        .repos
        .values()
        .any(|repo| repo.issues.values().any(|i| i.node_id == id));
    if !exists {
        return ok(
            json!({ "data": null, "errors": [{ "type": "NOT_FOUND", "message": format!("Could not resolve to a node with the global id of '{id}'") }] }),
        );
    }
    if query.contains("unpinIssue") {
        state.pinned.retain(|p| p != &id);
        ok(json!({ "data": { "unpinIssue": { "issue": { "id": id } } } }))
    } else if query.contains("pinIssue") {
        if !state.pinned.contains(&id) {
            if state.pinned.len() >= 3 {
                return ok(
                    json!({ "data": null, "errors": [{ "message": "A repository can have at most 3 pinned issues" }] }),
                );
            }
            state.pinned.push(id.clone());
        }
        ok(json!({ "data": { "pinIssue": { "issue": { "id": id } } } }))
    } else {
        status(400, "unsupported GraphQL query")
    }
}

pub fn rest(state: &mut State, q: Req<'_>) -> Reply {
    let s = q.segments.as_slice();
    match (q.method, s) {
        ("GET", ["app", "installations"]) => ok(r::installations(
            &state
                .installations
                .iter()
                .map(|(i, a, _)| (*i, a.clone()))
                .collect::<Vec<_>>(),
        )),
        ("GET", ["installation", "repositories"]) => {
            let repos = state
                .installations
                .iter()
                .find(|(i, _, _)| *i == q.installation)
                .map(|(_, _, r)| r.clone())
                .unwrap_or_default();
            ok(r::installation_repositories(&repos))
        }
        ("GET", ["orgs", org, "teams", team, "memberships", user]) => {
            match state.teams.get(&(org.to_string(), team.to_string())) {
                Some(members) if members.iter().any(|m| m.eq_ignore_ascii_case(user)) => {
                    ok(r::membership("active"))
                }
                _ => status(404, "Not Found"),
            }
        }
        (_, ["repos", owner, name, rest @ ..]) => {
            let full = format!("{owner}/{name}");
            if !state.repos.contains_key(&full) {
                return status(404, "Not Found");
            }
            repo_route(state, &full, &q, rest)
        }
        _ => status(404, "Not Found"),
    }
}

fn repo_route(state: &mut State, full: &str, q: &Req<'_>, rest: &[&str]) -> Reply {
    let body = q.body.clone().unwrap_or(Value::Null);
    let id = state.next_id();
    let repo = state.repo(full).expect("checked");
    match (q.method, rest) {
        ("GET", ["issues"]) => {
            let want_state = q.query.get("state").map(String::as_str).unwrap_or("open");
            let labels: Vec<&str> = q
                .query
                .get("labels")
                .map(|l| l.split(',').filter(|x| !x.is_empty()).collect())
                .unwrap_or_default();
            let mut issues: Vec<&FakeIssue> = repo
                .issues
                .values()
                .filter(|i| match want_state {
                    "all" => true,
                    "closed" => !i.open,
                    _ => i.open,
                })
                .filter(|i| labels.iter().all(|l| i.labels.iter().any(|il| il == l)))
                .collect();
            if q.query.get("direction").map(String::as_str) != Some("asc") {
                issues.reverse();
            }
            paginate(
                issues.into_iter().map(|i| r::issue(full, i)).collect(),
                &q.query,
            )
        }
        ("POST", ["issues"]) => {
            let number = repo.issues.keys().max().copied().unwrap_or(0) + 1;
            let issue = FakeIssue {
                id,
                number,
                node_id: format!("I_kw{id}"),
                title: body["title"].as_str().unwrap_or("").to_string(),
                body: body["body"].as_str().unwrap_or("").to_string(),
                open: true,
                labels: body["labels"]
                    .as_array()
                    .map(|l| {
                        l.iter()
                            .filter_map(|x| x.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
                author: "sprintbot[bot]".into(),
                created_at: q.now.clone(),
            };
            let reply = r::issue(full, &issue);
            repo.issues.insert(number, issue);
            Reply {
                status: 201,
                body: reply,
                page: None,
            }
        }
        ("GET", ["issues", n]) => match n.parse().ok().and_then(|n: u64| repo.issues.get(&n)) {
            Some(i) => ok(r::issue(full, i)),
            None => status(404, "Not Found"),
        },
        ("PATCH", ["issues", n]) => {
            let Some(issue) = n.parse().ok().and_then(|n: u64| repo.issues.get_mut(&n)) else {
                return status(404, "Not Found");
            };
            if let Some(t) = body["title"].as_str() {
                issue.title = t.into();
            }
            if let Some(b) = body["body"].as_str() {
                issue.body = b.into();
            }
            if let Some(st) = body["state"].as_str() {
                issue.open = st == "open";
            }
            ok(r::issue(full, issue))
        }
        ("GET", ["issues", n, "comments"]) => {
            let n: u64 = n.parse().unwrap_or(0);
            if !repo.issues.contains_key(&n) {
                return status(404, "Not Found");
            }
            let since = q.query.get("since").cloned().unwrap_or_default();
            let items = repo
                .comments
                .iter()
                .filter(|c| c.issue == n && c.updated_at >= since)
                .map(|c| r::comment(full, c))
                .collect();
            paginate(items, &q.query)
        }
        ("POST", ["issues", n, "comments"]) => {
            let n: u64 = n.parse().unwrap_or(0);
            if !repo.issues.contains_key(&n) {
                return status(404, "Not Found");
            }
            let c = FakeComment {
                id,
                issue: n,
                body: body["body"].as_str().unwrap_or("").into(),
                author: "sprintbot[bot]".into(),
                bot: true,
                created_at: q.now.clone(),
                updated_at: q.now.clone(),
            };
            let reply = r::comment(full, &c);
            repo.comments.push(c);
            Reply {
                status: 201,
                body: reply,
                page: None,
            }
        }
        ("PATCH", ["issues", "comments", cid]) => {
            match repo.comments.iter_mut().find(|c| c.id.to_string() == *cid) {
                Some(c) => {
                    c.body = body["body"].as_str().unwrap_or("").into();
                    c.updated_at = q.now.clone();
                    ok(r::comment(full, c))
                }
                None => status(404, "Not Found"),
            }
        }
        ("POST", ["issues", "comments", cid, "reactions"]) => {
            let Ok(cid) = cid.parse::<u64>() else {
                return status(404, "Not Found");
            };
            if !repo.comments.iter().any(|c| c.id == cid) {
                return status(404, "Not Found");
            }
            let content = body["content"].as_str().unwrap_or("").to_string();
            let login = "sprintbot[bot]".to_string();
            let existed = repo
                .reactions
                .iter()
                .any(|(c, l, k)| *c == cid && *l == login && *k == content);
            if !existed {
                repo.reactions.push((cid, login.clone(), content.clone()));
            }
            Reply {
                status: if existed { 200 } else { 201 },
                body: r::reaction(id, &login, &content),
                page: None,
            }
        }
        ("POST", ["issues", n, "labels"]) => {
            let Some(issue) = n.parse().ok().and_then(|n: u64| repo.issues.get_mut(&n)) else {
                return status(404, "Not Found");
            };
            for l in body["labels"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l.as_str())
            {
                if !issue.labels.iter().any(|x| x == l) {
                    issue.labels.push(l.to_string());
                }
            }
            ok(Value::Array(
                issue.labels.iter().map(|l| r::label(l)).collect(),
            ))
        }
        ("GET", ["labels"]) => {
            paginate(repo.labels.iter().map(|l| r::label(l)).collect(), &q.query)
        }
        ("POST", ["labels"]) => {
            let name = body["name"].as_str().unwrap_or("").to_string();
            if repo.labels.iter().any(|l| l.eq_ignore_ascii_case(&name)) {
                return Reply {
                    status: 422,
                    body: json!({"message": "Validation Failed", "errors": [{"resource": "Label", "code": "already_exists", "field": "name"}]}),
                    page: None,
                };
            }
            repo.labels.push(name.clone());
            Reply {
                status: 201,
                body: r::label(&name),
                page: None,
            }
        }
        ("GET", ["collaborators", user, "permission"]) => match repo
            .roles
            .iter()
            .find(|(l, _)| l.eq_ignore_ascii_case(user))
        {
            Some((login, role)) => ok(r::permission(login, role)),
            None => ok(r::permission(user, "read")),
        },
        ("GET", ["contents", path @ ..]) => {
            let path = path.join("/");
            match repo.files.get(&path) {
                Some(content) => ok(r::file(&path, content)),
                None => status(404, "Not Found"),
            }
        }
        _ => status(404, "Not Found"),
    }
}
