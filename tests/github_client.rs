//! Stories of sprintbot talking to GitHub through its one client, against
//! the fake GitHub: tokens are minted once and renewed in time, failures are
//! retried, limits obeyed, writes paced, creates never doubled, and every
//! request is one GitHub's API description accepts.

mod support;

use std::sync::Arc;
use std::time::Duration;

use sprintbot::config::deploy::Secret;
use sprintbot::github::auth::AppCredentials;
use sprintbot::github::clock::{Clock, ManualClock};
use sprintbot::github::transport::Policy;
use sprintbot::github::*;
use sprintbot::sprint::Login;
use support::fake_github::{APP_ID, AuthKind, FakeGitHub, FaultKind, PRIVATE_KEY};

const REPO: &str = "acme/app";
const INSTALLATION: u64 = 7;

fn policy() -> Policy {
    Policy {
        max_attempts: 5,
        backoff_base: Duration::from_millis(200),
        backoff_max: Duration::from_secs(5),
        write_interval: Duration::from_secs(1),
        timeout: Duration::from_millis(800),
        ..Policy::default()
    }
}

struct World {
    fake: FakeGitHub,
    clock: ManualClock,
    app: GitHubApp,
    repo: RepoRef,
    /// Off only in the test that sends bad requests on purpose.
    check_violations: bool,
}

impl World {
    async fn start() -> World {
        World::start_at("").await
    }

    async fn start_at(prefix: &str) -> World {
        sprintbot::telemetry::metrics();
        let clock = ManualClock::new("2026-11-24T09:00:00Z".parse().unwrap());
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let fake = FakeGitHub::start_with_prefix(shared.clone(), prefix).await;
        fake.add_installation(INSTALLATION, "acme", &[REPO]);
        let key = AppCredentials::from_pem(APP_ID, &Secret::new(PRIVATE_KEY)).unwrap();
        let app = GitHubApp::new(&fake.url(), key, shared, policy()).unwrap();
        World {
            fake,
            clock,
            app,
            repo: RepoRef::new("acme", "app"),
            check_violations: true,
        }
    }

    fn client(&self) -> Arc<Client> {
        self.app.installation(InstallationId(INSTALLATION)).unwrap()
    }
}

impl Drop for World {
    fn drop(&mut self) {
        if self.check_violations && !std::thread::panicking() {
            self.fake.assert_no_violations();
        }
    }
}

#[tokio::test]
async fn one_token_serves_a_thousand_calls() {
    let w = World::start().await;
    let n = w
        .fake
        .add_issue(REPO, "Sprint", "body", &["sprint"], "alice");
    let gh = w.client();
    for _ in 0..1000 {
        assert_eq!(
            gh.get_issue(&w.repo, IssueNumber(n)).await.unwrap().title,
            "Sprint"
        );
    }
    assert_eq!(w.fake.tokens_issued(), 1);
    assert!(
        w.fake
            .requests()
            .iter()
            .skip(1)
            .all(|r| r.auth == AuthKind::Token(INSTALLATION))
    );
    let metrics = sprintbot::telemetry::metrics().render();
    assert!(
        metrics.contains("sprintbot_github_requests_total"),
        "{metrics}"
    );
}

#[tokio::test]
async fn the_token_is_renewed_a_few_minutes_before_it_expires() {
    let w = World::start().await;
    w.fake.set_token_ttl(Duration::from_secs(600));
    let n = w.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    let gh = w.client();
    gh.get_issue(&w.repo, IssueNumber(n)).await.unwrap();
    w.clock.advance(Duration::from_secs(240));
    gh.get_issue(&w.repo, IssueNumber(n)).await.unwrap();
    assert_eq!(w.fake.tokens_issued(), 1, "6 minutes left: still good");
    w.clock.advance(Duration::from_secs(120));
    gh.get_issue(&w.repo, IssueNumber(n)).await.unwrap();
    assert_eq!(
        w.fake.tokens_issued(),
        2,
        "4 minutes left: renewed before expiry"
    );
    assert_eq!(w.fake.count("GET", "/issues/"), 3, "no call was refused");
}

#[tokio::test]
async fn a_hundred_concurrent_calls_on_an_expired_token_refresh_it_once() {
    let w = World::start().await;
    let n = w.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    let gh = w.client();
    gh.get_issue(&w.repo, IssueNumber(n)).await.unwrap();
    w.clock.advance(Duration::from_secs(7200));
    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let gh = gh.clone();
        let repo = w.repo.clone();
        calls.spawn(async move { gh.get_issue(&repo, IssueNumber(n)).await });
    }
    while let Some(r) = calls.join_next().await {
        r.unwrap().unwrap();
    }
    assert_eq!(w.fake.tokens_issued(), 2);
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_retries_once() {
    let w = World::start().await;
    let n = w.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    let gh = w.client();
    gh.get_issue(&w.repo, IssueNumber(n)).await.unwrap();
    w.fake.fail("GET", "/issues/1", 1, 401, &[]);
    gh.get_issue(&w.repo, IssueNumber(n)).await.unwrap();
    assert_eq!(w.fake.tokens_issued(), 2);
    assert_eq!(w.fake.count("GET", "/issues/1"), 3);
    // A second refusal right after the refresh is not retried forever.
    w.fake.fail("GET", "/issues/1", 2, 401, &[]);
    let err = gh.get_issue(&w.repo, IssueNumber(n)).await.unwrap_err();
    assert!(matches!(err, GitHubError::Unauthorized { .. }), "{err}");
}

#[tokio::test]
async fn server_errors_and_dropped_connections_are_retried() {
    let w = World::start().await;
    let n = w.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    let gh = w.client();
    w.fake.fail("GET", "/issues/1", 1, 502, &[]);
    w.fake.fail("GET", "/issues/1", 1, 503, &[]);
    w.fake.inject("GET", "/issues/1", 1, FaultKind::Drop);
    assert_eq!(
        gh.get_issue(&w.repo, IssueNumber(n)).await.unwrap().number,
        IssueNumber(n)
    );
    assert_eq!(w.fake.count("GET", "/issues/1"), 4);
    // Past the attempt budget the error surfaces, marked transient for the job queue.
    w.fake.fail("GET", "/issues/1", 5, 502, &[]);
    let err = gh.get_issue(&w.repo, IssueNumber(n)).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
}

#[tokio::test]
async fn a_secondary_rate_limit_says_when_to_try_again_without_waiting() {
    let w = World::start().await;
    let n = w.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    let gh = w.client();
    w.fake
        .fail("POST", "/comments", 1, 403, &[("retry-after", "2")]);
    let before = w.clock.now();
    let err = gh
        .create_comment(&w.repo, IssueNumber(n), "hello", Some("<!-- m1 -->"))
        .await
        .unwrap_err();
    // No sleeping in place: the caller (a job) is told when GitHub will
    // take requests again, and is put back in the queue until then.
    assert_eq!(w.clock.now(), before);
    match err {
        GitHubError::RateLimited {
            until: Some(until), ..
        } => assert_eq!(
            until,
            before
                .checked_add(jiff::SignedDuration::from_secs(2))
                .unwrap()
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(w.fake.count("POST", "/comments"), 1, "not retried in place");
    // Until then no write is sent, whoever asks.
    let again = gh
        .create_comment(&w.repo, IssueNumber(n), "hello", Some("<!-- m1 -->"))
        .await;
    assert!(
        matches!(again, Err(GitHubError::RateLimited { .. })),
        "{again:?}"
    );
    assert_eq!(w.fake.count("POST", "/comments"), 1, "GitHub was not asked");
    w.clock.advance(Duration::from_secs(2));
    gh.create_comment(&w.repo, IssueNumber(n), "hello", Some("<!-- m1 -->"))
        .await
        .unwrap();
    assert_eq!(w.fake.comments(REPO, n).len(), 1);
}

#[tokio::test]
async fn an_exhausted_rate_limit_refuses_until_its_reset() {
    let w = World::start().await;
    let n = w.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    let gh = w.client();
    let reset = w.clock.now().as_second() + 90;
    let reset_header = reset.to_string();
    w.fake.fail(
        "GET",
        "/issues/1",
        1,
        403,
        &[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-reset", &reset_header),
        ],
    );
    let until = |e: GitHubError| match e {
        GitHubError::RateLimited { until: Some(u), .. } => u.as_second(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        until(gh.get_issue(&w.repo, IssueNumber(n)).await.unwrap_err()),
        reset
    );
    // Before the reset, calls are refused without asking GitHub.
    assert_eq!(
        until(gh.get_issue(&w.repo, IssueNumber(n)).await.unwrap_err()),
        reset
    );
    assert_eq!(w.fake.count("GET", "/issues/1"), 1);
    assert_eq!(gh.budget().remaining, Some(0));
    w.clock
        .set(jiff::Timestamp::from_second(reset + 1).unwrap());
    gh.get_issue(&w.repo, IssueNumber(n)).await.unwrap();
    assert_eq!(w.fake.count("GET", "/issues/1"), 2);
}

#[tokio::test]
async fn an_issue_create_that_times_out_is_found_not_duplicated() {
    let w = World::start().await;
    let gh = w.client();
    // GitHub creates the issue but answers after the client gave up.
    w.fake.inject(
        "POST",
        "/issues",
        1,
        FaultKind::DelayAfter(Duration::from_millis(1500)),
    );
    let new = NewIssue {
        title: "Sprint 1.42.0 2/2".into(),
        body: "<!-- sprintbot:sprint id=2022-11-14 -->\nplan".into(),
        labels: vec!["sprint".into()],
    };
    let issue = gh
        .create_issue(&w.repo, &new, "sprintbot:sprint id=2022-11-14")
        .await
        .unwrap();
    assert_eq!(issue.title, "Sprint 1.42.0 2/2");
    assert_eq!(w.fake.issues(REPO).len(), 1);
    assert_eq!(w.fake.count("POST", "/issues"), 1);
}

#[tokio::test]
async fn a_comment_create_that_times_out_is_found_not_duplicated() {
    let w = World::start().await;
    let n = w.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    let gh = w.client();
    w.fake.inject(
        "POST",
        "/comments",
        1,
        FaultKind::DelayAfter(Duration::from_millis(1500)),
    );
    let body = "<!-- sprintbot:team slug=growth -->\nTeam Growth";
    gh.create_comment(
        &w.repo,
        IssueNumber(n),
        body,
        Some("sprintbot:team slug=growth"),
    )
    .await
    .unwrap();
    assert_eq!(w.fake.comments(REPO, n).len(), 1);
    // Without a marker a timeout is reported rather than risking a double.
    w.fake.inject(
        "POST",
        "/comments",
        1,
        FaultKind::DelayAfter(Duration::from_millis(1500)),
    );
    let err = gh
        .create_comment(&w.repo, IssueNumber(n), "no marker", None)
        .await
        .unwrap_err();
    assert_eq!(err, GitHubError::Timeout);
    assert_eq!(w.fake.count("POST", "/comments"), 2);
}

#[tokio::test]
async fn writes_are_paced_one_a_second() {
    let w = World::start().await;
    let n = w.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    let gh = w.client();
    for i in 0..4 {
        gh.create_comment(
            &w.repo,
            IssueNumber(n),
            &format!("c{i}"),
            Some(&format!("c{i}")),
        )
        .await
        .unwrap();
    }
    let times: Vec<_> = w
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/comments"))
        .map(|r| r.at)
        .collect();
    assert_eq!(times.len(), 4);
    for pair in times.windows(2) {
        assert!(
            pair[1].duration_since(pair[0]) >= jiff::SignedDuration::from_secs(1),
            "{times:?}"
        );
    }
}

#[tokio::test]
async fn three_pages_of_comments_are_all_read() {
    let w = World::start().await;
    let n = w.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    for i in 0..250 {
        w.fake.add_comment(REPO, n, "bob", &format!("comment {i}"));
    }
    let comments = w
        .client()
        .list_comments(&w.repo, IssueNumber(n), None)
        .await
        .unwrap();
    assert_eq!(comments.len(), 250);
    assert_eq!(comments[249].body, "comment 249");
    assert_eq!(w.fake.count("GET", "/comments"), 3);
}

#[tokio::test]
async fn github_enterprise_base_urls_with_a_path_prefix_work() {
    let w = World::start_at("/api/v3").await;
    assert!(w.fake.url().ends_with("/api/v3"));
    let gh = w.client();
    let n = w.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    let issue = gh.get_issue(&w.repo, IssueNumber(n)).await.unwrap();
    let pin = [IssueOp::Pin(issue.node_id.clone())];
    assert!(gh.issue_ops(&pin).await.unwrap()[0].is_ok());
    assert_eq!(w.fake.pinned(), vec![issue.node_id.clone()]);
    assert_eq!(w.fake.count("POST", "/api/graphql"), 1);
    // Unpin and close in one request, in order.
    let ops = [
        IssueOp::Unpin(issue.node_id.clone()),
        IssueOp::Close(issue.node_id.clone()),
        IssueOp::Pin("I_nonexistent".into()),
    ];
    let results = gh.issue_ops(&ops).await.unwrap();
    assert!(results[0].is_ok() && results[1].is_ok());
    assert!(results[2].is_err(), "an unknown node is refused on its own");
    assert!(w.fake.pinned().is_empty());
    assert!(!w.fake.issue(REPO, n).unwrap().open);
    assert_eq!(w.fake.count("POST", "/api/graphql"), 2);
}

#[tokio::test]
async fn the_rest_of_the_interface_reads_githubs_shapes() {
    let w = World::start().await;
    let gh = w.client();
    let n = w
        .fake
        .add_issue(REPO, "Sprint", "plan", &["sprint"], "alice");
    w.fake.add_issue(REPO, "Other", "", &["bug"], "alice");
    w.fake.set_role(REPO, "mia", "maintain");
    w.fake.set_role(REPO, "tim", "triage");
    w.fake.add_team_member("acme", "engineers", "mia");
    w.fake.put_file(
        REPO,
        ".github/sprintbot.toml",
        "[cadence]\nanchor = \"2022-10-03\"\n",
    );

    let listed = gh
        .list_issues(&w.repo, "sprint", StateFilter::All)
        .await
        .unwrap();
    assert_eq!(
        listed.iter().map(|i| i.number).collect::<Vec<_>>(),
        vec![IssueNumber(n)]
    );
    let closed = gh
        .update_issue(
            &w.repo,
            IssueNumber(n),
            &IssueUpdate {
                state: Some(IssueState::Closed),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(closed.state, IssueState::Closed);
    assert_eq!(
        gh.permission(&w.repo, &Login("mia".into())).await.unwrap(),
        Permission::Maintain
    );
    assert_eq!(
        gh.permission(&w.repo, &Login("tim".into())).await.unwrap(),
        Permission::Triage
    );
    assert!(
        gh.is_team_member("acme", "engineers", &Login("mia".into()))
            .await
            .unwrap()
    );
    assert!(
        !gh.is_team_member("acme", "engineers", &Login("tim".into()))
            .await
            .unwrap()
    );
    assert_eq!(
        gh.read_file(&w.repo, ".github/sprintbot.toml")
            .await
            .unwrap()
            .as_deref(),
        Some("[cadence]\nanchor = \"2022-10-03\"\n")
    );
    assert_eq!(gh.read_file(&w.repo, "missing.toml").await.unwrap(), None);
    gh.ensure_label(&w.repo, "sprint").await.unwrap();
    gh.ensure_label(&w.repo, "sprint").await.unwrap();
    assert_eq!(w.fake.labels(REPO), vec!["sprint"]);
    gh.add_labels(
        &w.repo,
        IssueNumber(n),
        &["sprint".to_string(), "q4".to_string()],
    )
    .await
    .unwrap();
    let c = gh
        .create_comment(&w.repo, IssueNumber(n), "hi", None)
        .await
        .unwrap();
    gh.add_reaction(&w.repo, c.id, Reaction::PlusOne)
        .await
        .unwrap();
    gh.add_reaction(&w.repo, c.id, Reaction::PlusOne)
        .await
        .unwrap();
    assert_eq!(w.fake.reactions(REPO, c.id.0).len(), 1);
    let edited = gh.update_comment(&w.repo, c.id, "hi again").await.unwrap();
    assert_eq!(edited.body, "hi again");
    assert_eq!(
        gh.repositories().await.unwrap(),
        vec![(w.fake.repo_id(REPO), w.repo.clone())]
    );
    let installs = w.app.list_installations().await.unwrap();
    assert_eq!(installs[0].id, InstallationId(INSTALLATION));
    assert!(
        w.fake
            .requests()
            .iter()
            .any(|r| r.path == "/app/installations" && r.auth == AuthKind::Jwt)
    );
}

#[tokio::test]
async fn refusals_become_typed_errors() {
    let w = World::start().await;
    let gh = w.client();
    let err = gh.get_issue(&w.repo, IssueNumber(99)).await.unwrap_err();
    assert!(matches!(err, GitHubError::NotFound { .. }), "{err}");
    let n = w.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    w.fake.fail("PATCH", "/issues/1", 1, 422, &[]);
    let err = gh
        .update_issue(
            &w.repo,
            IssueNumber(n),
            &IssueUpdate {
                title: Some("x".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, GitHubError::Validation { .. }), "{err}");
    assert!(!err.is_transient());
    let bad = AppCredentials::from_pem(APP_ID, &Secret::new("not a key")).unwrap_err();
    assert!(bad.to_string().contains("private key"), "{bad}");
}

#[tokio::test]
async fn a_plain_token_works_for_the_one_shot_commands() {
    let w = World::start().await;
    w.fake.add_plain_token("ghp_test");
    let n = w.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    let gh = token_client(
        &w.fake.url(),
        Secret::new("ghp_test"),
        Arc::new(w.clock.clone()),
        policy(),
    )
    .unwrap();
    assert_eq!(
        gh.get_issue(&w.repo, IssueNumber(n)).await.unwrap().title,
        "Sprint"
    );
    assert_eq!(w.fake.tokens_issued(), 0);
    let wrong = token_client(
        &w.fake.url(),
        Secret::new("ghp_wrong"),
        Arc::new(w.clock.clone()),
        policy(),
    )
    .unwrap();
    assert!(matches!(
        wrong.get_issue(&w.repo, IssueNumber(n)).await.unwrap_err(),
        GitHubError::Unauthorized { .. }
    ));
}

#[tokio::test]
async fn the_fake_rejects_requests_github_would_reject() {
    let mut w = World::start().await;
    w.check_violations = false;
    w.fake.add_plain_token("ghp_test");
    let client = reqwest::Client::new();
    let send = |path: &str, body: serde_json::Value| {
        client
            .post(format!("{}{path}", w.fake.url()))
            .header("authorization", "token ghp_test")
            .json(&body)
            .send()
    };
    send(
        "/repos/acme/app/issues",
        serde_json::json!({ "body": "no title" }),
    )
    .await
    .unwrap();
    send("/repos/acme/app/nonsense", serde_json::json!({}))
        .await
        .unwrap();
    let v = w.fake.violations();
    assert_eq!(v.len(), 2, "{v:?}");
    assert!(v[0].contains("title"), "{}", v[0]);
    assert!(v[1].contains("not an operation"), "{}", v[1]);
}

#[tokio::test]
async fn the_fake_delivers_signed_webhooks_the_bot_accepts() {
    let w = World::start().await;
    let bot = support::bot::TestBot::start().await;
    let payload = support::webhooks::payload("issue_comment.created");
    let status = w
        .fake
        .send_webhook(
            &bot.webhook_url(),
            support::bot::SECRET,
            "issue_comment",
            &payload,
        )
        .await;
    assert_eq!(status, 202);
    assert_eq!(bot.store.queue_stats().await.unwrap().pending, 1);
    let wrong = w
        .fake
        .send_webhook(
            &bot.webhook_url(),
            "another secret",
            "issue_comment",
            &payload,
        )
        .await;
    assert_eq!(wrong, 401);
}

#[tokio::test]
async fn retries_are_counted_in_metrics() {
    let w = World::start().await;
    let n = w.fake.add_issue(REPO, "Sprint", "", &[], "alice");
    w.fake.fail("GET", "/issues/1", 1, 500, &[]);
    w.client().get_issue(&w.repo, IssueNumber(n)).await.unwrap();
    let text = sprintbot::telemetry::metrics().render();
    assert!(
        text.contains("sprintbot_github_retries_total{reason=\"server_error\"}"),
        "{text}"
    );
    assert!(text.contains("status=\"500\""), "{text}");
}
