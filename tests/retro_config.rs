//! The switches and templates of the retro's extras (linked goals,
//! sub-issues, the shipped list, the pinned summary) are checked like the
//! rest of a repository config: defaults, wrong types, values out of range
//! and templates that would not render or would damage the issue, each
//! reported at its place with a fix; and the preview shows them.

mod support;

use sprintbot::config::repo;

const ANCHOR: &str = "[cadence]\nanchor = \"2022-10-03\"\n";

fn errors(src: &str) -> Vec<sprintbot::config::diag::Diagnostic> {
    repo::parse(".github/sprintbot.toml", src, &toml::Table::new()).unwrap_err()
}

#[test]
fn the_retro_switches_have_their_defaults_and_can_be_turned() {
    let r = repo::parse("x.toml", ANCHOR, &toml::Table::new()).unwrap();
    let s = r.switches;
    assert!(s.tick_linked_goals && s.shipped && !s.goals_as_sub_issues && !s.pin_summary);
    assert_eq!(s.shipped_per_team, 10);
    let r = repo::parse(
        "x.toml",
        &format!("{ANCHOR}[switches]\ntick_linked_goals = false\ngoals_as_sub_issues = true\nshipped = false\nshipped_per_team = 0\npin_summary = true\n"),
        &toml::Table::new(),
    )
    .unwrap();
    let s = r.switches;
    assert!(!s.tick_linked_goals && !s.shipped && s.goals_as_sub_issues && s.pin_summary);
    assert_eq!(s.shipped_per_team, 0);
}

#[test]
fn a_bad_retro_switch_is_reported_at_its_place_with_a_fix() {
    let e = errors(&format!("{ANCHOR}[switches]\nshipped_per_team = 500\n"));
    assert_eq!((e[0].line, e[0].column), (4, 1), "{}", e[0]);
    assert!(
        e[0].message
            .contains("shipped_per_team must be from 0 to 100, not 500"),
        "{}",
        e[0]
    );
    assert!(
        e[0].help
            .as_deref()
            .unwrap()
            .contains("shipped_per_team = 10"),
        "{}",
        e[0]
    );
    let e = errors(&format!("{ANCHOR}[switches]\nshipped_per_team = -1\n"));
    assert!(e[0].message.contains("not -1"), "{}", e[0]);
    let e = errors(&format!("{ANCHOR}[switches]\npin_summary = \"yes\"\n"));
    assert!(
        e[0].message.contains("wrong type for `pin_summary`"),
        "{}",
        e[0]
    );
    let e = errors(&format!("{ANCHOR}[switches]\ngoals_as_subissues = true\n"));
    assert!(e[0].message.contains("goals_as_subissues"), "{}", e[0]);
    assert!(
        e[0].help
            .as_deref()
            .unwrap()
            .contains("goals_as_sub_issues"),
        "{}",
        e[0]
    );
}

#[test]
fn the_shipped_and_summary_templates_are_checked_before_they_are_used() {
    let e = errors(&format!(
        "{ANCHOR}[templates]\nshipped = \"{{{{ totl }}}}\"\n"
    ));
    assert_eq!((e[0].line, e[0].column), (4, 1), "{}", e[0]);
    assert!(
        e[0].message.contains("shipped template uses `totl`"),
        "{}",
        e[0]
    );
    assert!(
        e[0].help.as_deref().unwrap().contains("`total`"),
        "{}",
        e[0]
    );
    let e = errors(&format!(
        "{ANCHOR}[templates]\nshipped = \"<!-- sprintbot:heroes:start -->\"\n"
    ));
    assert!(
        e[0].message
            .contains("shipped template writes a `<!-- sprintbot:... -->` marker"),
        "{}",
        e[0]
    );
    let e = errors(&format!(
        "{ANCHOR}[templates]\nsummary = \"{{% for t in teams %}}\"\n"
    ));
    assert!(
        e[0].message
            .contains("syntax error in the summary template"),
        "{}",
        e[0]
    );
    let ok = format!(
        "{ANCHOR}[templates]\nshipped = \"{{{{ total }}}} merged {{{{ search_url }}}}\"\nsummary = \"{{{{ total.done }}}} done\"\n"
    );
    let r = repo::parse("x.toml", &ok, &toml::Table::new()).unwrap();
    assert!(r.templates.shipped.starts_with("{{ total }}"));
}

#[test]
fn the_preview_shows_the_shipped_list_and_the_pinned_summary_when_on() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sprintbot.toml");
    let text = support::sprint::POSTHOG_CONFIG.replace("pin_summary = false", "pin_summary = true");
    std::fs::write(&file, text).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .args(["preview", "--date", "2022-11-14", "--repo-config"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("### Shipped last sprint\n"), "{text}");
    assert!(!text.contains("dependabot"), "bots are left out: {text}");
    let summary = text
        .split("---- comment: the health summary, pinned ----")
        .nth(1)
        .expect("the summary comment");
    assert!(
        summary.contains("<!-- sprintbot:summary sprint=2022-11-14 -->"),
        "{summary}"
    );
    assert!(summary.contains("4 of 8 goals done (50%)"), "{summary}");
}
