//! `sprintbot preview [--date D] [--repo-config FILE]`: print the title, body
//! and team comments of the sprint that contains a date. No network and no
//! credentials: the first thing a new user runs. The sprint before it is
//! invented (see `example`), so the retro, the carry-over counts, the
//! shipped list, the sprint health and its pinned summary (when switched
//! on) show what a rollover writes.

mod example;

use std::path::PathBuf;
use std::process::ExitCode;

use super::common::{EXIT_CONFIG, load_config, print_diagnostics, read_config_file};
use crate::config::repo::{self, Day, RepoConfig};
use crate::sprint::rollover;

/// The example repository config, built in for a first preview.
pub const SAMPLE_REPO_CONFIG: &str = include_str!("../../config/repo-sprintbot.example.toml");

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A day of the sprint to show (YYYY-MM-DD). Default: today in the
    /// cadence's time zone.
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// A repository config (.github/sprintbot.toml). Default: the built-in
    /// example (config/repo-sprintbot.example.toml).
    #[arg(long, value_name = "FILE")]
    pub repo_config: Option<PathBuf>,
}

pub fn run(config: Option<PathBuf>, args: Args) -> ExitCode {
    let deploy = match load_config(&config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let (name, source) = match read_config_file(
        args.repo_config.as_deref(),
        "(built-in config/repo-sprintbot.example.toml)",
        SAMPLE_REPO_CONFIG,
    ) {
        Ok(found) => found,
        Err(code) => return code,
    };
    let day = match &args.date {
        Some(d) => match d.parse::<jiff::civil::Date>() {
            Ok(d) => Day::On(d),
            Err(_) => {
                eprintln!(
                    "error: `{d}` is not a date\n  help: write it as YYYY-MM-DD, e.g. --date 2022-11-14"
                );
                return ExitCode::from(EXIT_CONFIG);
            }
        },
        // The one clock read, in the shell: today where the team lives.
        None => Day::At(jiff::Timestamp::now()),
    };
    // The same check as `check-config`, for the day shown, so the two never
    // disagree: errors stop the preview, warnings and notes are printed.
    let checked = repo::check(&name, &source, &deploy.defaults, Some(day));
    print_diagnostics(&checked.diagnostics);
    let Some(repo) = checked.config else {
        return ExitCode::from(EXIT_CONFIG);
    };
    match render(&repo, day.date(&repo)) {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The preview text for the sprint open on `date` (before the anchor, the
/// first sprint: none opens earlier).
pub fn render(repo: &RepoConfig, date: jiff::civil::Date) -> Result<String, String> {
    let sprint = repo.sprint_on(date);
    let calendar = repo.config_calendar();
    let label = calendar
        .label(&repo.numbering, &sprint)
        .map_err(|e| e.to_string())?;
    let settings = repo.rollover_settings();
    let heroes = repo.rotation.heroes_with(&calendar, &sprint, &repo.leave);
    let previous = example::previous(repo, &sprint, &label)?;
    let plan = rollover::plan(Some(&previous), &settings, &sprint, &label, heroes)
        .map_err(|e| e.to_string())?;
    let mut out = format!(
        "# {}\n\n---- invented for this preview: the previous sprint (#{}) and the ones before it, so the retro and sprint health show what a rollover writes ----\n\n{}",
        plan.title,
        example::ISSUE,
        plan.body
    );
    for c in &plan.team_comments {
        out.push_str(&format!(
            "\n---- comment: team {} ----\n\n{}",
            c.slug, c.body
        ));
    }
    if let Some(summary) = &plan.summary {
        out.push_str(&format!(
            "\n---- comment: the health summary, pinned ----\n\n{summary}"
        ));
    }
    Ok(out)
}
