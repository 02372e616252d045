//! A whole bot for scenario tests: the real webhook router and worker with
//! every handler (`sprintbot::app::handlers`), a fake GitHub holding a
//! repository with the example config and an open sprint issue written by
//! the App, and a clock the test controls. Tests talk like users:
//! `s.comment("kappa90", "/goal Ship X")`, `s.edit(...)`, `s.crash()`.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sprintbot::config::deploy::{Secret, WorkerConfig};
use sprintbot::context::Context;
use sprintbot::github::auth::AppCredentials;
use sprintbot::github::clock::{Clock, ManualClock};
use sprintbot::github::transport::Policy;
use sprintbot::github::{GitHubApp, InstallationId, RepoRef};
use sprintbot::sprint::body::{Goal, SprintDoc};
use sprintbot::worker::Worker;
use tokio::sync::watch;

use super::bot::{SECRET, TestBot};
use super::fake_github::{APP_ID, BOT_LOGIN, FakeComment, FakeGitHub, PRIVATE_KEY};
use super::sprint::{POSTHOG_CONFIG, fresh_body, posthog_config};
use super::webhooks::{Delivery, payload};

pub const REPO: &str = "acme/app";
pub const REPO_ID: u64 = 1296269;
pub const INSTALLATION: u64 = 7;
pub const BOT: &str = BOT_LOGIN;

pub struct Scenario {
    pub fake: FakeGitHub,
    pub bot: TestBot,
    pub clock: ManualClock,
    pub issue: u64,
    pub commands: Arc<Context>,
    stop: Option<watch::Sender<bool>>,
    worker: Option<tokio::task::JoinHandle<()>>,
    /// The name the running worker claims jobs under.
    claimant: String,
}

fn worker_config() -> WorkerConfig {
    WorkerConfig {
        concurrency: 4,
        max_attempts: 3,
        backoff_base_ms: 50,
        backoff_max_ms: 400,
        shutdown_deadline_secs: 5,
        ..WorkerConfig::default()
    }
}

impl Scenario {
    /// Wednesday of sprint 1.42.0 2/2, with engineers (write access), a
    /// triager (triage), a maintainer and a reader on the repository.
    pub async fn start() -> Scenario {
        Scenario::start_with_config(POSTHOG_CONFIG).await
    }

    pub async fn start_with_config(config: &str) -> Scenario {
        let mut s = Scenario::start_bare(config, "2022-11-16T12:00:00Z").await;
        let title = "Sprint 1.42.0 2/2 - Nov 14 - Nov 25";
        s.issue = s.fake.add_issue(
            REPO,
            title,
            &fresh_body(&posthog_config(), "2022-11-16"),
            &["sprint"],
            BOT,
        );
        s
    }

    /// The repository with `config` and the same people, at `now`, and no
    /// sprint issue yet (`issue` is 0).
    pub async fn start_bare(config: &str, now: &str) -> Scenario {
        sprintbot::telemetry::metrics();
        let clock = ManualClock::new(now.parse().unwrap());
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let fake = FakeGitHub::start(shared.clone()).await;
        fake.add_installation(INSTALLATION, "acme", &[REPO]);
        fake.put_file(REPO, ".github/sprintbot.toml", config);
        for engineer in ["mariusandra", "kappa90", "tiina303", "benjackwhite"] {
            fake.set_role(REPO, engineer, "write");
        }
        fake.set_role(REPO, "timgl", "triage");
        fake.set_role(REPO, "macobo", "maintain");
        fake.set_role(REPO, "visitor", "read");
        let issue = 0;
        let bot = TestBot::start().await;
        let commands = Scenario::commands_for(&fake, &bot, &clock);
        let mut s = Scenario {
            fake,
            bot,
            clock,
            issue,
            commands,
            stop: None,
            worker: None,
            claimant: String::new(),
        };
        s.start_worker();
        s
    }

    fn commands_for(fake: &FakeGitHub, bot: &TestBot, clock: &ManualClock) -> Arc<Context> {
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let key = AppCredentials::from_pem(APP_ID, &Secret::new(PRIVATE_KEY)).unwrap();
        let policy = Policy {
            timeout: Duration::from_secs(5),
            max_attempts: 2,
            ..Policy::default()
        };
        let app = GitHubApp::new(&fake.url(), key, shared.clone(), policy).unwrap();
        let mut commands =
            Context::new(Arc::new(app), bot.store.clone(), shared, toml::Table::new());
        // A lease a crashed worker left behind runs out in a second here.
        commands.lease_ms = 1_000;
        Arc::new(commands)
    }

    /// Start (or restart) the worker, as a new process would: with fresh
    /// caches, and jobs a dead worker left running put back in the queue.
    pub fn start_worker(&mut self) {
        self.commands = Scenario::commands_for(&self.fake, &self.bot, &self.clock);
        let handlers = sprintbot::app::handlers(&self.commands);
        let (stop, rx) = watch::channel(false);
        let worker = Worker::new(
            self.bot.store.clone(),
            handlers,
            worker_config(),
            self.bot.jobs_ready.clone(),
        )
        .with_clock(Arc::new(self.clock.clone()));
        self.claimant = worker.claimant().to_string();
        self.worker = Some(tokio::spawn(worker.run(rx)));
        self.stop = Some(stop);
    }

    /// Stop the worker gracefully.
    pub async fn stop_worker(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(true).unwrap();
        }
        if let Some(w) = self.worker.take() {
            w.await.unwrap();
        }
    }

    /// Kill the worker where it stands (as `kill -9` would), mid-job.
    pub async fn crash(&mut self) {
        if let Some(w) = self.worker.take() {
            w.abort();
            let _ = w.await;
        }
        self.stop = None;
        // Aborted job tasks stop at their next await; a request already on
        // the wire still reaches GitHub, as one in flight when a process is
        // killed does. A new process is not up within microseconds: let
        // those land before anything restarts.
        tokio::time::sleep(Duration::from_millis(100)).await;
        // The dead worker's claims lapse (here at once rather than after
        // `claim_ms`), so the next worker takes its jobs over.
        self.bot.store.release_claims(&self.claimant).await.unwrap();
    }

    /// The process stops and a new one starts with an empty store (its
    /// database was lost), on the same GitHub and clock.
    pub async fn lose_store(&mut self) {
        self.stop_worker().await;
        self.bot = TestBot::start().await;
        self.start_worker();
    }

    /// What `serve` does at start-up: catch up on commands nobody told it about.
    pub async fn catch_up(&self) {
        // Like `serve`, it tries again when GitHub fails for a moment.
        let mut effects = None;
        for _ in 0..5 {
            match self
                .commands
                .catch_up_repo(
                    InstallationId(INSTALLATION),
                    &RepoRef::new("acme", "app"),
                    Some(REPO_ID),
                )
                .await
            {
                Ok(e) => {
                    effects = Some(e);
                    break;
                }
                Err(e) => eprintln!("catch-up failed, trying again: {e}"),
            }
        }
        let effects = effects.expect("catch-up succeeds within five tries");
        self.bot.store.apply_effects(effects).await.unwrap();
        self.bot.jobs_ready.notify_one();
        self.settle().await;
    }

    /// The webhook GitHub sends for a comment event on `issue`.
    pub fn comment_payload(
        &self,
        action: &str,
        issue: u64,
        id: u64,
        author: &str,
        body: &str,
    ) -> serde_json::Value {
        let mut p = payload(&format!("issue_comment.{action}"));
        p["action"] = json!(action);
        p["issue"]["number"] = json!(issue);
        p["issue"]["state"] = json!("open");
        p["comment"]["id"] = json!(id);
        p["comment"]["body"] = json!(body);
        p["comment"]["user"]["login"] = json!(author);
        p["comment"]["user"]["type"] = json!(if author.ends_with("[bot]") {
            "Bot"
        } else {
            "User"
        });
        p["comment"]["created_at"] = json!(super::fake_github::github_time(self.clock.now()));
        p["repository"]["full_name"] = json!(REPO);
        p["repository"]["id"] = json!(REPO_ID);
        p["sender"]["login"] = json!(author);
        p["sender"]["type"] = json!(if author.ends_with("[bot]") {
            "Bot"
        } else {
            "User"
        });
        p["installation"] = json!({ "id": INSTALLATION });
        p
    }

    /// GitHub delivers an `issue_comment` event with this payload.
    pub async fn send_comment_event(&self, payload: &serde_json::Value) -> u16 {
        self.fake
            .send_webhook(&self.bot.webhook_url(), SECRET, "issue_comment", payload)
            .await
    }

    /// `author` comments `body` on issue `issue`; GitHub delivers the webhook.
    pub async fn comment_on(&self, issue: u64, author: &str, body: &str) -> u64 {
        let id = self.fake.add_comment(REPO, issue, author, body);
        let p = self.comment_payload("created", issue, id, author, body);
        assert_eq!(self.send_comment_event(&p).await, 202);
        id
    }

    /// `author` comments on the sprint issue, and the bot has finished with it.
    pub async fn comment(&self, author: &str, body: &str) -> u64 {
        let id = self.comment_on(self.issue, author, body).await;
        self.settle().await;
        id
    }

    /// `editor` changes comment `id` (written by `author`) to `body`;
    /// GitHub delivers the `edited` event with the body it had before.
    pub async fn edit(&self, id: u64, author: &str, editor: &str, body: &str) {
        let before = self.fake.edit_comment(REPO, id, body);
        let issue = self
            .fake
            .comments_all(REPO)
            .into_iter()
            .find(|c| c.id == id)
            .map_or(self.issue, |c| c.issue);
        let mut p = self.comment_payload("edited", issue, id, author, body);
        p["changes"] = json!({ "body": { "from": before } });
        p["sender"]["login"] = json!(editor);
        assert_eq!(self.send_comment_event(&p).await, 202);
    }

    /// Deliver a prepared delivery (to test redeliveries).
    pub async fn deliver(&self, d: &Delivery) -> u16 {
        d.send(&self.bot.client, &self.bot.webhook_url()).await
    }

    /// Wait until no job is running or due soon (a job deferred for a
    /// minute or more, such as a rollover waiting on a repair, counts as
    /// settled).
    pub async fn settle(&self) {
        super::settle::settle(
            &self.bot.store,
            &self.clock,
            &self.bot.jobs_ready,
            Duration::from_secs(60),
        )
        .await
    }

    pub fn body(&self) -> String {
        self.fake.issue(REPO, self.issue).unwrap().body
    }

    pub fn goals(&self) -> Vec<Goal> {
        SprintDoc::parse(&self.body()).unwrap().goals().unwrap()
    }

    pub fn reactions(&self, comment: u64) -> Vec<String> {
        self.fake
            .reactions(REPO, comment)
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    }

    /// The bot's replies on an issue.
    pub fn replies(&self, issue: u64) -> Vec<FakeComment> {
        self.fake
            .comments(REPO, issue)
            .into_iter()
            .filter(|c| c.author == BOT)
            .collect()
    }

    /// The scheduler's rollover job for this repository runs now.
    pub async fn rollover_due(&self) {
        use sprintbot::work::{RolloverJob, RolloverTarget, rollover_job};
        let job = RolloverJob {
            installation: INSTALLATION,
            repo: REPO.into(),
            repo_id: Some(REPO_ID),
            target: RolloverTarget::Due,
            answer: None,
        };
        let key = format!("rollover/{REPO}/test-{}", self.clock.now());
        self.bot
            .store
            .enqueue(rollover_job(key, &job))
            .await
            .unwrap();
        self.bot.jobs_ready.notify_one();
        self.settle().await;
    }

    /// Jobs that went to the dead letters.
    pub async fn dead_jobs(&self) -> u64 {
        self.bot.store.queue_stats().await.unwrap().dead
    }

    /// Requests the bot made since `from` (an index into the request log).
    pub fn requests_since(&self, from: usize) -> Vec<String> {
        self.fake.requests()[from..]
            .iter()
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }
}

impl Drop for Scenario {
    fn drop(&mut self) {
        if let Some(w) = self.worker.take() {
            w.abort();
        }
        if !std::thread::panicking() {
            self.fake.assert_no_violations();
        }
    }
}
