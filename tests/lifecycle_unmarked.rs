//! A collaborator edits sprintbot's own comment and deletes or mangles its
//! hidden marker line. The comment is still sprintbot's earlier effect: the
//! next rollover neither posts a team's comment again nor the closing
//! comment, reads the team's plan all the same (nothing is forgotten), and
//! a marker edited to name another sprint or issue points no effect there.
//! Each story drives the real worker against the fake GitHub.

mod support;

use sprintbot::sprint::markers::team_marker;
use support::fake_github::FakeComment;
use support::scenario::{BOT, REPO, Scenario};
use support::sprint::posthog_config;

/// sprintbot's comment for every team on the sprint issue, as its opening
/// posted them; Pipeline's filled in with one unfinished item. Returns
/// Pipeline's comment id.
fn teams_posted(s: &Scenario) -> u64 {
    let config = posthog_config();
    let sprint = config
        .cadence
        .sprint_containing("2022-11-16".parse().unwrap());
    let mut pipeline = 0;
    for team in &config.teams {
        let marker = team_marker(&team.slug, sprint.id);
        let mut body = format!(
            "{marker}\nTeam {}\n\n## Planning\n\n### High priority\n\n",
            team.name
        );
        if team.slug == "pipeline" {
            body.push_str("- [ ] Retry queue for failed exports @tiina303\n");
        }
        let id = s.fake.add_comment(REPO, s.issue, BOT, &body);
        if team.slug == "pipeline" {
            pipeline = id;
        }
    }
    pipeline
}

/// A person edits comment `id`, changing its marker line with `edit`.
fn edit_marker(s: &Scenario, id: u64, edit: impl Fn(&str) -> Option<String>) {
    let c = s
        .fake
        .comments_all(REPO)
        .into_iter()
        .find(|c| c.id == id)
        .unwrap();
    let body: Vec<String> = c
        .body
        .lines()
        .filter_map(|l| {
            if l.starts_with("<!-- sprintbot:") {
                edit(l)
            } else {
                Some(l.to_string())
            }
        })
        .collect();
    s.fake.edit_comment(REPO, id, &body.join("\n"));
}

fn titled(s: &Scenario, issue: u64, title: &str) -> Vec<FakeComment> {
    s.replies(issue)
        .into_iter()
        .filter(|c| c.body.lines().any(|l| l.trim() == title))
        .collect()
}

/// The sprint's opening is looked at again (the next scheduled rollover
/// job finishes an opening cut short), then the next sprint opens.
async fn look_again_then_roll(s: &Scenario) -> u64 {
    s.rollover_due().await;
    s.clock.set("2022-11-28T09:00:00Z".parse().unwrap());
    s.rollover_due().await;
    let issues = s.fake.issues(REPO);
    assert_eq!(issues.len(), 2, "{issues:#?}");
    issues[1].number
}

async fn a_team_comment_keeps_its_place(edit: impl Fn(&str) -> Option<String>) {
    let s = Scenario::start().await;
    let pipeline = teams_posted(&s);
    edit_marker(&s, pipeline, edit);
    let next = look_again_then_roll(&s).await;
    let old = titled(&s, s.issue, "Team Pipeline");
    assert_eq!(old.len(), 1, "posted again: {old:#?}");
    for team in posthog_config().teams {
        let title = format!("Team {}", team.name);
        assert_eq!(titled(&s, s.issue, &title).len(), 1, "{title}");
        assert_eq!(titled(&s, next, &title).len(), 1, "{title} on #{next}");
    }
    // Its unfinished item moved to the new sprint's comment all the same.
    let new = &titled(&s, next, "Team Pipeline")[0];
    assert!(
        new.body.contains("Retry queue for failed exports"),
        "{}",
        new.body
    );
    assert_eq!(s.dead_jobs().await, 0);
}

#[tokio::test]
async fn a_team_comment_whose_marker_was_deleted_is_not_posted_again() {
    a_team_comment_keeps_its_place(|_| None).await;
}

#[tokio::test]
async fn a_team_comment_whose_marker_was_mangled_is_not_posted_again() {
    a_team_comment_keeps_its_place(|l| Some(l[..l.len() / 2].to_string())).await;
}

#[tokio::test]
async fn a_team_comment_whose_marker_names_another_sprint_is_not_posted_again() {
    a_team_comment_keeps_its_place(|l| Some(l.replace("sprint=2022-11-14", "sprint=2023-01-09")))
        .await;
}

/// The old sprint issue after its rollover: a person edits the closing
/// comment's marker with `edit` and reopens the issue, and the next
/// rollover job looks at the opening again.
async fn the_closing_comment_stays_one(edit: impl Fn(&str) -> Option<String>) {
    let s = Scenario::start().await;
    teams_posted(&s);
    let next = look_again_then_roll(&s).await;
    let closing = |s: &Scenario| -> Vec<FakeComment> {
        s.replies(s.issue)
            .into_iter()
            .filter(|c| c.body.contains("This sprint is over"))
            .collect()
    };
    let first = closing(&s);
    assert_eq!(first.len(), 1, "{first:#?}");
    edit_marker(&s, first[0].id, edit);
    s.fake.set_issue_open(REPO, s.issue, true);
    s.clock.set("2022-11-28T10:00:00Z".parse().unwrap());
    s.rollover_due().await;
    let after = closing(&s);
    assert_eq!(after.len(), 1, "posted again: {after:#?}");
    // Nothing went to the issue a changed marker names.
    assert!(s.fake.issue(REPO, 99).is_none());
    assert_eq!(s.fake.issues(REPO).len(), 2);
    assert!(
        s.replies(next)
            .iter()
            .all(|c| !c.body.contains("This sprint is over"))
    );
    assert_eq!(s.dead_jobs().await, 0);
}

#[tokio::test]
async fn a_closing_comment_whose_marker_was_deleted_is_not_posted_again() {
    the_closing_comment_stays_one(|_| None).await;
}

#[tokio::test]
async fn a_closing_comment_whose_marker_names_another_issue_is_not_posted_again() {
    the_closing_comment_stays_one(|l| Some(l.replace("next=2", "next=99"))).await;
}
