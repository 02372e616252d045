//! What a person writes never becomes sprintbot's own word: a marker quoted
//! in a reply counts for nothing (markers are parsed as whole lines of
//! sprintbot's comments on the right issue, and quoted text is escaped),
//! and a reply to any comment, however long, fits GitHub's limit. Each
//! story drives the real webhook route, worker and the fake GitHub.

mod support;

use support::scenario::{BOT, REPO, Scenario};

/// GitHub's limit on a comment body, in characters.
const GITHUB_LIMIT: usize = 65_536;

#[tokio::test]
async fn a_quoted_marker_in_a_refusal_never_counts_as_a_marker() {
    let s = Scenario::start().await;
    let next = s.issue + 1;
    let closed = format!("<!-- sprintbot:closed next={next} -->");
    // A reader may not add risks: sprintbot refuses, quoting the line.
    let c = s.comment("visitor", &format!("/risk {closed}")).await;
    assert_eq!(s.reactions(c), ["confused"]);
    let refusal = s.replies(s.issue).last().unwrap().body.clone();
    assert!(refusal.contains("sprintbot:closed"), "{refusal}");
    assert!(!refusal.contains("<!-- sprintbot:closed"), "{refusal}");
    // Nested and partial attempts come out just as inert.
    let c = s
        .comment(
            "visitor",
            &format!("/risk <!-<!-- -->- sprintbot:closed next={next} -->"),
        )
        .await;
    assert_eq!(s.reactions(c), ["confused"]);
    for reply in s.replies(s.issue) {
        assert!(
            reply.body.lines().skip(1).all(|l| !l.contains("<!--")),
            "{}",
            reply.body
        );
    }

    // The next rollover still posts its closing comment on the old issue.
    s.clock.set("2022-11-28T09:30:00Z".parse().unwrap());
    s.rollover_due().await;
    let issues = s.fake.issues(REPO);
    assert_eq!(issues.last().unwrap().number, next, "{issues:#?}");
    assert!(!s.fake.issue(REPO, s.issue).unwrap().open);
    let closing: Vec<_> = s
        .replies(s.issue)
        .into_iter()
        .filter(|c| c.body.contains("This sprint is over"))
        .collect();
    assert_eq!(closing.len(), 1, "{:#?}", s.replies(s.issue));
    assert_eq!(s.dead_jobs().await, 0);
}

#[tokio::test]
async fn an_adoption_proof_quoted_in_a_refusal_adopts_nothing() {
    let s = Scenario::start().await;
    let forged = s.issue + 1;
    // A visitor gets sprintbot to quote an adoption marker for the issue
    // they are about to open...
    let c = s
        .comment(
            "visitor",
            &format!("/risk <!-- sprintbot:adopted issue={forged} sprint=2022-11-14 -->"),
        )
        .await;
    assert_eq!(s.reactions(c), ["confused"]);
    let quoted = s.replies(s.issue).last().unwrap().id;
    // ...and opens it, claiming that reply as the proof of its adoption.
    let body = s
        .body()
        .replacen(" -->", &format!(" adopted={quoted} -->"), 1);
    assert!(body.contains(&format!("adopted={quoted}")), "{body}");
    let n = s
        .fake
        .add_issue(REPO, "Sprint 1.42.0 2/2", &body, &["sprint"], "visitor");
    assert_eq!(n, forged);
    let cmd = s
        .comment_on(forged, "kappa90", "/goal On the forgery")
        .await;
    s.settle().await;
    assert!(s.reactions(cmd).is_empty(), "not a sprint issue");
    assert!(s.replies(forged).is_empty());
    // The real sprint issue goes on working.
    let ok = s.comment("kappa90", "/goal Real one").await;
    assert_eq!(s.reactions(ok), ["+1"]);
}

#[tokio::test]
async fn an_edited_closing_comment_never_closes_twice_or_counts_elsewhere() {
    let s = Scenario::start().await;
    let next = s.issue + 1;
    s.clock.set("2022-11-28T09:30:00Z".parse().unwrap());
    s.rollover_due().await;
    let closing = s
        .replies(s.issue)
        .into_iter()
        .find(|c| c.body.contains("This sprint is over"))
        .expect("a closing comment");
    // A collaborator edits sprintbot's closing comment, moving its marker
    // inside a line: it is now text, and the rollover, run again, neither
    // writes a second closing comment nor breaks.
    let marker = closing.body.lines().next().unwrap().to_string();
    assert!(marker.starts_with("<!-- sprintbot:closed"), "{marker}");
    let edited = closing
        .body
        .replacen(&marker, &format!("Edited: {marker}"), 1);
    s.fake.edit_comment(REPO, closing.id, &edited);
    s.rollover_due().await;
    assert_eq!(s.fake.issues(REPO).len(), 2);
    assert_eq!(s.fake.issues(REPO).last().unwrap().number, next);
    let closings = s
        .replies(s.issue)
        .into_iter()
        .filter(|c| c.body.contains("This sprint is over"))
        .count();
    assert_eq!(closings, 1);
    assert_eq!(s.dead_jobs().await, 0);
}

#[tokio::test]
async fn a_reply_to_a_huge_comment_fits_github_s_limit() {
    let s = Scenario::start().await;
    // 3,000 commands, every one of them refused.
    let lines: Vec<String> = (0..3000)
        .map(|i| format!("/goal done {}", 100 + i))
        .collect();
    let c = s.comment("kappa90", &lines.join("\n")).await;
    assert_eq!(s.reactions(c), ["confused"]);
    let replies = s.replies(s.issue);
    assert_eq!(replies.len(), 1, "one reply, and GitHub accepted it");
    let reply = &replies[0].body;
    assert!(reply.chars().count() <= GITHUB_LIMIT);
    assert_eq!(reply.matches("\n> /goal done ").count(), 20, "{reply}");
    assert!(reply.contains("and 2980 more refused lines"), "{reply}");
    assert_eq!(s.dead_jobs().await, 0);

    // One line as long as GitHub allows a comment to be: quoted in part.
    let long = format!("/risk {}", "z".repeat(GITHUB_LIMIT - 10));
    let c = s.comment("visitor", &long).await;
    assert_eq!(s.reactions(c), ["confused"]);
    let reply = s.replies(s.issue).last().unwrap().body.clone();
    assert!(reply.chars().count() < 5_000, "{}", reply.len());
    assert!(reply.contains("more characters)"), "{reply}");
    assert!(s.replies(s.issue).iter().all(|r| r.author == BOT));
    assert_eq!(s.dead_jobs().await, 0);
}
