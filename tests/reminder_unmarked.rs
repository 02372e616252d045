//! A collaborator deletes the hidden marker of sprintbot's review comment,
//! then the bot loses its database: the review is still sprintbot's
//! earlier effect, recognised by its first line, and never posted again.

mod support;

use support::fake_github::BOT_LOGIN;
use support::timed::{REPO, config, growth_plans, org_at, reminders, step_at};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_review_whose_marker_was_deleted_is_not_posted_again_after_a_lost_store() {
    let review_72 = config(&[(
        "review_hours_before_end = 24",
        "review_hours_before_end = 72",
    )]);
    let mut org = org_at("2022-10-19T12:00:00Z", "2022-10-19", &review_72).await;
    org.at("2022-10-20T10:00:00Z");
    growth_plans(&org.fake, REPO, 1, BOT_LOGIN);
    step_at(&org, "2022-10-28T08:00:00Z").await;
    let review = reminders(&org.fake, 1, "review");
    assert_eq!(review.len(), 1);
    // A person edits the review and takes its marker line out.
    let unmarked: Vec<&str> = review[0]
        .body
        .lines()
        .filter(|l| !l.starts_with("<!-- sprintbot:"))
        .collect();
    org.fake
        .edit_comment(REPO, review[0].id, &unmarked.join("\n"));
    org.lose_store().await;
    let before = org
        .fake
        .comments(REPO, 1)
        .iter()
        .filter(|c| c.author == BOT_LOGIN)
        .count();
    // The new process finds the sprint issue again and looks at what is due.
    let mut queued = 0;
    for t in [
        "2022-10-28T08:05:00Z",
        "2022-10-28T08:06:00Z",
        "2022-10-28T08:07:00Z",
    ] {
        queued += step_at(&org, t).await.reminders_queued;
    }
    assert_eq!(queued, 1, "the new process looks again");
    let after = org
        .fake
        .comments(REPO, 1)
        .iter()
        .filter(|c| c.author == BOT_LOGIN)
        .count();
    assert_eq!(after, before, "the review is not posted again");
    org.fake.assert_no_violations();
}
