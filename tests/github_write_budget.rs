//! Stories of one installation's write budget against a fake GitHub that
//! enforces its write limits: every write path, from two replicas sharing
//! one store, stops writing the moment GitHub says wait and resumes only
//! after; and the budget is known before GitHub has to say it.

mod support;

use std::sync::Arc;
use std::time::Duration;

use sprintbot::app::StoreLimits;
use sprintbot::config::deploy::Secret;
use sprintbot::github::auth::AppCredentials;
use sprintbot::github::budget::{WriteClass, as_class};
use sprintbot::github::clock::{Clock, ManualClock};
use sprintbot::github::transport::Policy;
use sprintbot::github::*;
use sprintbot::store::Store;
use support::fake_github::{APP_ID, FakeGitHub, PRIVATE_KEY};

const REPO: &str = "acme/app";
const INSTALLATION: u64 = 7;

struct Replicas {
    fake: FakeGitHub,
    clock: ManualClock,
    apps: Vec<GitHubApp>,
    _dir: tempfile::TempDir,
}

async fn replicas(n: usize) -> Replicas {
    let clock = ManualClock::new("2026-12-07T09:00:00Z".parse().unwrap());
    let as_clock: Arc<dyn Clock> = Arc::new(clock.clone());
    let fake = FakeGitHub::start(as_clock.clone()).await;
    fake.add_installation(INSTALLATION, "acme", &[REPO]);
    let dir = tempfile::tempdir().unwrap();
    let mut apps = Vec::new();
    for _ in 0..n {
        let key = AppCredentials::from_pem(APP_ID, &Secret::new(PRIVATE_KEY)).unwrap();
        let app = GitHubApp::new(&fake.url(), key, as_clock.clone(), Policy::default()).unwrap();
        let store = Store::open(&dir.path().join("shared.db")).unwrap();
        app.share_limits(Arc::new(StoreLimits(store)));
        apps.push(app);
    }
    Replicas {
        fake,
        clock,
        apps,
        _dir: dir,
    }
}

impl Replicas {
    fn client(&self, i: usize) -> Arc<Client> {
        self.apps[i % self.apps.len()]
            .installation(InstallationId(INSTALLATION))
            .unwrap()
    }
}

/// One write by path number `k`: every kind of write the bot makes.
async fn write(
    gh: &Client,
    k: usize,
    issue: u64,
    comment: u64,
    node: &str,
) -> Result<(), GitHubError> {
    let repo = RepoRef::new("acme", "app");
    let n = IssueNumber(issue);
    match k % 11 {
        0 => gh
            .create_issue(
                &repo,
                &NewIssue {
                    title: format!("t{k}"),
                    body: format!("<!-- m{k} -->\nb"),
                    labels: vec!["sprint".into()],
                },
                &format!("m{k}"),
            )
            .await
            .map(drop),
        1 => gh
            .create_comment(&repo, n, &format!("<!-- c{k} -->"), Some(&format!("c{k}")))
            .await
            .map(drop),
        2 => gh.create_comment(&repo, n, "plain", None).await.map(drop),
        3 => gh
            .update_issue(
                &repo,
                n,
                &IssueUpdate {
                    body: Some(format!("body {k}")),
                    ..IssueUpdate::default()
                },
            )
            .await
            .map(drop),
        4 => gh
            .update_comment(&repo, CommentId(comment), &format!("edit {k}"))
            .await
            .map(drop),
        5 => {
            gh.add_reaction(&repo, CommentId(comment), Reaction::PlusOne)
                .await
        }
        6 => gh.add_labels(&repo, n, &["sprint".to_string()]).await,
        7 => gh.ensure_label(&repo, &format!("label-{k}")).await,
        8 => gh.add_issue_reaction(&repo, n, Reaction::Eyes).await,
        9 => {
            gh.delete_comment(&repo, CommentId(comment + 1_000_000))
                .await
        }
        _ => gh
            .issue_ops(&[IssueOp::Pin(node.to_string())])
            .await
            .map(drop),
    }
}

/// Write by every path, replicas taking turns, for `minutes` of the
/// clock; after a refused write the next comes a few seconds later, as
/// other jobs' writes would, whether or not the wait is over. Returns
/// (writes made, waits met).
async fn write_for(r: &Replicas, minutes: u64) -> (usize, usize) {
    let issue = r
        .fake
        .add_issue(REPO, "Sprint", "", &["sprint"], "sprintbot[bot]");
    let comment = r.fake.add_comment(REPO, issue, "sprintbot[bot]", "mine");
    let node = r.fake.issue(REPO, issue).unwrap().node_id;
    let end = r
        .clock
        .now()
        .checked_add(Duration::from_secs(minutes * 60))
        .unwrap();
    let (mut made, mut waits) = (0, 0);
    let mut k = 0;
    while r.clock.now() < end {
        k += 1;
        match write(&r.client(k), k, issue, comment, &node).await {
            Ok(()) => made += 1,
            Err(GitHubError::RateLimited { until: Some(u), .. }) => {
                waits += 1;
                assert!(u > r.clock.now(), "a wait that is already over");
                r.clock.advance(Duration::from_secs(7));
            }
            Err(e) => panic!("write {k} failed: {e}"),
        }
    }
    (made, waits)
}

#[tokio::test]
async fn no_write_reaches_github_after_it_said_wait_on_any_path() {
    // GitHub's limits here are tighter than the ones sprintbot knows (as
    // when another integration shares them): it has to say wait.
    let r = replicas(2).await;
    r.fake.enforce_write_limits(20, 60);
    let (made, waits) = write_for(&r, 130).await;
    assert!(
        r.fake.refusals() >= 2,
        "GitHub said wait {}",
        r.fake.refusals()
    );
    assert!(waits >= r.fake.refusals() as usize);
    assert_eq!(r.fake.writes_after_refusal(), Vec::<String>::new());
    // Writes went on after each wait, up to the limits and no further.
    assert!((120..=60 * 3).contains(&made), "{made} writes");
    r.fake.assert_no_violations();
}

#[tokio::test]
async fn a_reset_one_replica_met_holds_every_replicas_writes() {
    let r = replicas(2).await;
    let repo = RepoRef::new("acme", "app");
    let n = r.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    for i in 0..2 {
        r.client(i).get_issue(&repo, IssueNumber(n)).await.unwrap();
    }
    let reset = r
        .clock
        .now()
        .checked_add(Duration::from_secs(3032))
        .unwrap();
    r.fake.exhaust_rate_limit(INSTALLATION, reset);
    // Each writer is told the reset, or its turn after it: behind the
    // writers its replica sent away before it (a command's 2 writes each,
    // one a second).
    let turns = reset.checked_add(Duration::from_secs(2 * 3)).unwrap();
    for i in 0..6 {
        let err = write(&r.client(i), i, n, 1, "x").await.unwrap_err();
        assert!(
            matches!(err, GitHubError::RateLimited { until: Some(u), .. } if u >= reset && u <= turns),
            "{err:?}"
        );
    }
    assert_eq!(r.fake.refusals(), 1, "GitHub was asked once");
    assert_eq!(r.fake.writes_after_refusal(), Vec::<String>::new());
    r.clock.set(reset);
    write(&r.client(1), 1, n, 1, "x").await.unwrap();
}

#[tokio::test]
async fn the_budget_is_kept_without_github_having_to_say_it() {
    // GitHub's real limits: sprintbot's own count stops it first.
    let r = replicas(2).await;
    r.fake.enforce_write_limits(80, 500);
    let (made, waits) = write_for(&r, 125).await;
    assert_eq!(r.fake.refusals(), 0);
    assert!(waits >= 2, "the budget made it wait {waits} times");
    // 500 an hour, over two hours and five minutes (and a last partial).
    assert!((1000..=1500).contains(&made), "{made} writes");
}

#[tokio::test]
async fn openings_leave_the_hours_command_share_to_people() {
    let r = replicas(1).await;
    r.fake.enforce_write_limits(80, 500);
    let repo = RepoRef::new("acme", "app");
    let n = r.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    let gh = r.client(0);
    let opened = as_class(WriteClass::Opening, async {
        let mut made = 0;
        while gh
            .add_labels(&repo, IssueNumber(n), &["sprint".into()])
            .await
            .is_ok()
        {
            made += 1;
        }
        made
    })
    .await
    .0;
    assert_eq!(opened, 420, "openings stop 80 short of the hour");
    let answered = as_class(WriteClass::Command, async {
        let mut made = 0;
        while gh
            .create_comment(&repo, IssueNumber(n), "ok", None)
            .await
            .is_ok()
        {
            made += 1;
        }
        made
    })
    .await
    .0;
    assert_eq!(answered, 80, "commands still have theirs");
    assert_eq!(r.fake.refusals(), 0);
}
