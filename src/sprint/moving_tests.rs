//! Unit tests of `moving`.
use super::*;
use crate::sprint::Login;

fn goal(number: usize, done: bool, title: &str, owner: Option<&str>) -> Goal {
    Goal {
        number,
        done,
        title: title.into(),
        owner: owner.map(|o| Login(o.into())),
        why: None,
        status: None,
        mark: None,
        ticked_by: None,
    }
}

fn teams() -> Vec<TeamView> {
    ["Growth", "Pipeline"]
        .map(|n| TeamView {
            name: n.into(),
            slug: n.to_lowercase(),
            ..TeamView::default()
        })
        .to_vec()
}

#[test]
fn unfinished_goals_and_unticked_items_move() {
    let goals = [
        goal(1, true, "Done thing", Some("ann")),
        goal(2, false, "Ship X", Some("bob")),
    ];
    let growth = TeamDoc::parse(
        "<!-- sprintbot:team slug=growth sprint=2022-11-14 -->\n## Bugs\n- [ ] Fix login\n- [x] Fixed\n",
    )
    .unwrap();
    let m = Moving::of(&goals, &[growth], &teams());
    assert_eq!(m.goals.len(), 1);
    assert_eq!(m.goals[0].number, 2);
    assert_eq!(m.team("growth"), [HangOver::from("Fix login")]);
    assert!(m.team("pipeline").is_empty());
    let urls = [(
        "growth".to_string(),
        "https://x/1#issuecomment-9".to_string(),
    )];
    let c = audit_comment(
        &m,
        &Destination {
            issue: 12,
            title: "Sprint 2",
            into_plan: true,
            team_comments: &urls,
            sub_issues: &[31],
        },
    );
    assert!(c.starts_with(&closing_marker(12)), "{c}");
    assert!(
        c.contains("1 unfinished goal is in its retro and in its plan"),
        "{c}"
    );
    assert!(c.contains("  2. Ship X (`@bob`)"), "{c}");
    assert!(
        c.contains("[its comment on #12](https://x/1#issuecomment-9)"),
        "{c}"
    );
    assert!(c.contains("  - Fix login"), "{c}");
    assert!(!c.contains("Pipeline"), "{c}");
    assert!(c.contains("**Sub-issues** moved to #12: #31"), "{c}");
}

#[test]
fn a_huge_audit_is_cut_to_fit_with_a_count_of_the_rest() {
    let long = "x".repeat(900);
    let goals: Vec<Goal> = (1..=200)
        .map(|i| goal(i, false, &long, Some("ann")))
        .collect();
    let m = Moving::of(&goals, &[], &teams());
    let c = audit_comment(
        &m,
        &Destination {
            issue: 3,
            title: "S",
            ..Default::default()
        },
    );
    assert!(fits(&c));
    assert!(c.contains("200 unfinished goals"));
    assert!(c.contains("… and "), "{}", &c[c.len() - 200..]);
    let nothing = audit_comment(
        &Moving::default(),
        &Destination {
            issue: 3,
            title: "S",
            ..Default::default()
        },
    );
    assert!(nothing.contains("nothing moved"));
}

#[test]
fn a_body_past_github_s_limit_is_cut_at_a_line_and_says_how_much() {
    let short = "marker\nshort\n".to_string();
    assert_eq!(bounded(short.clone()), short);
    let line = format!("{}\n", "é".repeat(99));
    let long = format!("<!-- m -->\n{}", line.repeat(1000));
    let cut = bounded(long.clone());
    assert!(fits(&cut), "{}", cut.chars().count());
    assert!(cut.starts_with("<!-- m -->\n"));
    let kept = cut.lines().filter(|l| l.starts_with('é')).count();
    assert!(
        cut.lines()
            .filter(|l| l.starts_with('é'))
            .all(|l| l.chars().count() == 99)
    );
    let left_out = long.chars().count() - (11 + kept * 100);
    assert!(
        cut.ends_with(&format!(
            "… ({left_out} more characters left out: GitHub's limit is 65536)\n"
        )),
        "{}",
        &cut[cut.len() - 200..]
    );
}
