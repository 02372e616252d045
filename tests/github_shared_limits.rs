//! Stories of two replicas acting as one installation: they take their
//! write slots from one sequence in the shared store, so GitHub sees one
//! write a second from the installation, not one per replica; and a rate
//! limit one replica meets stops the other's writes without asking GitHub.

mod support;

use std::sync::Arc;
use std::time::Duration;

use sprintbot::app::StoreLimits;
use sprintbot::config::deploy::Secret;
use sprintbot::github::auth::AppCredentials;
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

/// Two replicas on one fake GitHub and one clock, each with its own handle
/// on one database file; `shared` says whether they share limits through it.
async fn replicas(shared: bool) -> Replicas {
    let clock = ManualClock::new("2026-11-24T09:00:00Z".parse().unwrap());
    let as_clock: Arc<dyn Clock> = Arc::new(clock.clone());
    let fake = FakeGitHub::start(as_clock.clone()).await;
    fake.add_installation(INSTALLATION, "acme", &[REPO]);
    let dir = tempfile::tempdir().unwrap();
    let policy = Policy {
        write_interval: Duration::from_secs(1),
        ..Policy::default()
    };
    let mut apps = Vec::new();
    for _ in 0..2 {
        let key = AppCredentials::from_pem(APP_ID, &Secret::new(PRIVATE_KEY)).unwrap();
        let app = GitHubApp::new(&fake.url(), key, as_clock.clone(), policy.clone()).unwrap();
        if shared {
            let store = Store::open(&dir.path().join("shared.db")).unwrap();
            app.share_limits(Arc::new(StoreLimits(store)));
        }
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
        self.apps[i]
            .installation(InstallationId(INSTALLATION))
            .unwrap()
    }

    /// Comment four times, alternating replicas; the times GitHub saw.
    async fn alternate_comments(&self) -> Vec<jiff::Timestamp> {
        let repo = RepoRef::new("acme", "app");
        let n = self.fake.add_issue(REPO, "Sprint", "", &[], "alice");
        for i in 0..4 {
            self.client(i % 2)
                .create_comment(
                    &repo,
                    IssueNumber(n),
                    &format!("c{i}"),
                    Some(&format!("c{i}")),
                )
                .await
                .unwrap();
        }
        self.fake
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/comments"))
            .map(|r| r.at)
            .collect()
    }
}

fn closest_gap(times: &[jiff::Timestamp]) -> jiff::SignedDuration {
    times
        .windows(2)
        .map(|p| p[1].duration_since(p[0]))
        .min()
        .unwrap()
}

#[tokio::test]
async fn two_replicas_write_one_a_second_between_them() {
    let r = replicas(true).await;
    let times = r.alternate_comments().await;
    assert_eq!(times.len(), 4);
    assert!(
        closest_gap(&times) >= jiff::SignedDuration::from_secs(1),
        "{times:?}"
    );
    r.fake.assert_no_violations();
}

#[tokio::test]
async fn without_shared_limits_each_replica_paces_only_itself() {
    // The case the shared store exists for: GitHub would see two writes at once.
    let r = replicas(false).await;
    let times = r.alternate_comments().await;
    assert!(
        closest_gap(&times) < jiff::SignedDuration::from_secs(1),
        "{times:?}"
    );
}

#[tokio::test]
async fn a_rate_limit_met_by_one_replica_holds_the_others_writes() {
    let r = replicas(true).await;
    let repo = RepoRef::new("acme", "app");
    let n = r.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    // Both replicas have their tokens before the limit is spent.
    for i in 0..2 {
        r.client(i).get_issue(&repo, IssueNumber(n)).await.unwrap();
    }
    let reset = r.clock.now().checked_add(Duration::from_secs(600)).unwrap();
    r.fake.exhaust_rate_limit(INSTALLATION, reset);
    let err = r
        .client(0)
        .create_comment(&repo, IssueNumber(n), "a", Some("a"))
        .await
        .unwrap_err();
    assert!(matches!(err, GitHubError::RateLimited { .. }), "{err:?}");
    let asked = r.fake.requests().len();
    let err = r
        .client(1)
        .create_comment(&repo, IssueNumber(n), "b", Some("b"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, GitHubError::RateLimited { until: Some(u), .. } if u == reset),
        "{err:?}"
    );
    assert_eq!(
        r.fake.requests().len(),
        asked,
        "the second replica did not ask GitHub"
    );
}
