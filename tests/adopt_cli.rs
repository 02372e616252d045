//! `sprintbot adopt` as a team running sprintbot as an Action uses it: the
//! real binary, a token and the fake GitHub. `--dry-run` prints the record
//! and the calls and writes nothing; the adoption writes what
//! `/sprint adopt` writes (the record, the markers with the title's dates,
//! the label); `tick` then opens the next sprint the Monday after the
//! title's end. The placeholder title and a team's own plan are refused,
//! saying why, with a non-zero exit.

mod support;

use std::process::Output;
use std::sync::Arc;

use sprintbot::github::clock::{Clock, ManualClock};
use support::fake_github::FakeGitHub;
use support::process::run_with_token as run;
use support::sprint::{POSTHOG_CONFIG, hand_written};

const REPO: &str = "acme/app";

async fn fake() -> FakeGitHub {
    let now = "2022-11-16T12:00:00Z".parse().unwrap();
    let clock: Arc<dyn Clock> = Arc::new(ManualClock::new(now));
    let fake = FakeGitHub::start(clock).await;
    fake.add_repo(REPO);
    fake.add_plain_token("ghp_actions");
    fake.put_file(REPO, ".github/sprintbot.toml", POSTHOG_CONFIG);
    fake
}

fn out(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adopt_from_the_command_line_then_tick_opens_the_next_sprint_by_the_title_s_dates() {
    let fake = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("actions.db");
    let body = hand_written();
    let n = fake.add_issue(REPO, "Sprint - Nov 14 to Dec 2", &body, &[], "timgl");
    let issue = n.to_string();
    let now = "2022-11-16T12:00:00Z";
    let adopt = ["adopt", "--repo", REPO, "--issue", &issue, "--now", now];

    let dry = run(&fake, &db, &[&adopt[..], &["--dry-run"]].concat()).await;
    assert!(dry.status.success(), "{}", err(&dry));
    let said = out(&dry);
    assert!(
        said.contains("would become the sprint issue of Sprint 1.42.0 2/2 (2022-11-14)"),
        "{said}"
    );
    assert!(
        said.contains("Its dates come from its title: Mon Nov 14, 2022 to Fri Dec 2, 2022 (21 days). The next sprint opens Mon Dec 5, 2022 at 09:00 (Europe/London)."),
        "{said}"
    );
    assert!(
        said.contains(&format!("PATCH /repos/{REPO}/issues/{n}")),
        "{said}"
    );
    let untouched = fake.issue(REPO, n).unwrap();
    assert_eq!(untouched.body, body, "a dry run writes nothing");
    assert!(untouched.labels.is_empty() && fake.comments(REPO, n).is_empty());

    let done = run(&fake, &db, &adopt).await;
    assert!(done.status.success(), "{}", err(&done));
    let adopted = fake.issue(REPO, n).unwrap();
    assert!(adopted.labels.contains(&"sprint".to_string()));
    assert!(
        adopted
            .body
            .contains("<!-- sprintbot:calendar extend=2022-11-14+7 -->"),
        "{}",
        adopted.body
    );
    let records = fake.comments(REPO, n);
    assert_eq!(records.len(), 1);
    assert!(records[0].body.contains("<!-- sprintbot:adopted issue="));
    assert!(
        out(&done).contains(records[0].body.trim_end()),
        "prints what it wrote: {}",
        out(&done)
    );
    // Again (a run cut short is run again): nothing is written twice.
    let (patches, posts) = (
        fake.count("PATCH", "/issues/"),
        fake.count("POST", "/comments"),
    );
    let again = run(&fake, &db, &adopt).await;
    assert!(again.status.success(), "{}", err(&again));
    assert_eq!(fake.comments(REPO, n).len(), 1);
    assert_eq!(fake.issue(REPO, n).unwrap().body, adopted.body);
    assert_eq!(
        (
            fake.count("PATCH", "/issues/"),
            fake.count("POST", "/comments")
        ),
        (patches, posts)
    );

    // The cadence's Monday passes; the title's Monday opens the next one.
    let tick = |at: &'static str| ["tick", "--repo", REPO, "--now", at];
    let early = run(&fake, &db, &tick("2022-11-28T09:30:00Z")).await;
    assert!(early.status.success(), "{}", err(&early));
    assert!(out(&early).contains("nothing due"), "{}", out(&early));
    let due = run(&fake, &db, &tick("2022-12-05T09:30:00Z")).await;
    assert!(due.status.success(), "{}", err(&due));
    assert!(
        out(&due).contains("opened sprint 2022-12-05"),
        "{}",
        out(&due)
    );
    let next = fake
        .issues(REPO)
        .into_iter()
        .find(|i| i.number > n && i.title.starts_with("Sprint "))
        .expect("the next sprint issue");
    assert_eq!(next.title, "Sprint 1.43.0 1/2 - Dec 5 - Dec 16");
    assert!(
        !fake.issue(REPO, n).unwrap().open,
        "the adopted one is closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_placeholder_and_a_team_s_own_plan_are_refused_saying_why() {
    let fake = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("actions.db");
    let placeholder = fake.add_issue(
        REPO,
        "Sprint 1.n.0 m/2 - Jan 1 to Jan 12",
        &hand_written(),
        &[],
        "timgl",
    );
    let team = "# Team Owls\n\n## Support\n\n- 11-14 to 11-21: @macobo\n\n## Retro\n\n- [x] Ship the importer\n\n## Sprint\n\n- [ ] Ship the exporter\n\n#### Side Quests\n\n- tidy the docs\n";
    let own = fake.add_issue(REPO, "Sprint Planning 11-14 to 11-28", team, &[], "macobo");
    for (n, why) in [
        (
            placeholder,
            "title is the sprint template's placeholder (`Sprint 1.n.0 m/2 - …`), so it names no sprint to adopt. Rename it, for example to `Sprint 1.42.0 2/2 - Nov 14 - Nov 25`",
        ),
        (
            own,
            "it is one team's own plan, not the shared sprint issue: its body is laid out for one team (`# Team Owls` with `## Support`, `## Retro`, `## Sprint`), and its title is a team's `Sprint Planning …`",
        ),
    ] {
        let issue = n.to_string();
        let args = [
            "adopt",
            "--repo",
            REPO,
            "--issue",
            &issue,
            "--now",
            "2022-11-16T12:00:00Z",
        ];
        let o = run(&fake, &db, &args).await;
        assert!(!o.status.success(), "refused: {}", out(&o));
        assert!(err(&o).contains(why), "{}", err(&o));
        let i = fake.issue(REPO, n).unwrap();
        assert!(
            i.labels.is_empty() && fake.comments(REPO, n).is_empty(),
            "nothing written"
        );
    }
}
