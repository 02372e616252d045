//! `/sprint adopt` takes the sprint's dates from the issue's title, through
//! the webhook route, the worker and the fake GitHub: the adopted sprint
//! ends when its title says, whatever its length (12, 13 or 19 days), the
//! difference from the cadence is recorded in the issue's calendar marker,
//! and the next sprint opens on the Monday after (reference §2.3), numbered
//! by the config. Among hand-written issues, the current one is chosen by
//! their titles' dates, and older open ones are listed with how to close
//! them. An issue that is one team's own plan is refused, saying why.

mod support;

use sprintbot::lifecycle::next::{Next, calendar, next};
use sprintbot::sprint::body::SprintDoc;
use support::scenario::{BOT, REPO, Scenario};
use support::sprint::{POSTHOG_CONFIG, hand_written, posthog_config};

/// Wednesday of the sprint starting Monday 2022-11-14, no sprintbot issue
/// yet; `title` is adopted by a maintainer.
async fn adopted(title: &str) -> (Scenario, u64) {
    let s = Scenario::start_bare(POSTHOG_CONFIG, "2022-11-16T12:00:00Z").await;
    let n = s.fake.add_issue(REPO, title, &hand_written(), &[], "timgl");
    let asked = s.comment_on(n, "macobo", "/sprint adopt").await;
    s.settle().await;
    assert_eq!(s.reactions(asked), ["+1"], "{title}");
    (s, n)
}

/// The next sprint issue sprintbot opened after `n`, if any.
fn next_issue(s: &Scenario, n: u64) -> Option<support::fake_github::FakeIssue> {
    s.fake
        .issues(REPO)
        .into_iter()
        .find(|i| i.number > n && i.author == BOT)
}

#[tokio::test]
async fn the_next_sprint_opens_the_monday_after_the_title_s_end_whatever_its_length() {
    // (title, the store's note, next opening, next title)
    let table = [
        (
            "Sprint 1.42.0 2/2 - Nov 14 - Nov 25",
            "2022-11-14",
            "2022-11-28T09:00:00Z",
            "Sprint 1.43.0 1/2 - Nov 28 - Dec 9",
        ),
        (
            "Sprint 1.42.0 2/2 - Nov 14 to Nov 26",
            "2022-11-14",
            "2022-11-28T09:00:00Z",
            "Sprint 1.43.0 1/2 - Nov 28 - Dec 9",
        ),
        // Three weeks; the title's version is not used: the config numbers.
        (
            "Sprint 1.99.0 1/2 - Nov 14 - Dec 2",
            "2022-11-14 extend=2022-11-14+7",
            "2022-12-05T09:00:00Z",
            "Sprint 1.43.0 1/2 - Dec 5 - Dec 16",
        ),
    ];
    for (title, note, opens, next_title) in table {
        let (s, n) = adopted(title).await;
        let issue = s.fake.issue(REPO, n).unwrap();
        let meta = SprintDoc::parse(&issue.body)
            .unwrap()
            .metadata()
            .cloned()
            .unwrap();
        assert_eq!((meta.version.as_str(), meta.part), ("1.42.0", 2), "{title}");
        let (_, stored) = s.bot.store.current_issue(REPO).await.unwrap().unwrap();
        assert_eq!(stored, note, "{title}");
        let fields = note.split_once(' ').map(|(_, f)| f);
        assert_eq!(
            issue
                .body
                .lines()
                .find(|l| l.starts_with("<!-- sprintbot:calendar")),
            fields
                .map(|f| format!("<!-- sprintbot:calendar {f} -->"))
                .as_deref(),
            "{title}: recorded as /sprint extend records one"
        );
        let people_wrote: String = issue
            .body
            .split_inclusive('\n')
            .filter(|l| !l.starts_with("<!-- sprintbot:"))
            .collect();
        assert_eq!(people_wrote, hand_written(), "{title}: not a byte changed");
        // The scheduler's view: the next sprint opens at that instant.
        let (cal, current) = calendar(&posthog_config(), Some(&stored));
        let now: jiff::Timestamp = "2022-11-16T12:00:00Z".parse().unwrap();
        let Next::Opens(next_sprint) = next(&cal, current, now) else {
            panic!("{title}: nothing to open")
        };
        assert_eq!(next_sprint.opens_at.to_string(), opens, "{title}");
        let record = s
            .replies(n)
            .into_iter()
            .find(|c| c.body.contains("sprintbot:adopted issue="))
            .unwrap();
        assert!(
            record
                .body
                .contains("Its dates come from its title: Mon Nov 14, 2022 to "),
            "{}",
            record.body
        );

        // A minute before, the rollover finds nothing due; at the instant it
        // opens the next sprint, with the config's number.
        let at: jiff::Timestamp = opens.parse().unwrap();
        s.clock.set(at - jiff::SignedDuration::from_secs(60));
        s.rollover_due().await;
        assert!(next_issue(&s, n).is_none(), "{title}: nothing opens early");
        s.clock.set(at);
        s.rollover_due().await;
        let opened = next_issue(&s, n).unwrap_or_else(|| panic!("{title}: no next issue"));
        assert_eq!(opened.title, next_title, "{title}");
        assert!(
            !s.fake.issue(REPO, n).unwrap().open,
            "{title}: adopted one closed"
        );
    }
}

#[tokio::test]
async fn the_current_one_is_chosen_by_dates_and_older_open_ones_are_offered_for_closing() {
    let s = Scenario::start_bare(POSTHOG_CONFIG, "2022-11-16T12:00:00Z").await;
    let body = hand_written();
    let old = s
        .fake
        .add_issue(REPO, "Sprint - Oct 17 to Oct 28", &body, &[], "timgl");
    let current = s
        .fake
        .add_issue(REPO, "Sprint Nov 14 - Nov 25", &body, &[], "timgl");
    let older = s
        .fake
        .add_issue(REPO, "Sprint Oct 31 - Nov 11", &body, &["sprint"], "timgl");
    // Adopting an older one, though open and newest by number, is refused.
    let asked = s.comment_on(older, "macobo", "/sprint adopt").await;
    s.settle().await;
    assert_eq!(s.reactions(asked), ["confused"]);
    let reply = s.replies(older).pop().unwrap().body;
    assert!(
        reply.contains(&format!("#{current} (`Sprint Nov 14 - Nov 25`"))
            && reply.contains("is the current sprint"),
        "{reply}"
    );
    assert_eq!(s.fake.issue(REPO, older).unwrap().body, body);

    // The current one is adopted, and the record lists the older ones.
    let asked = s.comment_on(current, "macobo", "/sprint adopt").await;
    s.settle().await;
    assert_eq!(s.reactions(asked), ["+1"]);
    let record = s
        .replies(current)
        .into_iter()
        .find(|c| c.body.contains("sprintbot:adopted issue="))
        .unwrap()
        .body;
    let listed = format!(
        "- #{old} `Sprint - Oct 17 to Oct 28` (2022-10-17 to 2022-10-28)\n- #{older} `Sprint Oct 31 - Nov 11` (2022-10-31 to 2022-11-11)\n"
    );
    assert!(record.contains(&listed), "{record}");
    assert!(
        record.contains(&format!("`gh issue close {old} --repo {REPO}`"))
            && record.contains("\"Close issue\""),
        "{record}"
    );
    // It offers; it closes nothing.
    assert!(s.fake.issue(REPO, old).unwrap().open && s.fake.issue(REPO, older).unwrap().open);
}

#[tokio::test]
async fn a_team_s_own_plan_and_an_ended_sprint_are_refused_saying_why() {
    let s = Scenario::start_bare(POSTHOG_CONFIG, "2022-11-16T12:00:00Z").await;
    let team = "# Team Owls\n\n## Support\n\n- 11-8 to 11-15: @macobo\n\n## Retro\n\n- [x] Ship the importer\n\n## Sprint\n\n- [ ] Ship the exporter\n";
    let own = s
        .fake
        .add_issue(REPO, "Sprint Planning 11-14 to 11-28", team, &[], "macobo");
    let asked = s.comment_on(own, "macobo", "/sprint adopt").await;
    s.settle().await;
    assert_eq!(s.reactions(asked), ["confused"]);
    let reply = s.replies(own).pop().unwrap().body;
    assert!(
        reply.contains("one team's own plan, not the shared sprint issue")
            && reply.contains("`# Team Owls` with `## Support`, `## Retro`, `## Sprint`"),
        "{reply}"
    );
    let past = s.fake.add_issue(
        REPO,
        "Sprint Oct 17 - Oct 28",
        &hand_written(),
        &[],
        "timgl",
    );
    let asked = s.comment_on(past, "macobo", "/sprint adopt").await;
    s.settle().await;
    assert_eq!(s.reactions(asked), ["confused"]);
    let reply = s.replies(past).pop().unwrap().body;
    assert!(
        reply.contains("its sprint ended on 2022-10-28, and the next one started on 2022-10-31"),
        "{reply}"
    );
    for n in [own, past] {
        assert!(
            s.fake.issue(REPO, n).unwrap().labels.is_empty(),
            "nothing written"
        );
    }
}
