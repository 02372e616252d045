//! Stories of people writing `.github/sprintbot.toml`: mistakes are reported
//! at their line and column with a fix, and `preview` shows the result.

mod support;

use std::process::Command;

use sprintbot::config::repo;

fn errors(src: &str) -> Vec<sprintbot::config::diag::Diagnostic> {
    repo::parse(".github/sprintbot.toml", src, &toml::Table::new()).unwrap_err()
}

#[test]
fn a_typo_in_a_key_is_located_and_explained() {
    let e = errors("[cadence]\nanchor = \"2022-10-03\"\ntimezon = \"UTC\"\n");
    assert_eq!((e[0].line, e[0].column), (3, 1));
    assert!(e[0].message.contains("timezon"), "{}", e[0]);
    assert!(e[0].help.is_some());
}

#[test]
fn bad_toml_is_located() {
    let e = errors("[cadence\nanchor = 1\n");
    assert_eq!(e[0].line, 1);
}

#[test]
fn every_bad_value_is_reported_at_its_place_with_a_fix() {
    let src = "[[teams]]\nname = \"Growth\"\n[[teams]]\nname = \"growth\"\nmembers = [\"not a login\"]\n\n[cadence]\nanchor = \"2022-10-03\"\ntimezone = \"Mars/Olympus\"\nopens_at = \"9 o'clock\"\nworking_days = [\"funday\"]\n\n[numbering]\nfirst_version = \"1.x\"\n\n[switches]\nmax_risks = 0\n";
    let e = errors(src);
    let at = |needle: &str| {
        e.iter()
            .find(|d| d.message.contains(needle))
            .unwrap_or_else(|| panic!("no error about {needle}: {e:#?}"))
    };
    assert_eq!(at("two teams").line, 4);
    assert_eq!(at("not a login").line, 5);
    assert_eq!((at("Mars/Olympus").line, at("Mars/Olympus").column), (9, 1));
    assert!(
        at("Mars/Olympus")
            .help
            .as_deref()
            .unwrap()
            .contains("Europe/London")
    );
    assert_eq!(at("time of day").line, 10);
    assert_eq!(at("funday").line, 11);
    assert_eq!(at("1.x").line, 14);
    assert_eq!(at("max_risks").line, 17);
}

#[test]
fn a_missing_anchor_says_what_to_add() {
    let e = errors("[cadence]\ntimezone = \"UTC\"\n");
    assert!(e[0].message.contains("anchor"));
    assert!(e[0].help.as_deref().unwrap().contains("anchor = "));
}

#[test]
fn a_template_without_markers_is_refused() {
    let e = errors(
        "[cadence]\nanchor = \"2022-10-03\"\n[templates]\nissue = \"{{ metadata }}\\nJust text\"\n",
    );
    assert!(e[0].message.contains("lacks the markers"), "{}", e[0]);
    assert_eq!(e[0].line, 4);
}

#[test]
fn deployment_defaults_apply_and_the_repository_wins() {
    let defaults: toml::Table = toml::from_str("[cadence]\ntimezone = \"America/Los_Angeles\"\nopens_at = \"08:00\"\n[switches]\nmax_risks = 5\n").unwrap();
    let r = repo::parse(
        "r",
        "[cadence]\nanchor = \"2022-10-03\"\nopens_at = \"10:00\"\n",
        &defaults,
    )
    .unwrap();
    assert_eq!(r.cadence.tz.iana_name(), Some("America/Los_Angeles"));
    assert_eq!(r.cadence.opens_at.to_string(), "10:00:00");
    assert_eq!(r.switches.max_risks, 5);
}

#[test]
fn preview_prints_the_sprint_and_its_team_comments() {
    let out = Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .args(["preview", "--date", "2022-11-16"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("# Sprint 1.42.0 2/2 - Nov 14 - Nov 25\n"),
        "{text}"
    );
    assert!(text.contains("---- comment: team product-analytics ----"));
    assert!(text.contains("Week 1: @"));
}

#[test]
fn preview_and_check_config_explain_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sprintbot.toml");
    std::fs::write(
        &file,
        "[cadence]\nanchor = \"2022-10-03\"\ntimezone = \"Nowhere\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .args(["preview", "--repo-config"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sprintbot.toml:3:1:") && err.contains("Nowhere"),
        "{err}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .args(["preview", "--date", "14/11/2022"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));

    let gh = dir.path().join(".github");
    std::fs::create_dir(&gh).unwrap();
    std::fs::write(
        gh.join("sprintbot.toml"),
        "[cadence]\nanchor = \"2022-10-03\"\ntimezone = \"Nowhere\"\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .arg("check-config")
        .arg(gh.join("sprintbot.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(":3:1: `Nowhere` is not an IANA time zone")
    );

    let ok = Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .arg("check-config")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/config/repo-sprintbot.example.toml"
        ))
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("repository config"));
}

#[test]
fn check_config_locates_deployment_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deploy.toml");
    std::fs::write(
        &file,
        "[server]\nlisten = \"0.0.0.0:3000\"\n[worker]\nconcurency = 2\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .arg("check-config")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("deploy.toml:4:1:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .arg("check-config")
        .output()
        .unwrap();
    assert!(out.status.success());
}

#[test]
fn the_book_and_the_readme_show_the_current_preview() {
    let out = Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .args(["preview", "--date", "2022-11-14"])
        .output()
        .unwrap();
    let preview = String::from_utf8(out.stdout).unwrap();
    let shown = &preview[..preview.find("---- comment: team pipeline ----").unwrap()];
    let root = env!("CARGO_MANIFEST_DIR");
    let book = std::fs::read_to_string(format!("{root}/docs/src/preview.md")).unwrap();
    assert!(
        book.contains(shown.trim_end()),
        "docs/src/preview.md's preview is stale: paste `sprintbot preview --date 2022-11-14`"
    );
    // The README shows a part of it, between two markers.
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let start = "<!-- preview excerpt: start -->\n";
    let excerpt = readme
        .split_once(start)
        .and_then(|(_, rest)| rest.split_once("<!-- preview excerpt: end -->"))
        .map(|(excerpt, _)| excerpt.trim())
        .expect(
            "README.md marks its excerpt of the preview with <!-- preview excerpt: start/end -->",
        );
    assert!(
        !excerpt.is_empty() && preview.contains(excerpt),
        "README.md's excerpt of the preview is stale: paste the same lines of `sprintbot preview --date 2022-11-14`"
    );
}

// ----- check-config: every mistake at once, kinds, days, templates -----

fn fixture(name: &str) -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/config/").to_string() + name
}

/// Diagnostics as `check-config` prints them, for snapshots.
fn shown(diags: &[sprintbot::config::diag::Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| format!("{}: {d}\n", d.severity))
        .collect()
}

fn sprintbot(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .args(args)
        .env_remove("SPRINTBOT_CONFIG")
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (out.status.code(), text(out.stdout), text(out.stderr))
}

#[test]
fn eight_mistakes_are_all_reported_in_one_run_each_with_its_fix() {
    let source = std::fs::read_to_string(fixture("eight-mistakes.toml")).unwrap();
    let e = repo::parse("team.toml", &source, &toml::Table::new()).unwrap_err();
    assert_eq!(e.len(), 8, "{}", shown(&e));
    insta::assert_snapshot!("eight_mistakes", shown(&e));
}

#[test]
fn a_deployment_file_with_several_mistakes_gets_them_all_at_once() {
    let source = std::fs::read_to_string(fixture("deploy-mistakes.toml")).unwrap();
    let e = sprintbot::config::deploy::parse("deploy.toml", &source).unwrap_err();
    assert_eq!(e.len(), 7, "{}", shown(&e));
    insta::assert_snapshot!("deploy_mistakes", shown(&e));
}

#[test]
fn a_repository_config_named_team_toml_is_checked_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("team.toml");
    std::fs::copy(fixture("eight-mistakes.toml"), &file).unwrap();
    let (code, _, err) = sprintbot(&["check-config", file.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("team.toml:13:1: unknown key `lenght_weeks` in [cadence]\n  help: did you mean `length_weeks`?"), "{err}");
    assert!(
        err.contains("team.toml:8:1: this team has no name"),
        "{err}"
    );
    assert!(
        err.ends_with("team.toml: 8 errors (repository config)\n"),
        "{err}"
    );

    let example = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/repo-sprintbot.example.toml"
    );
    std::fs::copy(example, &file).unwrap();
    let (code, out, err) = sprintbot(&["check-config", file.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("team.toml: ok (repository config)"), "{out}");
}

#[test]
fn a_file_that_is_neither_kind_is_refused_with_the_tables_of_each() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sprintbot.toml");
    std::fs::write(&file, "[cadense]\nanchor = \"2022-10-03\"\n").unwrap();
    let (code, _, err) = sprintbot(&["check-config", file.to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("neither a deployment config nor a repository config"),
        "{err}"
    );
    assert!(err.contains("did you mean [cadence]?"), "{err}");
}

const FUTURE: &str = "[cadence]\nanchor = \"2030-01-07\"\ntimezone = \"Europe/London\"\n[numbering]\nfirst_version = \"0.1.0\"\n";

#[test]
fn an_anchor_still_to_come_warns_and_says_when_the_first_issue_opens() {
    let checked = repo::check(
        "r.toml",
        FUTURE,
        &toml::Table::new(),
        Some(repo::Day::On("2029-12-20".parse().unwrap())),
    );
    assert!(checked.config.is_some());
    insta::assert_snapshot!("future_anchor", shown(&checked.diagnostics));
    // From the anchor on, nothing to say; and the bot opens nothing before it.
    let checked = repo::check(
        "r.toml",
        FUTURE,
        &toml::Table::new(),
        Some(repo::Day::On("2030-01-07".parse().unwrap())),
    );
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    let config = checked.config.unwrap();
    assert_eq!(
        config.sprint_due("2030-01-07T08:59:59Z".parse().unwrap()),
        None
    );
    assert_eq!(
        config
            .sprint_due("2030-01-07T09:00:00Z".parse().unwrap())
            .map(|s| s.index),
        Some(0)
    );
}

#[test]
fn check_config_and_preview_agree_about_a_day_before_the_first_version() {
    // Sprints before this anchor would be numbered below 0.1.0: check-config
    // and preview must both warn, both succeed, and say the same thing.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sprintbot.toml");
    std::fs::write(&file, FUTURE).unwrap();
    let path = file.to_str().unwrap();
    let (code, out, check_err) = sprintbot(&["check-config", path, "--today", "2029-11-01"]);
    assert_eq!(code, Some(0), "{check_err}");
    assert!(out.contains("ok (repository config, 1 warning)"), "{out}");
    assert!(check_err.contains("warning: "), "{check_err}");
    let (code, out, preview_err) =
        sprintbot(&["preview", "--repo-config", path, "--date", "2029-11-01"]);
    assert_eq!(code, Some(0), "{preview_err}");
    assert!(
        out.starts_with("# Sprint 0.1.0 1/2 - Jan 7 - Jan 18\n"),
        "{out}"
    );
    assert_eq!(preview_err, check_err);

    // An error stops both.
    std::fs::write(
        &file,
        format!("{FUTURE}[templates]\ntitle = \"{{{{ versoin }}}}\"\n"),
    )
    .unwrap();
    let (code, _, err) = sprintbot(&["check-config", path, "--today", "2029-11-01"]);
    assert_eq!(code, Some(2), "{err}");
    let (code, _, err) = sprintbot(&["preview", "--repo-config", path, "--date", "2029-11-01"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("sprintbot.toml:7:1: the title template uses `versoin`"),
        "{err}"
    );
}

#[test]
fn a_misspelled_template_variable_is_an_error_not_an_empty_title() {
    use sprintbot::sprint::render::{self, Templates};
    let repo = support::sprint::posthog_config();
    let sprint = repo.cadence.sprint(6);
    let label = repo.numbering.label(6).unwrap();
    let templates = Templates {
        title: "Sprint {{ versoin }}".into(),
        ..Templates::default()
    };
    let e = render::title(&templates, &sprint, &label).unwrap_err();
    assert!(e.to_string().contains("`versoin` is not defined"), "{e}");
    assert!(e.to_string().contains("`version`"), "{e}");
    // Misspelled in a branch the sample does not take: still caught.
    let e = errors(
        "[cadence]\nanchor = \"2022-10-03\"\n[templates]\nteam = \"{{ marker }}{% if hang_overs %}{{ hangovers }}{% endif %}\"\n",
    );
    assert_eq!((e[0].line, e[0].column), (4, 1));
    assert!(e[0].message.contains("`hangovers`"), "{}", e[0]);
    assert!(
        e[0].help.as_deref().unwrap().contains("`hang_overs`"),
        "{}",
        e[0]
    );
    // A syntax error says so, with minijinja's line in the template.
    let e = errors(
        "[cadence]\nanchor = \"2022-10-03\"\n[templates]\ntitle = \"Sprint {{ version }\"\n",
    );
    assert!(
        e[0].message
            .starts_with("template syntax error in the title template:"),
        "{}",
        e[0]
    );
    assert!(
        e[0].message.contains("(line 1 of the template)"),
        "{}",
        e[0]
    );
}

#[test]
fn the_health_switches_and_template_are_checked_like_the_rest() {
    let anchor = "[cadence]\nanchor = \"2022-10-03\"\n";
    let r = repo::parse(
        "x.toml",
        &format!("{anchor}[switches]\nhealth = false\ncarry_counts = false\n"),
        &toml::Table::new(),
    )
    .unwrap();
    assert!(!r.switches.health && !r.switches.carry_counts);
    let r = repo::parse("x.toml", anchor, &toml::Table::new()).unwrap();
    assert!(
        r.switches.health && r.switches.carry_counts,
        "on by default"
    );

    let e = errors(&format!("{anchor}[switches]\nhealth = \"yes\"\n"));
    assert_eq!((e[0].line, e[0].column), (4, 1), "{}", e[0]);
    assert!(e[0].message.contains("wrong type for `health`"), "{}", e[0]);
    let e = errors(&format!(
        "{anchor}[templates]\nhealth = \"{{{{ totl.done }}}}\"\n"
    ));
    assert_eq!((e[0].line, e[0].column), (4, 1), "{}", e[0]);
    assert!(
        e[0].message.contains("health template uses `totl`"),
        "{}",
        e[0]
    );
    assert!(
        e[0].help.as_deref().unwrap().contains("`total.done`"),
        "{}",
        e[0]
    );
    let e = errors(&format!(
        "{anchor}[templates]\nhealth = \"<!-- sprintbot:goals:end -->\"\n"
    ));
    assert!(e[0].message.contains("marker line of its own"), "{}", e[0]);
}

#[test]
fn a_config_too_long_to_be_meant_is_refused_before_it_is_read() {
    let src = format!("# {}\n", "padding ".repeat(40_000));
    let e = errors(&src);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].message.contains("at most 262144"), "{}", e[0]);
}

#[test]
fn deeply_nested_toml_is_an_error_not_a_crash() {
    let src = format!("x = {}1{}\n", "[".repeat(20_000), "]".repeat(20_000));
    assert!(!errors(&src).is_empty());
    let tables = format!("x = {}1{}\n", "{a = ".repeat(20_000), "}".repeat(20_000));
    assert!(!errors(&tables).is_empty());
}

/// Valid, but wrong in practice: an empty team, an anchor on a Saturday, a
/// hero and an engineer in no team, a member who may not own goals.
const IMPRACTICAL: &str = r#"[[teams]]
name = "Growth"
members = ["ann", "bo"]

[[teams]]
name = "Ghosts"

[engineers]
logins = ["ann", "cyd"]

[cadence]
anchor = "2022-10-01"
timezone = "Europe/London"

[numbering]
first_version = "1.0.0"

[rotation]
heroes = ["ann", "dee"]
"#;

#[test]
fn a_valid_config_that_is_wrong_in_practice_gets_warnings_not_errors() {
    let checked = repo::check(
        "r.toml",
        IMPRACTICAL,
        &toml::Table::new(),
        Some(repo::Day::On("2022-10-10".parse().unwrap())),
    );
    assert!(checked.config.is_some(), "{:?}", checked.diagnostics);
    insta::assert_snapshot!("impractical_warnings", shown(&checked.diagnostics));

    // check-config prints them as warnings and still succeeds.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sprintbot.toml");
    std::fs::write(&file, IMPRACTICAL).unwrap();
    let path = file.to_str().unwrap();
    let (code, out, err) = sprintbot(&["check-config", path, "--today", "2022-10-10"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("ok (repository config, 5 warnings)"), "{out}");
    assert_eq!(err.matches("warning: ").count(), 5, "{err}");
    assert!(!err.contains("error"), "{err}");
}

#[test]
fn members_from_a_github_team_are_not_second_guessed() {
    // Who is in a GitHub team only the running bot can ask: a hero or an
    // engineer missing from `members` may be in it, so no warning.
    let source = r#"[[teams]]
name = "Growth"
github_team = "acme/growth"

[engineers]
logins = ["cyd"]

[cadence]
anchor = "2022-10-03"
timezone = "Europe/London"

[numbering]
first_version = "1.0.0"

[rotation]
heroes = ["dee"]
"#;
    let checked = repo::check(
        "r.toml",
        source,
        &toml::Table::new(),
        Some(repo::Day::On("2022-10-10".parse().unwrap())),
    );
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
}

#[test]
fn a_team_legend_that_gives_no_mark_a_meaning_is_located() {
    let src = "[[teams]]\nname = \"Search\"\nlegend = \"green is good\"\n\n[cadence]\nanchor = \"2022-10-03\"\n";
    let e = errors(src);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].line, 3, "{}", e[0]);
    assert!(
        e[0].message.contains("gives no status mark a meaning"),
        "{}",
        e[0]
    );
    assert!(
        e[0].help.as_deref().unwrap_or("").contains("🟢 = done"),
        "{}",
        e[0]
    );
    let ok = src.replace(
        "green is good",
        "🟢 = done, 🟡 = in progress, 🔴 = not done",
    );
    let config = repo::parse(".github/sprintbot.toml", &ok, &toml::Table::new()).unwrap();
    let legend = config.teams[0].legend.as_ref().unwrap();
    assert_eq!(legend.0.len(), 3);
}

#[test]
fn people_map_first_names_to_logins_and_bad_entries_are_located() {
    let src = "[people]\nRosa = \"rosa-k\"\n\"Not a name!\" = \"x\"\nTheo = \"not a login!\"\n\n[cadence]\nanchor = \"2022-10-03\"\n";
    let e = errors(src);
    assert_eq!(e.len(), 2, "{e:?}");
    assert_eq!(e[0].line, 3, "{}", e[0]);
    assert!(e[0].message.contains("is not a first name"), "{}", e[0]);
    assert_eq!(e[1].line, 4, "{}", e[1]);
    assert!(e[1].message.contains("is not a GitHub login"), "{}", e[1]);
    let ok = "[people]\nRosa = \"rosa-k\"\n\n[cadence]\nanchor = \"2022-10-03\"\n";
    let config = repo::parse(".github/sprintbot.toml", ok, &toml::Table::new()).unwrap();
    assert_eq!(config.people.0[0].0, "Rosa");
    assert_eq!(config.people.0[0].1.0, "rosa-k");
    let bad_type = "[people]\nRosa = 3\n\n[cadence]\nanchor = \"2022-10-03\"\n";
    let e = errors(bad_type);
    assert_eq!(e[0].line, 2, "{}", e[0]);
    assert!(e[0].message.contains("wrong type for `Rosa`"), "{}", e[0]);
}
