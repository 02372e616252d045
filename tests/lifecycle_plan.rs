//! The opening plan through the scheduler, the worker and the fake GitHub:
//! when more sprints of an installation open at one instant than the hour
//! allows (52 openings of 8 writes in the 420 writes openings may use),
//! the first 52 open at once in name order, the rest an hour later; no
//! alarm fires for those waiting by plan.

mod support;

use std::time::Duration;

use jiff::Timestamp;
use support::org::Org;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openings_past_what_the_hour_allows_open_by_plan_without_an_alarm() {
    let org = Org::start("2022-11-28T08:50:00Z").await;
    let all: Vec<usize> = (0..54).collect();
    let names = org.install(7, "acme", 54, &all, "2022-11-16");
    org.fake.enforce_write_limits(80, 500);
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    org.at("2022-11-28T09:00:00Z");
    let step = org.scheduler.step(org.now()).await;
    assert_eq!(step.rollovers_queued, 54);
    assert_eq!(
        step.planned_later, 53,
        "all but the first wait for their place"
    );
    let last: Timestamp = "2022-11-28T10:00:08Z".parse().unwrap();
    assert_eq!(step.planned_last, Some(last));
    org.run_until(
        "2022-11-28T09:20:00Z".parse().unwrap(),
        Duration::from_secs(60),
    )
    .await;
    // In name order, the last two (repo-8, repo-9) wait for the hour.
    let waiting: Vec<&String> = names
        .iter()
        .filter(|n| org.fake.issues(n).len() < 2)
        .collect();
    assert_eq!(waiting, ["acme/repo-8", "acme/repo-9"]);
    let step = org.scheduler.step(org.now()).await;
    assert_eq!(step.overdue, 0, "waiting by plan is not overdue");
    assert_eq!(step.planned_later, 2);
    assert_eq!(step.planned_last, Some(last));
    org.run_until(
        "2022-11-28T10:05:00Z".parse().unwrap(),
        Duration::from_secs(60),
    )
    .await;
    assert!(names.iter().all(|n| org.fake.issues(n).len() == 2));
    assert_eq!(org.fake.refusals(), 0);
}
