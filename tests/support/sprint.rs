//! Builders for sprint documents: the example repository config, and sprint
//! issue bodies rendered by the real templates.

use sprintbot::config::repo::{self, RepoConfig};
use sprintbot::sprint::rollover::{self, Settings};

pub const EXAMPLE_CONFIG: &str = include_str!("../../config/repo-sprintbot.example.toml");

/// The example's repository config.
pub fn example_config() -> RepoConfig {
    repo::parse("example.toml", EXAMPLE_CONFIG, &toml::Table::new())
        .expect("the example config is valid")
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
