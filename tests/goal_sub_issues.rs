//! Linked issues as sub-issues of the sprint issue (`goals_as_sub_issues`)
//! and the pinned health summary (`pin_summary`): every sub-issue call is
//! checked by the fake against GitHub's API description; unfinished
//! sub-issues move to the next sprint issue; GitHub's limit of 100
//! sub-issues, an issue with a parent of its own and a GitHub that cannot
//! pin comments each give a note or a log line, never a failure.

mod support;

use sprintbot::sprint::health::section::summary_marker;
use support::scenario::{BOT, REPO, Scenario};
use support::sprint::POSTHOG_CONFIG;

fn config() -> String {
    POSTHOG_CONFIG
        .replace("goals_as_sub_issues = false", "goals_as_sub_issues = true")
        .replace(
            "carry_unfinished_goals = false",
            "carry_unfinished_goals = true",
        )
        .replace("pin_summary = false", "pin_summary = true")
}

/// The bodies of the sub-issue requests made since `from`: (method, path, body).
fn sub_issue_calls(s: &Scenario, from: usize) -> Vec<(String, String, serde_json::Value)> {
    s.fake.requests()[from..]
        .iter()
        .filter(|r| r.path.contains("/sub_issue") && r.method != "GET")
        .map(|r| {
            (
                r.method.clone(),
                r.path.clone(),
                r.body.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn id_of(s: &Scenario, n: u64) -> u64 {
    s.fake.issue(REPO, n).unwrap().id
}

fn notes(s: &Scenario) -> Vec<String> {
    s.replies(s.issue)
        .into_iter()
        .filter(|c| c.body.contains("<!-- sprintbot:sub-issues -->"))
        .map(|c| c.body)
        .collect()
}

#[tokio::test]
async fn linked_issues_become_sub_issues_and_a_dropped_goal_lets_go_of_its_own() {
    let s = Scenario::start_with_config(&config()).await;
    let a = s.fake.add_issue(REPO, "A", "", &[], "kappa90");
    let b = s.fake.add_issue(REPO, "B", "", &[], "kappa90");
    let pr = s.fake.open_pull_request(REPO, "C", "kappa90", "main");
    let from = s.fake.requests().len();
    let c = s
        .comment(
            "kappa90",
            &format!("/goal A #{a}\n/goal B #{b}\n/goal C #{pr}\n/goal D"),
        )
        .await;
    assert_eq!(s.reactions(c), ["+1"]);
    assert_eq!(
        s.fake.sub_issues(REPO, s.issue),
        [a, b],
        "a pull request is no sub-issue"
    );
    let issue = s.issue;
    assert_eq!(
        sub_issue_calls(&s, from),
        [
            (
                "POST".into(),
                format!("/repos/{REPO}/issues/{issue}/sub_issues"),
                serde_json::json!({ "sub_issue_id": id_of(&s, a) })
            ),
            (
                "POST".into(),
                format!("/repos/{REPO}/issues/{issue}/sub_issues"),
                serde_json::json!({ "sub_issue_id": id_of(&s, b) })
            ),
        ],
        "by database id, not number"
    );
    // A comment that links nothing new costs no sub-issue call.
    let from = s.fake.requests().len();
    s.comment("kappa90", "/goal status 4 on track").await;
    assert!(
        s.fake.requests()[from..]
            .iter()
            .all(|r| !r.path.contains("sub_issue"))
    );
    s.comment("kappa90", "/goal drop 1").await;
    assert_eq!(s.fake.sub_issues(REPO, s.issue), [b]);
    // An issue with a parent of its own stays there, and a note says so.
    let epic = s.fake.add_issue(REPO, "Epic", "", &[], "kappa90");
    let e = s.fake.add_issue(REPO, "E", "", &[], "kappa90");
    s.fake.add_sub_issues(REPO, epic, &[e]);
    s.comment("kappa90", &format!("/goal E #{e}")).await;
    assert_eq!(s.fake.sub_issues(REPO, epic), [e]);
    let notes = notes(&s);
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].contains(&format!(
            "- #{e}: GitHub refused it (Sub issue may only have one parent)"
        )),
        "{}",
        notes[0]
    );
    assert_eq!(s.dead_jobs().await, 0);
}

#[tokio::test]
async fn unfinished_sub_issues_move_to_the_next_sprint_issue_with_a_pinned_summary() {
    let mut s = Scenario::start_with_config(&config()).await;
    let old = s.issue;
    let done = s.fake.add_issue(REPO, "Done", "", &[], "kappa90");
    let open = s.fake.add_issue(REPO, "Open", "", &[], "kappa90");
    s.comment(
        "kappa90",
        &format!("/goal Ship it #{done}\n/goal Keep going #{open}"),
    )
    .await;
    assert_eq!(s.fake.sub_issues(REPO, old), [done, open]);
    s.close_issue(done, "completed", "kappa90").await;
    let from = s.fake.requests().len();
    let new = s.roll_at("2022-11-28T09:00:00Z").await;
    assert_eq!(s.fake.sub_issues(REPO, new), [open]);
    assert_eq!(s.fake.sub_issues(REPO, old), [done]);
    assert_eq!(
        sub_issue_calls(&s, from),
        [(
            "POST".into(),
            format!("/repos/{REPO}/issues/{new}/sub_issues"),
            serde_json::json!({ "sub_issue_id": id_of(&s, open), "replace_parent": true })
        )]
    );
    // The health summary is a comment of its own, pinned.
    let marker = summary_marker(sprintbot::sprint::SprintId("2022-11-28".parse().unwrap()));
    let summary: Vec<_> = s
        .replies(new)
        .into_iter()
        .filter(|c| c.body.contains(&marker))
        .collect();
    assert_eq!(summary.len(), 1);
    assert!(
        summary[0]
            .body
            .contains(&format!("last sprint (#{old})**: 1 of 2 goals done (50%)")),
        "{}",
        summary[0].body
    );
    assert_eq!(s.fake.pinned_comments(REPO), [summary[0].id]);
    // Running the rollover again changes nothing.
    let before = s.fake.requests().len();
    s.rollover_due().await;
    assert!(
        s.fake.requests()[before..]
            .iter()
            .all(|r| r.method == "GET")
    );
}

#[tokio::test]
async fn the_hundred_and_first_sub_issue_gets_a_note_not_a_failure() {
    let s = Scenario::start_with_config(&config()).await;
    let hundred: Vec<u64> = (0..100)
        .map(|i| {
            s.fake
                .add_issue(REPO, &format!("Task {i}"), "", &[], "kappa90")
        })
        .collect();
    s.fake.add_sub_issues(REPO, s.issue, &hundred);
    let x = s.fake.add_issue(REPO, "X", "", &[], "kappa90");
    let c = s.comment("kappa90", &format!("/goal X #{x}")).await;
    assert_eq!(s.reactions(c), ["+1"], "the goal itself is added");
    assert_eq!(s.fake.sub_issues(REPO, s.issue).len(), 100);
    assert!(!s.fake.sub_issues(REPO, s.issue).contains(&x));
    let y = s.fake.add_issue(REPO, "Y", "", &[], "kappa90");
    s.comment("kappa90", &format!("/goal Y #{y}")).await;
    let notes = notes(&s);
    assert_eq!(notes.len(), 1, "one note, kept up to date");
    assert!(
        notes[0].contains(&format!(
            "- #{x}, #{y}: GitHub allows at most 100 sub-issues per issue"
        )),
        "{}",
        notes[0]
    );
    // No POST was even tried past the limit.
    assert_eq!(s.fake.count("POST", "/sub_issues"), 0);
    assert_eq!(s.dead_jobs().await, 0);
}

#[tokio::test]
async fn a_github_that_cannot_pin_comments_leaves_the_summary_unpinned() {
    for status in [404, 410, 403] {
        let mut s = Scenario::start_with_config(&config()).await;
        s.fake.fail("PUT", "/pin", 10, status, &[]);
        let old = s.issue;
        let new = s.roll_at("2022-11-28T09:00:00Z").await;
        let summaries = s
            .fake
            .comments(REPO, new)
            .into_iter()
            .filter(|c| c.author == BOT && c.body.contains("<!-- sprintbot:summary "))
            .count();
        assert_eq!(summaries, 1, "{status}");
        assert!(s.fake.pinned_comments(REPO).is_empty());
        assert!(
            !s.fake.issue(REPO, old).unwrap().open,
            "the rollover finished ({status})"
        );
        assert_eq!(s.dead_jobs().await, 0);
    }
}
