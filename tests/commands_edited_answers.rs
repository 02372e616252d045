//! A collaborator edits sprintbot's answer to a command (its reply marker's
//! id, its `edit=` tag, or its text), and the store is then lost. Whatever
//! was edited, each command is still applied once (the body's ledger says
//! what was applied) and answered once (sprintbot's own reaction, which
//! nobody else can add or take away, says what was answered; a marker
//! counts only on a reply nobody edited). Each story drives the real
//! webhook route, worker and the fake GitHub.

mod support;

use sprintbot::commands::messages::reply_marker;
use support::scenario::{REPO, Scenario};

/// How many goals of the sprint issue are titled `title`.
fn goals_titled(s: &Scenario, title: &str) -> usize {
    s.goals().iter().filter(|g| g.title.contains(title)).count()
}

/// A collaborator replaces the marker line of sprintbot's reply `id`.
fn edit_reply_marker(s: &Scenario, id: u64, marker: &str, edited: Option<&str>) {
    let reply = s
        .replies(s.issue)
        .into_iter()
        .find(|c| c.id == id)
        .expect("the reply");
    assert!(reply.body.lines().any(|l| l == marker), "{}", reply.body);
    let body: Vec<&str> = reply
        .body
        .lines()
        .filter_map(|l| if l == marker { edited } else { Some(l) })
        .collect();
    // A person edits a while later (GitHub stamps the edit).
    s.clock.advance(std::time::Duration::from_secs(60));
    s.fake.edit_comment(REPO, id, &body.join("\n"));
}

#[tokio::test]
async fn a_reply_edited_to_name_an_unhandled_command_does_not_swallow_it() {
    let mut s = Scenario::start().await;
    // A reader's command is refused with a reply.
    let refused = s.comment("visitor", "/risk Nobody asked me").await;
    assert_eq!(s.reactions(refused), ["confused"]);
    let reply = s.replies(s.issue).last().unwrap().id;
    // An engineer's command whose webhook never came.
    s.clock.advance(std::time::Duration::from_secs(60));
    let lost = s
        .fake
        .add_comment(REPO, s.issue, "kappa90", "/goal Ship the lost one");
    // A collaborator edits sprintbot's reply so that it names that command.
    let named = reply_marker(lost, "c");
    edit_reply_marker(&s, reply, &reply_marker(refused, "c"), Some(&named));
    let replies = s.replies(s.issue).len();

    for _ in 0..2 {
        s.lose_store().await;
        s.catch_up().await;
        assert_eq!(goals_titled(&s, "Ship the lost one"), 1, "{}", s.body());
        assert_eq!(s.reactions(lost), ["+1"]);
        assert_eq!(s.reactions(refused), ["confused"]);
        assert_eq!(s.replies(s.issue).len(), replies, "nobody answered twice");
    }
    assert_eq!(s.dead_jobs().await, 0);
}

/// An engineer's comment is partly refused (😕 and a reply) and recorded in
/// the ledger; a collaborator edits the reply's marker with `edit`; the
/// store is lost; catch-up runs and the comment's own `created` delivery
/// comes again. One goal, one reaction, one reply.
async fn an_edited_answer_is_sent_once(edit: impl Fn(u64) -> Option<String>) {
    let mut s = Scenario::start().await;
    let body = "/goal Ship the export\n/goal done 99";
    let c = s.comment("kappa90", body).await;
    assert_eq!(s.reactions(c), ["confused"]);
    assert_eq!(goals_titled(&s, "Ship the export"), 1);
    assert!(s.body().contains(&format!("{c}!")), "{}", s.body());
    let reply = s.replies(s.issue).last().unwrap().id;
    edit_reply_marker(&s, reply, &reply_marker(c, "c"), edit(c).as_deref());
    let replies = s.replies(s.issue).len();

    s.lose_store().await;
    s.catch_up().await;
    let p = s.comment_payload("created", s.issue, c, "kappa90", body);
    assert_eq!(s.send_comment_event(&p).await, 202);
    s.settle().await;
    s.lose_store().await;
    assert_eq!(s.send_comment_event(&p).await, 202);
    s.settle().await;

    assert_eq!(goals_titled(&s, "Ship the export"), 1, "{}", s.body());
    assert_eq!(s.reactions(c), ["confused"]);
    assert_eq!(
        s.replies(s.issue).len(),
        replies,
        "answered again: {:#?}",
        s.replies(s.issue)
    );
    assert_eq!(s.dead_jobs().await, 0);
}

#[tokio::test]
async fn an_answer_whose_marker_was_deleted_is_not_sent_again() {
    an_edited_answer_is_sent_once(|_| None).await;
}

#[tokio::test]
async fn an_answer_whose_marker_names_an_edit_is_not_sent_again() {
    an_edited_answer_is_sent_once(|c| Some(reply_marker(c, "e1a2b3c4"))).await;
}

#[tokio::test]
async fn an_answer_whose_marker_names_another_comment_is_not_sent_again() {
    an_edited_answer_is_sent_once(|c| Some(reply_marker(c + 1000, "c"))).await;
}

/// A comment refused as a whole changes nothing, so the body's ledger does
/// not record it; after a lost store its `created` delivery comes again
/// (and again): it is decided again, and sprintbot's own 😕 on it shows the
/// answer was sent, so no second reply is posted. The same for help.
#[tokio::test]
async fn a_comment_refused_as_a_whole_is_not_answered_again_after_a_lost_store() {
    let mut s = Scenario::start().await;
    for (author, body, reaction) in [
        ("visitor", "/risk Nobody asked me", "confused"),
        ("kappa90", "/sprint help", "+1"),
    ] {
        let c = s.comment(author, body).await;
        assert_eq!(s.reactions(c), [reaction]);
        let replies = s.replies(s.issue).len();
        let p = s.comment_payload("created", s.issue, c, author, body);
        for _ in 0..2 {
            s.lose_store().await;
            assert_eq!(s.send_comment_event(&p).await, 202);
            s.settle().await;
        }
        assert_eq!(s.reactions(c), [reaction], "{body}");
        assert_eq!(
            s.replies(s.issue).len(),
            replies,
            "{body}: answered again: {:#?}",
            s.replies(s.issue)
        );
    }
    assert_eq!(s.dead_jobs().await, 0);
}

/// GitHub fails the reaction, or the reply, of a refusal once: the answer
/// job tries again and the author gets exactly one reply and one 😕 (the
/// reaction is written last, so a reaction never hides a reply owed).
#[tokio::test]
async fn a_refusal_whose_reaction_or_reply_fails_once_is_answered_once() {
    let s = Scenario::start().await;
    for (path, body) in [
        ("/reactions", "/risk Nobody asked me"),
        ("/comments", "/risk Nobody asked me either"),
    ] {
        let replies = s.replies(s.issue).len();
        s.fake.fail("POST", path, 1, 502, &[]);
        let c = s.comment("visitor", body).await;
        s.settle().await;
        assert_eq!(s.reactions(c), ["confused"], "{path}");
        let new: Vec<_> = s.replies(s.issue).into_iter().skip(replies).collect();
        assert_eq!(new.len(), 1, "{path}: {new:#?}");
        assert!(new[0].body.contains("Nobody asked me"), "{}", new[0].body);
    }
    assert_eq!(s.dead_jobs().await, 0);
}
