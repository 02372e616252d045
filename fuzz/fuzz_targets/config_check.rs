//! Fuzz repository config validation and template rendering: any file a
//! stranger can put in `.github/sprintbot.toml` (a pull request from a fork
//! is checked) must be accepted or refused with diagnostics, never crash,
//! overflow a stack or run away. The first byte picks what the rest is: a
//! whole config, or one template placed in the example config.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sprintbot::config::repo;

const EXAMPLE: &str = include_str!("../../config/repo-sprintbot.example.toml");
const KEYS: [&str; 9] = [
    "title",
    "issue",
    "team",
    "health",
    "shipped",
    "summary",
    "review",
    "nudge_status",
    "nudge_teams",
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let source = if first < 128 {
        text.to_string()
    } else {
        // A TOML basic string holding the template exactly.
        let value = toml::Value::String(text.to_string()).to_string();
        let key = KEYS[first as usize % KEYS.len()];
        format!("{EXAMPLE}\n[templates]\n{key} = {value}\n")
    };
    let checked = repo::check(".github/sprintbot.toml", &source, &toml::Table::new(), None);
    assert!(checked.config.is_some() || !checked.diagnostics.is_empty());
});
