//! The fake's repository endpoints: issues, comments, reactions, labels,
//! collaborators and file contents, with GitHub's rules: bodies over 65,536
//! characters are refused (422), writes are made as the token's identity,
//! reactions are one per person and kind, and file reads honour ETags.

use serde_json::{Value, json};

use super::responses as r;
use super::routes::{Reply, Req, ok, paginate, status, with_status};
use super::state::{FakeComment, FakeIssue, FakeRepo, State};

/// GitHub's limit on an issue or comment body, in characters.
const MAX_BODY: usize = 65_536;

fn too_long(resource: &str, body: &Value) -> Option<Reply> {
    let text = body["body"].as_str()?;
    (text.chars().count() > MAX_BODY).then(|| {
        with_status(
            422,
            json!({"message": "Validation Failed", "errors": [{"resource": resource, "code": "custom", "field": "body",
                "message": format!("body is too long (maximum is {MAX_BODY} characters)")}],
                "documentation_url": "https://docs.github.com/rest"}),
        )
    })
}

/// `actor` reacts to `on` (a comment or an issue) with the body's content:
/// 201 with the new reaction, or 200 with it when it was there already.
fn react(
    list: &mut Vec<(u64, String, String)>,
    on: u64,
    id: u64,
    actor: &str,
    body: &Value,
) -> Reply {
    let content = body["content"].as_str().unwrap_or("").to_string();
    let existed = list
        .iter()
        .any(|(o, l, k)| *o == on && l == actor && *k == content);
    if !existed {
        list.push((on, actor.to_string(), content.clone()));
    }
    with_status(
        if existed { 200 } else { 201 },
        r::reaction(id, actor, &content),
    )
}

/// The reactions on `on`, as GitHub lists them.
fn reactions_on(list: &[(u64, String, String)], on: u64) -> Vec<Value> {
    list.iter()
        .filter(|(o, _, _)| *o == on)
        .enumerate()
        .map(|(i, (_, login, content))| r::reaction(i as u64 + 1, login, content))
        .collect()
}

fn rollup(repo: &FakeRepo, comment: u64) -> (usize, usize) {
    let count = |k: &str| {
        repo.reactions
            .iter()
            .filter(|(c, _, x)| *c == comment && x == k)
            .count()
    };
    (count("+1"), count("confused"))
}

pub fn route(state: &mut State, full: &str, q: &Req<'_>, rest: &[&str]) -> Reply {
    if let ["issues", n, ..] = rest
        && let Ok(n) = n.parse::<u64>()
        && state
            .repo(full)
            .is_some_and(|r| r.deleted_issues.contains(&n))
    {
        // GitHub's answer about a deleted issue, whatever was asked.
        return with_status(
            410,
            json!({"message": "This issue was deleted", "documentation_url": "https://docs.github.com/rest/issues/issues#get-an-issue"}),
        );
    }
    if let Some(reply) = super::pulls::route(state, full, q, rest) {
        return reply;
    }
    if let Some(reply) = super::links::route(state, full, q, rest) {
        return reply;
    }
    if let Some(reply) = super::selfservice::route(state, full, q, rest) {
        return reply;
    }
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
                // `creator`: the login that opened the issue (a bot's with
                // its `[bot]` suffix, as GitHub shows it).
                .filter(|i| {
                    q.query
                        .get("creator")
                        .is_none_or(|c| i.author.eq_ignore_ascii_case(c))
                })
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
            if let Some(refused) = too_long("Issue", &body) {
                return refused;
            }
            let number = repo.next_number();
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
                author: q.actor.clone(),
                created_at: q.now.clone(),
                state_reason: None,
                pull: None,
            };
            // GitHub creates the labels an issue is given that do not exist.
            for l in &issue.labels {
                if !repo.labels.iter().any(|x| x.eq_ignore_ascii_case(l)) {
                    repo.labels.push(l.clone());
                }
            }
            let reply = r::issue(full, &issue);
            repo.issues.insert(number, issue);
            with_status(201, reply)
        }
        ("GET", ["issues", n]) => match n.parse().ok().and_then(|n: u64| repo.issues.get(&n)) {
            Some(i) => ok(r::issue(full, i)),
            None => status(404, "Not Found"),
        },
        ("PATCH", ["issues", n]) => {
            if let Some(refused) = too_long("Issue", &body) {
                return refused;
            }
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
                issue.state_reason = body["state_reason"].as_str().map(String::from);
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
                .map(|c| r::comment(full, c, rollup(repo, c.id)))
                .collect();
            paginate(items, &q.query)
        }
        ("POST", ["issues", n, "comments"]) => {
            if let Some(refused) = too_long("IssueComment", &body) {
                return refused;
            }
            let n: u64 = n.parse().unwrap_or(0);
            if !repo.issues.contains_key(&n) {
                return status(404, "Not Found");
            }
            let c = FakeComment {
                id,
                issue: n,
                body: body["body"].as_str().unwrap_or("").into(),
                author: q.actor.clone(),
                bot: q.actor.ends_with("[bot]"),
                created_at: q.now.clone(),
                updated_at: q.now.clone(),
            };
            let reply = r::comment(full, &c, (0, 0));
            repo.comments.push(c);
            with_status(201, reply)
        }
        ("PATCH", ["issues", "comments", cid]) => {
            if let Some(refused) = too_long("IssueComment", &body) {
                return refused;
            }
            let counts = cid.parse().map(|id| rollup(repo, id)).unwrap_or((0, 0));
            match repo.comments.iter_mut().find(|c| c.id.to_string() == *cid) {
                Some(c) => {
                    c.body = body["body"].as_str().unwrap_or("").into();
                    c.updated_at = q.now.clone();
                    ok(r::comment(full, c, counts))
                }
                None => status(404, "Not Found"),
            }
        }
        ("DELETE", ["issues", "comments", cid]) => {
            let before = repo.comments.len();
            repo.comments.retain(|c| c.id.to_string() != *cid);
            if repo.comments.len() == before {
                return status(404, "Not Found");
            }
            with_status(204, Value::Null)
        }
        ("POST", ["issues", "comments", cid, "reactions"]) => {
            let Some(cid) = cid
                .parse::<u64>()
                .ok()
                .filter(|c| repo.comments.iter().any(|x| x.id == *c))
            else {
                return status(404, "Not Found");
            };
            react(&mut repo.reactions, cid, id, &q.actor, &body)
        }
        ("GET", ["issues", "comments", cid, "reactions"]) => {
            let Some(cid) = cid
                .parse::<u64>()
                .ok()
                .filter(|c| repo.comments.iter().any(|x| x.id == *c))
            else {
                return status(404, "Not Found");
            };
            paginate(reactions_on(&repo.reactions, cid), &q.query)
        }
        // Reactions on an issue itself: one per person and kind, as on
        // comments; only the person who reacted can take one off.
        ("POST", ["issues", n, "reactions"]) => {
            let Some(n) = n
                .parse::<u64>()
                .ok()
                .filter(|n| repo.issues.contains_key(n))
            else {
                return status(404, "Not Found");
            };
            react(&mut repo.issue_reactions, n, id, &q.actor, &body)
        }
        ("GET", ["issues", n, "reactions"]) => {
            let Some(n) = n
                .parse::<u64>()
                .ok()
                .filter(|n| repo.issues.contains_key(n))
            else {
                return status(404, "Not Found");
            };
            paginate(reactions_on(&repo.issue_reactions, n), &q.query)
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
                return with_status(
                    422,
                    json!({"message": "Validation Failed", "errors": [{"resource": "Label", "code": "already_exists", "field": "name"}]}),
                );
            }
            repo.labels.push(name.clone());
            with_status(201, r::label(&name))
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
                Some(content) => {
                    let sha = r::blob_sha(content);
                    let etag = format!("\"{}\"", &sha[..32]);
                    if q.if_none_match.as_deref() == Some(etag.as_str()) {
                        let mut reply = with_status(304, Value::Null);
                        reply.headers.push(("etag", etag));
                        return reply;
                    }
                    let mut reply = ok(r::file(&path, content, &sha));
                    reply.headers.push(("etag", etag));
                    reply
                }
                None => status(404, "Not Found"),
            }
        }
        _ => status(404, "Not Found"),
    }
}
