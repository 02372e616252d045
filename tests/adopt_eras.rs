//! Adopting a hand-written sprint issue of another era of the ritual, then
//! rolling it over, through the webhook route, the worker and the fake
//! GitHub (and once with `sprintbot adopt` and `tick`, as an Action runs
//! it). The issues are written in our own words in the shapes of the
//! reading reference's §3: a 2026 (D-era) body with its incidents list and
//! a team's plan with quarter goals, support hero and time off; a 2023
//! (B-era) body with risks, retro and support-hero weeks.

mod support;

use std::sync::Arc;

use sprintbot::github::clock::{Clock, ManualClock};
use sprintbot::sprint::body::SprintDoc;
use sprintbot::sprint::markers::Section;
use support::fake_github::FakeGitHub;
use support::process::run_with_token as run;
use support::scenario::{BOT, REPO, Scenario};
use support::sprint::without_markers as people_wrote;

const CONFIG_2026: &str = r#"preset = "2026"

[cadence]
anchor = "2022-10-03"

[[teams]]
name = "Search"
members = ["kappa90", "tiina303"]
heroes = ["kappa90", "tiina303"]

[[teams]]
name = "Billing"
members = ["benjackwhite", "mariusandra"]
"#;

const BODY_2026: &str = "# Sprint Planning\n\n# List of incidents + any action items that haven't been scheduled yet\n\n- Billing webhook retries after the outage\n- Alert on slow search queries\n\n# Team sprint planning\n\nFor your team sprint planning copy this template into a comment below for each team.\n\n```text\n# Team ___\n**Support hero:** ___\n**Off during the sprint:** ___\n\n## Quarter goals\n\n## Plan\n### High priority\n-\n```\n";

const SEARCH_PLAN: &str = "# Team Search\n**Support hero:** @kappa90\n**Off during the sprint:** No one!\n\n## Quarter goals\n1. 🟢 Search answers in under 100 ms @kappa90\n   - p95 is 120 ms today 🟡\n2. 🔴 Ranking v2 @tiina303\n\n## Retro\n### Tasks\n- ✅ Typeahead shipped\n\n## Plan\n### High priority\n- [x] Faster index build @kappa90\n- [ ] Ranking experiment @tiina303\n  - needs the click logs\n### Low priority / side quests\n- [ ] Tidy the search docs\n";

/// The sprint issue sprintbot opened after `n`.
fn next_issue(s: &Scenario, n: u64) -> support::fake_github::FakeIssue {
    s.fake
        .issues(REPO)
        .into_iter()
        .find(|i| i.number > n && i.author == BOT)
        .expect("the next sprint opened")
}

/// Search's comment on `issue`, its handles out of code spans.
fn search_comment(s: &Scenario, issue: u64) -> String {
    s.fake
        .comments(REPO, issue)
        .into_iter()
        .find(|c| c.body.contains("sprintbot:team slug=search"))
        .expect("Search's comment")
        .body
        .replace('`', "")
}

/// A D-era issue for the sprint of Nov 14, its Search plan, adopted.
async fn adopted_2026(config: &str) -> (Scenario, u64) {
    let s = Scenario::start_bare(config, "2022-11-16T12:00:00Z").await;
    let n = s
        .fake
        .add_issue(REPO, "Sprint - Nov 14 to Nov 25", BODY_2026, &[], "timgl");
    s.comment_on(n, "kappa90", SEARCH_PLAN).await;
    let asked = s.comment_on(n, "macobo", "/sprint adopt").await;
    s.settle().await;
    assert_eq!(s.reactions(asked), ["+1"]);
    (s, n)
}

fn record(s: &Scenario, n: u64) -> String {
    s.replies(n)
        .into_iter()
        .find(|c| c.body.contains("sprintbot:adopted issue="))
        .expect("the adoption's record")
        .body
}

#[tokio::test]
async fn a_2026_issue_is_adopted_answered_in_its_terms_and_rolled_over_losing_nothing() {
    let (s, n) = adopted_2026(CONFIG_2026).await;
    let issue = s.fake.issue(REPO, n).unwrap();
    assert_eq!(people_wrote(&issue.body), BODY_2026, "not a byte changed");
    let doc = SprintDoc::parse(&issue.body).unwrap();
    assert_eq!(
        doc.list(Section::Notes).unwrap(),
        [
            "Billing webhook retries after the outage",
            "Alert on slow search queries"
        ]
    );
    assert!(!doc.has_section(Section::Goals), "no section is inserted");
    assert!(
        !record(&s, n).contains("layout of preset"),
        "{}",
        record(&s, n)
    );

    // A goal has no list here: refused, saying where to write it.
    let goal = s.comment_on(n, "kappa90", "/goal Ship ranking v2").await;
    s.settle().await;
    assert_eq!(s.reactions(goal), ["confused"]);
    let reply = s
        .replies(n)
        .into_iter()
        .find(|c| c.body.contains(&format!("reply-to={goal}")))
        .unwrap()
        .body;
    assert!(
        reply.contains(
            "this sprint issue has no goals list (this repository writes the 2026 layout)"
        ),
        "{reply}"
    );
    assert!(reply.contains("under `High priority`"), "{reply}");
    // Help lists what applies, and says what does not.
    let help = s.comment_on(n, "kappa90", "/sprint help").await;
    s.settle().await;
    let reply = s
        .replies(n)
        .into_iter()
        .find(|c| c.body.contains(&format!("reply-to={help}")))
        .unwrap()
        .body;
    assert!(!reply.contains("| `/goal <title>"), "{reply}");
    assert!(reply.contains("| `/sprint adopt` |"), "{reply}");
    assert!(
        reply.contains("Not available with this repository's layout"),
        "{reply}"
    );
    assert!(
        reply.contains("- `/goal`: this sprint issue has no goals list"),
        "{reply}"
    );

    // The rollover: kept notes, the plan's unfinished items, done items in
    // the retro, the quarter goals as last written, the next hero.
    s.clock.set("2022-11-28T09:00:00Z".parse().unwrap());
    s.rollover_due().await;
    let next = next_issue(&s, n);
    assert_eq!(next.title, "Sprint - Nov 28 to Dec 9");
    let doc = SprintDoc::parse(&next.body).unwrap();
    assert_eq!(
        doc.list(Section::Notes).unwrap(),
        [
            "Billing webhook retries after the outage",
            "Alert on slow search queries"
        ]
    );
    let search = search_comment(&s, next.number);
    for expected in [
        "**Support hero:** @kappa90",
        "1. 🟢 Search answers in under 100 ms @kappa90\n   - p95 is 120 ms today 🟡\n2. 🔴 Ranking v2 @tiina303",
        "- ✅ Faster index build @kappa90",
        "- [ ] Ranking experiment @tiina303",
        "  - needs the click logs",
        "- [ ] Tidy the search docs",
    ] {
        assert!(search.contains(expected), "{expected}: {search}");
    }
    assert!(
        !s.fake.issue(REPO, n).unwrap().open,
        "the adopted issue is closed"
    );
}

#[tokio::test]
async fn a_repository_on_today_s_layout_adopts_a_2026_issue_and_is_told_its_era() {
    let config = CONFIG_2026.replace("preset = \"2026\"\n", "");
    let (s, n) = adopted_2026(&config).await;
    let text = record(&s, n);
    assert!(
        text.contains("written in the layout of preset 2026 (this repository's config uses 2022)"),
        "{text}"
    );
    assert!(text.contains("set `preset = \"2026\"`"), "{text}");
    assert_eq!(
        people_wrote(&s.fake.issue(REPO, n).unwrap().body),
        BODY_2026
    );
}

const BODY_2023: &str = "# Global Sprint Planning\n\n## 3 things that might take us down\n\n1. The data warehouse migration slips\n2. Two people out in week 2\n3. \n\n## Retro: What can we do better next sprint?\n\n1. Shorter standups\n\n## Support hero this sprint\n\nWeek 1: @kappa90\nWeek 2: @tiina303\n\n# Team sprint planning\n\nFor your team sprint planning copy this template into a comment below for each team.\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_2023_issue_adopted_from_the_command_line_rolls_over_with_tick() {
    let now = "2022-11-16T12:00:00Z".parse().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(now));
    let fake = FakeGitHub::start(clock).await;
    fake.add_repo("acme/app");
    fake.add_plain_token("ghp_actions");
    fake.put_file(
        "acme/app",
        ".github/sprintbot.toml",
        &CONFIG_2026.replace("preset = \"2026\"", "preset = \"2023\""),
    );
    let n = fake.add_issue(
        "acme/app",
        "Sprint 1.42.0 2/2 - Nov 14 - Nov 25",
        BODY_2023,
        &[],
        "timgl",
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("actions.db");
    let issue = n.to_string();
    let adopt = [
        "adopt",
        "--repo",
        "acme/app",
        "--issue",
        &issue,
        "--now",
        "2022-11-16T12:00:00Z",
    ];
    let done = run(&fake, &db, &adopt).await;
    assert!(
        done.status.success(),
        "{}",
        String::from_utf8_lossy(&done.stderr)
    );
    let body = fake.issue("acme/app", n).unwrap().body;
    assert_eq!(people_wrote(&body), BODY_2023);
    let doc = SprintDoc::parse(&body).unwrap();
    assert_eq!(doc.list(Section::Retro).unwrap(), ["Shorter standups"]);
    assert_eq!(doc.heroes().unwrap().len(), 2);

    let tick = run(
        &fake,
        &db,
        &[
            "tick",
            "--repo",
            "acme/app",
            "--now",
            "2022-11-28T09:30:00Z",
        ],
    )
    .await;
    assert!(
        tick.status.success(),
        "{}",
        String::from_utf8_lossy(&tick.stderr)
    );
    let next = fake
        .issues("acme/app")
        .into_iter()
        .find(|i| i.number > n)
        .expect("the next sprint opened");
    assert_eq!(next.title, "Sprint 1.2.0 1/2 - Nov 28 - Dec 9");
    let doc = SprintDoc::parse(&next.body).unwrap();
    assert!(!doc.has_section(Section::Goals));
    assert!(
        next.body.contains("## Support hero this sprint"),
        "{}",
        next.body
    );
    assert!(!fake.issue("acme/app", n).unwrap().open);
}

const BODY_2024: &str = "# Global Sprint Planning\n\n## 3 things that might take us down\n\n1. The warehouse migration slips\n2. On-call is thin over the holidays\n\n## Urgent incident follow-ups\n\nhttps://github.com/orgs/acme/projects/7/views/2\n\n# Team sprint planning\n\nFor your team sprint planning copy this template into a comment below for each team.\n";

const SEARCH_2024: &str = "# Team Search\n**Support hero:** @tiina303\n\n## Retro\n- [x] Faster index build @kappa90\n\n## Hang over items from previous sprint\n\n## OKR\n1. 🟡 Ranking v2 @tiina303\n\n### High priority\n- [ ] Ranking experiment @tiina303\n### Low priority / side quests\n- [x] Tidy the search docs\n";

#[tokio::test]
async fn a_2024_issue_is_adopted_and_rolled_over_with_its_link_okrs_and_hero() {
    let config = CONFIG_2026.replace(
        "preset = \"2026\"\n",
        "preset = \"2024\"\n\n[body]\nlink = \"https://github.com/orgs/acme/projects/7/views/2\"\n",
    );
    let s = Scenario::start_bare(&config, "2022-11-16T12:00:00Z").await;
    let n = s.fake.add_issue(
        REPO,
        "Sprint Nov 14 to Nov 25, 2022",
        BODY_2024,
        &[],
        "timgl",
    );
    s.comment_on(n, "kappa90", SEARCH_2024).await;
    let asked = s.comment_on(n, "macobo", "/sprint adopt").await;
    s.settle().await;
    assert_eq!(s.reactions(asked), ["+1"]);
    let issue = s.fake.issue(REPO, n).unwrap();
    assert_eq!(people_wrote(&issue.body), BODY_2024);
    let doc = SprintDoc::parse(&issue.body).unwrap();
    assert_eq!(
        doc.list(Section::Risks).unwrap(),
        [
            "The warehouse migration slips",
            "On-call is thin over the holidays"
        ]
    );
    let risk = s
        .comment_on(n, "kappa90", "/risk Search index rebuild")
        .await;
    s.settle().await;
    assert_eq!(
        s.reactions(risk),
        ["+1"],
        "the era's risks list takes commands"
    );

    s.clock.set("2022-11-28T09:00:00Z".parse().unwrap());
    s.rollover_due().await;
    let next = next_issue(&s, n);
    assert_eq!(next.title, "Sprint Nov 28 to Dec 9, 2022");
    assert!(
        next.body.contains(
            "## Urgent incident follow-ups\n\nhttps://github.com/orgs/acme/projects/7/views/2\n"
        ),
        "{}",
        next.body
    );
    let search = search_comment(&s, next.number);
    for expected in [
        "**Support hero:** @kappa90",
        "## OKR\n\n1. 🟡 Ranking v2 @tiina303\n",
        "- [ ] Ranking experiment @tiina303",
        "- ✅ Tidy the search docs",
    ] {
        assert!(search.contains(expected), "{expected}: {search}");
    }
    assert!(
        !s.fake.issue(REPO, n).unwrap().open,
        "the adopted issue is closed"
    );
}

/// A D-era issue whose team left out the incidents heading (nothing to
/// list that sprint): adopted as it is, no heading inserted, and rolled
/// over with an empty incidents list and the team's plan carried.
#[tokio::test]
async fn a_2026_issue_without_its_incidents_list_is_adopted_and_rolled_over() {
    let body = BODY_2026.replace(
        "# List of incidents + any action items that haven't been scheduled yet\n\n- Billing webhook retries after the outage\n- Alert on slow search queries\n\n",
        "",
    );
    assert!(!body.contains("incidents"), "{body}");
    let s = Scenario::start_bare(CONFIG_2026, "2022-11-16T12:00:00Z").await;
    let n = s
        .fake
        .add_issue(REPO, "Sprint - Nov 14 to Nov 25", &body, &[], "timgl");
    s.comment_on(n, "kappa90", SEARCH_PLAN).await;
    let asked = s.comment_on(n, "macobo", "/sprint adopt").await;
    s.settle().await;
    assert_eq!(s.reactions(asked), ["+1"]);
    let issue = s.fake.issue(REPO, n).unwrap();
    assert_eq!(people_wrote(&issue.body), body, "not a byte changed");
    let doc = SprintDoc::parse(&issue.body).unwrap();
    assert!(!doc.has_section(Section::Notes), "no section is inserted");

    s.clock.set("2022-11-28T09:00:00Z".parse().unwrap());
    s.rollover_due().await;
    let next = next_issue(&s, n);
    assert_eq!(next.title, "Sprint - Nov 28 to Dec 9");
    let doc = SprintDoc::parse(&next.body).unwrap();
    assert_eq!(doc.list(Section::Notes).unwrap(), Vec::<String>::new());
    let search = search_comment(&s, next.number);
    assert!(
        search.contains("- [ ] Ranking experiment @tiina303"),
        "{search}"
    );
    assert!(!s.fake.issue(REPO, n).unwrap().open);
}
