//! Every key a repository's `.github/sprintbot.toml` may set, with its type
//! and an example value: what `check-config` checks the file against (and
//! the deployment config's `[defaults]` table too). Keep it in step with the
//! `Raw*` structs in `repo/raw.rs` and `config/repo-sprintbot.example.toml`.

use crate::config::schema::{Key, Shape};

/// The top-level tables of a repository config.
pub const TOP: &[Key] = &[
    Key::tables("teams", TEAM),
    Key::table("engineers", ENGINEERS),
    Key::table("cadence", CADENCE),
    Key::table("numbering", NUMBERING),
    Key::table("rotation", ROTATION),
    Key::table("labels", LABELS),
    Key::table("switches", SWITCHES),
    Key::table("reminders", REMINDERS),
    Key::table("templates", TEMPLATES),
    Key::tables("leave", LEAVE),
    Key::new("people", Shape::StrMap, "`Rosa = \"rosa-k\"`"),
    Key::new("preset", Shape::Choice(super::layout::PRESETS), "\"2026\""),
    Key::table("body", super::layout::BODY),
    Key::table("team", super::layout::TEAM),
];

const LOGINS: &str = "[\"octocat\", \"hubot\"]";

const TEAM: &[Key] = &[
    Key::str("name", "\"Growth\""),
    Key::str("slug", "\"growth\""),
    Key::strs("previous_names", "[\"Growth & Retention\"]"),
    Key::strs("members", LOGINS),
    Key::str("github_team", "\"org/team-slug\""),
    Key::strs("names", "[\"SEARCH\", \"Lookup\"]"),
    Key::str("legend", "\"🟢 = done, 🟡 = in progress, 🔴 = not done\""),
    Key::bool("own_comment", "true"),
    Key::strs("heroes", LOGINS),
];

const ENGINEERS: &[Key] = &[
    Key::strs("logins", LOGINS),
    Key::str("team", "\"org/engineers\""),
];

const CADENCE: &[Key] = &[
    Key::str("anchor", "\"2022-10-03\""),
    Key::int("length_weeks", "2"),
    Key::str("timezone", "\"Europe/London\""),
    Key::str("opens_at", "\"09:00\""),
    Key::strs(
        "working_days",
        "[\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]",
    ),
    Key::tables("exceptions", EXCEPTION),
];

const EXCEPTION: &[Key] = &[
    Key::str("sprint", "\"2026-12-21\""),
    Key::bool("skip", "true"),
    Key::int("extend_days", "7"),
    Key::str("reason", "\"holidays\""),
];

const LEAVE: &[Key] = &[
    Key::str("login", "\"octocat\""),
    Key::str("from", "\"2026-12-21\""),
    Key::str("to", "\"2027-01-01\""),
    Key::str("reason", "\"parental leave\""),
];

const NUMBERING: &[Key] = &[
    Key::str("first_version", "\"1.41.0\""),
    Key::int("sprints_per_release", "2"),
    Key::new(
        "bump",
        Shape::Choice(&["major", "minor", "patch"]),
        "\"minor\"",
    ),
    Key::bool("count_skipped", "false"),
];

const ROTATION: &[Key] = &[
    Key::strs("heroes", LOGINS),
    Key::tables("overrides", OVERRIDE),
];

const OVERRIDE: &[Key] = &[
    Key::str("sprint", "\"2022-11-14\""),
    Key::int("week", "1"),
    Key::str("login", "\"octocat\""),
];

const LABELS: &[Key] = &[Key::str("sprint", "\"sprint\"")];

const SWITCHES: &[Key] = &[
    Key::bool("close_previous", "true"),
    Key::bool("pin", "true"),
    Key::bool("carry_unfinished_goals", "false"),
    Key::bool("require_why", "false"),
    Key::int("max_risks", "3"),
    Key::bool("health", "true"),
    Key::bool("carry_counts", "true"),
    Key::bool("tick_linked_goals", "true"),
    Key::bool("goals_as_sub_issues", "false"),
    Key::bool("shipped", "true"),
    Key::int("shipped_per_team", "10"),
    Key::bool("pin_summary", "false"),
];

const REMINDERS: &[Key] = &[
    Key::int("review_hours_before_end", "24"),
    Key::bool("nudge_status", "false"),
    Key::int("nudge_status_days_before_end", "2"),
    Key::bool("nudge_teams", "false"),
    Key::int("nudge_teams_hours_after_opening", "24"),
];

const TEMPLATES: &[Key] = &[
    Key::str("title", "\"Sprint {{ version }} {{ part }}/{{ parts }}\""),
    Key::str("issue", "\"\"\"...\"\"\""),
    Key::str("team", "\"\"\"...\"\"\""),
    Key::str("health", "\"\"\"...\"\"\""),
    Key::str("shipped", "\"\"\"...\"\"\""),
    Key::str("summary", "\"\"\"...\"\"\""),
    Key::str("review", "\"\"\"...\"\"\""),
    Key::str("nudge_status", "\"\"\"...\"\"\""),
    Key::str("nudge_teams", "\"\"\"...\"\"\""),
];
