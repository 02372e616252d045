//! What a newcomer copies or follows must be right: the shipped example
//! config names only invented people (and is the reference config with its
//! people renamed, so the tests of the one cover the other).

use std::process::Command;

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
