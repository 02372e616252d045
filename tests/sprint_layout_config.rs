//! Declaring the document model in `.github/sprintbot.toml`: every mistake
//! in `preset`, `[[body.sections]]` and `[[team.sections]]` is reported at
//! its line and column with a fix, and `preview` shows what a preset
//! renders.

use std::process::Command;

use sprintbot::config::diag::Diagnostic;
use sprintbot::config::repo;

const HEAD: &str = "[cadence]\nanchor = \"2026-01-05\"\n\n";

fn errors(rest: &str) -> Vec<Diagnostic> {
    errors_with("", rest)
}

/// `top`: top-level keys, before the first table.
fn errors_with(top: &str, rest: &str) -> Vec<Diagnostic> {
    let src = format!("{top}{HEAD}{rest}");
    repo::parse(".github/sprintbot.toml", &src, &toml::Table::new()).unwrap_err()
}

fn about<'d>(e: &'d [Diagnostic], needle: &str) -> &'d Diagnostic {
    e.iter()
        .find(|d| d.message.contains(needle))
        .unwrap_or_else(|| panic!("no error about {needle}: {e:#?}"))
}

#[test]
fn an_unknown_kind_is_located_with_the_closest_one() {
    let e = errors("[[body.sections]]\nheading = \"Risks\"\nkind = \"riks\"\n");
    let d = about(&e, "`riks` is not a kind of section");
    assert_eq!((d.line, d.column), (6, 1));
    assert!(
        d.help.as_deref().unwrap().contains("kind = \"risks\""),
        "{d}"
    );
}

#[test]
fn a_team_kind_in_the_body_says_where_it_belongs() {
    let e = errors(
        "[[body.sections]]\nkind = \"quarter-goals\"\n\n[[team.sections]]\nkind = \"goals\"\n",
    );
    let d = about(&e, "`quarter-goals` is not a kind");
    assert_eq!(d.line, 5);
    assert!(
        d.help.as_deref().unwrap().contains("[[team.sections]]"),
        "{d}"
    );
    let d = about(&e, "`goals` is not a kind");
    assert_eq!(d.line, 8);
    assert!(
        d.help.as_deref().unwrap().contains("[[body.sections]]"),
        "{d}"
    );
}

#[test]
fn a_doubled_section_a_misused_keep_and_a_missing_kind_are_each_reported() {
    let e = errors(
        "[[body.sections]]\nkind = \"goals\"\n\n[[body.sections]]\nkind = \"goals\"\n\n[[body.sections]]\nkind = \"risks\"\nkeep = true\n\n[[body.sections]]\nheading = \"What?\"\n",
    );
    assert_eq!(about(&e, "a second `goals` section").line, 8);
    assert_eq!(about(&e, "only a `notes` list is kept").line, 12);
    let d = about(&e, "this section has no kind");
    assert_eq!(d.line, 14);
    assert!(d.help.as_deref().unwrap().contains("kind = \"goals\""));
}

#[test]
fn an_unknown_preset_and_a_link_with_nowhere_to_go() {
    let e = errors_with("preset = \"2025\"\n", "");
    let d = about(&e, "preset");
    assert_eq!(d.line, 1);
    assert!(d.help.as_deref().unwrap().contains("2026"), "{d}");
    let e = errors_with(
        "preset = \"2026\"\n",
        "[body]\nlink = \"https://example.com/board\"\n",
    );
    let d = about(&e, "no link section");
    assert_eq!(d.line, 6);
    assert!(d.help.as_deref().unwrap().contains("preset = \"2024\""));
}

#[test]
fn a_level_out_of_range_is_refused_by_the_schema() {
    let e = errors("[[team.sections]]\nkind = \"plan\"\nlevel = 9\n");
    assert_eq!(about(&e, "level").line, 6);
}

#[test]
fn declared_sections_render_and_read_back() {
    let src = format!(
        "{HEAD}[[body.sections]]\nkind = \"text\"\nheading = \"Planning {{{{ not a tag }}}}\"\nlevel = 1\n\n[[teams]]\nname = \"Search\"\nmembers = [\"ana-example\"]\n\n[[body.sections]]\nkind = \"goals\"\nheading = \"Goals\"\n\n[[body.sections]]\nkind = \"notes\"\nheading = \"Incidents\"\nkeep = true\n\n[[team.sections]]\nkind = \"title\"\nheading = \"Team\"\n\n[[team.sections]]\nkind = \"plan\"\nheading = \"Plan\"\n\n[[team.sections]]\nkind = \"priority\"\nheading = \"Now\"\n"
    );
    let config = repo::parse(".github/sprintbot.toml", &src, &toml::Table::new()).unwrap();
    assert!(config.templates.issue.contains("## Goals\n"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sprintbot.toml");
    std::fs::write(&path, &src).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .args(["preview", "--date", "2026-01-20", "--repo-config"])
        .arg(&path)
        .env_remove("SPRINTBOT_CONFIG")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("# Planning {{ not a tag }}\n"), "{text}");
    assert!(text.contains("## Goals\n"), "{text}");
    assert!(text.contains("## Incidents\n"), "{text}");
    assert!(text.contains("### Now\n"), "{text}");
}

#[test]
fn preview_shows_each_preset() {
    for (preset, heading) in [
        ("2023", "## OKR"),
        ("2024", "**Support hero:** ___"),
        ("2026", "## Quarter goals"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sprintbot.toml");
        std::fs::write(
            &path,
            format!("preset = \"{preset}\"\n{HEAD}[[teams]]\nname = \"Search\"\n"),
        )
        .unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_sprintbot"))
            .args(["preview", "--date", "2026-01-20", "--repo-config"])
            .arg(&path)
            .env_remove("SPRINTBOT_CONFIG")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{preset}: {text}");
        assert!(text.contains(heading), "{preset}: {text}");
    }
}
