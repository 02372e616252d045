//! What a rollover reads for the retro's extras, when GitHub says no: an
//! older sprint issue that cannot be read shortens the chart, a pull
//! request list GitHub refuses leaves the shipped list out, a passing
//! failure fails the rollover until the next run finishes it; and the
//! members of a team's GitHub team count for that team.

mod support;

use support::retro::{REPO, World, config_text};

fn previous_opening(w: &World) -> jiff::Timestamp {
    w.config
        .cadence
        .sprint(w.issues.len() as i64 - 1)
        .opens_at
        .checked_add(jiff::SignedDuration::from_hours(2))
        .unwrap()
}

#[tokio::test]
async fn an_older_issue_that_cannot_be_read_shortens_the_chart_not_the_rollover() {
    let w = World::start(&config_text(1), 6).await;
    let gone = w.issues[w.issues.len() - 3];
    w.set_labels(gone, &[]);
    w.fake.fail("GET", &format!("/issues/{gone}"), 10, 404, &[]);
    w.roll().await;
    let body = w.newest_body();
    assert!(body.contains("The last 2 sprints:"), "{body}");
}

#[tokio::test]
async fn a_pull_request_list_github_refuses_leaves_the_shipped_list_out() {
    let w = World::start(&config_text(1), 2).await;
    w.merge(3);
    w.fake.fail("GET", "/pulls", 1, 403, &[]);
    w.roll().await;
    let body = w.newest_body();
    assert!(!body.contains("<!-- sprintbot:shipped:start -->"), "{body}");
    assert!(
        body.contains("### Sprint health"),
        "the rest is there: {body}"
    );
}

#[tokio::test]
async fn a_passing_failure_fails_the_rollover_and_the_next_run_finishes_it() {
    let w = World::start(&config_text(1), 2).await;
    w.merge(3);
    w.fake.fail("GET", "/pulls", 5, 502, &[]);
    let (done, calls) = w.try_roll().await;
    assert!(done.is_err(), "{calls:?}");
    assert!(
        calls.iter().all(|c| !c.starts_with("POST")),
        "nothing was written: {calls:?}"
    );
    w.roll().await;
    assert!(
        w.newest_body()
            .contains("3 pull requests merged into `main`")
    );
}

#[tokio::test]
async fn a_teams_github_team_counts_its_members_for_one_call() {
    let with_team = config_text(2).replacen(
        "members = [\"kappa90\", \"dev0\"]\n",
        "members = [\"kappa90\", \"dev0\"]\ngithub_team = \"acme/platform\"\n",
        1,
    );
    for known in [true, false] {
        let w = World::start(&with_team, 2).await;
        if known {
            w.fake.add_team_member("acme", "platform", "outsider");
        }
        w.clock.set(previous_opening(&w));
        let n = w
            .fake
            .open_pull_request(REPO, "Outside work", "outsider", "main");
        w.fake.close_pull_request(REPO, n, true);
        let calls = w.roll().await;
        assert_eq!(
            calls
                .iter()
                .filter(|c| *c == "GET /orgs/acme/teams/platform/members")
                .count(),
            1
        );
        let body = w.newest_body();
        let team = if known { "**Team 0**" } else { "**Other**" };
        let at = body.find(team).unwrap_or_else(|| panic!("{team}: {body}"));
        assert!(
            body[at..].contains(&format!("Outside work #{n} by outsider")),
            "{body}"
        );
    }
}
