//! The fake's REST endpoints outside a repository (the App, installations,
//! the authenticated user, teams) and its GraphQL mutations; repository
//! endpoints are in `repo_routes.rs`. Each takes the parsed request and the
//! state and returns a status and a JSON body shaped like GitHub's.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::responses as r;
use super::state::State;
use super::{ACTIONS_BOT, BOT_LOGIN};

pub struct Req<'a> {
    pub method: &'a str,
    pub segments: Vec<&'a str>,
    pub query: HashMap<String, String>,
    pub body: Option<Value>,
    /// Installation of the token (0 for a plain token).
    pub installation: u64,
    /// The login the credentials act as.
    pub actor: String,
    pub if_none_match: Option<String>,
    pub now: String,
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
    /// (items of this page, total) for a `Link` header.
    pub page: Option<(u64, u64, u64)>,
    pub headers: Vec<(&'static str, String)>,
}

pub fn ok(body: Value) -> Reply {
    with_status(200, body)
}

pub fn with_status(status: u16, body: Value) -> Reply {
    Reply {
        status,
        body,
        page: None,
        headers: Vec::new(),
    }
}

pub fn status(status: u16, message: &str) -> Reply {
    with_status(status, r::error(message))
}

pub fn paginate(items: Vec<Value>, q: &HashMap<String, String>) -> Reply {
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
        headers: Vec::new(),
    }
}

/// One mutation field of a GraphQL document: (alias or name, name, variable).
fn mutations(query: &str) -> Vec<(String, &'static str, String)> {
    let mut out = Vec::new();
    let bytes = query.as_bytes();
    for (i, _) in query.char_indices() {
        let Some(name) = ["unpinIssue(", "pinIssue(", "closeIssue("]
            .into_iter()
            .find(|n| query[i..].starts_with(n))
        else {
            continue;
        };
        if i > 0 && (bytes[i - 1] as char).is_ascii_alphanumeric() {
            continue;
        }
        let name: &'static str = name.trim_end_matches('(');
        let before = query[..i].trim_end();
        let alias = before
            .strip_suffix(':')
            .map(|b| {
                b.trim_end()
                    .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or(name)
                    .to_string()
            })
            .unwrap_or_else(|| name.to_string());
        let var = query[i..]
            .split_once("issueId:")
            .map(|(_, rest)| rest.trim_start())
            .and_then(|rest| rest.strip_prefix('$'))
            .map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .unwrap_or_default();
        out.push((alias, name, var));
    }
    out
}

/// `pinIssue`, `unpinIssue` and `closeIssue`, several per document, run in
/// order; a failed one is `null` in `data` with an error naming its path.
pub fn graphql(state: &mut State, body: &Value) -> Reply {
    if let Some(answer) = super::selfservice::graphql_query(state, body) {
        return answer;
    }
    let query = body["query"].as_str().unwrap_or("");
    let ops = mutations(query);
    if ops.is_empty() {
        return status(400, "unsupported GraphQL query");
    }
    let mut data = serde_json::Map::new();
    let mut errors = Vec::new();
    for (alias, name, var) in ops {
        let id = body["variables"][&var].as_str().unwrap_or("").to_string();
        let found = state.repos.iter_mut().find_map(|(full, repo)| {
            repo.issues
                .values_mut()
                .find(|i| i.node_id == id)
                .map(|i| (full.clone(), i))
        });
        let Some((repo, issue)) = found else {
            data.insert(alias.clone(), Value::Null);
            errors.push(json!({ "type": "NOT_FOUND", "path": [alias], "message": format!("Could not resolve to a node with the global id of '{id}'") }));
            continue;
        };
        match name {
            "closeIssue" => {
                issue.open = false;
                issue.state_reason = Some("completed".into());
            }
            "unpinIssue" => state.pinned.retain(|(_, p)| p != &id),
            _ => {
                if !state.pinned.iter().any(|(_, p)| p == &id) {
                    if state.pinned.iter().filter(|(r, _)| *r == repo).count() >= 3 {
                        data.insert(alias.clone(), Value::Null);
                        errors.push(json!({ "path": [alias], "message": "Repository can have at most 3 pinned issues" }));
                        continue;
                    }
                    state.pinned.push((repo, id.clone()));
                }
            }
        }
        data.insert(alias, json!({ "issue": { "id": id } }));
    }
    let mut answer = json!({ "data": data });
    if !errors.is_empty() {
        answer["errors"] = Value::Array(errors);
    }
    ok(answer)
}

pub fn rest(state: &mut State, q: Req<'_>) -> Reply {
    let s = q.segments.as_slice();
    if let Some(r) = super::hooks::route(state, q.method, s, &q.query) {
        return r;
    }
    match (q.method, s) {
        ("GET", ["app"]) => ok(super::manifest::app(state)),
        // Installation tokens, Actions' among them, may not ask who they are.
        ("GET", ["user"]) if q.actor == ACTIONS_BOT || q.actor == BOT_LOGIN => {
            status(403, "Resource not accessible by integration")
        }
        ("GET", ["user"]) => ok(r::authenticated_user(&q.actor)),
        ("GET", ["app", "installations"]) => ok(r::installations(
            &state
                .installations
                .iter()
                .map(|(i, a, _)| (*i, a.clone(), state.suspended.contains(i)))
                .collect::<Vec<_>>(),
        )),
        ("GET", ["installation", "repositories"]) => {
            let names = state
                .installations
                .iter()
                .find(|(i, _, _)| *i == q.installation)
                .map(|(_, _, r)| r.clone())
                .unwrap_or_default();
            let repos: Vec<(u64, String)> = names
                .into_iter()
                .map(|n| (state.repos.get(&n).map_or(0, |r| r.id), n))
                .collect();
            // Paged like GitHub: `per_page` (at most 100) and `page`.
            let per_page: usize = q
                .query
                .get("per_page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(30)
                .clamp(1, 100);
            let page: usize = q
                .query
                .get("page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(1)
                .max(1);
            let slice: Vec<(u64, String)> = repos
                .iter()
                .skip((page - 1) * per_page)
                .take(per_page)
                .cloned()
                .collect();
            let mut body = r::installation_repositories(&slice);
            body["total_count"] = json!(repos.len());
            Reply {
                status: 200,
                body,
                page: Some((page as u64, per_page as u64, repos.len() as u64)),
                headers: Vec::new(),
            }
        }
        ("GET", ["orgs", org, "teams", team, "members"]) => {
            super::links::team_members(state, org, team, &q)
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
            super::repo_routes::route(state, &full, &q, rest)
        }
        _ => status(404, "Not Found"),
    }
}
