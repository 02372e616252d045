//! `/sprint adopt` and the sprint's title: the template's placeholder
//! title names no sprint, so adoption refuses it, says why, and proposes a
//! title with the calendar's dates; nothing is written to the issue.

mod support;

use support::scenario::{REPO, Scenario};
use support::sprint::POSTHOG_CONFIG;

#[tokio::test]
async fn adopt_refuses_the_placeholder_title_and_proposes_the_calendar_s() {
    let s = Scenario::start_bare(POSTHOG_CONFIG, "2022-11-16T12:00:00Z").await;
    let body = "## Plan: Proposed Goals for Next Sprint\n\n1. Something\n";
    let n = s.fake.add_issue(
        REPO,
        "Sprint 1.n.0 m/2 - Jan 1 to Jan 12",
        body,
        &[],
        "timgl",
    );
    let asked = s.comment_on(n, "macobo", "/sprint adopt").await;
    s.settle().await;
    assert_eq!(s.reactions(asked), ["confused"]);
    let reply = s
        .replies(n)
        .into_iter()
        .map(|c| c.body)
        .find(|b| b.contains("/sprint adopt"))
        .expect("an answer");
    assert!(
        reply.contains("the sprint template's placeholder")
            && reply.contains("`Sprint 1.42.0 2/2 - Nov 14 - Nov 25`"),
        "{reply}"
    );
    let issue = s.fake.issue(REPO, n).unwrap();
    assert_eq!(issue.body, body, "nothing written");
    assert!(issue.labels.is_empty());
}
