//! GitHub's example responses (`tests/fixtures/github/rest/examples/`) with the
//! fields the fake controls filled in, so the bot parses GitHub's shapes.

use serde_json::{Value, json};

fn example(name: &str) -> Value {
    let path = super::super::webhooks::fixtures_dir()
        .join("github/rest/examples")
        .join(name);
    serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
}

fn user(login: &str, bot: bool) -> Value {
    let mut u = example("GET_repos-owner-repo-issues-issue_number.200.json")["user"].clone();
    u["login"] = json!(login);
    u["type"] = json!(if bot { "Bot" } else { "User" });
    u
}

use super::state::{FakeComment, FakeIssue};

pub fn issue(repo: &str, i: &FakeIssue) -> Value {
    let mut v = example("GET_repos-owner-repo-issues-issue_number.200.json");
    let obj = v.as_object_mut().unwrap();
    obj.remove("pull_request");
    obj.insert("id".into(), json!(i.id));
    obj.insert("number".into(), json!(i.number));
    obj.insert("node_id".into(), json!(i.node_id));
    obj.insert("title".into(), json!(i.title));
    obj.insert("body".into(), json!(i.body));
    obj.insert(
        "state".into(),
        json!(if i.open { "open" } else { "closed" }),
    );
    obj.insert("labels".into(), json!(i.labels.iter().map(|l| json!({"name": l, "id": 1, "node_id": "L", "url": "", "color": "ededed", "default": false, "description": null})).collect::<Vec<_>>()));
    obj.insert("user".into(), user(&i.author, false));
    obj.insert("created_at".into(), json!(i.created_at));
    obj.insert(
        "html_url".into(),
        json!(format!("https://github.com/{repo}/issues/{}", i.number)),
    );
    obj.insert("state_reason".into(), json!(i.state_reason));
    if let Some(pull) = &i.pull {
        let url = format!("https://github.com/{repo}/pull/{}", i.number);
        obj.insert(
            "pull_request".into(),
            json!({
                "url": format!("https://api.github.com/repos/{repo}/pulls/{}", i.number),
                "html_url": url, "diff_url": format!("{url}.diff"), "patch_url": format!("{url}.patch"),
                "merged_at": pull.merged_at,
            }),
        );
        obj.insert("html_url".into(), json!(url));
    }
    v
}

/// A comment, with GitHub's reaction roll-up ((👍, 😕) counts).
pub fn comment(repo: &str, c: &FakeComment, (plus_one, confused): (usize, usize)) -> Value {
    let mut v = example("POST_repos-owner-repo-issues-issue_number-comments.201.json");
    v["reactions"] = json!({
        "url": format!("https://api.github.com/repos/{repo}/issues/comments/{}/reactions", c.id),
        "total_count": plus_one + confused, "+1": plus_one, "-1": 0, "laugh": 0,
        "confused": confused, "heart": 0, "hooray": 0, "eyes": 0, "rocket": 0,
    });
    v["id"] = json!(c.id);
    v["body"] = json!(c.body);
    v["user"] = user(&c.author, c.bot);
    v["created_at"] = json!(c.created_at);
    v["updated_at"] = json!(c.updated_at);
    v["html_url"] = json!(format!(
        "https://github.com/{repo}/issues/{}#issuecomment-{}",
        c.issue, c.id
    ));
    v
}

pub fn access_token(token: &str, expires_at: &str) -> Value {
    let mut v = example("POST_app-installations-installation_id-access_tokens.201.json");
    v["token"] = json!(token);
    v["expires_at"] = json!(expires_at);
    v
}

pub fn reaction(id: u64, login: &str, content: &str) -> Value {
    let mut v = example("POST_repos-owner-repo-issues-comments-comment_id-reactions.201.json");
    v["id"] = json!(id);
    v["user"] = user(login, true);
    v["content"] = json!(content);
    v
}

pub fn permission(login: &str, role: &str) -> Value {
    let mut v = example(
        "GET_repos-owner-repo-collaborators-username-permission.200.response-if-user-has-admin-permissions.json",
    );
    let legacy = match role {
        "maintain" => "write",
        "triage" => "read",
        other => other,
    };
    v["permission"] = json!(legacy);
    v["role_name"] = json!(role);
    v["user"] = user(login, false);
    v
}

pub fn membership(state: &str) -> Value {
    let mut v = example(
        "GET_orgs-org-teams-team_slug-memberships-username.200.response-if-user-is-a-team-maintainer.json",
    );
    v["state"] = json!(state);
    v["role"] = json!("member");
    v
}

/// A stable stand-in for a blob's sha: the hex SHA-256 of its content.
pub fn blob_sha(content: &str) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(content.as_bytes()))
}

pub fn file(path: &str, content: &str, sha: &str) -> Value {
    use base64::Engine as _;
    let mut v =
        example("GET_repos-owner-repo-contents-path.200.response-if-content-is-a-file.json");
    let encoded = base64::engine::general_purpose::STANDARD.encode(content);
    // GitHub wraps base64 at 60 characters.
    let wrapped: Vec<String> = encoded
        .as_bytes()
        .chunks(60)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    v["content"] = json!(wrapped.join("\n"));
    v["path"] = json!(path);
    v["name"] = json!(path.rsplit('/').next().unwrap_or(path));
    v["size"] = json!(content.len());
    v["sha"] = json!(&sha[..40]);
    v
}

pub fn label(name: &str) -> Value {
    let mut v = example("POST_repos-owner-repo-labels.201.json");
    v["name"] = json!(name);
    v
}

/// (id, account, suspended) each.
pub fn installations(list: &[(u64, String, bool)]) -> Value {
    let template = example("GET_app-installations.200.json")[0].clone();
    Value::Array(
        list.iter()
            .map(|(id, account, suspended)| {
                let mut v = template.clone();
                v["id"] = json!(id);
                v["account"]["login"] = json!(account);
                v["suspended_at"] = if *suspended {
                    json!("2022-11-01T00:00:00Z")
                } else {
                    Value::Null
                };
                v
            })
            .collect(),
    )
}

/// (id, `owner/name`) each.
pub fn installation_repositories(repos: &[(u64, String)]) -> Value {
    let page = example("GET_installation-repositories.200.json");
    let template = page["repositories"][0].clone();
    let list: Vec<Value> = repos
        .iter()
        .map(|(id, full)| {
            let mut r = template.clone();
            r["id"] = json!(id);
            r["full_name"] = json!(full);
            r["name"] = json!(full.split('/').nth(1).unwrap_or(full));
            r
        })
        .collect();
    json!({ "total_count": list.len(), "repositories": list })
}

pub fn app(id: u64, slug: &str) -> Value {
    let mut v = example("GET_app.200.json");
    v["id"] = json!(id);
    v["slug"] = json!(slug);
    v["name"] = json!(slug);
    v["permissions"] =
        json!({ "issues": "write", "metadata": "read", "contents": "read", "members": "read" });
    v["events"] = json!(["issues", "issue_comment", "push"]);
    v
}

pub fn authenticated_user(login: &str) -> Value {
    let mut v = example("GET_user.200.response-with-public-profile-information.json");
    v["login"] = json!(login);
    v
}

pub fn error(message: &str) -> Value {
    json!({ "message": message, "documentation_url": "https://docs.github.com/rest" })
}
