//! Stories of sprints opening on their own: the first sprint, a full
//! two-sprint story, exactly once however often it runs, resuming after a
//! failure at any step, catching up after downtime, and the calls it costs.

mod support;

use std::sync::Arc;

use sprintbot::config::deploy::Secret;
use sprintbot::context::Context;
use sprintbot::github::clock::{Clock, ManualClock};
use sprintbot::github::transport::Policy;
use sprintbot::github::{Client, GitHub, IssueNumber, RepoRef, TokenIdentity, token_client};
use sprintbot::lifecycle::lease::leased;
use sprintbot::lifecycle::{self, Goal, dry_run::DryRun};
use sprintbot::repos::{ERROR_TITLE, Loaded};
use sprintbot::sprint::Login;
use sprintbot::sprint::body::{Change, SprintDoc};
use sprintbot::sprint::markers::Section;
use sprintbot::sprint::team::TeamDoc;
use sprintbot::store::Store;
use support::fake_github::FakeGitHub;
use support::sprint::POSTHOG_CONFIG;

const REPO: &str = "acme/app";

/// A repository config with `teams` teams (the example's cadence), without
/// the retro's shipped list: the calls of the rollover itself are counted
/// here, those of every retro feature in `retro_cost.rs`.
fn config_with_teams(teams: usize) -> String {
    let cut = POSTHOG_CONFIG.find("[engineers]").unwrap();
    let mut s: String = (0..teams)
        .map(|i| format!("[[teams]]\nname = \"Team {i}\"\nmembers = [\"kappa90\"]\n\n"))
        .collect();
    s.push_str(&POSTHOG_CONFIG[cut..]);
    s.replace("shipped = true", "shipped = false")
}

struct World {
    fake: FakeGitHub,
    clock: ManualClock,
    gh: Arc<Client>,
    identity: Arc<TokenIdentity>,
    repo: RepoRef,
    dir: tempfile::TempDir,
}

/// The account Actions' token writes as.
fn bot() -> Login {
    Login(support::fake_github::ACTIONS_BOT.into())
}

impl World {
    /// The example repository at 08:00 London time on Monday 14 Nov 2022,
    /// an hour before sprint 1.42.0 2/2 opens.
    async fn start(config_text: &str) -> World {
        let clock = ManualClock::new("2022-11-14T08:00:00Z".parse().unwrap());
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let fake = FakeGitHub::start(shared.clone()).await;
        fake.add_repo(REPO);
        fake.add_plain_token("ghp_actions");
        fake.put_file(REPO, ".github/sprintbot.toml", config_text);
        let gh = Arc::new(
            token_client(
                &fake.url(),
                Secret::new("ghp_actions"),
                shared,
                Policy::default(),
            )
            .unwrap(),
        );
        World {
            fake,
            clock,
            identity: Arc::new(TokenIdentity::new(gh.clone(), None)),
            gh,
            repo: RepoRef::new("acme", "app"),
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn commands(&self, store: &Store) -> Context {
        let mut c = Context::new(
            self.identity.clone(),
            store.clone(),
            Arc::new(self.clock.clone()),
            toml::Table::new(),
        );
        // Revalidate the config on every run, as a fresh one-shot run does.
        c.config_max_age_ms = 0;
        c
    }

    /// The repository's config through the one loader.
    async fn load(&self, store: &Store) -> Loaded {
        self.commands(store)
            .config(self.gh.as_ref(), &self.repo, None, &bot())
            .await
            .unwrap()
    }

    /// Run a rollover as `tick` and `sprintbot rollover` do.
    async fn run(
        &self,
        store: &Store,
        gh: &dyn GitHub,
        goal: Goal,
    ) -> Result<Option<lifecycle::Report>, lifecycle::LifecycleError> {
        let commands = self.commands(store);
        let bot = bot();
        let loaded = commands.config(gh, &self.repo, None, &bot).await.unwrap();
        let config = loaded.config.clone().expect("a valid config");
        let r = lifecycle::Repo {
            commands: &commands,
            gh,
            installation: 0,
            repo: &self.repo,
            repo_id: None,
            bot: &bot,
            loaded: &loaded,
            config: &config,
        };
        let done = leased(
            store,
            &self.repo,
            std::time::Duration::from_secs(30),
            45_000,
            async || lifecycle::open(&r, goal).await,
        )
        .await?;
        store.apply_effects(done.effects).await.unwrap();
        Ok(done.report)
    }

    fn store(&self) -> Store {
        Store::open(&self.dir.path().join("bot.db")).unwrap()
    }

    fn at(&self, t: &str) {
        self.clock.set(t.parse().unwrap());
    }

    async fn tick(
        &self,
        store: &Store,
    ) -> Result<Option<lifecycle::Report>, lifecycle::LifecycleError> {
        self.run(store, self.gh.as_ref(), Goal::Due(self.clock.now()))
            .await
    }

    /// Issues, their state, comments and pins — what a person would see.
    fn state(&self) -> Vec<String> {
        let mut out = Vec::new();
        for i in self.fake.issues(REPO) {
            out.push(format!("#{} {} open={}", i.number, i.title, i.open));
            for c in self.fake.comments(REPO, i.number) {
                out.push(format!(
                    "  comment: {}",
                    c.body.lines().next().unwrap_or("")
                ));
            }
        }
        let issues = self.fake.issues(REPO);
        let pinned: Vec<u64> = self
            .fake
            .pinned()
            .iter()
            .filter_map(|node| issues.iter().find(|i| &i.node_id == node).map(|i| i.number))
            .collect();
        out.push(format!("pinned: {pinned:?}"));
        out
    }

    /// A person changes the issue body by hand.
    async fn edit_body(&self, n: u64, change: Change) {
        self.fake.edit_issue_body(REPO, n, |body| {
            SprintDoc::parse(body).unwrap().apply(&change).unwrap().body
        });
    }
}

impl Drop for World {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            self.fake.assert_no_violations();
        }
    }
}

#[tokio::test]
async fn nothing_opens_before_the_opening_instant_and_the_first_sprint_opens_cleanly() {
    let w = World::start(POSTHOG_CONFIG).await;
    let store = w.store();
    // 08:00 London is before 09:00: the previous sprint is current, and it
    // opens now (a repository's first sprint is whatever is current).
    w.at("2022-11-14T09:00:00Z");
    let report = w.tick(&store).await.unwrap().unwrap();
    assert!(report.created);
    assert_eq!(report.team_comments_posted, 5);
    let issue = w.fake.issue(REPO, report.issue.0).unwrap();
    assert_eq!(issue.title, "Sprint 1.42.0 2/2 - Nov 14 - Nov 25");
    assert_eq!(issue.labels, ["sprint"]);
    let doc = SprintDoc::parse(&issue.body).unwrap();
    assert!(doc.list(Section::RetroGoals).unwrap().is_empty());
    let teams: Vec<_> = w
        .fake
        .comments(REPO, report.issue.0)
        .iter()
        .filter_map(|c| TeamDoc::parse(&c.body))
        .map(|t| t.slug)
        .collect();
    assert_eq!(
        teams,
        [
            "growth",
            "pipeline",
            "posthog-tv",
            "product-analytics",
            "infrastructure"
        ]
    );
    assert_eq!(
        w.fake.pinned(),
        [format!("I_kw{}", {
            w.fake.issue(REPO, report.issue.0).unwrap().id
        })]
    );
    assert_eq!(w.fake.labels(REPO), ["sprint"]);
}

#[tokio::test]
async fn a_full_two_sprint_story() {
    let w = World::start(POSTHOG_CONFIG).await;
    let store = w.store();
    w.at("2022-11-14T09:00:00Z");
    let first = w.tick(&store).await.unwrap().unwrap().issue.0;
    // People plan: three goals, one done, one with a status.
    for (title, owner) in [
        ("Ship data exploration", "mariusandra"),
        ("Static playlists", "benjackwhite"),
        ("Sentry is clean", "tiina303"),
    ] {
        w.edit_body(
            first,
            Change::AddGoal {
                title: title.into(),
                owner: Some(sprintbot::sprint::Login(owner.into())),
                why: None,
            },
        )
        .await;
    }
    w.edit_body(first, Change::Tick(1)).await;
    w.edit_body(first, Change::SetStatus(2, "🟡 rolled out to 50%".into()))
        .await;
    // Team Growth plans two items and finishes one.
    let growth = w
        .fake
        .comments(REPO, first)
        .into_iter()
        .find(|c| c.body.contains("slug=growth"))
        .unwrap();
    let planned = growth.body.replace(
        "### High priority\n\n-\n",
        "### High priority\n\n- [x] Onboarding v2\n- [ ] Activation dashboard\n",
    );
    w.fake.edit_comment(REPO, growth.id, &planned);

    // Mid-sprint ticks do nothing.
    w.at("2022-11-21T12:00:00Z");
    assert_eq!(w.tick(&store).await.unwrap(), None);

    // Monday 28 Nov, 09:00 London (GMT): the next sprint opens.
    w.at("2022-11-28T09:00:00Z");
    let report = w.tick(&store).await.unwrap().unwrap();
    assert_eq!(report.previous, Some(IssueNumber(first)));
    let new = w.fake.issue(REPO, report.issue.0).unwrap();
    assert_eq!(new.title, "Sprint 1.43.0 1/2 - Nov 28 - Dec 9");
    let retro = SprintDoc::parse(&new.body)
        .unwrap()
        .list(Section::RetroGoals)
        .unwrap();
    assert_eq!(retro.len(), 3);
    assert!(retro[0].starts_with("✅ Ship data exploration @mariusandra"));
    assert!(
        retro[1].contains("Static playlists @benjackwhite > 🟡 rolled out to 50%")
            && retro[1].contains("unfinished")
    );
    assert!(retro[2].contains("Sentry is clean @tiina303") && retro[2].contains("unfinished"));
    let new_growth = w
        .fake
        .comments(REPO, report.issue.0)
        .into_iter()
        .find(|c| c.body.contains("slug=growth"))
        .unwrap();
    let hang: Vec<_> = TeamDoc::parse(&new_growth.body)
        .unwrap()
        .items
        .into_iter()
        .filter(|i| i.heading.starts_with("Hang over"))
        .map(|i| i.text)
        .collect();
    // Each hang-over links back to the team comment it came from.
    let old_growth = w
        .fake
        .comments(REPO, first)
        .into_iter()
        .find(|c| c.body.contains("slug=growth"))
        .unwrap();
    assert_eq!(
        hang,
        [format!(
            "Activation dashboard ([from](https://github.com/{REPO}/issues/{first}#issuecomment-{}))",
            old_growth.id
        )]
    );
    let old = w.fake.issue(REPO, first).unwrap();
    assert!(!old.open);
    let closing = w.fake.comments(REPO, first).into_iter().last().unwrap();
    assert!(
        closing.body.contains(&format!("#{}", report.issue.0)),
        "{}",
        closing.body
    );
    assert_eq!(w.fake.pinned(), vec![new.node_id]);
}

#[tokio::test]
async fn a_hundred_ticks_and_an_empty_store_open_the_sprint_once() {
    let w = World::start(POSTHOG_CONFIG).await;
    w.at("2022-11-14T09:00:00Z");
    let store = w.store();
    for _ in 0..100 {
        w.tick(&store).await.unwrap();
        w.clock.advance(std::time::Duration::from_secs(60));
    }
    // A fresh CI runner with an empty store, many times over.
    for _ in 0..5 {
        let empty = Store::open(&tempfile::tempdir().unwrap().path().join("fresh.db")).unwrap();
        w.tick(&empty).await.unwrap();
    }
    assert_eq!(w.fake.issues(REPO).len(), 1);
    assert_eq!(w.fake.comments(REPO, 1).len(), 5);
    assert_eq!(
        w.fake
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path == "/repos/acme/app/issues")
            .count(),
        1
    );
}

#[tokio::test]
async fn a_failure_at_any_step_resumes_to_the_same_end_state() {
    // The clean run, for reference.
    let clean = World::start(POSTHOG_CONFIG).await;
    let store = clean.store();
    clean.at("2022-11-14T09:00:00Z");
    clean.tick(&store).await.unwrap();
    clean.at("2022-11-28T09:00:00Z");
    clean.tick(&store).await.unwrap();
    let expected = clean.state();

    // Each write of the second rollover fails in turn (5 teams: the 2nd and
    // 5th team comment stand for all of them).
    let steps: &[(&str, &str, usize)] = &[
        ("POST", "/repos/acme/app/issues", 0),
        ("POST", "/issues/2/comments", 1),
        ("POST", "/issues/2/comments", 4),
        ("POST", "/issues/1/comments", 0),
        // Unpinning the old issue, pinning the new one and closing the old
        // one are one GraphQL call.
        ("POST", "/graphql", 0),
    ];
    for &(method, path, skip) in steps {
        let w = World::start(POSTHOG_CONFIG).await;
        let store = w.store();
        w.at("2022-11-14T09:00:00Z");
        w.tick(&store).await.unwrap();
        w.at("2022-11-28T09:00:00Z");
        // Let `skip` matching calls through, then fail the next one for good.
        // (Every retry of that call fails too: five attempts in all.)
        w.fake.fail_after(method, path, skip as u32, 5, 500);
        assert!(
            w.tick(&store).await.is_err(),
            "{method} {path} #{skip} should have failed the run"
        );
        // Run again, half the time with the store lost.
        let again = if skip % 2 == 0 {
            Store::open(&w.dir.path().join("other.db")).unwrap()
        } else {
            store.clone()
        };
        w.tick(&again).await.unwrap();
        assert_eq!(
            w.state(),
            expected,
            "after a failure at {method} {path} #{skip}"
        );
    }
}

#[tokio::test]
async fn after_downtime_only_the_current_sprint_opens_once() {
    let w = World::start(POSTHOG_CONFIG).await;
    let store = w.store();
    // Last tick 3 days before the opening instant, then down until after it.
    w.at("2022-11-11T09:00:00Z");
    w.tick(&store).await.unwrap();
    assert_eq!(
        w.fake.issues(REPO).len(),
        1,
        "the then-current sprint opened"
    );
    w.at("2022-11-14T10:30:00Z");
    w.tick(&store).await.unwrap();
    w.tick(&store).await.unwrap();
    assert_eq!(w.fake.issues(REPO).len(), 2);
    // Five weeks down: only the current sprint opens, not the two missed.
    w.at("2022-12-19T12:00:00Z");
    let r = w.tick(&store).await.unwrap().unwrap();
    assert_eq!(w.fake.issues(REPO).len(), 3);
    let new = w.fake.issue(REPO, r.issue.0).unwrap();
    assert_eq!(new.title, "Sprint 1.43.0 2/2 - Dec 12 - Dec 23");
    assert_eq!(r.previous, Some(IssueNumber(2)));
}

/// The calls made since `from`, leaving out config reads and the look for
/// a configuration-error issue to close (their own economy is the loader's).
fn calls_since(w: &World, from: usize) -> Vec<String> {
    w.fake.requests()[from..]
        .iter()
        .filter(|r| !r.path.contains("/contents/") && !r.query.contains("labels=sprintbot&"))
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

#[tokio::test]
async fn a_rollover_costs_six_calls_plus_one_per_team() {
    for teams in [1, 3, 6] {
        let w = World::start(&config_with_teams(teams)).await;
        let store = w.store();
        w.fake.add_label(REPO, "sprint");
        w.at("2022-11-14T09:00:00Z");
        let before = w.fake.requests().len();
        w.tick(&store).await.unwrap();
        // First sprint: issues, sprintbot's own open issues without the
        // label (none), labels, create, twin check, pin, T comments.
        let calls = calls_since(&w, before);
        assert_eq!(
            calls.len(),
            6 + teams,
            "first sprint, T = {teams}: {calls:#?}"
        );
        w.at("2022-11-28T09:00:00Z");
        let before = w.fake.requests().len();
        w.tick(&store).await.unwrap();
        // Issues, the previous issue's comments, create, twin check, T
        // comments, the closing comment, and one GraphQL call that moves
        // the pin and closes the previous issue.
        let calls = calls_since(&w, before);
        assert_eq!(calls.len(), 6 + teams, "rollover, T = {teams}: {calls:#?}");
        assert_eq!(calls.iter().filter(|c| c.starts_with("GET")).count(), 3);
        // Nothing to do: two reads, no write.
        let before = w.fake.requests().len();
        w.tick(&store).await.unwrap();
        let calls = calls_since(&w, before);
        assert_eq!(
            calls,
            [
                "GET /repos/acme/app/issues",
                "GET /repos/acme/app/issues/2/comments"
            ]
        );
    }
}

#[tokio::test]
async fn a_dry_run_prints_every_write_and_changes_nothing() {
    let w = World::start(POSTHOG_CONFIG).await;
    let store = w.store();
    w.at("2022-11-14T09:00:00Z");
    w.tick(&store).await.unwrap();
    let state = w.state();
    let writes_before = w
        .fake
        .requests()
        .iter()
        .filter(|r| r.method != "GET")
        .count();
    let dry = DryRun::new(w.gh.as_ref(), bot());
    let scratch = Store::open(&w.dir.path().join("scratch.db")).unwrap();
    let r = w
        .run(&scratch, &dry, Goal::Next(w.clock.now()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.sprint, "2022-11-28");
    let writes = dry.writes();
    assert!(
        writes
            .iter()
            .any(|l| l.starts_with("POST /repos/acme/app/issues ")
                && l.contains("Sprint 1.43.0 1/2")),
        "{writes:#?}"
    );
    assert_eq!(
        writes
            .iter()
            .filter(|l| l.contains("/issues/(new issue)/comments"))
            .count(),
        5
    );
    assert!(
        writes
            .iter()
            .any(|l| l.starts_with("POST /graphql") && l.contains("Close(")),
        "{writes:#?}"
    );
    assert_eq!(w.state(), state);
    assert_eq!(
        w.fake
            .requests()
            .iter()
            .filter(|r| r.method != "GET")
            .count(),
        writes_before
    );
}

#[tokio::test]
async fn a_broken_config_is_reported_once_and_the_last_good_one_stays_in_force() {
    let w = World::start(POSTHOG_CONFIG).await;
    let store = w.store();
    let load = || w.load(&store);
    assert!(load().await.config.is_some());

    let broken = POSTHOG_CONFIG.replace(
        "timezone = \"Europe/London\"",
        "timezone = \"Europe/Lndon\"",
    );
    w.fake.put_file(REPO, ".github/sprintbot.toml", &broken);
    for _ in 0..3 {
        let loaded = load().await;
        assert!(!loaded.problems.is_empty());
        let config = loaded.config.expect("the last good config stays in force");
        assert_eq!(config.cadence.tz.iana_name(), Some("Europe/London"));
    }
    let notices: Vec<_> = w
        .fake
        .issues(REPO)
        .into_iter()
        .filter(|i| i.title == ERROR_TITLE)
        .collect();
    assert_eq!(notices.len(), 1);
    let line = broken
        .lines()
        .position(|l| l.contains("Europe/Lndon"))
        .unwrap()
        + 1;
    assert!(
        notices[0].body.contains(&format!(
            "line {line}, column 1: `Europe/Lndon` is not an IANA time zone"
        )),
        "{}",
        notices[0].body
    );
    assert!(notices[0].body.contains("fix: use a name like"));

    // A different mistake updates the same issue.
    w.fake.put_file(
        REPO,
        ".github/sprintbot.toml",
        &broken.replace("opens_at = \"09:00\"", "opens_at = \"nine\""),
    );
    load().await;
    let notices: Vec<_> = w
        .fake
        .issues(REPO)
        .into_iter()
        .filter(|i| i.title == ERROR_TITLE)
        .collect();
    assert_eq!(notices.len(), 1);
    assert!(notices[0].body.contains("`nine` is not a time of day"));

    // Fixed: the notice closes itself.
    w.fake
        .put_file(REPO, ".github/sprintbot.toml", POSTHOG_CONFIG);
    load().await;
    assert!(!w.fake.issue(REPO, notices[0].number).unwrap().open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sprint_rollover_command_racing_the_scheduler_opens_one_sprint() {
    let w = World::start(POSTHOG_CONFIG).await;
    let store = w.store();
    w.at("2022-11-14T09:00:00Z");
    w.tick(&store).await.unwrap();
    // At the next opening instant a maintainer's /sprint rollover (written
    // on the Nov 14 issue) and the scheduler's tick run at the same moment.
    w.at("2022-11-28T09:00:00Z");
    let after = sprintbot::sprint::SprintId("2022-11-14".parse().unwrap());
    let (a, b) = tokio::join!(
        w.run(&store, w.gh.as_ref(), Goal::After(after)),
        w.tick(&store),
    );
    a.unwrap();
    b.unwrap();
    let titles: Vec<_> = w.fake.issues(REPO).into_iter().map(|i| i.title).collect();
    assert_eq!(
        titles,
        [
            "Sprint 1.42.0 2/2 - Nov 14 - Nov 25",
            "Sprint 1.43.0 1/2 - Nov 28 - Dec 9"
        ]
    );
    assert_eq!(w.fake.comments(REPO, 2).len(), 5);
}

#[tokio::test]
async fn a_repository_inherits_its_organisations_defaults() {
    let w = World::start("[cadence]\nanchor = \"2022-10-03\"\n").await;
    let store = w.store();
    w.fake.add_repo("acme/.github");
    w.fake.put_file(
        "acme/.github",
        ".github/sprintbot.toml",
        "[cadence]\ntimezone = \"America/Los_Angeles\"\n\n[[teams]]\nname = \"Platform\"\n",
    );
    let config = w.load(&store).await.config.unwrap();
    assert_eq!(config.cadence.tz.iana_name(), Some("America/Los_Angeles"));
    assert_eq!(config.teams[0].name, "Platform");
    // The repository's own file wins.
    w.fake.put_file(
        REPO,
        ".github/sprintbot.toml",
        "[cadence]\nanchor = \"2022-10-03\"\ntimezone = \"UTC\"\n",
    );
    let config = w.load(&store).await.config.unwrap();
    assert_eq!(config.cadence.tz.iana_name(), Some("UTC"));
}

#[tokio::test]
async fn a_rerun_of_a_crashed_rollover_on_a_fresh_store_finishes_it_and_goes_no_further() {
    let w = World::start(POSTHOG_CONFIG).await;
    let store = w.store();
    w.at("2022-11-14T09:00:00Z");
    w.tick(&store).await.unwrap();
    // `sprintbot rollover` dies after creating the new issue.
    w.fake.fail("POST", "/issues/2/comments", 5, 500, &[]);
    let now = w.clock.now();
    assert!(w.run(&store, w.gh.as_ref(), Goal::Next(now)).await.is_err());
    // Run again with a brand new store: the half-opened sprint is finished,
    // not skipped, and no third sprint opens.
    let fresh = Store::open(&w.dir.path().join("fresh.db")).unwrap();
    let r = w
        .run(&fresh, w.gh.as_ref(), Goal::Next(now))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.issue, IssueNumber(2));
    assert!(!r.created);
    let issues = w.fake.issues(REPO);
    assert_eq!(issues.len(), 2);
    assert!(!issues[0].open && issues[1].open);
    assert_eq!(w.fake.comments(REPO, 2).len(), 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runs_at_once_on_empty_stores_leave_one_sprint_issue_open() {
    let w = World::start(POSTHOG_CONFIG).await;
    w.at("2022-11-14T09:00:00Z");
    let (a, b) = (
        w.store(),
        Store::open(&w.dir.path().join("other.db")).unwrap(),
    );
    let (ra, rb) = tokio::join!(w.tick(&a), w.tick(&b));
    ra.unwrap();
    rb.unwrap();
    // Any later run tidies up what the race left.
    let c = Store::open(&w.dir.path().join("third.db")).unwrap();
    w.tick(&c).await.unwrap();
    let open: Vec<_> = w.fake.issues(REPO).into_iter().filter(|i| i.open).collect();
    assert_eq!(open.len(), 1, "{open:#?}");
    for closed in w.fake.issues(REPO).into_iter().filter(|i| !i.open) {
        let note = w.fake.comments(REPO, closed.number);
        assert!(note.iter().any(|c| {
            c.body
                .contains(&format!("#{} is the one to use", open[0].number))
        }));
    }
    let teams: Vec<_> = w
        .fake
        .comments(REPO, open[0].number)
        .into_iter()
        .filter_map(|c| TeamDoc::parse(&c.body).map(|t| t.slug))
        .collect();
    assert_eq!(teams.len(), 5, "{teams:?}");
}

#[tokio::test]
async fn a_run_with_nothing_to_do_writes_nothing_even_with_an_empty_store() {
    let w = World::start(POSTHOG_CONFIG).await;
    w.at("2022-11-14T09:00:00Z");
    w.tick(&w.store()).await.unwrap();
    for i in 0..3 {
        let empty = Store::open(&w.dir.path().join(format!("empty{i}.db"))).unwrap();
        let before = w.fake.requests().len();
        assert_eq!(w.tick(&empty).await.unwrap(), None);
        let writes: Vec<_> = w.fake.requests()[before..]
            .iter()
            .filter(|r| r.method != "GET")
            .map(|r| format!("{} {}", r.method, r.path))
            .collect();
        assert!(writes.is_empty(), "{writes:?}");
    }
}

/// Open the first sprint and give team Growth one unfinished item; returns
/// the first issue.
async fn first_sprint_with_a_growth_item(w: &World, store: &Store) -> u64 {
    w.at("2022-11-14T09:00:00Z");
    let first = w.tick(store).await.unwrap().unwrap().issue.0;
    let growth = w
        .fake
        .comments(REPO, first)
        .into_iter()
        .find(|c| c.body.contains("slug=growth "))
        .unwrap();
    let planned = growth.body.replace(
        "### High priority\n\n-\n",
        "### High priority\n\n- [ ] Activation dashboard\n",
    );
    w.fake.edit_comment(REPO, growth.id, &planned);
    first
}

/// The hang-overs of the comment with `slug` on issue `n`.
fn hang_overs(w: &World, n: u64, slug: &str) -> Vec<String> {
    let marker = format!("slug={slug} ");
    let comment = w
        .fake
        .comments(REPO, n)
        .into_iter()
        .find(|c| c.body.contains(&marker))
        .unwrap_or_else(|| panic!("no comment for {slug} on #{n}"));
    TeamDoc::parse(&comment.body)
        .unwrap()
        .items
        .into_iter()
        .filter(|i| i.heading.starts_with("Hang over"))
        .map(|i| without_source(&i.text).to_string())
        .collect()
}

/// A hang-over's text without the link to the comment it came from.
fn without_source(text: &str) -> &str {
    text.rfind(" ([from](").map_or(text, |at| &text[..at])
}

#[tokio::test]
async fn a_team_renamed_mid_sprint_keeps_its_items_and_gets_no_second_comment() {
    for declared in [false, true] {
        let w = World::start(POSTHOG_CONFIG).await;
        let store = w.store();
        let first = first_sprint_with_a_growth_item(&w, &store).await;
        let comments = w.fake.comments(REPO, first).len();
        // Mid-sprint the team renames itself; one config says so, the
        // other does not.
        let also = if declared {
            "name = \"Growth & Retention\"\nprevious_names = [\"Growth\"]"
        } else {
            "name = \"Growth & Retention\""
        };
        w.fake.put_file(
            REPO,
            ".github/sprintbot.toml",
            &POSTHOG_CONFIG.replacen("name = \"Growth\"", also, 1),
        );
        w.at("2022-11-21T12:00:00Z");
        assert_eq!(w.tick(&store).await.unwrap(), None);
        assert_eq!(
            w.fake.comments(REPO, first).len(),
            comments,
            "no empty comment for the renamed team on the old issue (declared: {declared})"
        );
        w.at("2022-11-28T09:00:00Z");
        let next = w.tick(&store).await.unwrap().unwrap().issue.0;
        assert_eq!(
            hang_overs(&w, next, "growth-retention"),
            ["Activation dashboard"],
            "declared: {declared}"
        );
    }
}

#[tokio::test]
async fn a_team_comment_filled_in_as_people_write_rolls_every_unfinished_item() {
    let w = World::start(POSTHOG_CONFIG).await;
    let store = w.store();
    w.at("2022-11-14T09:00:00Z");
    let first = w.tick(&store).await.unwrap().unwrap().issue.0;
    let growth = w
        .fake
        .comments(REPO, first)
        .into_iter()
        .find(|c| c.body.contains("slug=growth "))
        .unwrap();
    // The team fills sprintbot's template in by hand: plain bullets under
    // the template's own `-`, a legend, status marks before and after the
    // text, an owner first or last, a nested why line and a <details> block.
    let planned = growth
        .body
        .replace(
            "### High priority\n\n-\n",
            "### High priority\n\n🟢=finished 🟡=in progress 🔴=won't finish\n\n\
             - 🟢 Ship the onboarding checklist @kappa90\n\
             - @neilkakkar 🟡 Activation funnel rework\n  - why: half the sign-ups stall there\n\
             - ~~Rewrite the billing page~~\n",
        )
        .replace(
            "### Bugs\n\n-\n",
            "### Bugs\n\n<details><summary>Small ones</summary>\n\n\
             * Fix the flaky invite test @liyiy 🔴\n\
             + ✅ Broken avatar upload\n\n</details>\n",
        )
        .replace(
            "### Low priority / side quests\n\n-",
            "### Low priority / side quests\n\n1. Tidy the feature flag list",
        );
    w.fake.edit_comment(REPO, growth.id, &planned);

    w.at("2022-11-28T09:00:00Z");
    let next = w.tick(&store).await.unwrap().unwrap().issue.0;
    let carried = w
        .fake
        .comments(REPO, next)
        .into_iter()
        .find(|c| c.body.contains("slug=growth "))
        .unwrap()
        .body;
    for unfinished in [
        "Activation funnel rework",
        "why: half the sign-ups stall there",
        "Fix the flaky invite test",
        "Tidy the feature flag list",
    ] {
        assert!(
            carried.contains(unfinished),
            "{unfinished} lost:\n{carried}"
        );
    }
    // Done items are listed as done in the new comment's retro; dropped
    // ones go nowhere; neither is a hang-over or a plan item.
    let (retro, rest) = carried.split_once("## Hang over").unwrap();
    for done in ["Ship the onboarding checklist", "Broken avatar upload"] {
        assert!(
            retro.contains(&format!("✅ {done}")) || retro.contains(done) && retro.contains("- ✅"),
            "{done} not in the retro:\n{carried}"
        );
        assert!(!rest.contains(done), "{done} carried:\n{carried}");
    }
    assert!(
        !carried.contains("Rewrite the billing page"),
        "dropped item carried:\n{carried}"
    );
    // The audit comment on the old issue names what moved.
    let audit = w
        .fake
        .comments(REPO, first)
        .into_iter()
        .last()
        .unwrap()
        .body;
    assert!(audit.contains("Activation funnel rework"), "{audit}");
    // … and where the done and dropped ones went.
    assert!(
        audit.contains("done: listed as done in the retro")
            && audit.contains("Broken avatar upload")
            && audit.contains("dropped: carried nowhere")
            && audit.contains("Rewrite the billing page"),
        "{audit}"
    );
}
