//! A repository with a long sprint history for rollover stories about the
//! retro's extras: H closed sprint issues and an open previous one, written
//! with health off (so none records the history), two goals each (one
//! done); the previous one's unfinished goal links an issue that is its
//! sub-issue; pull requests merged before and during the previous sprint.
//! The rollover runs as `tick` runs it, with a token, and its calls are
//! read from the fake's log.

use std::sync::Arc;

use sprintbot::config::deploy::Secret;
use sprintbot::config::repo::{self, RepoConfig};
use sprintbot::context::Context;
use sprintbot::github::clock::{Clock, ManualClock};
use sprintbot::github::transport::Policy;
use sprintbot::github::{Client, GitHub, RepoRef, TokenIdentity, token_client};
use sprintbot::lifecycle::{self, Goal, lease::leased};
use sprintbot::sprint::Login;
use sprintbot::sprint::body::{Change, SprintDoc};
use sprintbot::sprint::markers::team_marker;
use sprintbot::sprint::rollover::{self, Previous};
use sprintbot::store::Store;

use super::fake_github::{ACTIONS_BOT, FakeGitHub};
use super::sprint::POSTHOG_CONFIG;

pub const REPO: &str = "acme/app";

/// The example's cadence with `teams` teams and every retro feature on.
pub fn config_text(teams: usize) -> String {
    let cut = POSTHOG_CONFIG.find("[engineers]").unwrap();
    let mut s: String = (0..teams)
        .map(|i| format!("[[teams]]\nname = \"Team {i}\"\nmembers = [\"kappa90\", \"dev{i}\"]\n\n"))
        .collect();
    s.push_str(&POSTHOG_CONFIG[cut..]);
    s.replace("goals_as_sub_issues = false", "goals_as_sub_issues = true")
        .replace("pin_summary = false", "pin_summary = true")
        .replace(
            "carry_unfinished_goals = false",
            "carry_unfinished_goals = true",
        )
}

pub struct World {
    pub fake: FakeGitHub,
    pub clock: ManualClock,
    pub gh: Arc<Client>,
    pub config: RepoConfig,
    pub text: String,
    /// The sprint issues, oldest first; the last is the previous (open) one.
    pub issues: Vec<u64>,
    dir: tempfile::TempDir,
}

fn apply(body: &str, change: Change) -> String {
    SprintDoc::parse(body).unwrap().apply(&change).unwrap().body
}

impl World {
    /// H closed sprint issues and the previous one, written with health off
    /// (so none records the history), two goals each (one done); the
    /// previous one's unfinished goal links an issue that is its sub-issue.
    pub async fn start(text: &str, h: usize) -> World {
        let text = text.to_string();
        let config = repo::parse("t.toml", &text, &toml::Table::new()).unwrap();
        let clock = ManualClock::new("2022-10-03T00:00:00Z".parse().unwrap());
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let fake = FakeGitHub::start(shared.clone()).await;
        fake.add_repo(REPO);
        fake.add_plain_token("ghp_actions");
        fake.put_file(REPO, ".github/sprintbot.toml", &text);
        let gh = Arc::new(
            token_client(
                &fake.url(),
                Secret::new("ghp_actions"),
                shared,
                Policy::default(),
            )
            .unwrap(),
        );
        let mut settings = config.rollover_settings();
        settings.health = false;
        settings.carry_unfinished_goals = false;
        let linked = fake.add_issue(REPO, "Linked work", "", &[], "kappa90");
        let mut issues = Vec::new();
        let mut prev: Option<(u64, String)> = None;
        for idx in 0..=h as i64 {
            let sprint = config.cadence.sprint(idx);
            let label = config.numbering.label(idx).unwrap();
            let previous = prev.as_ref().map(|(n, body)| Previous {
                issue: *n,
                doc: SprintDoc::parse(body).unwrap(),
                team_comments: vec![],
                earlier: vec![],
                shipped: None,
            });
            let plan =
                rollover::plan(previous.as_ref(), &settings, &sprint, &label, vec![]).unwrap();
            let last = idx == h as i64;
            let title = if last {
                format!("Ship it (#{linked})")
            } else {
                "Ship it".into()
            };
            let mut body = apply(
                &plan.body,
                Change::AddGoal {
                    title: "Done".into(),
                    owner: Some(Login("kappa90".into())),
                    why: None,
                },
            );
            body = apply(
                &body,
                Change::AddGoal {
                    title,
                    owner: Some(Login("kappa90".into())),
                    why: None,
                },
            );
            // A carried goal comes first: tick the one named "Done".
            let n = SprintDoc::parse(&body)
                .unwrap()
                .goals()
                .unwrap()
                .iter()
                .position(|g| g.title == "Done")
                .unwrap()
                + 1;
            body = apply(&body, Change::Tick(n));
            let number = fake.add_issue(REPO, &plan.title, &body, &["sprint"], ACTIONS_BOT);
            if last {
                for t in &config.teams {
                    fake.add_comment(REPO, number, ACTIONS_BOT, &team_marker(&t.slug, sprint.id));
                }
                fake.add_sub_issues(REPO, number, &[linked]);
            } else {
                fake.set_issue_open(REPO, number, false);
            }
            issues.push(number);
            prev = Some((number, body));
        }
        World {
            fake,
            clock,
            gh,
            config,
            text,
            issues,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// `m` pull requests merged during the previous sprint and 150 before it.
    pub fn merge(&self, m: usize) {
        let previous = self.config.cadence.sprint(self.issues.len() as i64 - 1);
        let at = |t: jiff::Timestamp| {
            self.clock
                .set(t.checked_add(jiff::SignedDuration::from_hours(2)).unwrap())
        };
        at(previous
            .opens_at
            .checked_sub(jiff::SignedDuration::from_hours(48))
            .unwrap());
        for i in 0..150 {
            let n = self
                .fake
                .open_pull_request(REPO, &format!("Old {i}"), "kappa90", "main");
            self.fake.close_pull_request(REPO, n, true);
        }
        at(previous.opens_at);
        for i in 0..m {
            let n = self
                .fake
                .open_pull_request(REPO, &format!("New {i}"), "dev0", "main");
            self.fake.close_pull_request(REPO, n, true);
        }
    }

    /// The rollover due at the next opening instant, which must open the
    /// new issue; returns the calls it made.
    pub async fn roll(&self) -> Vec<String> {
        let (done, calls) = self.try_roll().await;
        assert!(done.unwrap().created);
        calls
    }

    /// The rollover due at the next opening instant; what it did and the
    /// calls it made.
    pub async fn try_roll(
        &self,
    ) -> (
        Result<lifecycle::Report, lifecycle::LifecycleError>,
        Vec<String>,
    ) {
        self.try_roll_on(self.gh.as_ref()).await
    }

    /// The rollover due at the next opening instant, through `gh` (a dry run).
    pub async fn try_roll_on(
        &self,
        gh: &dyn GitHub,
    ) -> (
        Result<lifecycle::Report, lifecycle::LifecycleError>,
        Vec<String>,
    ) {
        let next = self.config.cadence.sprint(self.issues.len() as i64);
        self.clock.set(next.opens_at);
        let store = Store::open(&self.dir.path().join("bot.db")).unwrap();
        let identity = Arc::new(TokenIdentity::new(self.gh.clone(), None));
        let commands = Context::new(
            identity,
            store.clone(),
            Arc::new(self.clock.clone()),
            toml::Table::new(),
        );
        let bot = Login(ACTIONS_BOT.into());
        let repo = RepoRef::new("acme", "app");
        // The config is read first, as every run does; its calls are not counted.
        let loaded = commands
            .config(self.gh.as_ref(), &repo, None, &bot)
            .await
            .unwrap();
        assert!(loaded.config.is_some(), "{}", self.text);
        let from = self.fake.requests().len();
        let r = lifecycle::Repo {
            commands: &commands,
            gh,
            installation: 0,
            repo: &repo,
            repo_id: None,
            bot: &bot,
            loaded: &loaded,
            config: loaded.config.as_ref().unwrap(),
        };
        let done = leased(
            &store,
            &repo,
            std::time::Duration::from_secs(5),
            45_000,
            async || lifecycle::open(&r, Goal::Due(next.opens_at)).await,
        )
        .await
        .map(|d| d.report.expect("a rollover report"));
        self.fake.assert_no_violations();
        let calls = self.fake.requests()[from..]
            .iter()
            .filter(|r| !r.path.contains("/contents/"))
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        (done, calls)
    }

    pub fn newest_body(&self) -> String {
        self.fake
            .issues(REPO)
            .into_iter()
            .rfind(|i| i.labels == ["sprint"])
            .unwrap()
            .body
    }
}

impl World {
    pub fn set_labels(&self, n: u64, labels: &[&str]) {
        let labels: Vec<String> = labels.iter().map(|l| l.to_string()).collect();
        self.fake.edit_issue_labels(REPO, n, labels);
    }
}
