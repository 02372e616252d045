//! Stories of people running their sprint by commenting, end to end: a
//! comment arrives as a signed webhook, the bot applies its commands to the
//! sprint issue on (fake) GitHub and answers.

mod support;

use sprintbot::sprint::Login;
use sprintbot::sprint::body::SprintDoc;
use sprintbot::sprint::markers::Section;
use support::scenario::{BOT, REPO, Scenario};
use support::webhooks::Delivery;

#[tokio::test]
async fn goal_from_engineer_is_added_with_owner_and_why() {
    let s = Scenario::start().await;
    let c = s
        .comment(
            "kappa90",
            "/goal Ship the data exploration view @mariusandra why: make exploring data easier",
        )
        .await;
    let goals = s.goals();
    assert_eq!(goals.len(), 1);
    assert_eq!(goals[0].title, "Ship the data exploration view");
    assert_eq!(goals[0].owner, Some(Login("mariusandra".into())));
    assert_eq!(goals[0].why.as_deref(), Some("make exploring data easier"));
    assert_eq!(s.reactions(c), ["+1"]);
    assert!(s.replies(s.issue).is_empty());
    let audit = s
        .bot
        .store
        .audit_entries(Some("goal.add".into()))
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].actor, "kappa90");
    assert!(
        audit[0]
            .source
            .as_deref()
            .unwrap()
            .starts_with(&format!("comment {c}: /goal Ship"))
    );
    assert!(audit[0].after.as_deref().unwrap().contains("@mariusandra"));
}

#[tokio::test]
async fn every_goal_command_does_what_it_says() {
    let s = Scenario::start().await;
    s.comment(
        "kappa90",
        "/goal First @kappa90 why: a\n/goal Second @tiina303",
    )
    .await;
    s.comment("kappa90", "/goal done 1").await;
    assert!(s.goals()[0].done);
    s.comment("kappa90", "/goal status 2 🟡 rolled out to 50%")
        .await;
    assert_eq!(s.goals()[1].status.as_deref(), Some("🟡 rolled out to 50%"));
    s.comment("kappa90", "/goal owner 2 @benjackwhite").await;
    assert_eq!(s.goals()[1].owner, Some(Login("benjackwhite".into())));
    s.comment("kappa90", "/goal edit 2 Second, renamed").await;
    assert_eq!(s.goals()[1].title, "Second, renamed");
    s.comment("kappa90", "/goal undone 1").await;
    assert!(!s.goals()[0].done);
    s.comment("kappa90", "/goal drop 1").await;
    let titles: Vec<_> = s.goals().into_iter().map(|g| g.title).collect();
    assert_eq!(titles, ["Second, renamed"]);
    assert_eq!(
        s.bot
            .store
            .audit_entries(Some("goal.drop".into()))
            .await
            .unwrap()[0]
            .before
            .as_deref()
            .map(|b| b.contains("First")),
        Some(true)
    );
}

#[tokio::test]
async fn risks_retro_and_heroes_land_in_their_sections() {
    let s = Scenario::start().await;
    let c = s.comment("timgl", "/risk Postgres person table data growth\n/retro Feels like a fair amount of incidents\n/hero week2 @neilkakkar").await;
    assert_eq!(s.reactions(c), ["+1"]);
    let doc = SprintDoc::parse(&s.body()).unwrap();
    assert_eq!(
        doc.list(Section::Risks).unwrap(),
        ["Postgres person table data growth"]
    );
    assert_eq!(
        doc.list(Section::Retro).unwrap(),
        ["Feels like a fair amount of incidents"]
    );
    assert_eq!(
        doc.heroes().unwrap().get(&2),
        Some(&Login("neilkakkar".into()))
    );
}

#[tokio::test]
async fn refusals_are_answered_with_confused_and_one_reply() {
    let s = Scenario::start().await;
    let c = s
        .comment(
            "kappa90",
            "/goal Ship it @visitor\n/goal Ship it @ann @bob\n/goal done 5\n/goal Fine one @tiina303",
        )
        .await;
    assert_eq!(s.reactions(c), ["confused"]);
    let replies = s.replies(s.issue);
    assert_eq!(replies.len(), 1);
    let r = &replies[0].body;
    assert!(
        r.contains("> /goal Ship it @visitor") && r.contains("@visitor is not an engineer"),
        "{r}"
    );
    assert!(
        r.contains("> /goal Ship it @ann @bob") && r.contains("exactly one owner"),
        "{r}"
    );
    assert!(
        r.contains("> /goal done 5") && r.contains("no item 5"),
        "{r}"
    );
    // The good line of the same comment was applied.
    assert_eq!(s.goals().len(), 1);

    let c = s.comment("visitor", "/risk The building is on fire").await;
    assert_eq!(s.reactions(c), ["confused"]);
    assert!(s.replies(s.issue)[1].body.contains("needs triage access"));

    let c = s.comment("timgl", "/sprint rollover").await;
    assert_eq!(s.reactions(c), ["confused"]);
    assert!(s.replies(s.issue)[2].body.contains("needs maintain access"));
}

#[tokio::test]
async fn help_replies_with_the_command_reference() {
    let s = Scenario::start().await;
    let c = s.comment("visitor", "/sprint help").await;
    assert_eq!(s.reactions(c), ["+1"]);
    assert!(
        s.replies(s.issue)[0]
            .body
            .contains("/goal <title> [@owner] [#123] [why: <reason>]")
    );
}

#[tokio::test]
async fn commands_on_non_sprint_issues_are_ignored_and_on_closed_ones_refused_with_a_link() {
    let s = Scenario::start().await;
    let other = s
        .fake
        .add_issue(REPO, "A bug", "Steps to reproduce", &[], "visitor");
    let c = s.comment_on(other, "kappa90", "/goal Ship it").await;
    s.settle().await;
    assert!(s.reactions(c).is_empty());
    assert!(s.replies(other).is_empty());

    // An older sprint issue, closed: the command is refused with a link.
    let old = s
        .fake
        .add_issue(REPO, "Old sprint", &s.body(), &["sprint"], BOT);
    s.fake.set_issue_open(REPO, old, false);
    let c = s.comment_on(old, "kappa90", "/goal Ship it").await;
    s.settle().await;
    assert_eq!(s.reactions(c), ["confused"]);
    let reply = &s.replies(old)[0].body;
    assert!(
        reply.contains(&format!("commands go on #{}", s.issue)),
        "{reply}"
    );
    assert!(s.goals().is_empty());
}

#[tokio::test]
async fn bots_are_never_obeyed() {
    let s = Scenario::start().await;
    let c = s
        .comment("dependabot[bot]", "/goal Upgrade everything")
        .await;
    assert!(s.reactions(c).is_empty());
    assert!(s.goals().is_empty());
}

#[tokio::test]
async fn code_and_quotes_are_not_run_and_three_commands_apply_in_order() {
    let s = Scenario::start().await;
    s.comment("kappa90", "```\n/goal In code\n```\n> /goal Quoted\n")
        .await;
    assert!(s.goals().is_empty());
    s.comment(
        "kappa90",
        "/goal One @kappa90\n/goal Two @kappa90\n/goal done 2",
    )
    .await;
    let goals = s.goals();
    assert_eq!(
        goals
            .iter()
            .map(|g| (g.title.as_str(), g.done))
            .collect::<Vec<_>>(),
        [("One", false), ("Two", true)]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_goal_comments_add_exactly_fifty_goals() {
    let s = Scenario::start().await;
    let bodies: Vec<String> = (0..50).map(|i| format!("/goal Goal number {i}")).collect();
    let sends = bodies.iter().map(|b| s.comment_on(s.issue, "kappa90", b));
    let ids = futures_util::future::join_all(sends).await;
    s.settle().await;
    let goals = s.goals();
    assert_eq!(goals.len(), 50);
    for id in ids {
        assert_eq!(s.reactions(id), ["+1"], "comment {id}");
    }
}

#[tokio::test]
async fn a_redelivered_comment_applies_once() {
    let s = Scenario::start().await;
    let id = s
        .fake
        .add_comment(REPO, s.issue, "kappa90", "/goal Only once");
    let p = s.comment_payload("created", s.issue, id, "kappa90", "/goal Only once");
    let d = Delivery::signed("issue_comment", "same-guid", &p, support::bot::SECRET);
    for _ in 0..3 {
        assert_eq!(s.deliver(&d).await, 202);
    }
    // A second delivery of the same event under a new id applies nothing either.
    let again = Delivery::signed("issue_comment", "other-guid", &p, support::bot::SECRET);
    assert_eq!(s.deliver(&again).await, 202);
    s.settle().await;
    assert_eq!(s.goals().len(), 1);
    assert_eq!(s.reactions(id), ["+1"]);
}

#[tokio::test]
async fn a_human_edit_between_two_commands_survives() {
    let s = Scenario::start().await;
    s.comment("kappa90", "/goal First @kappa90").await;
    // Someone ticks the box and adds a note by hand on GitHub.
    let edited = s
        .body()
        .replace(
            "- [ ] First @kappa90",
            "- [x] First @kappa90\n  some notes by hand",
        )
        .replace(
            "## Global Sprint Planning",
            "## Global Sprint Planning\n\nHand-written intro",
        );
    s.fake.edit_issue_body(REPO, s.issue, |_| edited.clone());
    s.comment("kappa90", "/goal Second @kappa90").await;
    let body = s.body();
    assert!(
        body.contains("- [x] First @kappa90\n  some notes by hand\n- [ ] Second @kappa90"),
        "{body}"
    );
    assert!(body.contains("Hand-written intro"));
}

#[tokio::test]
async fn commands_written_while_the_bot_was_down_are_caught_up_in_order() {
    let mut s = Scenario::start().await;
    s.stop_worker().await;
    // Five comments whose webhooks never arrived.
    let mut missed = Vec::new();
    for i in 0..4 {
        missed.push(
            s.fake
                .add_comment(REPO, s.issue, "kappa90", &format!("/goal Missed {i}")),
        );
    }
    missed.push(s.fake.add_comment(REPO, s.issue, "kappa90", "/goal done 1"));
    s.start_worker();
    s.catch_up().await;
    let titles: Vec<_> = s.goals().into_iter().map(|g| (g.title, g.done)).collect();
    assert_eq!(titles.len(), 4);
    assert_eq!(titles[0], ("Missed 0".to_string(), true));
    assert_eq!(titles[3].0, "Missed 3");
    for id in &missed {
        assert_eq!(s.reactions(*id), ["+1"], "comment {id}");
    }
    // Catching up again finds nothing new.
    let writes = s.fake.count("PATCH", "/issues/");
    s.catch_up().await;
    assert_eq!(s.fake.count("PATCH", "/issues/"), writes);
    // And a late webhook for one of them applies nothing twice.
    let p = s.comment_payload("created", s.issue, missed[0], "kappa90", "/goal Missed 0");
    assert_eq!(s.send_comment_event(&p).await, 202);
    s.settle().await;
    assert_eq!(s.goals().len(), 4);
}

#[tokio::test]
async fn an_edited_comment_runs_only_its_new_lines() {
    let s = Scenario::start().await;
    let id = s.comment("kappa90", "/goal First @kappa90").await;
    s.edit(
        id,
        "kappa90",
        "kappa90",
        "/goal First @kappa90\n/goal Added later @kappa90",
    )
    .await;
    s.settle().await;
    let titles: Vec<_> = s.goals().into_iter().map(|g| g.title).collect();
    assert_eq!(titles, ["First", "Added later"]);
}

#[tokio::test]
async fn a_maintainer_rolls_the_sprint_over_by_comment_once() {
    let s = Scenario::start().await;
    s.fake.set_role(REPO, "mariusandra", "maintain");
    let c = s.comment("mariusandra", "/sprint rollover").await;
    assert_eq!(s.reactions(c), ["+1"]);
    let issues = s.fake.issues(REPO);
    assert_eq!(issues.len(), 2, "{issues:?}");
    assert_eq!(issues[1].title, "Sprint 1.43.0 1/2 - Nov 28 - Dec 9");
    assert!(!issues[0].open, "the old sprint is closed");
    // The same request again (a redelivery under a new id) opens nothing more.
    let p = s.comment_payload("created", s.issue, c, "mariusandra", "/sprint rollover");
    assert_eq!(s.send_comment_event(&p).await, 202);
    s.settle().await;
    assert_eq!(s.fake.issues(REPO).len(), 2);
}

#[tokio::test]
async fn a_burst_of_comments_looks_the_author_up_once() {
    let s = Scenario::start().await;
    for i in 0..5 {
        s.comment("kappa90", &format!("/goal Goal {i}")).await;
    }
    assert_eq!(s.fake.count("GET", "/collaborators/kappa90/permission"), 1);
    // A minute later the permission is looked up afresh.
    s.clock.advance(std::time::Duration::from_secs(61));
    s.comment("kappa90", "/goal One more").await;
    assert_eq!(s.fake.count("GET", "/collaborators/kappa90/permission"), 2);
}

/// A repository whose config is broken (and never was valid, so there is no
/// earlier version to fall back on) answers commands with what is wrong
/// and where to look, changes nothing, and takes the same command once the
/// file is fixed.
#[tokio::test]
async fn a_broken_config_is_explained_to_whoever_posts_a_command() {
    let s = Scenario::start().await;
    let before = s.fake.issues(REPO)[0].body.clone();
    s.fake
        .put_file(REPO, ".github/sprintbot.toml", "[cadence]\nanchor = 12\n");
    let c = s.comment("kappa90", "/goal Ship it @kappa90").await;
    assert_eq!(s.reactions(c), ["confused"]);
    let replies = s.replies(s.issue);
    assert_eq!(replies.len(), 1);
    let r = &replies[0].body;
    assert!(
        r.contains(".github/sprintbot.toml is broken")
            && r.contains("sprintbot: configuration error")
            && r.contains("post the command again"),
        "{r}"
    );
    assert_eq!(s.fake.issues(REPO)[0].body, before, "nothing applied");

    // The fix is pushed to the default branch; GitHub tells the bot.
    s.fake.put_file(
        REPO,
        ".github/sprintbot.toml",
        support::sprint::POSTHOG_CONFIG,
    );
    let mut push = support::webhooks::payload("push");
    push["ref"] = serde_json::json!("refs/heads/main");
    push["repository"]["full_name"] = serde_json::json!(REPO);
    push["repository"]["name"] = serde_json::json!(REPO.split('/').nth(1).unwrap());
    push["repository"]["id"] = serde_json::json!(s.fake.repo_id(REPO));
    push["repository"]["default_branch"] = serde_json::json!("main");
    push["commits"] = serde_json::json!([{ "id": "1", "tree_id": "1", "distinct": true,
        "message": "fix sprintbot.toml", "timestamp": "2022-11-16T12:00:00Z", "url": "",
        "author": {}, "committer": {}, "added": [], "removed": [],
        "modified": [".github/sprintbot.toml"] }]);
    push["installation"] = serde_json::json!({ "id": support::scenario::INSTALLATION });
    assert_eq!(
        s.fake
            .send_webhook(&s.bot.webhook_url(), support::bot::SECRET, "push", &push)
            .await,
        202
    );
    s.settle().await;
    let c = s.comment("kappa90", "/goal Ship it @kappa90").await;
    assert_eq!(s.reactions(c), ["+1"]);
    assert_eq!(s.goals().len(), 1);
    // The valid config also completed the sprint's opening (its team
    // comments); the only refusal is the first one.
    let refusals: Vec<_> = s
        .replies(s.issue)
        .into_iter()
        .filter(|c| c.body.contains("is broken"))
        .collect();
    assert_eq!(refusals.len(), 1, "no second refusal");
    for c in s.replies(s.issue) {
        assert!(
            c.body.contains("is broken") || c.body.contains("<!-- sprintbot:team"),
            "{}",
            c.body
        );
    }
}
