//! The promises of commands at the edges where real teams work: edits,
//! retries, crashes, people editing the issue while a command runs, the
//! sprint boundary, GitHub's size limit, damaged and forged markers. Each
//! story drives the real webhook route, worker and the fake GitHub.

mod support;

use std::sync::Arc;
use std::time::Duration;

use sprintbot::sprint::body::SprintDoc;
use sprintbot::sprint::markers::Section;
use support::fake_github::FaultKind;
use support::scenario::{BOT, REPO, Scenario};

fn goal_titles(s: &Scenario) -> Vec<String> {
    s.goals().into_iter().map(|g| g.title).collect()
}

// ----- edits -----

#[tokio::test]
async fn a_failed_thumbs_up_never_applies_an_edit_twice() {
    let s = Scenario::start().await;
    let id = s.comment("kappa90", "/goal First").await;
    // The reaction to the edit fails twice before it goes through.
    s.fake.fail("POST", "/reactions", 2, 502, &[]);
    s.edit(id, "kappa90", "kappa90", "/goal First\n/goal Added later")
        .await;
    s.settle().await;
    assert_eq!(goal_titles(&s), ["First", "Added later"]);
    assert_eq!(s.reactions(id), ["+1"]);
    assert_eq!(s.dead_jobs().await, 0);
}

#[tokio::test]
async fn an_edit_before_the_comment_was_handled_applies_each_line_once() {
    let mut s = Scenario::start().await;
    s.stop_worker().await;
    let id = s.comment_on(s.issue, "kappa90", "/goal A").await;
    s.edit(id, "kappa90", "kappa90", "/goal A\n/goal B").await;
    s.start_worker();
    s.settle().await;
    assert_eq!(goal_titles(&s), ["A", "B"]);
    assert_eq!(s.reactions(id), ["+1"]);
}

#[tokio::test]
async fn an_edit_whose_created_event_was_lost_runs_the_comment_as_it_is() {
    let s = Scenario::start().await;
    let id = s.fake.add_comment(REPO, s.issue, "kappa90", "/goal A");
    s.edit(id, "kappa90", "kappa90", "/goal A\n/goal B").await;
    s.settle().await;
    assert_eq!(goal_titles(&s), ["A", "B"]);
    // The late `created` event applies nothing twice.
    let p = s.comment_payload("created", s.issue, id, "kappa90", "/goal A");
    assert_eq!(s.send_comment_event(&p).await, 202);
    s.settle().await;
    assert_eq!(goal_titles(&s), ["A", "B"]);
}

#[tokio::test]
async fn catch_up_never_runs_an_edit_nobody_can_vouch_for() {
    let s = Scenario::start().await;
    // kappa90's comment, whose webhook was lost; a writer edits a command
    // into it before sprintbot ever reads it (its `edited` webhook lost too).
    let id = s.fake.add_comment(REPO, s.issue, "kappa90", "Nice sprint");
    s.clock.advance(Duration::from_secs(60));
    s.fake
        .edit_comment(REPO, id, "Nice sprint\n/goal Ship the writer's idea");
    s.catch_up().await;
    assert!(s.goals().is_empty(), "nothing ran as kappa90's");
    assert_eq!(s.reactions(id), ["confused"]);
    let reply = &s.replies(s.issue)[0].body;
    assert!(reply.contains("edited before I read it"), "{reply}");
    // A lost comment nobody edited is still run by the catch-up, once.
    let other = s
        .fake
        .add_comment(REPO, s.issue, "kappa90", "/goal Ship it");
    s.catch_up().await;
    s.catch_up().await;
    assert_eq!(goal_titles(&s), ["Ship it"]);
    assert_eq!(s.reactions(other), ["+1"]);
    assert_eq!(s.replies(s.issue).len(), 1, "the refusal is not repeated");
}

#[tokio::test]
async fn an_edit_runs_nothing_unless_its_author_made_it() {
    let s = Scenario::start().await;
    // A maintainer's comment, edited by a writer to roll the sprint.
    let id = s.comment("macobo", "Looks good to me").await;
    s.edit(
        id,
        "macobo",
        "kappa90",
        "Looks good to me\n/sprint rollover",
    )
    .await;
    s.settle().await;
    assert_eq!(s.fake.issues(REPO).len(), 1, "no sprint was rolled");
    assert!(s.reactions(id).is_empty());
    assert!(s.replies(s.issue).is_empty());
}

// ----- people editing the issue while a command runs -----

#[tokio::test]
async fn a_human_edit_made_while_a_command_runs_is_kept() {
    let s = Scenario::start().await;
    let issue = s.issue;
    // While the bot looks up the author's permission, someone edits the
    // issue by hand on GitHub.
    s.fake.inject(
        "GET",
        "/collaborators/kappa90/permission",
        1,
        FaultKind::Mutate(Arc::new(move |st| {
            let i = st.repo(REPO).unwrap().issues.get_mut(&issue).unwrap();
            i.body.push_str("\nA note typed by hand.\n");
        })),
    );
    s.comment("kappa90", "/goal Ship it").await;
    let body = s.body();
    assert!(body.contains("A note typed by hand."), "{body}");
    assert_eq!(goal_titles(&s), ["Ship it"]);
}

#[tokio::test]
async fn a_command_whose_target_moved_is_refused() {
    let s = Scenario::start().await;
    s.comment("kappa90", "/goal First\n/goal Second").await;
    s.clock.advance(Duration::from_secs(120)); // the permission cache expires
    let issue = s.issue;
    // While the bot looks up the author, someone deletes goal 1 by hand.
    s.fake.inject(
        "GET",
        "/collaborators/kappa90/permission",
        1,
        FaultKind::Mutate(Arc::new(move |st| {
            let i = st.repo(REPO).unwrap().issues.get_mut(&issue).unwrap();
            i.body = i.body.replace("- [ ] First @kappa90\n", "");
        })),
    );
    let c = s.comment("kappa90", "/goal done 1").await;
    assert_eq!(s.reactions(c), ["confused"]);
    let reply = &s.replies(s.issue)[0].body;
    assert!(
        reply.contains("changed while I was applying this"),
        "{reply}"
    );
    assert!(s.goals().iter().all(|g| !g.done), "Second was not ticked");
}

// ----- the sprint boundary -----

#[tokio::test]
async fn a_command_on_the_old_issue_before_the_rollover_reaches_the_retro() {
    let s = Scenario::start().await;
    s.comment("kappa90", "/goal Ship exploration @mariusandra")
        .await;
    // The calendar flips; the rollover job has not run yet.
    s.clock.set("2022-11-28T09:30:00Z".parse().unwrap());
    let c = s.comment("mariusandra", "/goal done 1").await;
    assert_eq!(s.reactions(c), ["+1"]);
    // A command whose webhook never came is applied by the rollover first.
    let lost = s
        .fake
        .add_comment(REPO, s.issue, "kappa90", "/goal status 1 🟢 shipped");
    s.rollover_due().await;
    let issues = s.fake.issues(REPO);
    assert_eq!(issues.len(), 2);
    let retro = SprintDoc::parse(&issues[1].body)
        .unwrap()
        .list(Section::RetroGoals)
        .unwrap();
    assert!(
        retro[0].starts_with("✅ Ship exploration @mariusandra > 🟢 shipped"),
        "{retro:?}"
    );
    assert_eq!(s.reactions(lost), ["+1"]);
}

#[tokio::test]
async fn an_issue_opened_early_by_sprint_rollover_takes_commands_at_once() {
    let s = Scenario::start().await;
    let c = s.comment("macobo", "/sprint rollover").await;
    assert_eq!(s.reactions(c), ["+1"]);
    let new = s.fake.issues(REPO)[1].number;
    // The calendar still says Nov 16, but GitHub says the new issue is current.
    let g = s.comment_on(new, "kappa90", "/goal Early bird").await;
    s.settle().await;
    assert_eq!(s.reactions(g), ["+1"]);
    let doc = SprintDoc::parse(&s.fake.issue(REPO, new).unwrap().body).unwrap();
    assert_eq!(doc.goals().unwrap()[0].title, "Early bird");
    // And the old one refuses, linking the new one.
    let old = s.comment_on(s.issue, "kappa90", "/goal Too late").await;
    s.settle().await;
    assert_eq!(s.reactions(old), ["confused"]);
    assert!(
        s.replies(s.issue)
            .last()
            .unwrap()
            .body
            .contains(&format!("#{new}"))
    );
}

#[tokio::test]
async fn goal_done_and_rollover_in_one_comment_give_a_retro_with_the_goal_done() {
    let s = Scenario::start().await;
    s.comment("kappa90", "/goal Ship it").await;
    s.fake.set_role(REPO, "kappa90", "maintain");
    s.clock.advance(Duration::from_secs(61)); // the permission cache expires
    let c = s.comment("kappa90", "/goal done 1\n/sprint rollover").await;
    assert_eq!(s.reactions(c), ["+1"]);
    let new = &s.fake.issues(REPO)[1];
    let retro = SprintDoc::parse(&new.body)
        .unwrap()
        .list(Section::RetroGoals)
        .unwrap();
    assert!(retro[0].starts_with("✅ Ship it"), "{retro:?}");
}

// ----- answers -----

#[tokio::test]
async fn a_crash_right_after_the_body_write_still_answers_once() {
    let mut s = Scenario::start().await;
    // The body write lands on GitHub, but its answer never comes back to
    // this process: it dies while waiting.
    s.fake.inject(
        "PATCH",
        &format!("/issues/{}", s.issue),
        1,
        FaultKind::DelayAfter(Duration::from_secs(30)),
    );
    let c = s
        .comment_on(s.issue, "kappa90", "/goal Survive the crash")
        .await;
    for _ in 0..200 {
        if s.fake.count("PATCH", &format!("/issues/{}", s.issue)) == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    s.crash().await;
    s.start_worker();
    s.settle().await;
    assert_eq!(goal_titles(&s), ["Survive the crash"]);
    assert_eq!(s.reactions(c), ["+1"]);
}

#[tokio::test]
async fn a_deleted_comment_never_holds_up_the_answers_of_others() {
    let mut s = Scenario::start().await;
    s.stop_worker().await;
    let gone = s.comment_on(s.issue, "kappa90", "/goal Deleted soon").await;
    let kept = s.comment_on(s.issue, "kappa90", "/goal Kept").await;
    s.fake.delete_comment(REPO, gone);
    s.start_worker();
    s.settle().await;
    assert_eq!(s.reactions(kept), ["+1"]);
    assert_eq!(s.dead_jobs().await, 0);
}

// ----- GitHub's size limit -----

#[tokio::test]
async fn huge_comments_are_refused_and_never_wedge_the_issue() {
    let s = Scenario::start().await;
    let huge = format!("/goal {}", "x".repeat(10_000));
    for _ in 0..7 {
        let c = s.comment("kappa90", &huge).await;
        assert_eq!(s.reactions(c), ["confused"]);
    }
    assert!(
        s.replies(s.issue)[0]
            .body
            .contains("longer than 1000 characters")
    );
    // Goals just under the line limit fill the body up to GitHub's limit:
    // the one that would not fit is refused, and the issue goes on working.
    let long = format!("/goal {}", "y".repeat(950));
    let mut refused = None;
    for i in 0..80 {
        let c = s.comment("kappa90", &format!("{long} {i}")).await;
        if s.reactions(c) == ["confused"] {
            refused = Some(c);
            break;
        }
    }
    let refused = refused.expect("the body filled up");
    let reply = s.replies(s.issue).last().unwrap().body.clone();
    assert!(reply.contains("65536 characters"), "{reply}");
    assert!(s.body().chars().count() <= 65_536);
    let done = s.comment("kappa90", "/goal done 1").await;
    assert_eq!(s.reactions(done), ["+1"]);
    assert!(s.goals()[0].done);
    assert_eq!(s.dead_jobs().await, 0);
    let _ = refused;
}

#[tokio::test]
async fn a_body_github_refuses_refuses_that_comment_only() {
    let s = Scenario::start().await;
    s.fake
        .fail("PATCH", &format!("/issues/{}", s.issue), 1, 422, &[]);
    let c = s.comment("kappa90", "/goal Refused by GitHub").await;
    assert_eq!(s.reactions(c), ["confused"]);
    let next = s.comment("kappa90", "/goal Next one").await;
    assert_eq!(s.reactions(next), ["+1"]);
    assert_eq!(goal_titles(&s), ["Next one"]);
}

// ----- damage and forgery -----

#[tokio::test]
async fn a_command_refused_while_a_marker_was_broken_stays_refused_after_the_repair() {
    let s = Scenario::start().await;
    let intact = s.body();
    s.fake.edit_issue_body(REPO, s.issue, |b| {
        b.replace("<!-- sprintbot:goals:end -->\n", "")
    });
    let c = s.comment("kappa90", "/goal While broken").await;
    assert_eq!(s.reactions(c), ["confused"]);
    assert!(s.replies(s.issue)[0].body.contains("damaged"));
    s.fake.edit_issue_body(REPO, s.issue, |_| intact.clone());
    s.catch_up().await;
    s.comment("kappa90", "/goal After the repair").await;
    assert_eq!(goal_titles(&s), ["After the repair"]);
    assert_eq!(s.replies(s.issue).len(), 1, "the refusal is not repeated");
}

#[tokio::test]
async fn a_damaged_previous_issue_stops_the_rollover_with_one_comment() {
    let s = Scenario::start().await;
    s.comment("kappa90", "/goal Something").await;
    s.fake.edit_issue_body(REPO, s.issue, |b| {
        b.replace("<!-- sprintbot:goals:start -->\n", "")
    });
    s.clock.set("2022-11-28T09:30:00Z".parse().unwrap());
    s.rollover_due().await;
    s.rollover_due().await;
    assert_eq!(
        s.fake.issues(REPO).len(),
        1,
        "no sprint opens from a damaged one"
    );
    let notes: Vec<_> = s
        .replies(s.issue)
        .into_iter()
        .filter(|c| c.body.contains("sprintbot:damaged"))
        .collect();
    assert_eq!(notes.len(), 1);
    assert!(s.fake.issue(REPO, s.issue).unwrap().open);
}

#[tokio::test]
async fn markers_someone_else_wrote_count_for_nothing() {
    let s = Scenario::start().await;
    // A visitor forges Growth's team marker on the current issue, and opens
    // an issue that looks like a newer sprint.
    s.fake.add_comment(
        REPO,
        s.issue,
        "visitor",
        "<!-- sprintbot:team slug=growth sprint=2022-11-14 -->\nnot a team",
    );
    let forged = s.fake.add_issue(
        REPO,
        "Sprint 9.9.9",
        &s.body().replace("id=2022-11-14", "id=2022-11-28"),
        &["sprint"],
        "visitor",
    );
    let c = s
        .comment_on(forged, "kappa90", "/goal On the forgery")
        .await;
    s.settle().await;
    assert!(s.reactions(c).is_empty(), "not a sprint issue");
    // Commands still go to the real current issue.
    let ok = s.comment("kappa90", "/goal Real one").await;
    assert_eq!(s.reactions(ok), ["+1"]);
    // The rollover posts Growth's comment despite the forged marker.
    s.clock.set("2022-11-28T09:30:00Z".parse().unwrap());
    s.rollover_due().await;
    let growth = s
        .fake
        .comments(REPO, s.issue)
        .into_iter()
        .filter(|c| c.author == BOT && c.body.contains("slug=growth"))
        .count();
    assert_eq!(growth, 1);
}

// ----- crashes -----

#[tokio::test]
async fn a_crash_mid_rollover_resumes_and_commands_are_answered_meanwhile() {
    let mut s = Scenario::start().await;
    s.clock.set("2022-11-28T09:30:00Z".parse().unwrap());
    // The process dies while GitHub is creating the new issue.
    s.fake.inject(
        "POST",
        "/repos/acme/app/issues",
        1,
        FaultKind::DelayAfter(Duration::from_secs(30)),
    );
    use sprintbot::work::{RolloverJob, RolloverTarget, rollover_job};
    let job = RolloverJob {
        installation: support::scenario::INSTALLATION,
        repo: REPO.into(),
        repo_id: Some(support::scenario::REPO_ID),
        target: RolloverTarget::Due,
        answer: None,
    };
    s.bot
        .store
        .enqueue(rollover_job("rollover/acme/app/crash".into(), &job))
        .await
        .unwrap();
    s.bot.jobs_ready.notify_one();
    for _ in 0..300 {
        if s.fake.count("POST", "/repos/acme/app/issues") == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    s.crash().await;
    s.start_worker();
    // Its lease is still held by the dead worker: a command on the issue is
    // answered anyway, and the rollover resumes once the lease runs out.
    let c = s.comment("kappa90", "/goal Meanwhile").await;
    assert!(!s.reactions(c).is_empty());
    s.settle().await;
    let issues = s.fake.issues(REPO);
    assert_eq!(issues.len(), 2, "{issues:#?}");
    assert!(!issues[0].open, "the old sprint is closed");
    let teams = s
        .fake
        .comments(REPO, issues[1].number)
        .into_iter()
        .filter(|c| c.author == BOT && c.body.contains("sprintbot:team"))
        .count();
    assert_eq!(teams, 5);
}

// ----- what commands cost -----

#[tokio::test]
async fn a_goal_with_warm_caches_costs_three_calls() {
    let s = Scenario::start().await;
    s.comment("kappa90", "/goal Warm the caches").await;
    let before = s.fake.requests().len();
    s.comment("kappa90", "/goal Second").await;
    let calls = s.requests_since(before);
    assert_eq!(
        calls,
        [
            format!("GET /repos/acme/app/issues/{}", s.issue),
            format!("PATCH /repos/acme/app/issues/{}", s.issue),
            format!(
                "POST /repos/acme/app/issues/comments/{}/reactions",
                s.fake.comments(REPO, s.issue).last().unwrap().id
            ),
        ]
    );
}

#[tokio::test]
async fn the_config_is_revalidated_with_a_conditional_request() {
    let s = Scenario::start().await;
    s.comment("kappa90", "/goal One").await;
    let reads = |s: &Scenario| {
        s.fake
            .requests()
            .into_iter()
            .filter(|r| r.path == "/repos/acme/app/contents/.github/sprintbot.toml")
            .collect::<Vec<_>>()
    };
    assert_eq!(reads(&s).len(), 1);
    s.comment("kappa90", "/goal Two").await;
    assert_eq!(reads(&s).len(), 1, "a fresh config is not read again");
    // A day later it is asked for again, conditionally (a 304 is free).
    s.clock.advance(Duration::from_secs(25 * 3600));
    s.comment("kappa90", "/goal Three").await;
    let r = reads(&s);
    assert_eq!(r.len(), 2);
    assert!(r[1].conditional);
    assert_eq!(goal_titles(&s), ["One", "Two", "Three"]);
}

#[tokio::test]
async fn catching_up_lists_comments_since_the_ledger_s_time() {
    let s = Scenario::start().await;
    for i in 0..3 {
        s.fake
            .add_comment(REPO, s.issue, "kappa90", &format!("/goal Missed {i}"));
    }
    s.catch_up().await;
    s.clock.advance(Duration::from_secs(3600));
    s.fake
        .add_comment(REPO, s.issue, "kappa90", "/goal Missed later");
    s.catch_up().await;
    assert_eq!(
        goal_titles(&s),
        ["Missed 0", "Missed 1", "Missed 2", "Missed later"]
    );
    let meta = SprintDoc::parse(&s.body())
        .unwrap()
        .metadata()
        .unwrap()
        .clone();
    assert!(meta.ledger.since.is_some(), "{:?}", meta.ledger);
    let before = s.fake.requests().len();
    s.catch_up().await;
    let list = s.fake.requests()[before..]
        .iter()
        .find(|r| r.path.ends_with(&format!("/issues/{}/comments", s.issue)))
        .cloned()
        .unwrap();
    assert!(list.query.contains("since="), "{}", list.query);
}
