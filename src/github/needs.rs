//! What the GitHub App must be allowed to do: the permissions and webhook
//! events sprintbot needs, each with what it is for. One list: the App
//! `sprintbot register` creates and the start-up self-check of `serve` read
//! it, and a test (tests/docs_agree.rs) holds the book's tables
//! (docs/src/operations/github-app.md#permissions-and-events) to it.

use super::AppInfo;

/// A permission the App needs, at least at `level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    /// GitHub's name, as in a manifest's `default_permissions`.
    pub name: &'static str,
    /// `read` or `write`.
    pub level: &'static str,
    pub why: &'static str,
}

/// A webhook event the App subscribes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// GitHub's name, as in a manifest's `default_events`.
    pub name: &'static str,
    pub why: &'static str,
}

pub const PERMISSIONS: &[Permission] = &[
    Permission {
        name: "issues",
        level: "write",
        why: "open, edit, label, close and comment on sprint issues; react to commands; add sub-issues and pin comments",
    },
    Permission {
        name: "metadata",
        level: "read",
        why: "see the repositories the App is installed on (GitHub requires it)",
    },
    Permission {
        name: "contents",
        level: "read",
        why: "read .github/sprintbot.toml, also at a pull request's head commit",
    },
    Permission {
        name: "members",
        level: "read",
        why: "check membership of the GitHub teams a config names as engineers; list a team's members for the shipped list",
    },
    Permission {
        name: "checks",
        level: "write",
        why: "report the `sprintbot config` check run on pull requests",
    },
    Permission {
        name: "pull_requests",
        level: "read",
        why: "list the files a pull request changes, and the pull requests merged during a sprint",
    },
];

pub const EVENTS: &[Event] = &[
    Event {
        name: "issues",
        why: "notice sprint issues opened, closed or deleted by hand; tick a goal whose linked issue is closed (untick it on a reopen)",
    },
    Event {
        name: "issue_comment",
        why: "run slash commands written in comments",
    },
    Event {
        name: "push",
        why: "re-read .github/sprintbot.toml as soon as the default branch changes it",
    },
    Event {
        name: "pull_request",
        why: "check a pull request's .github/sprintbot.toml before it is merged; tick a goal whose linked pull request is merged",
    },
    Event {
        name: "installation_target",
        why: "reserved for following an account rename; sprintbot does not act on it yet (repositories are tracked by id, and their new names are learnt from their next installation_repositories or push event)",
    },
];

/// A level GitHub grants, as a rank: `admin` > `write` > `read`.
fn rank(level: &str) -> u8 {
    match level {
        "admin" => 3,
        "write" => 2,
        "read" => 1,
        _ => 0,
    }
}

/// What the App lacks, one line each (`checks: write (has read): why`);
/// empty when it has everything.
pub fn missing(info: &AppInfo) -> Vec<String> {
    let mut out = Vec::new();
    for p in PERMISSIONS {
        let has = info.permissions.get(p.name).map(String::as_str);
        if has.map(rank).unwrap_or(0) < rank(p.level) {
            let had = has.map(|h| format!(" (has {h})")).unwrap_or_default();
            out.push(format!(
                "permission {}: {}{had}, to {}",
                p.name, p.level, p.why
            ));
        }
    }
    for e in EVENTS {
        if !info.events.iter().any(|x| x == e.name) {
            out.push(format!("event {}, to {}", e.name, e.why));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(perms: &[(&str, &str)], events: &[&str]) -> AppInfo {
        AppInfo {
            id: 1,
            slug: "s".into(),
            name: "s".into(),
            permissions: perms
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            events: events.iter().map(|e| e.to_string()).collect(),
        }
    }

    #[test]
    fn an_app_with_everything_lacks_nothing_and_write_covers_read() {
        let perms: Vec<(&str, &str)> = PERMISSIONS.iter().map(|p| (p.name, "write")).collect();
        let events: Vec<&str> = EVENTS.iter().map(|e| e.name).collect();
        assert!(missing(&info(&perms, &events)).is_empty());
    }

    #[test]
    fn each_lack_is_named_with_what_it_is_for() {
        let lacks = missing(&info(
            &[
                ("issues", "write"),
                ("metadata", "read"),
                ("contents", "read"),
                ("members", "read"),
                ("checks", "read"),
            ],
            &["issues", "issue_comment", "push"],
        ));
        assert_eq!(lacks.len(), 4, "{lacks:?}");
        assert!(lacks[0].starts_with("permission checks: write (has read)"));
        assert!(lacks[1].starts_with("permission pull_requests: read,"));
        assert!(lacks[2].starts_with("event pull_request"));
        assert!(lacks[3].starts_with("event installation_target"));
    }
}
