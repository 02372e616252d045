//! Stories of several `sprintbot serve` replicas sharing one PostgreSQL
//! database (the machine's server; see `support/pg.rs`), with the real
//! binary against the fake GitHub: deliveries spread over the replicas, a
//! replica killed with `kill -9` mid-stream or mid-rollover, and commands
//! arriving at random replicas at once. The promises are those of one
//! process: every accepted delivery processed exactly once, one sprint
//! issue, every command applied and answered once, no human edit lost.

mod support;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use serde_json::json;
use sprintbot::sprint::body::SprintDoc;
use sprintbot::store::Store;
use support::bot::SECRET;
use support::cluster::{Cluster, wait_until};
use support::fake_github::{BOT_LOGIN, FaultKind};
use support::sprint::POSTHOG_CONFIG;
use support::webhooks::{Delivery, payload};

const REPO: &str = "acme/app";
const INSTALLATION: u64 = 7;
const ENGINEERS: [&str; 4] = ["mariusandra", "kappa90", "tiina303", "benjackwhite"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_over_three_replicas_survive_a_kill_9_exactly_once() {
    let mut c = Cluster::new(3, false).await;
    c.start_all().await;
    let template = payload("installation_repositories.added");
    let deliveries: Vec<(usize, Delivery)> = (0..1500)
        .map(|i| {
            let d = Delivery::signed(
                "installation_repositories",
                &format!("r-{i:04}"),
                &template,
                SECRET,
            );
            (i % 3, d)
        })
        .collect();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let urls: Vec<String> = (0..3).map(|i| c.webhook_url(i)).collect();
    let mut answers = futures_util::stream::iter(deliveries.iter().cloned())
        .map(|(replica, d)| {
            let (client, url) = (client.clone(), urls[replica].clone());
            async move {
                let status = client
                    .post(&url)
                    .header("x-github-event", &d.event)
                    .header("x-github-delivery", &d.id)
                    .header("x-hub-signature-256", d.signature.clone().unwrap())
                    .body(d.body.clone())
                    .send()
                    .await
                    .map(|r| r.status().as_u16());
                (d.id, status)
            }
        })
        .buffer_unordered(16);
    let mut accepted = HashSet::new();
    let mut answered = 0;
    while let Some((id, status)) = answers.next().await {
        if let Ok(202) = status {
            accepted.insert(id);
        }
        answered += 1;
        if answered == 750 {
            c.kill(1);
        }
    }
    drop(answers);
    // Replica 1 was down for the second half: its share was refused, not lost.
    assert!(accepted.len() >= 1000, "accepted {}", accepted.len());
    c.start(1).await;

    let store = Store::connect(c.db.url()).await.unwrap();
    wait_until(&c, 60, "the queue draining", async || {
        let s = store.queue_stats().await.unwrap();
        s.pending + s.running + s.retrying == 0
    })
    .await;
    let mut runs: HashMap<String, usize> = HashMap::new();
    for entry in store
        .audit_entries(Some("installation.added".into()))
        .await
        .unwrap()
    {
        *runs.entry(entry.source.unwrap()).or_default() += 1;
    }
    let twice: Vec<_> = runs.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "processed more than once: {twice:?}");
    let missing: Vec<_> = accepted
        .iter()
        .filter(|id| !runs.contains_key(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "answered 202 but never processed: {missing:?}"
    );
    let stats = store.queue_stats().await.unwrap();
    assert_eq!((stats.dead, stats.running), (0, 0), "{stats:?}");
    // Every stored delivery was processed once. One stored just before the
    // kill may have lost its 202 on the way out; it is processed all the
    // same (GitHub would redeliver it, and the redelivery be acknowledged
    // as a duplicate).
    assert_eq!(
        store.delivery_count("queued").await.unwrap(),
        runs.len() as u64
    );
}

/// The repository runs sprints and has no sprint issue yet: whoever leads
/// the scheduler opens the current sprint at once.
fn repository_running_sprints(c: &Cluster) {
    c.fake.add_installation(INSTALLATION, "acme", &[REPO]);
    c.fake
        .put_file(REPO, ".github/sprintbot.toml", POSTHOG_CONFIG);
    for engineer in ENGINEERS {
        c.fake.set_role(REPO, engineer, "write");
    }
}

/// The sprint issues the App opened, and its team comments by team slug.
fn opened(c: &Cluster) -> (Vec<u64>, HashMap<String, usize>) {
    let issues: Vec<u64> = c
        .fake
        .issues(REPO)
        .into_iter()
        .filter(|i| i.author == BOT_LOGIN)
        .map(|i| i.number)
        .collect();
    let mut teams = HashMap::new();
    for comment in c.fake.comments_all(REPO) {
        for line in comment.body.lines() {
            if let Some((slug, _)) = sprintbot::sprint::markers::parse_team_marker(line) {
                *teams.entry(slug).or_default() += 1;
            }
        }
    }
    (issues, teams)
}

const TEAMS: usize = 5;

fn fully_open(c: &Cluster) -> bool {
    let (issues, teams) = opened(c);
    issues.len() == 1 && teams.len() == TEAMS
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_open_one_sprint_and_apply_fifty_concurrent_goals() {
    let mut c = Cluster::new(3, true).await;
    repository_running_sprints(&c);
    c.start_all().await;
    wait_until(&c, 90, "the sprint opening", async || fully_open(&c)).await;
    // Nobody opens it twice, even given time.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (issues, teams) = opened(&c);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(teams.values().all(|n| *n == 1), "{teams:?}");
    let issue = issues[0];

    // Someone types into the issue while the commands run.
    c.fake.inject(
        "GET",
        &format!("/issues/{issue}"),
        1,
        FaultKind::Mutate(Arc::new(move |st| {
            let i = st.repo(REPO).unwrap().issues.get_mut(&issue).unwrap();
            i.body.push_str("\nA note typed by hand.\n");
        })),
    );
    let mut comments = Vec::new();
    let mut sends = Vec::new();
    for n in 0..50 {
        let author = ENGINEERS[n % ENGINEERS.len()];
        let body = format!("/goal Ship thing {n:02}");
        let id = c.fake.add_comment(REPO, issue, author, &body);
        comments.push(id);
        let mut p = payload("issue_comment.created");
        p["action"] = json!("created");
        p["issue"]["number"] = json!(issue);
        p["issue"]["state"] = json!("open");
        p["comment"]["id"] = json!(id);
        p["comment"]["body"] = json!(body);
        p["comment"]["user"]["login"] = json!(author);
        p["comment"]["user"]["type"] = json!("User");
        p["comment"]["created_at"] = json!(jiff::Timestamp::now().to_string());
        p["repository"]["full_name"] = json!(REPO);
        p["repository"]["id"] = json!(c.fake.repo_id(REPO));
        p["sender"]["login"] = json!(author);
        p["sender"]["type"] = json!("User");
        p["installation"] = json!({ "id": INSTALLATION });
        let d = Delivery::signed("issue_comment", &format!("goal-{n}"), &p, SECRET);
        let url = c.webhook_url(rand::random_range(0..3));
        sends.push(async move { d.send(&reqwest::Client::new(), &url).await });
    }
    let statuses = futures_util::future::join_all(sends).await;
    assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");

    let answered = async || {
        comments
            .iter()
            .all(|id| !c.fake.reactions(REPO, *id).is_empty())
    };
    wait_until(&c, 120, "every /goal answered", answered).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    for id in &comments {
        let reactions: Vec<String> = c
            .fake
            .reactions(REPO, *id)
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        assert_eq!(reactions, ["+1"], "comment {id}\n{}", c.logs());
    }
    let body = c.fake.issue(REPO, issue).unwrap().body;
    let goals = SprintDoc::parse(&body).unwrap().goals().unwrap();
    let mut titles: Vec<String> = goals.into_iter().map(|g| g.title).collect();
    titles.sort();
    let expected: Vec<String> = (0..50).map(|n| format!("Ship thing {n:02}")).collect();
    assert_eq!(titles, expected);
    assert!(body.contains("A note typed by hand."), "{body}");
    c.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_killed_mid_rollover_is_replaced_and_the_rollover_finished_once() {
    let mut c = Cluster::new(3, true).await;
    repository_running_sprints(&c);
    // The first team comment is written, then GitHub's answer hangs: the
    // replica is killed while it waits.
    c.fake.inject(
        "POST",
        "/comments",
        1,
        FaultKind::DelayAfter(Duration::from_secs(120)),
    );
    c.start(0).await;
    wait_until(
        &c,
        60,
        "the rollover reaching the team comments",
        async || c.fake.count("POST", "/comments") >= 1,
    )
    .await;
    c.start(1).await;
    c.start(2).await;
    c.kill(0);
    wait_until(
        &c,
        90,
        "another replica finishing the rollover",
        async || fully_open(&c),
    )
    .await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (issues, teams) = opened(&c);
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(teams.values().all(|n| *n == 1), "{teams:?}\n{}", c.logs());
    assert!(
        (1..3).any(|i| c.log_of(i).contains("this replica runs the scheduler")),
        "no replica took over the scheduler\n{}",
        c.logs()
    );
    c.fake.assert_no_violations();
}

/// What an operator sees when the shared database goes away and comes
/// back: `/readyz` turns 503 naming the database and back to 200, and
/// `sprintbot jobs` reads the same queue the replicas write, or says why
/// it cannot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_and_jobs_follow_the_shared_database() {
    let mut c = Cluster::new(1, false).await;
    c.start_all().await;
    let template = payload("installation_repositories.added");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    for i in 0..3 {
        let d = Delivery::signed(
            "installation_repositories",
            &format!("j-{i}"),
            &template,
            SECRET,
        );
        assert_eq!(d.send(&client, &c.webhook_url(0)).await, 202);
    }
    let readyz = format!("http://127.0.0.1:{}/readyz", c.ports[0]);
    let status = async || {
        let r = client.get(&readyz).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    };
    assert_eq!(status().await, (200, "ready\n".to_string()));

    let db_url = c.db.url().to_string();
    let jobs = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_sprintbot"))
            .arg("jobs")
            .env("SPRINTBOT_DATABASE_URL", &db_url)
            .output()
            .unwrap()
    };
    // With the replica stopped the queue stands still: `jobs` must show
    // what the database holds.
    c.kill(0);
    let store = Store::connect(&db_url).await.unwrap();
    let stats = store.queue_stats().await.unwrap();
    assert!(stats.pending + stats.running + stats.retrying + stats.done >= 3);
    let out = jobs();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    let summary = format!(
        "pending {}  running {}  retrying {}  dead {}  done {}",
        stats.pending, stats.running, stats.retrying, stats.dead, stats.done
    );
    assert_eq!(text.lines().next(), Some(summary.as_str()), "{text}");
    let open = store.open_jobs(50).await.unwrap();
    for j in &open {
        assert!(
            text.contains(&format!("{:<36}", j.kind)),
            "{}: {text}",
            j.kind
        );
    }
    drop(store);
    c.start(0).await;
    assert_eq!(status().await.0, 200);

    c.db.set_reachable(false);
    wait_until(&c, 20, "/readyz to report the database", async || {
        status().await
            == (
                503,
                "not ready: the postgres database does not answer\n".into(),
            )
    })
    .await;
    let out = jobs();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error:") && err.contains("is not currently accepting connections"),
        "{err}"
    );

    c.db.set_reachable(true);
    wait_until(&c, 20, "/readyz to recover", async || {
        status().await.0 == 200
    })
    .await;
}
