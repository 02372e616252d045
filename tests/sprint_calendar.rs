//! Stories of the calendar people live by: sprints skipped and extended (in
//! the config and with `/sprint skip next` and `/sprint extend`) open the
//! right issues, at the right instants, with the right titles and numbers,
//! whether a server's scheduler or a one-shot run with an empty database
//! does it; time off (`/off`, `[[leave]]`) moves the support hero fairly and
//! spares people the retro's questions; `/sprint preview` tells what the
//! next sprint would be.

mod support;

use std::time::Duration;

use sprintbot::config::repo;
use support::calendar::{INSTALLATION, REPO, comment, sprint_issues, tick, titles};
use support::fake_github::{ACTIONS_BOT, BOT_LOGIN, FakeGitHub};
use support::org::Org;
use support::scenario::Scenario;

/// Two-week sprints from Mon 5 Oct 2026 at 09:00 in London (BST until
/// 25 Oct), the holidays sprint of 28 Dec skipped in the config.
const CONFIG: &str = r#"
[[teams]]
name = "Growth"
members = ["kappa90", "tiina303"]

[cadence]
anchor = "2026-10-05"
length_weeks = 2
timezone = "Europe/London"
opens_at = "09:00"

[[cadence.exceptions]]
sprint = "2026-12-28"
skip = true
reason = "holidays"

[numbering]
first_version = "1.41.0"
sprints_per_release = 2

[rotation]
heroes = ["kappa90", "tiina303"]

[switches]
shipped = false
health = false
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skipped_and_extended_sprints_open_the_right_issues_over_eight_sprints() {
    let mut org = Org::start("2026-10-05T07:00:00Z").await;
    // Sleep as long as nothing is due: the story spans five months.
    org.scheduler.settings.max_sleep_ms = 7 * 24 * 3600 * 1000;
    org.fake.add_installation(INSTALLATION, "acme", &[REPO]);
    org.fake.put_file(REPO, ".github/sprintbot.toml", CONFIG);
    org.fake.set_role(REPO, "macobo", "maintain");
    org.fake.set_role(REPO, "kappa90", "write");
    org.scheduler.start_up().await;
    org.settle_within(Duration::from_secs(120)).await;
    let day = Duration::from_secs(24 * 3600);

    // Sprint 1/2 opens on its own; during 2/2 a maintainer extends it a week.
    org.run_until("2026-10-20T12:00:00Z".parse().unwrap(), day)
        .await;
    let issues = sprint_issues(&org.fake, BOT_LOGIN);
    assert_eq!(
        titles(&issues),
        [
            "Sprint 1.41.0 1/2 - Oct 5 - Oct 16",
            "Sprint 1.41.0 2/2 - Oct 19 - Oct 30"
        ]
    );
    let second = issues[1].number;
    let c = comment(&org, second, "macobo", "/sprint extend 7").await;
    assert_eq!(org.fake.reactions(REPO, c)[0].1, "+1");
    let extended = org.fake.issue(REPO, second).unwrap();
    assert_eq!(extended.title, "Sprint 1.41.0 2/2 - Oct 19 - Nov 6");
    assert!(
        extended
            .body
            .contains("<!-- sprintbot:calendar extend=2026-10-19+7 -->"),
        "{}",
        extended.body
    );
    let reply = org
        .fake
        .comments(REPO, second)
        .into_iter()
        .find(|r| r.author == BOT_LOGIN && r.body.contains("now ends"))
        .expect("the extension is confirmed with the new dates");
    assert!(
        reply
            .body
            .contains("Mon Nov 9, 2026 at 09:00 (Europe/London)"),
        "{}",
        reply.body
    );

    // Where 1.42.0 1/2 would have opened, nothing opens; it opens a week later.
    org.run_until("2026-11-24T12:00:00Z".parse().unwrap(), day)
        .await;
    let issues = sprint_issues(&org.fake, BOT_LOGIN);
    assert_eq!(issues.len(), 4, "{:#?}", titles(&issues));
    // During 1.42.0 2/2, the next sprint is skipped by command.
    let fourth = issues[3].number;
    let c = comment(&org, fourth, "macobo", "/sprint skip next").await;
    assert_eq!(org.fake.reactions(REPO, c)[0].1, "+1");

    org.run_until("2027-02-16T12:00:00Z".parse().unwrap(), day)
        .await;
    let issues = sprint_issues(&org.fake, BOT_LOGIN);
    assert_eq!(
        titles(&issues),
        [
            "Sprint 1.41.0 1/2 - Oct 5 - Oct 16",
            "Sprint 1.41.0 2/2 - Oct 19 - Nov 6",
            "Sprint 1.42.0 1/2 - Nov 9 - Nov 20",
            // Its title keeps its own dates; it stays current over the skip.
            "Sprint 1.42.0 2/2 - Nov 23 - Dec 4",
            // Across the year end; a skipped sprint takes no number.
            "Sprint 1.43.0 1/2 - Dec 21 - Jan 1",
            // 28 Dec (now 4 Jan) is skipped in the config.
            "Sprint 1.43.0 2/2 - Jan 18 - Jan 29",
            "Sprint 1.44.0 1/2 - Feb 1 - Feb 12",
            "Sprint 1.44.0 2/2 - Feb 15 - Feb 26",
        ]
    );
    // Each opened at 09:00 London time (BST, then GMT).
    let opened: Vec<String> = issues
        .iter()
        .map(|i| i.created_at[..16].to_string())
        .collect();
    assert_eq!(
        opened,
        [
            "2026-10-05T08:00",
            "2026-10-19T08:00",
            "2026-11-09T09:00",
            "2026-11-23T09:00",
            "2026-12-21T09:00",
            "2027-01-18T09:00",
            "2027-02-01T09:00",
            "2027-02-15T09:00",
        ]
    );
    // Only the newest is open; each links the one before.
    assert!(issues[..7].iter().all(|i| !i.open));
    assert!(issues[7].open);
    // The recorded exceptions travel with every later issue.
    for i in &issues[4..] {
        assert!(
            i.body
                .contains("<!-- sprintbot:calendar skip=2026-12-07 extend=2026-10-19+7 -->"),
            "{}",
            i.title
        );
    }
    org.fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_shot_runs_with_an_empty_database_each_time_reach_the_same_calendar() {
    use sprintbot::github::clock::{Clock, ManualClock};
    let clock: std::sync::Arc<dyn Clock> =
        std::sync::Arc::new(ManualClock::new("2026-10-19T09:00:00Z".parse().unwrap()));
    let fake = FakeGitHub::start(clock).await;
    fake.add_repo(REPO);
    fake.add_plain_token("ghp_actions");
    fake.put_file(REPO, ".github/sprintbot.toml", CONFIG);
    fake.set_role(REPO, "macobo", "maintain");
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    tick(&fake, dir, "2026-10-19T08:30:00Z").await;
    let issues = sprint_issues(&fake, ACTIONS_BOT);
    assert_eq!(titles(&issues), ["Sprint 1.41.0 2/2 - Oct 19 - Oct 30"]);
    let first = issues[0].number;
    // A maintainer extends it; the next run applies that and retitles it.
    fake.add_comment(REPO, first, "macobo", "/sprint extend 1w");
    tick(&fake, dir, "2026-10-20T10:00:00Z").await;
    assert_eq!(
        fake.issue(REPO, first).unwrap().title,
        "Sprint 1.41.0 2/2 - Oct 19 - Nov 6"
    );
    // At the old opening instant, nothing opens.
    tick(&fake, dir, "2026-11-02T09:30:00Z").await;
    assert_eq!(sprint_issues(&fake, ACTIONS_BOT).len(), 1);
    // A skip is written just before the extended sprint ends, and the run
    // after the opening instant sees it before opening anything.
    fake.add_comment(REPO, first, "macobo", "/sprint skip next");
    tick(&fake, dir, "2026-11-09T09:30:00Z").await;
    assert_eq!(sprint_issues(&fake, ACTIONS_BOT).len(), 1);
    tick(&fake, dir, "2026-11-23T09:30:00Z").await;
    let issues = sprint_issues(&fake, ACTIONS_BOT);
    assert_eq!(
        titles(&issues),
        [
            "Sprint 1.41.0 2/2 - Oct 19 - Nov 6",
            "Sprint 1.42.0 1/2 - Nov 23 - Dec 4"
        ]
    );
    // Running again changes nothing.
    tick(&fake, dir, "2026-11-23T10:30:00Z").await;
    assert_eq!(sprint_issues(&fake, ACTIONS_BOT).len(), 2);
    fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hero_who_is_off_is_skipped_and_takes_the_next_turn_and_the_retro_leaves_them_alone() {
    // Sprint 1.42.0 2/2 (14-27 Nov 2022): Week 1 @macobo, Week 2 @neilkakkar.
    let s = Scenario::start().await;
    assert!(s.body().contains("Week 1: @macobo Week 2: @neilkakkar"));
    let c = s.comment("timgl", "/off @neilkakkar week2").await;
    assert_eq!(s.reactions(c), ["+1"]);
    let body = s.body();
    assert!(
        body.contains("### Off this sprint\n\n<!-- sprintbot:off:start -->\n- @neilkakkar 2022-11-21..2022-11-27\n<!-- sprintbot:off:end -->"),
        "{body}"
    );
    // The next person covers week 2; neilkakkar takes their turn instead.
    assert!(
        body.contains("Week 1: @macobo Week 2: @yakkomajuri"),
        "{body}"
    );
    let reply = s.replies(s.issue).pop().expect("a reply says who covers");
    assert!(
        reply.body.contains("week 2: @yakkomajuri"),
        "{}",
        reply.body
    );

    // kappa90 owns a goal and will be off when the next sprint opens.
    s.comment("kappa90", "/goal Ship onboarding @kappa90").await;
    let c = s
        .comment("kappa90", "/off @me 2022-11-28..2022-12-02")
        .await;
    assert_eq!(s.reactions(c), ["+1"]);
    // Refusals explain themselves.
    let c = s.comment("visitor", "/off @me week1").await;
    assert_eq!(s.reactions(c), ["confused"]);
    let c = s.comment("timgl", "/off @me week3").await;
    assert_eq!(s.reactions(c), ["confused"]);
    let why = s.replies(s.issue).pop().unwrap().body;
    assert!(why.contains("has no week 3"), "{why}");

    s.clock.set("2022-11-28T09:00:00Z".parse().unwrap());
    s.rollover_due().await;
    let new = s
        .fake
        .issues(REPO)
        .into_iter()
        .filter(|i| i.author == BOT_LOGIN && i.open && i.number != s.issue)
        .max_by_key(|i| i.number)
        .expect("the next sprint opened");
    assert_eq!(new.title, "Sprint 1.43.0 1/2 - Nov 28 - Dec 9");
    // Without time off it would be yakkomajuri, then benjackwhite.
    assert!(
        new.body
            .contains("Week 1: @neilkakkar Week 2: @benjackwhite"),
        "{}",
        new.body
    );
    // kappa90's time off is carried on; neilkakkar's is over.
    assert!(new.body.contains("- @kappa90 2022-11-28..2022-12-02"));
    assert!(!new.body.contains("- @neilkakkar 2022-11-21"));
    // The retro names kappa90 without a mention and asks nobody.
    let retro = new
        .body
        .lines()
        .find(|l| l.contains("Ship onboarding"))
        .unwrap();
    assert!(retro.contains("kappa90 is off"), "{retro}");
    assert!(!retro.contains("@kappa90"), "{retro}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sprint_preview_tells_anyone_what_the_next_sprint_would_be() {
    let s = Scenario::start().await;
    s.comment("kappa90", "/goal Ship onboarding @kappa90").await;
    s.comment("kappa90", "/goal Fix ingestion @kappa90").await;
    s.comment("kappa90", "/goal done 2").await;
    let before = s.body();
    let c = s.comment("visitor", "/sprint preview").await;
    assert_eq!(s.reactions(c), ["+1"]);
    assert_eq!(s.body(), before, "a preview writes nothing to the issue");
    let reply = s.replies(s.issue).pop().unwrap().body;
    for expected in [
        "Sprint 1.43.0 1/2 - Nov 28 - Dec 9",
        "Mon Nov 28, 2022 at 09:00 (Europe/London)",
        "Week 1: @yakkomajuri · Week 2: @benjackwhite",
        "1 unfinished goal would roll",
        "Ship onboarding @kappa90",
    ] {
        assert!(reply.contains(expected), "`{expected}` in:\n{reply}");
    }
    assert!(!reply.contains("Fix ingestion"), "{reply}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_commands_are_for_maintainers_and_refusals_say_why() {
    let s = Scenario::start().await;
    let c = s.comment("timgl", "/sprint extend 7").await;
    assert_eq!(s.reactions(c), ["confused"]);
    let why = s.replies(s.issue).pop().unwrap().body;
    assert!(why.contains("maintain access"), "{why}");
    let c = s.comment("macobo", "/sprint extend 40").await;
    assert_eq!(s.reactions(c), ["confused"]);
    let why = s.replies(s.issue).pop().unwrap().body;
    assert!(why.contains("1 to 28 days"), "{why}");
    let c = s
        .comment("macobo", "/sprint extend 20\n/sprint extend 10")
        .await;
    assert_eq!(s.reactions(c), ["confused"]);
    let why = s.replies(s.issue).pop().unwrap().body;
    assert!(why.contains("extended by 20 already"), "{why}");
    assert!(why.contains("Fri Dec 16"), "the first line ran: {why}");
    let title = s.fake.issue(REPO, s.issue).unwrap().title;
    assert_eq!(title, "Sprint 1.42.0 2/2 - Nov 14 - Dec 16");
    // Redelivering the comment applies nothing twice.
    s.catch_up().await;
    assert!(s.body().contains("extend=2022-11-14+20 -->"));
}

#[test]
fn bad_exceptions_and_leave_are_reported_at_their_lines() {
    let text = r#"
[cadence]
anchor = "2026-10-05"

[[cadence.exceptions]]
sprint = "2026-10-20"
skip = true

[[cadence.exceptions]]
sprint = "2026-11-02"
skip = true
extend_days = 3

[[cadence.exceptions]]
sprint = "2026-11-16"
extend_days = 0

[[leave]]
login = "ann"
from = "2026-11-20"
to = "2026-11-18"
"#;
    let errors = repo::parse("sprintbot.toml", text, &toml::Table::new()).unwrap_err();
    let all: Vec<String> = errors.iter().map(|d| d.to_string()).collect();
    let joined = all.join("\n");
    assert_eq!(all.len(), 4, "{joined}");
    assert!(
        joined.contains(
            "2026-10-20 is not the first day of a sprint: the sprint around it starts on 2026-10-19"
        ),
        "{joined}"
    );
    assert!(joined.contains("both skips and extends"), "{joined}");
    assert!(joined.contains("cannot be extended by 0 days"), "{joined}");
    assert!(
        joined.contains("ends (2026-11-18) before it starts"),
        "{joined}"
    );
    // Each names its line.
    assert!(all[0].contains(":6:"), "{}", all[0]);

    let good = r#"
[cadence]
anchor = "2026-10-05"

[[cadence.exceptions]]
sprint = "2026-10-19"
extend_days = 7

[[cadence.exceptions]]
sprint = "2026-11-09"
skip = true

[numbering]
count_skipped = true

[[leave]]
login = "ann"
from = "2026-11-20"
"#;
    let config = repo::parse("sprintbot.toml", good, &toml::Table::new()).unwrap();
    let calendar = config.config_calendar();
    let after = calendar.next_after(sprintbot::sprint::SprintId("2026-10-19".parse().unwrap()));
    assert_eq!(after.start.to_string(), "2026-11-23");
    let label = calendar.label(&config.numbering, &after).unwrap();
    assert_eq!(
        label.to_string(),
        "1.1.0 2/2",
        "a skipped sprint takes a number"
    );
    assert_eq!(config.leave.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calendar_commands_cost_a_handful_of_calls() {
    let s = Scenario::start().await;
    // Warm the caches (token, config, current issue) as any comment does.
    s.comment("visitor", "/sprint help").await;
    let calls = |from: usize| -> Vec<String> {
        let mut c = s.requests_since(from);
        c.sort();
        c
    };
    let before = s.fake.requests().len();
    s.comment("visitor", "/sprint preview").await;
    let preview = calls(before);
    // Read the issue and its comments (each team's items); a preview
    // changes nothing the body's ledger records, so its answer looks for
    // its own reaction and reply first (a lost store must not answer it
    // twice), then replies and reacts.
    assert_eq!(
        preview.len(),
        6,
        "read, comments, reactions, replies, reply, react: {preview:#?}"
    );
    assert!(
        !preview.iter().any(|c| c.starts_with("PATCH")),
        "{preview:#?}"
    );

    let before = s.fake.requests().len();
    s.comment("macobo", "/sprint extend 7").await;
    let extend = calls(before);
    // Read, the author's permission (not cached yet), the body read again
    // since GitHub was asked something, one write of body and title, react,
    // reply.
    assert_eq!(extend.len(), 6, "{extend:#?}");
    assert_eq!(extend.iter().filter(|c| c.starts_with("PATCH")).count(), 1);

    let before = s.fake.requests().len();
    s.comment("timgl", "/off @me week1").await;
    let off = calls(before);
    // Read, permission, read again, write, react: timgl is nobody's hero,
    // so no reply.
    assert_eq!(off.len(), 5, "{off:#?}");
    // With the permission cached (a minute), the read-again goes too.
    let before = s.fake.requests().len();
    s.comment("timgl", "/off @me week2").await;
    assert_eq!(calls(before).len(), 3, "{:#?}", calls(before));
}
