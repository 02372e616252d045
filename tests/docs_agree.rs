//! What a newcomer copies or follows must be right: the shipped example
//! config names only invented people (and is the reference config with its
//! people renamed, so the tests of the one cover the other), and every
//! pointer from the code and the configs into the README or the book names a
//! file and heading that exist. Reads the repository's own files.

use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const SAMPLE: &str = include_str!("../config/repo-sprintbot.example.toml");
const REFERENCE: &str = include_str!("fixtures/reference/posthog-sprintbot.toml");

/// Each person of the reference sprints, and who stands in for them in the
/// shipped example.
const PEOPLE: [(&str, &str); 16] = [
    ("kappa90", "ana-example"),
    ("neilkakkar", "bo-example"),
    ("liyiy", "chen-example"),
    ("yakkomajuri", "dara-example"),
    ("tiina303", "eli-example"),
    ("benjackwhite", "femi-example"),
    ("alexkim205", "gus-example"),
    ("mariusandra", "hana-example"),
    ("Twixes", "ivo-example"),
    ("macobo", "jun-example"),
    ("fuziontech", "kai-example"),
    ("guidoiaquinti", "lena-example"),
    ("ellie", "milo-example"),
    ("danielxnj", "noor-example"),
    ("EDsCODE", "omar-example"),
    ("rosa-k", "rosa-example"),
];
/// GitHub teams, named as `org/slug`.
const TEAMS: [(&str, &str); 2] = [
    ("PostHog/team-growth", "example-org/growth"),
    ("PostHog/engineers", "example-org/engineers"),
];

fn invented(login: &str) -> bool {
    PEOPLE.iter().any(|(_, ours)| *ours == login)
}

fn login_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// The starts of `word` in `text` as a whole login (not inside a longer one).
fn whole(text: &str, word: &str) -> Vec<usize> {
    text.match_indices(word)
        .map(|(i, _)| i)
        .filter(|&i| {
            !text[..i].ends_with(login_char) && !text[i + word.len()..].starts_with(login_char)
        })
        .collect()
}

fn rename(text: &str, real: &str, ours: &str) -> String {
    let mut out = String::new();
    let mut from = 0;
    for i in whole(text, real) {
        out.push_str(&text[from..i]);
        out.push_str(ours);
        from = i + real.len();
    }
    out.push_str(&text[from..]);
    out
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_shipped_example_is_the_reference_config_with_invented_people() {
    let (_, reference) = REFERENCE
        .split_once("# ---- people ----\n")
        .expect("the fixture marks where the config starts");
    let mut renamed = reference.to_string();
    for (real, ours) in TEAMS.iter().chain(&PEOPLE) {
        renamed = rename(&renamed, real, ours);
    }
    let (_, shipped) = SAMPLE
        .split_once("\n\n")
        .expect("the example opens with a header");
    assert_eq!(words(shipped), words(&renamed));
}

#[test]
fn the_shipped_example_names_only_invented_people() {
    for (real, _) in TEAMS.iter().chain(&PEOPLE) {
        let lower = SAMPLE.to_lowercase();
        assert!(
            whole(&lower, &real.to_lowercase()).is_empty(),
            "config/repo-sprintbot.example.toml names `{real}`"
        );
    }
    let table: toml::Table = SAMPLE.parse().unwrap();
    let list = |v: &toml::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    let mut logins: Vec<String> = table["teams"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| list(&t["members"]))
        .collect();
    logins.extend(list(&table["engineers"]["logins"]));
    logins.extend(list(&table["rotation"]["heroes"]));
    // The commented-out examples: `# login = "…"` and `# Rosa = "…"`.
    for line in SAMPLE.lines() {
        let Some((key, value)) = line.strip_prefix("# ").and_then(|l| l.split_once(" = \"")) else {
            continue;
        };
        if key == "login" || key.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
            logins.push(value.split('"').next().unwrap().to_string());
        }
    }
    assert!(logins.len() > 20, "{logins:?}");
    for login in &logins {
        assert!(
            invented(login),
            "`{login}` is not one of the invented people"
        );
    }
}

#[test]
fn the_built_in_preview_mentions_only_invented_people() {
    let out = Command::new(env!("CARGO_BIN_EXE_sprintbot"))
        .args(["preview", "--date", "2022-11-14"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut seen = 0;
    for (i, _) in text.match_indices('@') {
        let login: String = text[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        // `/goal <title> @owner` in the help line is a placeholder.
        if !login.is_empty() && login != "owner" {
            assert!(invented(&login), "the preview mentions @{login}");
            seen += 1;
        }
    }
    assert!(seen > 5, "{text}");
}

// ----- pointers into the README and the book -----

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// A heading's id as GitHub and mdBook make it.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

fn anchors(markdown: &str) -> Vec<String> {
    let mut fenced = false;
    let mut out = Vec::new();
    for line in markdown.lines() {
        if line.starts_with("```") || line.starts_with("~~~") {
            fenced = !fenced;
        } else if !fenced && line.starts_with('#') {
            out.push(slug(line.trim_start_matches('#')));
        }
    }
    out
}

/// Every `README.md`, `CONTRIBUTING.md` or `docs/src/….md` (with an
/// optional `#anchor`) in `text`, and where.
fn references(text: &str) -> Vec<(usize, String, Option<String>)> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        for start in ["README", "CONTRIBUTING.md", "SECURITY.md", "docs/src/"] {
            for (i, _) in line.match_indices(start) {
                let taken: String = line[i..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || "/._-#".contains(*c))
                    .collect();
                let taken = taken.trim_end_matches(['.', '-']);
                let (file, anchor) = match taken.split_once('#') {
                    Some((f, a)) => (f.to_string(), Some(a.to_string())),
                    None => (taken.to_string(), None),
                };
                out.push((n + 1, file, anchor));
            }
        }
    }
    out
}

#[test]
fn every_pointer_from_code_and_configs_into_the_docs_exists() {
    let mut all = Vec::new();
    files(&Path::new(ROOT).join("src"), &mut all);
    files(&Path::new(ROOT).join("config"), &mut all);
    let mut checked = 0;
    let mut wrong = Vec::new();
    for path in &all {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let shown = path.strip_prefix(ROOT).unwrap().display();
        for (line, file, anchor) in references(&text) {
            checked += 1;
            let Ok(target) = std::fs::read_to_string(Path::new(ROOT).join(&file)) else {
                wrong.push(format!(
                    "{shown}:{line}: `{file}` is not a file of the repository"
                ));
                continue;
            };
            if !file.ends_with(".md") {
                wrong.push(format!("{shown}:{line}: `{file}` is not a page"));
            } else if let Some(anchor) = anchor
                && !anchors(&target).contains(&anchor)
            {
                wrong.push(format!(
                    "{shown}:{line}: `{file}` has no heading `#{anchor}`"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert!(checked >= 5, "found only {checked} pointers");
}

#[test]
fn a_pointer_to_a_missing_heading_or_page_is_caught() {
    let text = "see docs/src/operations/deployment.md#local-testing, the README's \"Deploy\"";
    let found = references(text);
    assert_eq!(
        found,
        [
            (1, "README".to_string(), None),
            (
                1,
                "docs/src/operations/deployment.md".to_string(),
                Some("local-testing".to_string())
            ),
        ]
    );
    assert!(!Path::new(ROOT).join("README").exists());
    let page =
        std::fs::read_to_string(Path::new(ROOT).join("docs/src/operations/deployment.md")).unwrap();
    assert!(anchors(&page).contains(&"local-testing".to_string()));
    assert!(anchors(&page).contains(&"tls-through-a-reverse-proxy".to_string()));
    assert!(!anchors(&page).contains(&"deploy".to_string()));
}

/// The rows of the markdown table whose header row starts with `| first |`,
/// as cells without the backticks around code (compared as text: the book
/// marks code, the log line does not have to).
fn table_rows(markdown: &str, first: &str) -> Vec<Vec<String>> {
    let header = format!("| {first} |");
    let mut lines = markdown.lines().skip_while(|l| !l.starts_with(&header));
    lines.next();
    lines.next(); // the | --- | row
    lines
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().replace('`', ""))
                .collect()
        })
        .collect()
}

/// GitHub's name of a permission or event as the book writes it:
/// `Members (organisation)` is `members`, `Issue comment` is `issue_comment`.
fn github_name(shown: &str) -> String {
    let shown = shown.split(" (").next().unwrap_or(shown);
    shown.to_ascii_lowercase().replace(' ', "_")
}

#[test]
fn the_books_permission_and_event_tables_are_what_the_app_asks_for() {
    use sprintbot::github::needs::{EVENTS, PERMISSIONS};
    let page =
        std::fs::read_to_string(format!("{ROOT}/docs/src/operations/github-app.md")).unwrap();
    let permissions: Vec<(String, String, String)> = table_rows(&page, "permission")
        .into_iter()
        .map(|r| {
            let level = if r[1] == "read & write" {
                "write"
            } else {
                "read"
            };
            (github_name(&r[0]), level.to_string(), r[2].clone())
        })
        .collect();
    let wanted: Vec<(String, String, String)> = PERMISSIONS
        .iter()
        .map(|p| {
            (
                p.name.to_string(),
                p.level.to_string(),
                p.why.replace('`', ""),
            )
        })
        .collect();
    assert_eq!(permissions, wanted);
    let events: Vec<(String, String)> = table_rows(&page, "event")
        .into_iter()
        .map(|r| (github_name(&r[0]), r[1].clone()))
        .collect();
    let wanted: Vec<(String, String)> = EVENTS
        .iter()
        .map(|e| (e.name.to_string(), e.why.replace('`', "")))
        .collect();
    assert_eq!(events, wanted);
}
