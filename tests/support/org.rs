//! An organisation for scheduler stories: the fake GitHub with installations
//! of many repositories, the real webhook router and worker with every
//! handler, and the scheduler, all on one manual clock the test moves.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use sprintbot::config::deploy::{Secret, WorkerConfig};
use sprintbot::context::Context;
use sprintbot::github::GitHubApp;
use sprintbot::github::auth::AppCredentials;
use sprintbot::github::clock::{Clock, ManualClock};
use sprintbot::github::transport::Policy;
use sprintbot::lifecycle::scheduler::{Scheduler, Settings};
use sprintbot::worker::Worker;
use tokio::sync::watch;

use super::bot::{SECRET, TestBot};
use super::fake_github::{APP_ID, BOT_LOGIN, FakeGitHub, PRIVATE_KEY};
use super::sprint::{POSTHOG_CONFIG, fresh_body, posthog_config};

pub struct Org {
    pub fake: FakeGitHub,
    pub bot: TestBot,
    pub clock: ManualClock,
    pub commands: Arc<Context>,
    pub scheduler: Scheduler,
    stop: watch::Sender<bool>,
    worker: tokio::task::JoinHandle<()>,
}

/// One process's state: its GitHub client (tokens, caches), command
/// context, scheduler and running worker, over `bot`'s store.
struct Process {
    commands: Arc<Context>,
    scheduler: Scheduler,
    stop: watch::Sender<bool>,
    worker: tokio::task::JoinHandle<()>,
}

fn process(fake: &FakeGitHub, clock: &ManualClock, bot: &TestBot) -> Process {
    let shared: Arc<dyn Clock> = Arc::new(clock.clone());
    let key = AppCredentials::from_pem(APP_ID, &Secret::new(PRIVATE_KEY)).unwrap();
    let policy = Policy {
        timeout: Duration::from_secs(5),
        ..Policy::default()
    };
    let app = Arc::new(GitHubApp::new(&fake.url(), key, shared.clone(), policy).unwrap());
    let commands = Arc::new(Context::new(
        app.clone(),
        bot.store.clone(),
        shared.clone(),
        toml::Table::new(),
    ));
    let config = WorkerConfig {
        concurrency: 4,
        per_installation: 2,
        backoff_base_ms: 1_000,
        ..WorkerConfig::default()
    };
    let (stop, rx) = watch::channel(false);
    let worker = Worker::new(
        bot.store.clone(),
        sprintbot::app::handlers(&commands),
        config,
        bot.jobs_ready.clone(),
    )
    .with_clock(shared);
    let worker = tokio::spawn(worker.run(rx));
    let scheduler = Scheduler {
        app,
        commands: commands.clone(),
        jobs_ready: bot.jobs_ready.clone(),
        settings: Settings::default(),
        reminders_done: Default::default(),
    };
    Process {
        commands,
        scheduler,
        stop,
        worker,
    }
}

impl Org {
    /// The org at `now`, with no installation yet.
    pub async fn start(now: &str) -> Org {
        let clock = ManualClock::new(now.parse().unwrap());
        let fake = FakeGitHub::start(Arc::new(clock.clone())).await;
        Org::on(fake, clock).await
    }

    /// A new bot process, with an empty store of its own, for the org on
    /// `fake` (a restart that lost its database, or a second replica).
    pub async fn on(fake: FakeGitHub, clock: ManualClock) -> Org {
        sprintbot::telemetry::metrics();
        let bot = TestBot::start().await;
        fake.set_webhook_target(&bot.webhook_url(), SECRET);
        let p = process(&fake, &clock, &bot);
        Org {
            fake,
            bot,
            clock,
            commands: p.commands,
            scheduler: p.scheduler,
            stop: p.stop,
            worker: p.worker,
        }
    }

    /// The process stops (its jobs finish or are put back) and a new one
    /// starts on the same store: fresh caches, a fresh scheduler, and
    /// `serve`'s start-up.
    pub async fn restart(&mut self) {
        self.stop.send(true).unwrap();
        (&mut self.worker).await.unwrap();
        let p = process(&self.fake, &self.clock, &self.bot);
        self.commands = p.commands;
        self.scheduler = p.scheduler;
        self.stop = p.stop;
        self.worker = p.worker;
        self.scheduler.start_up().await;
    }

    /// The process stops and a new one starts with an empty store (its
    /// database was lost), on the same GitHub and clock.
    pub async fn lose_store(&mut self) {
        self.stop.send(true).unwrap();
        (&mut self.worker).await.unwrap();
        self.bot = TestBot::start().await;
        self.fake
            .set_webhook_target(&self.bot.webhook_url(), SECRET);
        let p = process(&self.fake, &self.clock, &self.bot);
        self.commands = p.commands;
        self.scheduler = p.scheduler;
        self.stop = p.stop;
        self.worker = p.worker;
        self.scheduler.start_up().await;
    }

    /// An installation with `n` repositories `acme/repo-0`…; those in
    /// `enabled` have the example config and a sprint issue for the sprint
    /// containing `sprint_date`, opened by the App.
    pub fn install(
        &self,
        id: u64,
        account: &str,
        n: usize,
        enabled: &[usize],
        sprint_date: &str,
    ) -> Vec<String> {
        let names: Vec<String> = (0..n).map(|i| format!("{account}/repo-{i}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        self.fake.add_installation(id, account, &refs);
        for i in enabled {
            let repo = &names[*i];
            self.fake
                .put_file(repo, ".github/sprintbot.toml", POSTHOG_CONFIG);
            for engineer in ["kappa90", "tiina303"] {
                self.fake.set_role(repo, engineer, "write");
            }
            let issue = self.fake.add_issue(
                repo,
                "Sprint",
                &fresh_body(&posthog_config(), sprint_date),
                &["sprint"],
                BOT_LOGIN,
            );
            // Its opening was completed: every team has its comment.
            let config = posthog_config();
            let sprint = config
                .cadence
                .sprint_containing(sprint_date.parse().unwrap());
            for team in &config.teams {
                let marker = sprintbot::sprint::markers::team_marker(&team.slug, sprint.id);
                self.fake.add_comment(
                    repo,
                    issue,
                    BOT_LOGIN,
                    &format!("{marker}\nTeam {}", team.name),
                );
            }
        }
        names
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    pub fn at(&self, t: &str) {
        self.clock.set(t.parse().unwrap());
        self.bot.jobs_ready.notify_waiters();
    }

    /// Wait until no job runs or is due; retries due within `horizon` move
    /// the clock forward to them.
    pub async fn settle_within(&self, horizon: Duration) {
        super::settle::settle(&self.bot.store, &self.clock, &self.bot.jobs_ready, horizon).await
    }

    /// Wait until no job runs or is due now (the clock does not move).
    pub async fn settle(&self) {
        self.settle_within(Duration::ZERO).await
    }

    /// Run the scheduler from now until `end`: step, let the jobs run, move
    /// the clock to whatever comes next, in at most `tick` at a time.
    pub async fn run_until(&self, end: Timestamp, tick: Duration) {
        loop {
            let now = self.clock.now();
            let step = self.scheduler.step(now).await;
            self.settle().await;
            let next = step
                .next
                .unwrap_or(end)
                .min(now.checked_add(tick).unwrap())
                .min(end);
            let next_job = self.bot.store.next_due_ms().await.unwrap();
            let next = match next_job {
                Some(at) if at > now.as_millisecond() && at < next.as_millisecond() => {
                    Timestamp::from_millisecond(at).unwrap()
                }
                _ => next,
            };
            if now >= end {
                return;
            }
            self.clock
                .set(next.max(now.checked_add(Duration::from_millis(1)).unwrap()));
            self.bot.jobs_ready.notify_waiters();
        }
    }

    /// [`Org::run_until`] as `serve` runs it: a job that wakes the
    /// scheduler (`Context::wake`) gets another step at once, which the
    /// clock counts as one second. Returns how many steps there were.
    pub async fn run_waking(&self, end: Timestamp, tick: Duration) -> usize {
        match self.run_waking_at_most(end, tick, usize::MAX).await {
            Ok(steps) | Err(steps) => steps,
        }
    }

    /// [`Org::run_waking`], stopping after `max` steps: `Err` when the
    /// scheduler needed more to reach `end` (it spins).
    pub async fn run_waking_at_most(
        &self,
        end: Timestamp,
        tick: Duration,
        max: usize,
    ) -> Result<usize, usize> {
        use futures_util::FutureExt as _;
        let mut steps = 0;
        loop {
            if steps >= max {
                return Err(steps);
            }
            let now = self.clock.now();
            let step = self.scheduler.step(now).await;
            steps += 1;
            self.settle().await;
            let woken = self.commands.wake.notified().now_or_never().is_some();
            let mut next = step
                .next
                .unwrap_or(end)
                .min(now.checked_add(tick).unwrap())
                .min(end);
            if woken {
                next = next.min(now.checked_add(Duration::from_secs(1)).unwrap());
            }
            if let Some(at) = self.bot.store.next_due_ms().await.unwrap()
                && at > now.as_millisecond()
                && at < next.as_millisecond()
            {
                next = Timestamp::from_millisecond(at).unwrap();
            }
            if now >= end {
                return Ok(steps);
            }
            self.clock
                .set(next.max(now.checked_add(Duration::from_millis(1)).unwrap()));
            self.bot.jobs_ready.notify_waiters();
        }
    }

    /// Requests made since `from` (an index into the fake's log).
    pub fn calls_since(&self, from: usize) -> Vec<String> {
        self.fake.requests()[from..]
            .iter()
            .map(|r| {
                format!(
                    "{} {}{}",
                    r.method,
                    r.path,
                    if r.conditional { " (conditional)" } else { "" }
                )
            })
            .collect()
    }
}
