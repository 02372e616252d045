//! The `sprintbot config` check run of a pull request, written from the
//! check of its `.github/sprintbot.toml`: every problem as an annotation at
//! its line, and for a valid file a preview of the next sprint. Pure: the
//! handler (`pull_request.rs`) gathers the inputs and sends the result.

use jiff::Timestamp;

use crate::config::diag::{Diagnostic, Severity};
use crate::config::repo::RepoConfig;
use crate::github::{Annotation, AnnotationLevel, Conclusion, NewCheckRun};
use crate::sprint::render::{self, Templates};

/// The check run's name, as the pull request's checks list shows it.
pub const CHECK_NAME: &str = "sprintbot config";

/// GitHub's limit on a check run's summary, in characters.
const MAX_SUMMARY_CHARS: usize = 65_535;

/// What a pull request's version of the file is checked as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A repository's own config.
    Repository,
    /// The organisation `.github` repository's copy, which every
    /// repository's file builds on: checked for what it says, not for what
    /// a repository's file would add.
    OrgDefaults,
}

/// What the report is written from.
pub struct Input<'a> {
    /// The path in the repository (annotations point at it).
    pub path: &'a str,
    /// The name the diagnostics carry for this file.
    pub file: &'a str,
    pub head_sha: &'a str,
    pub diagnostics: &'a [Diagnostic],
    /// The config, when the file is valid and complete.
    pub config: Option<&'a RepoConfig>,
    pub role: Role,
    /// Whether the pull request's own templates may be rendered for the
    /// preview (not for a fork's pull request).
    pub trust_templates: bool,
    pub now: Timestamp,
}

/// The check run for a pull request that removes the file.
pub fn removed(path: &str, head_sha: &str) -> NewCheckRun {
    NewCheckRun {
        name: CHECK_NAME.into(),
        head_sha: head_sha.into(),
        conclusion: Conclusion::Neutral,
        title: format!("{path} is removed"),
        summary: format!(
            "This pull request removes `{path}`: once it is merged, sprintbot stops running sprints here (the issues it opened stay)."
        ),
        annotations: Vec::new(),
    }
}

/// The check run for a pull request's version of the file.
pub fn report(i: &Input<'_>) -> NewCheckRun {
    let count = |s: Severity| i.diagnostics.iter().filter(|d| d.severity == s).count();
    let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
    let annotations = i
        .diagnostics
        .iter()
        .filter(|d| d.file == i.file)
        .map(|d| annotation(i.path, d))
        .collect();
    let short = &i.head_sha[..i.head_sha.len().min(7)];
    let (conclusion, title, mut summary) = if errors > 0 {
        (
            Conclusion::Failure,
            format!("{} in {}", counted(errors, "error", warnings), i.path),
            format!(
                "`{}` at `{short}` has {}. Until a valid version is merged, sprintbot keeps the last valid one in force.\n",
                i.path,
                counted(errors, "error", warnings)
            ),
        )
    } else {
        let (title, text) = match (i.role, i.config) {
            (Role::Repository, Some(config)) => preview(config, i.now, i.trust_templates),
            _ => (
                "Valid as organisation defaults".to_string(),
                "As the organisation's defaults this file is valid: each repository's own `.github/sprintbot.toml` builds on it, key by key.\n".to_string(),
            ),
        };
        let warned = if warnings > 0 {
            format!(" ({})", counted(warnings, "warning", 0))
        } else {
            String::new()
        };
        (Conclusion::Success, format!("{title}{warned}"), text)
    };
    if !i.diagnostics.is_empty() {
        summary.push_str("\n### Problems\n\n");
        for d in i.diagnostics {
            summary.push_str(&problem_line(d));
        }
    }
    NewCheckRun {
        name: CHECK_NAME.into(),
        head_sha: i.head_sha.into(),
        conclusion,
        title,
        summary: truncate(summary),
        annotations,
    }
}

/// `2 errors and 1 warning`.
fn counted(n: usize, what: &str, warnings: usize) -> String {
    let s = |n: usize| if n == 1 { "" } else { "s" };
    let mut out = format!("{n} {what}{}", s(n));
    if warnings > 0 {
        out.push_str(&format!(" and {warnings} warning{}", s(warnings)));
    }
    out
}

fn annotation(path: &str, d: &Diagnostic) -> Annotation {
    let level = match d.severity {
        Severity::Error => AnnotationLevel::Failure,
        Severity::Warning => AnnotationLevel::Warning,
        Severity::Note => AnnotationLevel::Notice,
    };
    let message = match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    };
    Annotation {
        path: path.to_string(),
        // A problem with the file as a whole is shown on its first line.
        line: d.line.max(1),
        column: (d.line > 0 && d.column > 0).then_some(d.column),
        level,
        title: format!("sprintbot config: {}", d.severity),
        message,
    }
}

fn problem_line(d: &Diagnostic) -> String {
    let place = if d.line == 0 {
        String::new()
    } else {
        format!("line {}, column {}: ", d.line, d.column)
    };
    let help = d
        .help
        .as_ref()
        .map(|h| format!("\n  help: {h}"))
        .unwrap_or_default();
    format!(
        "- **{}** {place}{}{help}\n",
        d.severity,
        d.message.replace('\n', " ")
    )
}

/// The next sprint as this config would open it: (check title, summary).
fn preview(config: &RepoConfig, now: Timestamp, trust_templates: bool) -> (String, String) {
    let calendar = config.config_calendar();
    let sprint = match calendar.due(now) {
        Some(current) => calendar.next_after(current.id),
        None => calendar.first(),
    };
    // A fork's pull request gets its templates rendered by the strict
    // validation only (sample values, undefined names refused); the preview
    // uses the default title, so nothing else of a stranger's file is run.
    let default_templates = Templates::default();
    let templates = if trust_templates {
        &config.templates
    } else {
        &default_templates
    };
    let title = match calendar.label(&config.numbering, &sprint) {
        Ok(label) => render::title(templates, &sprint, &label).unwrap_or_else(|e| e.to_string()),
        Err(e) => e.to_string(),
    };
    let tz = &config.cadence.tz;
    let zone = tz.iana_name().unwrap_or("UTC");
    let local = tz.to_datetime(sprint.opens_at);
    let opens = format!(
        "{} {} ({zone})",
        local.date().strftime("%a %Y-%m-%d"),
        local.time().strftime("%H:%M")
    );
    let teams: Vec<&str> = config.teams.iter().map(|t| t.name.as_str()).collect();
    let heroes: Vec<String> = config
        .rotation
        .heroes_with(&calendar, &sprint, &config.leave)
        .iter()
        .enumerate()
        .map(|(w, h)| match h {
            Some(login) => format!("week {}: @{login}", w + 1),
            None => format!("week {}: nobody", w + 1),
        })
        .collect();
    let none = |v: String| if v.is_empty() { "none".to_string() } else { v };
    let mut text = format!(
        "The file is valid. Once it is merged, the next sprint opens like this:\n\n| | |\n| --- | --- |\n| title | {title} |\n| opens | {opens}, {} UTC |\n| teams | {} |\n| support heroes | {} |\n",
        sprint.opens_at.strftime("%Y-%m-%d %H:%M"),
        none(teams.join(", ")),
        none(heroes.join(", ")),
    );
    if !trust_templates {
        text.push_str("\nThis pull request comes from a fork: its templates were checked, but the title above uses the default template.\n");
    }
    (format!("Valid: next sprint opens {opens}"), text)
}

fn truncate(mut s: String) -> String {
    if s.chars().count() > MAX_SUMMARY_CHARS {
        let cut: String = s.chars().take(MAX_SUMMARY_CHARS - 40).collect();
        s = format!("{cut}\n\n(… cut to GitHub's limit)");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::repo::{self, Day};

    const EXAMPLE: &str = include_str!("../../config/repo-sprintbot.example.toml");
    const PATH: &str = ".github/sprintbot.toml";

    fn run(source: &str, trust: bool) -> NewCheckRun {
        let now: Timestamp = "2022-11-16T12:00:00Z".parse().unwrap();
        let checked = repo::check("f", source, &toml::Table::new(), Some(Day::At(now)));
        report(&Input {
            path: PATH,
            file: "f",
            head_sha: "0123456789abcdef",
            diagnostics: &checked.diagnostics,
            config: checked.config.as_ref(),
            role: Role::Repository,
            trust_templates: trust,
            now,
        })
    }

    #[test]
    fn a_broken_file_fails_with_one_annotation_per_problem_at_its_line() {
        let broken = EXAMPLE.replace(
            "timezone = \"Europe/London\"",
            "timezone = \"Europe/Lodnon\"",
        );
        let line = broken.lines().position(|l| l.contains("Lodnon")).unwrap() + 1;
        let r = run(&broken, true);
        assert_eq!(r.conclusion, Conclusion::Failure);
        assert_eq!(r.title, format!("1 error in {PATH}"));
        assert_eq!(r.annotations.len(), 1);
        let a = &r.annotations[0];
        assert_eq!(
            (a.line, a.level, a.path.as_str()),
            (line, AnnotationLevel::Failure, PATH)
        );
        assert!(
            a.message.contains("Lodnon") && a.message.contains("help: "),
            "{}",
            a.message
        );
        assert!(
            r.summary.contains(&format!("line {line}, column 1")),
            "{}",
            r.summary
        );
    }

    #[test]
    fn a_valid_file_succeeds_with_a_preview_of_the_next_sprint() {
        let r = run(EXAMPLE, true);
        assert_eq!(r.conclusion, Conclusion::Success);
        assert!(r.annotations.is_empty());
        assert_eq!(
            r.title,
            "Valid: next sprint opens Mon 2022-11-28 09:00 (Europe/London)"
        );
        for part in [
            "| title | Sprint 1.43.0 1/2 - Nov 28 - Dec 9 |",
            "| opens | Mon 2022-11-28 09:00 (Europe/London), 2022-11-28 09:00 UTC |",
            "| teams | Growth, Pipeline, PostHog TV, Product Analytics, Infrastructure |",
            "| support heroes | week 1: @",
        ] {
            assert!(r.summary.contains(part), "{part}\n{}", r.summary);
        }
    }

    #[test]
    fn a_forks_preview_uses_the_default_title_template() {
        let custom = format!("{EXAMPLE}\n[templates]\ntitle = \"Custom {{{{ version }}}}\"\n");
        assert!(
            run(&custom, true)
                .summary
                .contains("| title | Custom 1.43.0 |")
        );
        let fork = run(&custom, false);
        assert!(
            fork.summary.contains("| title | Sprint 1.43.0 1/2"),
            "{}",
            fork.summary
        );
        assert!(fork.summary.contains("comes from a fork"));
    }

    #[test]
    fn a_removed_file_is_neutral() {
        let r = removed(PATH, "abc");
        assert_eq!(r.conclusion, Conclusion::Neutral);
        assert!(r.summary.contains("stops running sprints"));
    }
}
