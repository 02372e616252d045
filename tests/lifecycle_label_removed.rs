//! A person takes the `sprint` label off the current sprint issue, and the
//! store is lost. Sprint issues are listed by their label, but the label is
//! only a convenience: before it opens a sprint, sprintbot looks among the
//! open issues its own account wrote for one whose metadata marker already
//! records that sprint (or a later one), never opens a duplicate, and puts
//! the label back on it (it looks first: one write). Each story drives the
//! real worker against the fake GitHub, counting its requests.

mod support;

use support::scenario::{REPO, Scenario};

fn labelled(s: &Scenario, n: u64) -> bool {
    s.fake
        .issue(REPO, n)
        .unwrap()
        .labels
        .iter()
        .any(|l| l == "sprint")
}

fn writes(s: &Scenario, from: usize) -> Vec<String> {
    s.requests_since(from)
        .into_iter()
        .filter(|r| !r.starts_with("GET ") && !r.ends_with("/access_tokens"))
        .collect()
}

#[tokio::test]
async fn the_current_issue_without_its_label_is_found_and_labelled_again() {
    let mut s = Scenario::start().await;
    // The opening is complete (its team comments posted, the issue pinned).
    s.rollover_due().await;
    s.fake.remove_issue_label(REPO, s.issue, "sprint");
    s.lose_store().await;
    let from = s.fake.requests().len();
    s.rollover_due().await;
    let issues = s.fake.issues(REPO);
    assert_eq!(issues.len(), 1, "a duplicate was opened: {issues:#?}");
    assert!(labelled(&s, s.issue));
    assert_eq!(
        writes(&s, from),
        [format!("POST /repos/{REPO}/issues/{}/labels", s.issue)]
    );
    let calls: Vec<String> = s.fake.requests()[from..]
        .iter()
        .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
        .collect();
    // The usual listing, one look at its own open issues, the label, and
    // the usual listing again: ten calls in all, one of them a write.
    assert_eq!(calls.len(), 10, "{calls:#?}");
    let own = calls.iter().filter(|c| c.contains("creator=")).count();
    assert_eq!(own, 1, "{calls:#?}");

    // Labelled again, the next look costs the usual listing and writes nothing.
    s.lose_store().await;
    let from = s.fake.requests().len();
    s.rollover_due().await;
    assert!(writes(&s, from).is_empty(), "{:#?}", s.requests_since(from));
    assert_eq!(s.fake.issues(REPO).len(), 1);
    assert_eq!(s.dead_jobs().await, 0);
}

#[tokio::test]
async fn the_next_sprint_opens_once_after_an_issue_that_lost_its_label() {
    let mut s = Scenario::start().await;
    s.fake.remove_issue_label(REPO, s.issue, "sprint");
    s.lose_store().await;
    s.clock.set("2022-11-28T09:30:00Z".parse().unwrap());
    s.rollover_due().await;
    let issues = s.fake.issues(REPO);
    assert_eq!(issues.len(), 2, "{issues:#?}");
    let next = issues[1].number;
    assert!(issues[1].open && !issues[0].open, "{issues:#?}");
    assert!(labelled(&s, s.issue) && labelled(&s, next));
    // The old issue was the previous sprint: it got the closing comment.
    let closing = s
        .replies(s.issue)
        .into_iter()
        .filter(|c| c.body.contains("This sprint is over"))
        .count();
    assert_eq!(closing, 1);
    assert_eq!(
        s.fake
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/labels"))
            .count(),
        1,
        "the label is put back once"
    );
    s.rollover_due().await;
    assert_eq!(s.fake.issues(REPO).len(), 2);
    assert_eq!(s.dead_jobs().await, 0);
}
