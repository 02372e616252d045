//! What a rollover with every retro feature costs in calls to GitHub, read
//! from the fake's request log: the shipped list, the sprint health with
//! its history read from older issues, the pinned summary and sub-issues
//! moved over. With T teams (member lists, no GitHub team), H sprint issues
//! before the previous one (none recording its history), M pull requests
//! merged into the default branch during the previous sprint, and one
//! unfinished linked goal whose sub-issue moves:
//!
//! ```text
//! calls = ⌈(H+1)/100⌉   list the sprint issues (every page)
//!       + 1             the previous issue's comments
//!       + 1             the repository (its default branch)
//!       + ⌊M/100⌋ + 1   pull requests closed into it, newest first, until one
//!                       updated before the sprint
//!       + 1             create the new issue
//!       + ⌈(H+2)/100⌉   list the sprint issues again (a twin opened at once?)
//!       + T             the team comments
//!       + 2             the summary comment, and its pin
//!       + 2             the previous issue's sub-issues, and the one moved
//!       + 2             the closing comment, and one GraphQL call that moves
//!                       the pin and closes the previous issue
//!       = ⌈(H+1)/100⌉ + ⌈(H+2)/100⌉ + ⌊M/100⌋ + T + 10
//! ```
//!
//! (+1 per team that names a GitHub team, for its members.) The history
//! behind the chart costs nothing: the older issues are in the list; an
//! older issue missing from it (its label removed) costs one read, and
//! never more than six are read.

mod support;

use support::retro::{REPO, World, config_text};

#[tokio::test]
async fn a_rollover_with_every_retro_feature_costs_a_known_number_of_calls() {
    let pages = |n: usize| n.div_ceil(100);
    for (t, h, m) in [(1, 3, 3), (4, 3, 3), (2, 120, 130)] {
        let w = World::start(&config_text(t), h).await;
        w.merge(m);
        let calls = w.roll().await;
        let expected = pages(h + 1) + pages(h + 2) + m / 100 + t + 10;
        assert_eq!(
            calls.len(),
            expected,
            "T = {t}, H = {h}, M = {m}: {calls:#?}"
        );
        let pulls = calls.iter().filter(|c| c.ends_with("/pulls")).count();
        assert_eq!(
            pulls,
            m / 100 + 1,
            "stops at the first page older than the sprint"
        );
        // The history came from the list: one bar per sprint, up to six.
        let body = w.newest_body();
        let bars = (h + 1).min(6);
        assert!(
            body.contains(&format!("The last {bars} sprints:")),
            "{body}"
        );
        assert!(
            body.contains(&format!("{m} pull requests merged into `main`")),
            "{body}"
        );
        let moved = w.fake.sub_issues(REPO, *w.issues.last().unwrap());
        assert!(
            moved.is_empty(),
            "the unfinished linked issue moved: {moved:?}"
        );
    }
}

#[tokio::test]
async fn an_older_sprint_missing_from_the_list_costs_one_read_and_never_more_than_six() {
    let w = World::start(&config_text(1), 10).await;
    // Someone took the label off one older sprint issue.
    let gone = w.issues[w.issues.len() - 3];
    w.set_labels(gone, &[]);
    let calls = w.roll().await;
    let reads: Vec<&String> = calls
        .iter()
        .filter(|c| {
            c.starts_with("GET /repos/acme/app/issues/")
                && !c.ends_with("/comments")
                && !c.ends_with("/sub_issues")
        })
        .collect();
    assert_eq!(reads, [&format!("GET /repos/acme/app/issues/{gone}")]);
    assert!(w.newest_body().contains("The last 6 sprints:"));

    // No older issue is listed at all: the chart still reads five, one each.
    let w = World::start(&config_text(1), 10).await;
    for n in &w.issues[..w.issues.len() - 1] {
        w.set_labels(*n, &[]);
    }
    let calls = w.roll().await;
    let reads = calls
        .iter()
        .filter(|c| {
            c.starts_with("GET /repos/acme/app/issues/")
                && !c.ends_with("/comments")
                && !c.ends_with("/sub_issues")
        })
        .count();
    assert_eq!(reads, 5);
    assert!(w.newest_body().contains("The last 6 sprints:"));
}

#[tokio::test]
async fn a_dry_run_names_the_summary_pin_and_the_sub_issue_move_and_writes_nothing() {
    let w = World::start(&config_text(1), 2).await;
    let dry = sprintbot::lifecycle::dry_run::DryRun::new(
        w.gh.as_ref(),
        sprintbot::sprint::Login(support::fake_github::ACTIONS_BOT.into()),
    );
    let (done, calls) = w.try_roll_on(&dry).await;
    assert!(done.unwrap().created);
    assert!(calls.iter().all(|c| c.starts_with("GET")), "{calls:?}");
    let writes = dry.writes();
    let linked = w.fake.sub_issues(REPO, *w.issues.last().unwrap());
    let id = w.fake.issue(REPO, linked[0]).unwrap().id;
    assert!(
        writes.iter().any(|l| l.contains(&format!(
            "/issues/(new issue)/sub_issues  sub_issue_id={id} replace_parent=true"
        ))),
        "{writes:#?}"
    );
    assert!(
        writes
            .iter()
            .any(|l| l.starts_with("PUT /repos/acme/app/issues/comments/0/pin")),
        "{writes:#?}"
    );
}
