//! The sprint label costs nothing before a sprint is due (issue 21): the
//! scheduler discovers repositories with a config whose first sprint has
//! not opened yet and writes nothing to them; the first opening creates the
//! label once (if the repository lacks it); later openings never ask for
//! it again. Drives the real scheduler and worker against the fake GitHub,
//! counting every request.

mod support;

use std::time::Duration;

use support::org::Org;
use support::sprint::POSTHOG_CONFIG;

const REPOS: usize = 3;

/// GitHub writes in `calls` (tokens are not writes).
fn writes(calls: &[String]) -> Vec<&String> {
    calls
        .iter()
        .filter(|c| !c.starts_with("GET ") && !c.contains("/access_tokens"))
        .collect()
}

fn count(calls: &[String], call: &str) -> usize {
    calls.iter().filter(|c| c.as_str() == call).count()
}

#[tokio::test]
async fn the_label_is_created_at_the_first_opening_and_never_before() {
    // Two days before the cadence anchor (2022-10-03, 09:00 London).
    let org = Org::start("2022-10-01T12:00:00Z").await;
    let names = org.install(7, "acme", REPOS, &[], "2022-10-03");
    for repo in &names {
        org.fake
            .put_file(repo, ".github/sprintbot.toml", POSTHOG_CONFIG);
    }
    org.scheduler.start_up().await;
    org.run_until(
        "2022-10-03T07:59:00Z".parse().unwrap(),
        Duration::from_secs(3600),
    )
    .await;
    let before = org.calls_since(0);
    assert!(writes(&before).is_empty(), "{before:#?}");
    assert_eq!(org.fake.issues(&names[0]).len(), 0);

    // The first opening: one look at the labels and one label per repository.
    let from = org.fake.requests().len();
    org.run_until(
        "2022-10-03T09:00:00Z".parse().unwrap(),
        Duration::from_secs(600),
    )
    .await;
    let first = org.calls_since(from);
    for repo in &names {
        assert_eq!(org.fake.issues(repo).len(), 1, "{repo}");
        assert_eq!(org.fake.labels(repo), ["sprint"], "{repo}");
        let labels = format!("/repos/{repo}/labels");
        assert_eq!(count(&first, &format!("GET {labels}")), 1, "{first:#?}");
        assert_eq!(count(&first, &format!("POST {labels}")), 1, "{first:#?}");
    }

    // The next opening neither looks for the label nor writes it.
    let from = org.fake.requests().len();
    org.run_until(
        "2022-10-17T09:00:00Z".parse().unwrap(),
        Duration::from_secs(6 * 3600),
    )
    .await;
    let next = org.calls_since(from);
    for repo in &names {
        assert_eq!(org.fake.issues(repo).len(), 2, "{repo}");
        let labels = format!("/repos/{repo}/labels");
        assert!(next.iter().all(|c| !c.ends_with(&labels)), "{next:#?}");
    }
}
