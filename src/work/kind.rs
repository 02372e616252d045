//! Every kind of job, as one enum: the name each is stored under (rows
//! already queued read back unchanged) and its properties — whether it is
//! owed to someone and retried until it succeeds, and whether it takes its
//! repository's serial key.

use serde::{Deserialize, Serialize};

/// A job kind. It is stored as the name `as_str` gives (`webhook:<event>`
/// for a webhook delivery's job).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum JobKind {
    #[serde(rename = "webhook:ping")]
    Ping,
    #[serde(rename = "webhook:installation")]
    Installation,
    #[serde(rename = "webhook:installation_repositories")]
    InstallationRepositories,
    #[serde(rename = "webhook:issue_comment")]
    IssueComment,
    #[serde(rename = "webhook:issues")]
    Issues,
    #[serde(rename = "webhook:push")]
    Push,
    #[serde(rename = "webhook:pull_request")]
    PullRequest,
    /// An answer to a comment: a reaction, and a reply when one is owed.
    #[serde(rename = "answer")]
    Answer,
    /// A rollover (scheduled, or asked for with `/sprint rollover`).
    #[serde(rename = "rollover")]
    Rollover,
    /// The timed reminders due on a repository's current sprint issue.
    #[serde(rename = "timed")]
    Timed,
    /// The `/sprint doctor` checklist, written into a comment's answer.
    #[serde(rename = "doctor")]
    Doctor,
    /// A catch-up on the commands of one issue.
    #[serde(rename = "sync")]
    Sync,
    /// A linked goal's tick after its issue or pull request changed.
    #[serde(rename = "link")]
    Link,
    /// The sub-issues of one sprint issue, brought in line with its goals.
    #[serde(rename = "sub_issues")]
    SubIssues,
    /// Lists an installation's repositories and reads each new one's config.
    #[serde(rename = "discover")]
    Discover,
    /// Reads (or revalidates, conditionally) one repository's config.
    #[serde(rename = "revalidate")]
    Revalidate,
    /// Catches up on commands on a repository's open sprint issues.
    #[serde(rename = "catch_up")]
    CatchUp,
}

/// The webhook events the worker has a handler for; a delivery of any other
/// event is recorded and dropped at the edge.
pub const HANDLED_EVENTS: &[&str] = &[
    "ping",
    "installation",
    "installation_repositories",
    "issue_comment",
    "issues",
    "push",
    "pull_request",
];

impl JobKind {
    /// Every kind.
    pub const ALL: [JobKind; 17] = [
        JobKind::Ping,
        JobKind::Installation,
        JobKind::InstallationRepositories,
        JobKind::IssueComment,
        JobKind::Issues,
        JobKind::Push,
        JobKind::PullRequest,
        JobKind::Answer,
        JobKind::Rollover,
        JobKind::Timed,
        JobKind::Doctor,
        JobKind::Sync,
        JobKind::Link,
        JobKind::SubIssues,
        JobKind::Discover,
        JobKind::Revalidate,
        JobKind::CatchUp,
    ];

    /// The name the kind is stored under.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Ping => "webhook:ping",
            JobKind::Installation => "webhook:installation",
            JobKind::InstallationRepositories => "webhook:installation_repositories",
            JobKind::IssueComment => "webhook:issue_comment",
            JobKind::Issues => "webhook:issues",
            JobKind::Push => "webhook:push",
            JobKind::PullRequest => "webhook:pull_request",
            JobKind::Answer => "answer",
            JobKind::Rollover => "rollover",
            JobKind::Timed => "timed",
            JobKind::Doctor => "doctor",
            JobKind::Sync => "sync",
            JobKind::Link => "link",
            JobKind::SubIssues => "sub_issues",
            JobKind::Discover => "discover",
            JobKind::Revalidate => "revalidate",
            JobKind::CatchUp => "catch_up",
        }
    }

    /// The kind stored as `name`, or `None` for a name no kind has.
    pub fn parse(name: &str) -> Option<JobKind> {
        JobKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The kind of a webhook `event`'s job, or `None` when nobody handles it.
    pub fn of_event(event: &str) -> Option<JobKind> {
        JobKind::parse(&format!("webhook:{event}")).filter(|_| HANDLED_EVENTS.contains(&event))
    }

    /// Owed to someone, so retried until it succeeds (with capped backoff)
    /// instead of going dead after `max_attempts`: commands, their answers
    /// (and the doctor's checklists that carry one), catching up on an
    /// issue, rollovers (which give up themselves once superseded) and the
    /// ticks of linked goals. Only a permanent error makes them dead.
    pub fn persistent(self) -> bool {
        matches!(
            self,
            JobKind::IssueComment
                | JobKind::Answer
                | JobKind::Doctor
                | JobKind::Sync
                | JobKind::Rollover
                | JobKind::Link
        )
    }

    /// Needs its repository to itself: everything that writes to a sprint
    /// issue (commands, catching up, rollovers, reminders, linked goals and
    /// sub-issues) runs one at a time per repository. Answers, the doctor,
    /// config reads and discovery only read or write elsewhere.
    pub fn serial(self) -> bool {
        matches!(
            self,
            JobKind::IssueComment
                | JobKind::Rollover
                | JobKind::Timed
                | JobKind::Sync
                | JobKind::Link
                | JobKind::SubIssues
                | JobKind::CatchUp
        )
    }

    /// The serial key of this kind's job about `owner/name`, when it has one.
    pub fn serial_key(self, full_name: &str) -> Option<String> {
        self.serial().then(|| repo_serial_key(full_name))
    }
}

/// The serial key of jobs that need `owner/name` to themselves: commands on
/// its sprint issue and its rollovers never run at the same time.
pub fn repo_serial_key(full_name: &str) -> String {
    format!("repo/{}", full_name.to_ascii_lowercase())
}

impl std::fmt::Display for JobKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for JobKind {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl From<JobKind> for String {
    fn from(kind: JobKind) -> String {
        kind.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_stored_name() {
        for kind in JobKind::ALL {
            assert_eq!(JobKind::parse(kind.as_str()), Some(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<JobKind>(&json).unwrap(), kind);
        }
        assert_eq!(JobKind::parse("star"), None);
    }

    #[test]
    fn the_stored_names_are_the_ones_rows_already_hold() {
        let names: Vec<&str> = JobKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "webhook:ping",
                "webhook:installation",
                "webhook:installation_repositories",
                "webhook:issue_comment",
                "webhook:issues",
                "webhook:push",
                "webhook:pull_request",
                "answer",
                "rollover",
                "timed",
                "doctor",
                "sync",
                "link",
                "sub_issues",
                "discover",
                "revalidate",
                "catch_up",
            ]
        );
    }

    #[test]
    fn only_handled_events_have_a_kind() {
        assert_eq!(
            JobKind::of_event("issue_comment"),
            Some(JobKind::IssueComment)
        );
        assert_eq!(JobKind::of_event("star"), None);
        for event in HANDLED_EVENTS {
            assert!(JobKind::of_event(event).is_some(), "{event}");
        }
    }

    #[test]
    fn persistent_kinds_are_the_ones_owed_to_someone() {
        let persistent: Vec<&str> = JobKind::ALL
            .into_iter()
            .filter(|k| k.persistent())
            .map(JobKind::as_str)
            .collect();
        assert_eq!(
            persistent,
            [
                "webhook:issue_comment",
                "answer",
                "rollover",
                "doctor",
                "sync",
                "link"
            ]
        );
    }

    #[test]
    fn serial_kinds_key_on_the_repository() {
        assert_eq!(
            JobKind::CatchUp.serial_key("Acme/App").as_deref(),
            Some("repo/acme/app")
        );
        assert_eq!(JobKind::Revalidate.serial_key("acme/app"), None);
        assert_eq!(JobKind::Answer.serial_key("acme/app"), None);
    }
}
