use super::*;
use crate::sprint::SprintId;
use crate::sprint::ledger::Ledger;

fn meta() -> Metadata {
    Metadata {
        sprint: SprintId(jiff::civil::date(2022, 11, 14)),
        version: "1.42.0".into(),
        part: 2,
        parts: 2,
        ledger: Ledger::default(),
        previous: None,
        adopted: Some(99),
    }
}

const HAND: &str = "Global Sprint Planning\n\n## 3 things that might take us down\n\n1. Everyone has a different idea\n2. Postgres growth @fuziontech\n\n## Retro: Status of Outcomes from Previous Sprint\n\n1. Saving recordings @alexkim205 - Nearly done\n\n## Retro: What can we do better next sprint?\n\n1. Fewer incidents\n   - historical imports\n\n## Support hero this sprint\n\nWeek 1: Michael Week 2: Neil\n\n## Plan: Proposed Goals for Next Sprint\n\nEach goal should have a single owner. Owner can only be an engineer.\n\n1. Refactor onboarding @kappa90 why? activation is down.\n2. Sentry is clean @tiina303 Why: spot bugs\n\n## Team sprint planning\n\nCopy this template.\n";

/// The body with every marker line taken out again.
fn without_markers(body: &str) -> String {
    body.split_inclusive('\n')
        .filter(|l| !l.trim_start().starts_with("<!-- sprintbot:"))
        .collect()
}

#[test]
fn markers_go_around_each_section_and_nothing_else_changes() {
    let adopted = adopt(HAND, &meta()).unwrap();
    assert_eq!(without_markers(&adopted), HAND);
    assert!(adopted.starts_with(
        "<!-- sprintbot:sprint id=2022-11-14 version=1.42.0 part=2/2 handled=0 adopted=99 -->\n"
    ));
    let doc = SprintDoc::parse(&adopted).unwrap();
    let goals = doc.goals().unwrap();
    assert_eq!(goals.len(), 2, "hand-numbered goals are goals");
    assert_eq!(goals[0].title, "Refactor onboarding");
    assert_eq!(goals[1].why.as_deref(), Some("spot bugs"));
    assert_eq!(doc.list(Section::Risks).unwrap().len(), 2);
    assert_eq!(
        doc.list(Section::Retro).unwrap(),
        ["Fewer incidents\n   - historical imports"]
    );
    // The instruction above the goals stays outside their markers.
    assert!(
        adopted.contains(
            "Owner can only be an engineer.\n\n<!-- sprintbot:goals:start -->\n1. Refactor"
        )
    );
    assert!(adopted.contains("Week 2: Neil\n<!-- sprintbot:heroes:end -->\n\n## Plan"));
}

#[test]
fn crlf_bodies_keep_their_line_endings() {
    let crlf = HAND.replace('\n', "\r\n");
    let adopted = adopt(&crlf, &meta()).unwrap();
    assert!(!adopted.replace("\r\n", "").contains('\n'), "only CRLF");
    let kept: String = adopted
        .split_inclusive("\r\n")
        .filter(|l| !l.starts_with("<!-- sprintbot:"))
        .collect();
    assert_eq!(kept, crlf);
}

#[test]
fn a_body_without_a_final_line_ending_is_kept_too() {
    let body = HAND.replace("\n\n## Team sprint planning\n\nCopy this template.\n", "");
    assert!(!body.ends_with('\n'));
    let adopted = adopt(&body, &meta()).unwrap();
    assert!(adopted.ends_with("spot bugs\n<!-- sprintbot:goals:end -->\n"));
    assert_eq!(without_markers(&adopted).trim_end_matches('\n'), body);
}

#[test]
fn missing_and_doubled_sections_are_named() {
    let body = HAND
        .replace("## Support hero this sprint\n", "")
        .replace("## 3 things that might take us down\n", "");
    assert_eq!(
        adopt(&body, &meta()),
        Err(AdoptError::Missing(strings(&[
            "3 things that might take us down",
            "Support hero this sprint"
        ])))
    );
    let twice = format!("{HAND}\n### Support hero this sprint\n");
    let err = adopt(&twice, &meta()).unwrap_err();
    assert_eq!(
        err,
        AdoptError::Twice(strings(&["Support hero this sprint"]))
    );
    assert!(
        err.to_string().contains("\"Support hero this sprint\""),
        "{err}"
    );
}

#[test]
fn an_empty_section_gets_its_markers_under_its_heading() {
    let body = HAND.replace("1. Fewer incidents\n   - historical imports\n", "");
    let adopted = adopt(&body, &meta()).unwrap();
    assert!(adopted.contains(
        "## Retro: What can we do better next sprint?\n<!-- sprintbot:retro:start -->\n<!-- sprintbot:retro:end -->\n"
    ));
    assert_eq!(without_markers(&adopted), body);
}

#[test]
fn markers_already_there_and_headings_in_code_are_refused() {
    let copied = format!("<!-- sprintbot:goals:start -->\n{HAND}");
    assert_eq!(adopt(&copied, &meta()), Err(AdoptError::HasMarkers));
    let fenced = HAND.replace(
        "## Support hero this sprint\n",
        "```\n## Support hero this sprint\n```\n",
    );
    assert_eq!(
        adopt(&fenced, &meta()),
        Err(AdoptError::Missing(strings(&["Support hero this sprint"])))
    );
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}
