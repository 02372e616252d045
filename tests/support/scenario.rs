//! A whole bot for scenario tests: the real webhook router and worker with
//! the command handler, a fake GitHub holding a repository with the example
//! config and an open sprint issue, and a clock the test controls.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sprintbot::commands::apply::CommandsHandler;
use sprintbot::config::deploy::{Secret, WorkerConfig};
use sprintbot::github::GitHubApp;
use sprintbot::github::auth::AppCredentials;
use sprintbot::github::clock::{Clock, ManualClock};
use sprintbot::github::transport::Policy;
use sprintbot::sprint::body::{Goal, SprintDoc};
use sprintbot::worker::{Handlers, Worker};
use tokio::sync::watch;

use super::bot::{SECRET, TestBot};
use super::fake_github::{APP_ID, FakeComment, FakeGitHub, PRIVATE_KEY};
use super::sprint::{EXAMPLE_CONFIG, example_config, fresh_body};
use super::webhooks::{Delivery, payload};

pub const REPO: &str = "acme/app";
pub const INSTALLATION: u64 = 7;
pub const BOT: &str = "sprintbot[bot]";

pub struct Scenario {
    pub fake: FakeGitHub,
    pub bot: TestBot,
    pub clock: ManualClock,
    pub issue: u64,
    pub commands: Option<Arc<CommandsHandler>>,
    stop: Option<watch::Sender<bool>>,
    worker: Option<tokio::task::JoinHandle<()>>,
}

impl Scenario {
    /// Wednesday of sprint 1.42.0 2/2, with engineers (write access) and a
    /// triager (triage) and a reader (read) on the repository.
    pub async fn start() -> Scenario {
        sprintbot::telemetry::metrics();
        let clock = ManualClock::new("2022-11-16T12:00:00Z".parse().unwrap());
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let fake = FakeGitHub::start(shared.clone()).await;
        fake.add_installation(INSTALLATION, "acme", &[REPO]);
        fake.put_file(REPO, ".github/sprintbot.toml", EXAMPLE_CONFIG);
        for engineer in ["mariusandra", "kappa90", "tiina303", "benjackwhite"] {
            fake.set_role(REPO, engineer, "write");
        }
        fake.set_role(REPO, "timgl", "triage");
        fake.set_role(REPO, "visitor", "read");
        let title = "Sprint 1.42.0 2/2 - Nov 14 - Nov 25";
        let issue = fake.add_issue(
            REPO,
            title,
            &fresh_body(&example_config(), "2022-11-16"),
            &["sprint"],
            BOT,
        );
        let bot = TestBot::start().await;
        let mut s = Scenario {
            fake,
            bot,
            clock,
            issue,
            commands: None,
            stop: None,
            worker: None,
        };
        s.start_worker();
        s
    }

    /// Start (or restart) the worker.
    pub fn start_worker(&mut self) {
        let shared: Arc<dyn Clock> = Arc::new(self.clock.clone());
        let key = AppCredentials::from_pem(APP_ID, &Secret::new(PRIVATE_KEY)).unwrap();
        let policy = Policy {
            timeout: Duration::from_secs(5),
            ..Policy::default()
        };
        let app = GitHubApp::new(&self.fake.url(), key, shared.clone(), policy).unwrap();
        let mut handlers = Handlers::standard();
        let commands = Arc::new(CommandsHandler::new(
            Arc::new(app),
            self.bot.store.clone(),
            shared,
            toml::Table::new(),
        ));
        handlers.insert("webhook:issue_comment", commands.clone());
        self.commands = Some(commands);
        let config = WorkerConfig {
            concurrency: 4,
            max_attempts: 3,
            backoff_base_ms: 50,
            backoff_max_ms: 500,
            shutdown_deadline_secs: 5,
        };
        let (stop, rx) = watch::channel(false);
        let worker = Worker::new(
            self.bot.store.clone(),
            handlers,
            config,
            self.bot.jobs_ready.clone(),
        );
        self.worker = Some(tokio::spawn(worker.run(rx)));
        self.stop = Some(stop);
    }

    /// What `serve` does at start-up: apply commands nobody told it about.
    pub async fn catch_up(&self) -> usize {
        let commands = self.commands.as_ref().expect("worker started");
        commands
            .catch_up(sprintbot::github::InstallationId(INSTALLATION))
            .await
            .unwrap()
    }

    pub async fn stop_worker(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(true).unwrap();
        }
        if let Some(w) = self.worker.take() {
            w.await.unwrap();
        }
    }

    /// The webhook GitHub sends for a comment on `issue`.
    pub fn comment_payload(
        &self,
        issue: u64,
        id: u64,
        author: &str,
        body: &str,
    ) -> serde_json::Value {
        let mut p = payload("issue_comment.created");
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
        p["repository"]["full_name"] = json!(REPO);
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
        let p = self.comment_payload(issue, id, author, body);
        assert_eq!(self.send_comment_event(&p).await, 202);
        id
    }

    /// `author` comments on the sprint issue, and the bot has finished with it.
    pub async fn comment(&self, author: &str, body: &str) -> u64 {
        let id = self.comment_on(self.issue, author, body).await;
        self.settle().await;
        id
    }

    /// Deliver a prepared delivery (to test redeliveries).
    pub async fn deliver(&self, d: &Delivery) -> u16 {
        d.send(&self.bot.client, &self.bot.webhook_url()).await
    }

    /// Wait until the job queue is empty.
    pub async fn settle(&self) {
        for _ in 0..600 {
            let s = self.bot.store.queue_stats().await.unwrap();
            if s.pending + s.running + s.retrying == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the bot did not finish its jobs");
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
}

impl Drop for Scenario {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.fake.assert_no_violations();
        }
    }
}
