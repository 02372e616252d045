//! The write budget's line through the worker and the fake GitHub: jobs
//! sent away by a spent window wake once, at their turn, one opening's
//! writes apart; and an opening stands aside while a person's command
//! waits, so the command is applied and answered first.

mod support;

use std::time::Duration;

use sprintbot::github::budget::{WriteClass, as_class};
use sprintbot::github::{InstallationId, IssueNumber, RepoRef};
use support::org::Org;
use support::scenario::{REPO, Scenario};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openings_sent_away_by_the_hour_wake_once_each_at_their_turn() {
    let org = Org::start("2022-11-28T08:50:00Z").await;
    let names = org.install(7, "acme", 3, &[0, 1, 2], "2022-11-16");
    org.fake.enforce_write_limits(80, 500);
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    org.at("2022-11-28T09:00:00Z");
    // Openings elsewhere used their share of the hour, one a second.
    let gh = org.commands.github.client(InstallationId(7)).unwrap();
    let repo = RepoRef::parse(&names[0]).unwrap();
    let issue = IssueNumber(org.fake.issues(&names[0])[0].number);
    let spent = as_class(WriteClass::Opening, async {
        let mut n = 0;
        while gh
            .add_labels(&repo, issue, &["sprint".into()])
            .await
            .is_ok()
        {
            n += 1;
        }
        n
    })
    .await
    .0;
    assert_eq!(spent, 420);
    let before = org.fake.requests().len();
    let step = org.scheduler.step(org.now()).await;
    assert_eq!(step.rollovers_queued, 3);
    org.settle().await;
    let stats = org.bot.store.queue_stats().await.unwrap();
    assert_eq!(stats.budget_waiting, 3, "{stats:?}");
    // The first write of the hour leaves it at 10:00:00. That turn went
    // to the writer refused above (an opening's eight writes); each
    // opening waits for the eight writes of the one before it.
    let turns = "2022-11-28T10:00:24Z".parse::<jiff::Timestamp>().unwrap();
    assert_eq!(stats.budget_until_ms, Some(turns.as_millisecond()));
    org.run_until(
        "2022-11-28T10:05:00Z".parse().unwrap(),
        Duration::from_secs(60),
    )
    .await;
    // Each job ran twice: sent away at its first write, then at its turn
    // it opened the sprint (reading again what it read before).
    let calls = org.calls_since(before);
    for name in &names {
        let mine: Vec<&String> = calls
            .iter()
            .filter(|c| c.contains(&format!("/repos/{name}/")))
            .collect();
        // Each run of the rollover reads the pull requests once.
        let runs = mine.iter().filter(|c| c.ends_with("/pulls")).count();
        assert_eq!(runs, 2, "{name}: {mine:#?}");
        assert_eq!(org.fake.issues(name).len(), 2, "{name} opened");
        let key = format!("rollover/{name}/");
        let jobs = org.bot.store.jobs_under(&key).await.unwrap();
        assert_eq!(jobs.runs, 2, "{name}: sent away once, then run once");
    }
    assert_eq!(org.fake.refusals(), 0);
    assert!(org.fake.writes_after_refusal().is_empty());
}

#[tokio::test]
async fn an_opening_stands_aside_while_a_command_waits() {
    let mut s = Scenario::start().await;
    s.clock.set("2022-11-28T09:00:00Z".parse().unwrap());
    s.stop_worker().await;
    // The rollover is queued first, the command right after it.
    use sprintbot::work::{RolloverJob, RolloverTarget, rollover_job};
    let job = RolloverJob {
        installation: support::scenario::INSTALLATION,
        repo: REPO.into(),
        repo_id: Some(support::scenario::REPO_ID),
        target: RolloverTarget::Due,
        answer: None,
    };
    let key = "rollover/acme/app/stand-aside".to_string();
    s.bot
        .store
        .enqueue(rollover_job(key.clone(), &job))
        .await
        .unwrap();
    let c = s
        .comment_on(s.issue, "kappa90", "/goal Ship exploration")
        .await;
    let before = s.fake.requests().len();
    s.start_worker();
    s.settle().await;
    let writes: Vec<String> = s
        .requests_since(before)
        .into_iter()
        .filter(|r| !r.starts_with("GET ") && !r.contains(" /app"))
        .collect();
    let reaction = format!("POST /repos/{REPO}/issues/comments/{c}/reactions");
    let at = |w: &str| writes.iter().position(|r| r == w);
    let answered = at(&reaction).expect("the command was answered");
    let opened = at(&format!("POST /repos/{REPO}/issues")).expect("the sprint opened");
    assert!(answered < opened, "{writes:?}");
    assert_eq!(
        writes[..=answered],
        [
            format!("PATCH /repos/{REPO}/issues/{}", s.issue),
            reaction.clone()
        ],
        "nothing of the opening before the answer"
    );
    assert_eq!(s.reactions(c), ["+1"]);
    let jobs = s.bot.store.jobs_under(&key).await.unwrap();
    assert_eq!(jobs.runs, 1, "standing aside is not an attempt");
    assert_eq!(jobs.jobs, [(key, "done".to_string())]);
}
