//! The fake's endpoints behind linked goals and the retro's extras, with
//! GitHub's rules: the repository itself (its default branch), pull requests
//! as issues that can be merged and listed newest update first, sub-issues
//! (by database id; one parent each, moved only with `replace_parent`, at
//! most 100 per parent, same owner, no pull requests), comment pins, and a
//! team's members. Responses are GitHub's examples with the fields the fake
//! controls filled in.

use serde_json::{Value, json};

use super::FakeGitHub;
use super::responses as r;
use super::routes::{Reply, Req, ok, paginate, status, with_status};
use super::state::{FakeIssue, FakePull, State};

/// GitHub's limit on the sub-issues of one issue.
pub const MAX_SUB_ISSUES: usize = 100;

fn example(name: &str) -> Value {
    let path = super::super::webhooks::fixtures_dir()
        .join("github/rest/examples")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&path).expect("example")).expect("JSON")
}

fn refused(message: &str) -> Reply {
    with_status(
        422,
        json!({ "message": message, "documentation_url": "https://docs.github.com/rest/issues/sub-issues" }),
    )
}

fn pull_json(full: &str, i: &FakeIssue, p: &FakePull) -> Value {
    let mut v = example("GET_repos-owner-repo-pulls.200.json")[0].clone();
    v["id"] = json!(i.id);
    v["number"] = json!(i.number);
    v["title"] = json!(i.title);
    v["body"] = json!(i.body);
    v["state"] = json!(if i.open { "open" } else { "closed" });
    v["user"]["login"] = json!(i.author);
    v["user"]["type"] = json!(if p.author_is_bot { "Bot" } else { "User" });
    v["merged_at"] = json!(p.merged_at);
    v["updated_at"] = json!(p.updated_at);
    v["closed_at"] = if i.open {
        Value::Null
    } else {
        json!(p.updated_at)
    };
    v["base"]["ref"] = json!(p.base);
    v["html_url"] = json!(format!("https://github.com/{full}/pull/{}", i.number));
    v
}

/// Repository endpoints of this file; `None` for anything else.
pub fn route(state: &mut State, full: &str, q: &Req<'_>, rest: &[&str]) -> Option<Reply> {
    let body = q.body.clone().unwrap_or(Value::Null);
    let owner = full.split('/').next().unwrap_or("").to_string();
    let repo = state.repo(full)?;
    Some(match (q.method, rest) {
        ("GET", []) => {
            let mut v = example("GET_repos-owner-repo.200.default-response.json");
            v["id"] = json!(repo.id);
            v["full_name"] = json!(full);
            v["name"] = json!(full.split('/').nth(1));
            v["owner"]["login"] = json!(owner);
            v["default_branch"] = json!("main");
            v["html_url"] = json!(format!("https://github.com/{full}"));
            ok(v)
        }
        ("GET", ["pulls"]) => {
            let want = q.query.get("state").map(String::as_str).unwrap_or("open");
            let base = q.query.get("base");
            let mut pulls: Vec<(&FakeIssue, &FakePull)> = repo
                .issues
                .values()
                .filter_map(|i| Some((i, i.pull.as_ref()?)))
                .filter(|(i, _)| match want {
                    "all" => true,
                    "closed" => !i.open,
                    _ => i.open,
                })
                .filter(|(_, p)| base.is_none_or(|b| *b == p.base))
                .collect();
            // sort=updated, direction=desc is all the bot asks for.
            pulls.sort_by(|a, b| {
                b.1.updated_at
                    .cmp(&a.1.updated_at)
                    .then(b.0.number.cmp(&a.0.number))
            });
            paginate(
                pulls
                    .into_iter()
                    .map(|(i, p)| pull_json(full, i, p))
                    .collect(),
                &q.query,
            )
        }
        ("GET", ["issues", n, "sub_issues"]) => {
            let n: u64 = n.parse().unwrap_or(0);
            if !repo.issues.contains_key(&n) {
                return Some(status(404, "Not Found"));
            }
            let items = repo
                .sub_issues
                .iter()
                .filter(|(p, _)| *p == n)
                .filter_map(|(_, c)| repo.issues.get(c))
                .map(|i| r::issue(full, i))
                .collect();
            paginate(items, &q.query)
        }
        ("POST", ["issues", n, "sub_issues"]) => {
            let parent: u64 = n.parse().unwrap_or(0);
            let id = body["sub_issue_id"].as_u64().unwrap_or(0);
            let replace = body["replace_parent"].as_bool().unwrap_or(false);
            if !repo.issues.contains_key(&parent) {
                return Some(status(404, "Not Found"));
            }
            let Some(child) = repo.issues.values().find(|i| i.id == id) else {
                // Another repository's issue: only the same owner's count,
                // and the fake holds sub-issues within one repository.
                return Some(refused(
                    "Sub issue must belong to the same owner as the parent",
                ));
            };
            if child.pull.is_some() {
                return Some(refused("Pull requests cannot be sub-issues"));
            }
            let child = child.number;
            let current = repo
                .sub_issues
                .iter()
                .find(|(_, c)| *c == child)
                .map(|(p, _)| *p);
            match current {
                Some(p) if p == parent => return Some(refused("Sub issue already exists")),
                Some(_) if !replace => {
                    return Some(refused("Sub issue may only have one parent"));
                }
                _ => {}
            }
            if repo.sub_issues.iter().filter(|(p, _)| *p == parent).count() >= MAX_SUB_ISSUES {
                return Some(refused("Parent cannot have more than 100 sub-issues"));
            }
            repo.sub_issues.retain(|(_, c)| *c != child);
            repo.sub_issues.push((parent, child));
            with_status(201, r::issue(full, &repo.issues[&child]))
        }
        ("DELETE", ["issues", n, "sub_issue"]) => {
            let parent: u64 = n.parse().unwrap_or(0);
            let id = body["sub_issue_id"].as_u64().unwrap_or(0);
            let Some(child) = repo.issues.values().find(|i| i.id == id).map(|i| i.number) else {
                return Some(status(404, "Not Found"));
            };
            let before = repo.sub_issues.len();
            repo.sub_issues.retain(|x| *x != (parent, child));
            if repo.sub_issues.len() == before {
                return Some(status(404, "Not Found"));
            }
            ok(r::issue(full, &repo.issues[&child]))
        }
        ("PUT", ["issues", "comments", cid, "pin"]) => {
            let Some(c) = repo.comments.iter().find(|c| c.id.to_string() == *cid) else {
                return Some(status(404, "Not Found"));
            };
            let mut v = example("PUT_repos-owner-repo-issues-comments-comment_id-pin.200.json");
            v["id"] = json!(c.id);
            v["body"] = json!(c.body);
            let id = c.id;
            if !repo.pinned_comments.contains(&id) {
                repo.pinned_comments.push(id);
            }
            ok(v)
        }
        _ => return None,
    })
}

/// `GET /orgs/{org}/teams/{team}/members`.
pub fn team_members(state: &State, org: &str, team: &str, q: &Req<'_>) -> Reply {
    let Some(members) = state.teams.get(&(org.to_string(), team.to_string())) else {
        return status(404, "Not Found");
    };
    let template = example("GET_orgs-org-teams-team_slug-members.200.json")[0].clone();
    let items = members
        .iter()
        .map(|m| {
            let mut v = template.clone();
            v["login"] = json!(m);
            v
        })
        .collect();
    paginate(items, &q.query)
}

impl FakeGitHub {
    /// `author` opens a pull request into `base`; returns its number.
    pub fn open_pull_request(&self, repo: &str, title: &str, author: &str, base: &str) -> u64 {
        let n = self.add_issue(repo, title, "", &[], author);
        let now = super::github_time(self.inner.clock.now());
        self.with(|s| {
            let i = s
                .repo(repo)
                .and_then(|r| r.issues.get_mut(&n))
                .expect("issue");
            i.pull = Some(FakePull {
                base: base.into(),
                author_is_bot: author.ends_with("[bot]"),
                merged_at: None,
                updated_at: now,
            });
        });
        n
    }

    /// Someone merges pull request `n` now (or closes it unmerged).
    pub fn close_pull_request(&self, repo: &str, n: u64, merged: bool) {
        let now = super::github_time(self.inner.clock.now());
        self.with(|s| {
            let i = s
                .repo(repo)
                .and_then(|r| r.issues.get_mut(&n))
                .expect("pull request");
            i.open = false;
            let p = i.pull.as_mut().expect("a pull request");
            p.merged_at = merged.then(|| now.clone());
            p.updated_at = now;
        });
    }

    /// Someone closes issue `n` with a reason (`completed`, `not_planned`),
    /// or reopens it (`None`).
    pub fn set_issue_state(&self, repo: &str, n: u64, closed_as: Option<&str>) {
        self.with(|s| {
            let i = s
                .repo(repo)
                .and_then(|r| r.issues.get_mut(&n))
                .expect("issue");
            i.open = closed_as.is_none();
            i.state_reason = closed_as.map(String::from).or(Some("reopened".into()));
        });
    }

    /// The sub-issues of `parent`, in order.
    pub fn sub_issues(&self, repo: &str, parent: u64) -> Vec<u64> {
        self.with(|s| {
            s.repo(repo)
                .map(|r| {
                    r.sub_issues
                        .iter()
                        .filter(|(p, _)| *p == parent)
                        .map(|(_, c)| *c)
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// Someone makes `children` sub-issues of `parent` by hand.
    pub fn add_sub_issues(&self, repo: &str, parent: u64, children: &[u64]) {
        self.with(|s| {
            let r = s.repo(repo).expect("repo");
            for c in children {
                r.sub_issues.retain(|(_, x)| x != c);
                r.sub_issues.push((parent, *c));
            }
        });
    }

    /// Someone sets an issue's labels by hand.
    pub fn edit_issue_labels(&self, repo: &str, n: u64, labels: Vec<String>) {
        self.with(|s| {
            s.repo(repo)
                .and_then(|r| r.issues.get_mut(&n))
                .expect("issue")
                .labels = labels;
        });
    }

    /// Comments pinned on their issues.
    pub fn pinned_comments(&self, repo: &str) -> Vec<u64> {
        self.with(|s| {
            s.repo(repo)
                .map(|r| r.pinned_comments.clone())
                .unwrap_or_default()
        })
    }
}
