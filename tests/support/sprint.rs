//! Builders for sprint documents: the repository config of the reference
//! sprints (PostHog's, with their real people, as in the reference issue),
//! and sprint issue bodies rendered by the real templates.

use sprintbot::config::repo::{self, RepoConfig};
use sprintbot::sprint::rollover::{self, Settings};

/// The shipped example (config/repo-sprintbot.example.toml) with the reference
/// issue's people instead of invented ones; tests/docs_agree.rs checks that
/// the two differ only in those names.
pub const POSTHOG_CONFIG: &str = include_str!("../fixtures/reference/posthog-sprintbot.toml");

/// The reference sprints' repository config.
pub fn posthog_config() -> RepoConfig {
    repo::parse("example.toml", POSTHOG_CONFIG, &toml::Table::new())
        .expect("the reference config is valid")
}

pub fn settings(repo: &RepoConfig) -> Settings {
    repo.rollover_settings()
}

/// The body of the first sprint issue for the sprint containing `date`.
pub fn fresh_body(repo: &RepoConfig, date: &str) -> String {
    let sprint = repo.cadence.sprint_containing(date.parse().unwrap());
    let label = repo.numbering.label(sprint.index).unwrap();
    rollover::plan(
        None,
        &settings(repo),
        &sprint,
        &label,
        repo.rotation.heroes_for(&sprint),
    )
    .unwrap()
    .body
}

/// The hand-written sprint issue of the reference example (see the notice
/// at the top of the fixture): everything after its scissors line.
pub fn hand_written() -> String {
    let path =
        super::webhooks::fixtures_dir().join("reference/posthog-sprint-issue-hand-written.md");
    let text = std::fs::read_to_string(&path).expect("the fixture");
    let (_, body) = text
        .split_once("-------- 8< --------\n")
        .expect("a scissors line");
    body.to_string()
}

/// A body with sprintbot's marker lines taken out again: what people wrote.
pub fn without_markers(body: &str) -> String {
    body.split_inclusive('\n')
        .filter(|l| !l.starts_with("<!-- sprintbot:"))
        .collect()
}
