//! A command on an issue sprintbot once recognised as a sprint issue always
//! gets an answer, whatever people did to the issue since: its `sprint`
//! label taken off, its title edited, the issue closed, or its hidden
//! metadata line edited away. The answer is the command applied, or a
//! refusal that says why and what to do; never silence. Each story drives
//! the real webhook route and worker against the fake GitHub, with the
//! store empty of what it learnt before (GitHub is the record).

mod support;

use support::scenario::{REPO, Scenario};

/// The one answer comment `c` got: its reactions, and the text of the
/// bot's reply to it, if any.
fn answer(s: &Scenario, c: u64) -> (Vec<String>, Option<String>) {
    let reply = s
        .replies(s.issue)
        .into_iter()
        .filter(|r| r.body.contains(&format!("sprintbot:reply-to={c} ")))
        .map(|r| r.body)
        .collect::<Vec<_>>();
    assert!(reply.len() <= 1, "answered twice: {reply:#?}");
    (s.reactions(c), reply.into_iter().next())
}

#[tokio::test]
async fn a_goal_on_a_sprint_issue_whose_label_was_removed_is_applied() {
    let s = Scenario::start().await;
    s.fake.remove_issue_label(REPO, s.issue, "sprint");
    let c = s.comment("kappa90", "/goal Ship the label-less goal").await;
    let (reactions, reply) = answer(&s, c);
    assert_eq!(reactions, ["+1"], "{reply:?}");
    assert!(
        s.goals()
            .iter()
            .any(|g| g.title == "Ship the label-less goal")
    );
    assert_eq!(s.dead_jobs().await, 0);
}

#[tokio::test]
async fn a_goal_on_a_sprint_issue_whose_title_was_edited_is_applied() {
    let s = Scenario::start().await;
    s.fake
        .set_issue_title(REPO, s.issue, "Sprint 42 (renamed by hand)");
    let c = s.comment("kappa90", "/goal Ship the renamed goal").await;
    let (reactions, reply) = answer(&s, c);
    assert_eq!(reactions, ["+1"], "{reply:?}");
    assert!(s.goals().iter().any(|g| g.title == "Ship the renamed goal"));
}

#[tokio::test]
async fn a_goal_on_a_closed_sprint_issue_is_refused_with_what_to_do() {
    let s = Scenario::start().await;
    s.fake.set_issue_open(REPO, s.issue, false);
    let c = s.comment("kappa90", "/goal Ship on a closed issue").await;
    let (reactions, reply) = answer(&s, c);
    assert_eq!(reactions, ["confused"]);
    let reply = reply.expect("a reply that says why");
    assert!(reply.contains("closed"), "{reply}");
    assert!(
        s.goals()
            .iter()
            .all(|g| g.title != "Ship on a closed issue")
    );
}

#[tokio::test]
async fn a_goal_on_a_sprint_issue_whose_metadata_was_edited_away_is_refused_with_the_fix() {
    let s = Scenario::start().await;
    s.fake.edit_issue_body(REPO, s.issue, |body| {
        body.lines()
            .filter(|l| !l.trim_start().starts_with("<!-- sprintbot:sprint "))
            .collect::<Vec<_>>()
            .join("\n")
    });
    let c = s.comment("kappa90", "/goal Ship on a damaged issue").await;
    let (reactions, reply) = answer(&s, c);
    assert_eq!(reactions, ["confused"]);
    let reply = reply.expect("a reply that says why");
    assert!(reply.contains("metadata"), "{reply}");
    assert!(reply.contains("edit history"), "{reply}");
    assert!(!s.body().contains("Ship on a damaged issue"));
    // Sent again, the same delivery is not answered twice.
    let before = s.fake.requests().len();
    let id = c;
    let p = s.comment_payload(
        "created",
        s.issue,
        id,
        "kappa90",
        "/goal Ship on a damaged issue",
    );
    assert_eq!(s.send_comment_event(&p).await, 202);
    s.settle().await;
    let writes: Vec<String> = s
        .requests_since(before)
        .into_iter()
        .filter(|r| !r.starts_with("GET"))
        .collect();
    assert!(writes.is_empty(), "{writes:#?}");
    answer(&s, c);
}

#[tokio::test]
async fn a_goal_on_an_issue_sprintbot_never_ran_stays_unanswered() {
    // The other side of the promise: a person's issue with a `/goal` line
    // is none of sprintbot's business, and costs no write.
    let s = Scenario::start().await;
    let other = s
        .fake
        .add_issue(REPO, "Bug: login fails", "It fails.", &[], "visitor");
    let before = s.fake.requests().len();
    s.comment_on(other, "kappa90", "/goal Not a sprint").await;
    s.settle().await;
    let writes: Vec<String> = s
        .requests_since(before)
        .into_iter()
        .filter(|r| !r.starts_with("GET") && !r.ends_with("/access_tokens"))
        .collect();
    assert!(writes.is_empty(), "{writes:#?}");
}
