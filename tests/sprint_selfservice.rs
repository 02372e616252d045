//! Stories of people looking after sprintbot themselves, end to end on the
//! fake GitHub: `/sprint doctor` says what is wrong in a repository and how
//! to fix it; `/sprint adopt` takes over a sprint issue people wrote by
//! hand without changing a character of it, or says what it lacks.

mod support;

use sprintbot::config::repo;
use sprintbot::sprint::body::SprintDoc;
use sprintbot::store::NewDelivery;
use support::fake_github::{BOT_LOGIN, FakeComment};
use support::scenario::{BOT, INSTALLATION, REPO, Scenario};
use support::sprint::{POSTHOG_CONFIG, fresh_body, hand_written, without_markers};

/// The bot's replies to comment `id` on issue `issue`.
fn replies_to(s: &Scenario, issue: u64, id: u64) -> Vec<FakeComment> {
    let marker = format!("<!-- sprintbot:reply-to={id}");
    s.replies(issue)
        .into_iter()
        .filter(|c| c.body.contains(&marker))
        .collect()
}

/// The one checklist line about `what`.
fn item<'a>(reply: &'a str, what: &str) -> &'a str {
    let lines: Vec<&str> = reply
        .lines()
        .filter(|l| l.contains(&format!("**{what}**")))
        .collect();
    assert_eq!(lines.len(), 1, "one `{what}` item in:\n{reply}");
    lines[0]
}

#[tokio::test]
async fn doctor_names_a_missing_permission_a_broken_config_and_a_stale_webhook() {
    // A sprint in 2099, so that a webhook the store received today is
    // long before the comment.
    let config = POSTHOG_CONFIG.replace("anchor = \"2022-10-03\"", "anchor = \"2099-11-02\"");
    let mut s = Scenario::start_bare(&config, "2099-11-18T12:00:00Z").await;
    let parsed = repo::parse("t.toml", &config, &toml::Table::new()).unwrap();
    s.issue = s.fake.add_issue(
        REPO,
        "Sprint 1.41.0 2/2 - Nov 16 - Nov 27",
        &fresh_body(&parsed, "2099-11-18"),
        &["sprint"],
        BOT,
    );
    s.fake.pin_issue(REPO, s.issue);
    s.fake.add_label(REPO, "sprint");
    s.fake.add_label(REPO, "sprintbot");
    // The App was not given pull requests: read.
    s.fake.set_app_grants(
        &[
            ("issues", "write"),
            ("metadata", "read"),
            ("contents", "read"),
            ("members", "read"),
            ("checks", "write"),
        ],
        &[
            "issues",
            "issue_comment",
            "push",
            "pull_request",
            "installation_target",
        ],
    );
    s.catch_up().await; // the config is read while it is valid
    let old = NewDelivery {
        id: "the-last-one".into(),
        event: "push".into(),
        action: None,
        installation: Some(INSTALLATION),
        payload: Vec::new(),
        job_kind: None,
        serial_key: None,
        subject_key: None,
    };
    s.bot.store.record_delivery(old).await.unwrap();
    s.fake.put_file(
        REPO,
        ".github/sprintbot.toml",
        "[cadence\nanchor = 2099-11-02\n",
    );

    // The comment's webhook never comes; the start-up catch-up finds it.
    let asked = s
        .fake
        .add_comment(REPO, s.issue, "kappa90", "/sprint doctor");
    s.catch_up().await;

    assert_eq!(s.reactions(asked), ["+1"]);
    let replies = replies_to(&s, s.issue, asked);
    assert_eq!(replies.len(), 1, "{replies:?}");
    let reply = &replies[0].body;
    assert!(reply.contains("3 things need fixing"), "{reply}");
    let permissions = item(reply, "Permissions and events");
    assert!(permissions.starts_with("- ❌"), "{permissions}");
    assert!(
        permissions.contains("permission pull_requests: read"),
        "{permissions}"
    );
    assert!(permissions.contains("**Fix:**"), "{permissions}");
    let config = item(reply, "Config");
    assert!(
        config.starts_with("- ❌") && config.contains("is broken"),
        "{config}"
    );
    assert!(
        config.contains("the last valid version stays in force"),
        "{config}"
    );
    let webhooks = item(reply, "Webhook deliveries");
    assert!(
        webhooks.starts_with("- ❌") && webhooks.contains("stale"),
        "{webhooks}"
    );
    assert!(
        webhooks.contains("`push`") && webhooks.contains("Recent Deliveries"),
        "{webhooks}"
    );
    for fine in ["Labels", "Current sprint issue", "API budget", "Next"] {
        assert!(
            item(reply, fine).starts_with("- ✅"),
            "{}",
            item(reply, fine)
        );
    }
    assert!(item(reply, "Current sprint issue").contains("it is pinned"));
    assert!(item(reply, "Next").contains("Sprint 1.42.0 1/2 opens Mon Nov 30 2099, 09:00 GMT"));
}

#[tokio::test]
async fn doctor_on_a_healthy_repository_is_all_green_at_a_known_cost() {
    let s = Scenario::start().await;
    s.fake.pin_issue(REPO, s.issue);
    s.fake.add_label(REPO, "sprint");
    s.fake.add_label(REPO, "sprintbot");
    s.comment("kappa90", "/retro Keep shipping").await; // warms the caches
    let from = s.fake.requests().len();
    let asked = s.comment("kappa90", "/sprint doctor").await;
    let reply = &replies_to(&s, s.issue, asked)[0].body;
    assert!(
        reply.contains("everything sprintbot needs is in place"),
        "{reply}"
    );
    assert!(!reply.contains("❌"), "{reply}");
    assert!(
        item(reply, "Webhook deliveries").contains("arriving"),
        "{reply}"
    );
    // The comment's job: read the issue. The checklist: GET /app, the
    // config (conditional), the labels, the open sprint issues, the pins,
    // the current issue's comments (whose team comment is whose).
    // The answer: the reaction and the reply.
    let made = s.requests_since(from);
    let expected = [
        "GET /repos/acme/app/issues/1".to_string(),
        "GET /app".into(),
        "GET /repos/acme/app/contents/.github/sprintbot.toml".into(),
        "GET /repos/acme/app/labels".into(),
        "GET /repos/acme/app/issues".into(),
        "POST /graphql".into(),
        "GET /repos/acme/app/issues/1/comments".into(),
        format!("POST /repos/acme/app/issues/comments/{asked}/reactions"),
        "POST /repos/acme/app/issues/1/comments".into(),
    ];
    assert_eq!(made, expected, "{made:#?}");
}

#[tokio::test]
async fn doctor_on_a_fresh_install_finds_nothing_to_fix() {
    // Installed, configured, and the first sprint opened by sprintbot
    // itself: nobody has created a label or pinned anything by hand.
    let mut s = Scenario::start_bare(POSTHOG_CONFIG, "2022-11-14T09:00:00Z").await;
    s.rollover_due().await;
    let opened = s.fake.issues(REPO);
    assert_eq!(opened.len(), 1, "{opened:?}");
    s.issue = opened[0].number;
    let asked = s.comment("kappa90", "/sprint doctor").await;
    let reply = &replies_to(&s, s.issue, asked)[0].body;
    assert!(
        reply.contains("everything sprintbot needs is in place"),
        "{reply}"
    );
    assert!(!reply.contains("❌"), "{reply}");
    assert!(!reply.contains("need fixing"), "{reply}");
    // The configuration-error label does not exist until there is an
    // error to report; sprintbot makes it then. Said, but not to fix.
    let labels = item(reply, "Labels");
    assert!(labels.starts_with("- ℹ️"), "{labels}");
    assert!(labels.contains("`sprintbot`"), "{labels}");
    assert!(!labels.contains("**Fix:**"), "{labels}");
}

#[tokio::test]
async fn doctor_counts_a_sprint_that_did_not_open_once() {
    // Two days into a sprint no issue was opened for: one thing to fix (the
    // late opening), not also the missing issue and the labels it brings.
    let mut s = Scenario::start_bare(POSTHOG_CONFIG, "2022-11-16T12:00:00Z").await;
    s.issue = s
        .fake
        .add_issue(REPO, "Set up sprintbot", "", &[], "kappa90");
    let asked = s.comment("kappa90", "/sprint doctor").await;
    let reply = &replies_to(&s, s.issue, asked)[0].body;
    assert!(reply.contains("1 thing needs fixing"), "{reply}");
    let next = item(reply, "Next");
    assert!(
        next.starts_with("- ❌") && next.contains("still not open"),
        "{next}"
    );
    let current = item(reply, "Current sprint issue");
    assert!(current.starts_with("- ℹ️"), "{current}");
    assert!(current.contains("see Next"), "{current}");
    let labels = item(reply, "Labels");
    assert!(
        labels.starts_with("- ℹ️") && labels.contains("`sprint` and `sprintbot` are not there yet"),
        "{labels}"
    );
}

#[tokio::test]
async fn doctor_needs_write_access_and_works_on_any_issue() {
    let s = Scenario::start().await;
    let refused = s.comment("visitor", "/sprint doctor").await;
    assert_eq!(s.reactions(refused), ["confused"]);
    let reply = &replies_to(&s, s.issue, refused)[0].body;
    assert!(reply.contains("needs write access"), "{reply}");
    assert!(!reply.contains("sprintbot doctor"), "{reply}");

    let other = s.fake.add_issue(
        REPO,
        "Why is the bot quiet?",
        "It did not answer.",
        &[],
        "kappa90",
    );
    let asked = s
        .comment_on(
            other,
            "kappa90",
            "Can you check?\n/sprint doctor\n/goal Ship it",
        )
        .await;
    s.settle().await;
    let reply = &replies_to(&s, other, asked)[0].body;
    assert!(
        reply.contains("**sprintbot doctor** for acme/app"),
        "{reply}"
    );
    assert!(
        reply.contains("> /goal Ship it"),
        "the other command is refused: {reply}"
    );
    assert!(reply.contains("not a sprint issue"), "{reply}");
    assert_eq!(s.reactions(asked), ["confused"]);
}

/// A repository at Wednesday of sprint 1.42.0 2/2 with no sprint issue
/// from sprintbot, and the issue people wrote for that sprint.
async fn hand_run(body: &str) -> (Scenario, u64) {
    let s = Scenario::start_bare(POSTHOG_CONFIG, "2022-11-16T12:00:00Z").await;
    let n = s.fake.add_issue(
        REPO,
        "Sprint 1.42.0 2/2 - Nov 14 - Nov 25",
        body,
        &[],
        "timgl",
    );
    (s, n)
}

#[tokio::test]
async fn adopt_keeps_every_byte_people_wrote_and_makes_the_issue_current() {
    let written = hand_written();
    let (s, n) = hand_run(&written).await;
    // Writing the body fails twice: the job is retried and does each step once.
    s.fake.fail("PATCH", "/repos/acme/app/issues/", 2, 502, &[]);
    let asked = s.comment_on(n, "macobo", "/sprint adopt").await;
    s.settle().await;

    assert_eq!(s.reactions(asked), ["+1"]);
    let issue = s.fake.issue(REPO, n).unwrap();
    assert_eq!(without_markers(&issue.body), written, "not a byte changed");
    assert_ne!(issue.body, written);
    let records: Vec<FakeComment> = s
        .replies(n)
        .into_iter()
        .filter(|c| c.body.contains("<!-- sprintbot:adopted issue="))
        .collect();
    assert_eq!(records.len(), 1, "recorded once: {records:?}");
    assert!(
        records[0]
            .body
            .contains(&format!("<!-- sprintbot:reply-to={asked} adopt -->"))
    );
    let doc = SprintDoc::parse(&issue.body).unwrap();
    let meta = doc.metadata().unwrap();
    assert_eq!(meta.sprint.to_string(), "2022-11-14");
    assert_eq!(
        (meta.version.as_str(), meta.part, meta.parts),
        ("1.42.0", 2, 2)
    );
    assert_eq!(meta.adopted, Some(records[0].id));
    let goals = doc.goals().unwrap();
    assert_eq!(goals.len(), 13, "people's numbered goals are the plan");
    assert_eq!(
        goals[0].owner.as_ref().map(|o| o.0.as_str()),
        Some("kappa90")
    );
    assert!(issue.labels.contains(&"sprint".to_string()));
    assert!(s.fake.pinned().contains(&issue.node_id));
    assert_eq!(
        s.bot.store.current_issue(REPO).await.unwrap(),
        Some((n, "2022-11-14".to_string()))
    );

    // It takes commands now, like any sprint issue.
    let done = s.comment_on(n, "kappa90", "/goal done 1").await;
    s.settle().await;
    assert_eq!(s.reactions(done), ["+1"]);
    let after = SprintDoc::parse(&s.fake.issue(REPO, n).unwrap().body).unwrap();
    assert!(after.goals().unwrap()[0].done);

    // GitHub sends the adopting comment's event again: nothing happens twice.
    let before = s.fake.issue(REPO, n).unwrap().body;
    let again = s.comment_payload("created", n, asked, "macobo", "/sprint adopt");
    assert_eq!(s.send_comment_event(&again).await, 202);
    s.settle().await;
    assert_eq!(s.fake.issue(REPO, n).unwrap().body, before);
    assert_eq!(
        s.replies(n)
            .iter()
            .filter(|c| c.body.contains("adopted issue="))
            .count(),
        1
    );

    // At the next opening its goals go into the retro, and it is closed.
    s.clock.set("2022-11-28T10:00:00Z".parse().unwrap());
    s.rollover_due().await;
    let adopted = s.fake.issue(REPO, n).unwrap();
    assert!(!adopted.open, "the adopted issue is closed");
    let next = s
        .fake
        .issues(REPO)
        .into_iter()
        .find(|i| i.number > n && i.author == BOT)
        .expect("the next sprint's issue");
    assert!(
        next.title.starts_with("Sprint 1.43.0 1/2"),
        "{}",
        next.title
    );
    let retro = SprintDoc::parse(&next.body)
        .unwrap()
        .list(sprintbot::sprint::markers::Section::RetroGoals)
        .unwrap();
    assert_eq!(retro.len(), 13, "{retro:#?}");
    assert!(
        retro[0].starts_with("✅ Refactor onboarding"),
        "{}",
        retro[0]
    );
    assert!(s.fake.pinned().contains(&next.node_id) && !s.fake.pinned().contains(&adopted.node_id));
}

#[tokio::test]
async fn deleting_the_adoption_record_undoes_nothing() {
    let (s, n) = hand_run(&hand_written()).await;
    s.comment_on(n, "macobo", "/sprint adopt").await;
    s.settle().await;
    assert_eq!(
        s.fake.issue_reactions(REPO, n),
        [(BOT.to_string(), "rocket".to_string())],
        "sprintbot's seal on the issue"
    );
    let record = s
        .replies(n)
        .into_iter()
        .find(|c| c.body.contains("<!-- sprintbot:adopted issue="))
        .unwrap();
    // Someone deletes sprintbot's record, and the bot restarts (its proofs
    // in memory are gone; the store's current issue is forgotten too).
    s.fake.delete_comment(REPO, record.id);
    sprintbot::sprint_issues::forget_proven();
    s.bot.store.forget_current_issue(REPO).await.unwrap();

    // Commands are still answered and applied ...
    let done = s.comment_on(n, "kappa90", "/goal done 1").await;
    s.settle().await;
    assert_eq!(s.reactions(done), ["+1"]);
    let doc = SprintDoc::parse(&s.fake.issue(REPO, n).unwrap().body).unwrap();
    assert!(doc.goals().unwrap()[0].done);
    // ... and the rollover sees the sprint: its goals reach the retro.
    s.clock.set("2022-11-28T10:00:00Z".parse().unwrap());
    s.rollover_due().await;
    assert!(!s.fake.issue(REPO, n).unwrap().open);
    let next = s
        .fake
        .issues(REPO)
        .into_iter()
        .find(|i| i.number > n && i.author == BOT)
        .expect("the next sprint's issue");
    let retro = SprintDoc::parse(&next.body)
        .unwrap()
        .list(sprintbot::sprint::markers::Section::RetroGoals)
        .unwrap();
    assert_eq!(retro.len(), 13, "{retro:#?}");
}

#[tokio::test]
async fn adopt_keeps_windows_line_endings_too() {
    let written = hand_written().replace('\n', "\r\n");
    let (s, n) = hand_run(&written).await;
    // A doctor first (it reads the config and the author's access)...
    let checked = s.comment_on(n, "macobo", "/sprint doctor").await;
    s.settle().await;
    let reply = &replies_to(&s, n, checked)[0].body;
    assert!(
        item(reply, "Current sprint issue").contains("no open sprint issue"),
        "{reply}"
    );
    // ... so the adoption's calls are its own.
    let from = s.fake.requests().len();
    let asked = s.comment_on(n, "macobo", "/sprint adopt").await;
    s.settle().await;
    let expected = [
        "GET /repos/acme/app/issues/1".to_string(),
        // The sprint issues, then the open ones (whose titles' dates say
        // which hand-written one is current).
        "GET /repos/acme/app/issues".into(),
        "GET /repos/acme/app/issues".into(),
        "GET /repos/acme/app/issues/1/comments".into(),
        "POST /repos/acme/app/issues/1/comments".into(),
        "POST /repos/acme/app/issues/1/reactions".into(),
        "GET /repos/acme/app/issues/1".into(),
        "PATCH /repos/acme/app/issues/1".into(),
        "POST /repos/acme/app/issues/1/labels".into(),
        "POST /graphql".into(),
        format!("POST /repos/acme/app/issues/comments/{asked}/reactions"),
    ];
    assert_eq!(s.requests_since(from), expected);
    let body = s.fake.issue(REPO, n).unwrap().body;
    let kept: String = body
        .split_inclusive("\r\n")
        .filter(|l| !l.starts_with("<!-- sprintbot:"))
        .collect();
    assert_eq!(kept, written);
}

#[tokio::test]
async fn adopt_refuses_a_malformed_issue_with_what_it_lacks() {
    let written = hand_written()
        .replace("## Support hero this sprint\n", "")
        .replace("## 3 things that might take us down\n", "## Risks\n");
    let (s, n) = hand_run(&written).await;
    let refused = s.comment_on(n, "kappa90", "/sprint adopt").await;
    s.settle().await;
    assert_eq!(s.reactions(refused), ["confused"]);
    assert!(
        replies_to(&s, n, refused)[0]
            .body
            .contains("needs maintain access")
    );

    let asked = s.comment_on(n, "macobo", "/sprint adopt").await;
    s.settle().await;
    assert_eq!(s.reactions(asked), ["confused"]);
    let reply = &replies_to(&s, n, asked)[0].body;
    assert!(reply.contains("> /sprint adopt"), "{reply}");
    assert!(
        reply.contains("it lacks the heading \"3 things that might take us down\", the heading \"Support hero this sprint\""),
        "{reply}"
    );
    let issue = s.fake.issue(REPO, n).unwrap();
    assert_eq!(issue.body, written, "nothing written");
    assert!(issue.labels.is_empty() && s.fake.pinned().is_empty());
    assert_eq!(s.bot.store.current_issue(REPO).await.unwrap(), None);
}

#[tokio::test]
async fn a_copied_adoption_counts_for_nothing() {
    // Someone pastes an adopted issue's metadata, naming their own comment.
    let (s, n) = hand_run("placeholder").await;
    let theirs = s.fake.add_comment(
        REPO,
        n,
        "timgl",
        "<!-- sprintbot:adopted issue=1 sprint=2022-11-14 -->",
    );
    let forged = format!(
        "<!-- sprintbot:sprint id=2022-11-14 version=1.42.0 part=2/2 handled=0 adopted={theirs} -->\n{}",
        hand_written()
    );
    s.fake.edit_issue_body(REPO, n, |_| forged.clone());
    s.fake.add_label(REPO, "sprint");
    let goal = s.comment_on(n, "kappa90", "/goal Ship it").await;
    s.settle().await;
    assert!(
        s.reactions(goal).is_empty(),
        "not a sprint issue: no answer"
    );
    assert_eq!(s.fake.issue(REPO, n).unwrap().body, forged);
    assert!(
        s.fake
            .comments(REPO, n)
            .iter()
            .all(|c| c.author != BOT_LOGIN)
    );
}
