//! Turning the file's raw values into a [`RepoConfig`], collecting every
//! problem with a value (not just the first) at its place, with a fix. Keys
//! and types were checked by the schema walk; this checks what they mean.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;

use super::people::{logins, overrides, team_ref, teams};
use super::report::Report;
use super::{Engineers, Raw, RepoConfig, Switches, calendar, templates};
use crate::sprint::calendar::Cadence;
use crate::sprint::layout::{Layout, issue_template, team_template};
use crate::sprint::numbering::{Numbering, Version};
use crate::sprint::render::{self, TeamView, Templates};
use crate::sprint::rotation::Rotation;

pub(super) fn build(r: &mut Report<'_>, raw: Raw) -> Option<RepoConfig> {
    let length_weeks = length_weeks(r, &raw);
    let cadence = cadence(r, &raw, length_weeks);
    let numbering = numbering(r, &raw);

    let teams = teams(r, &raw);
    let engineer_logins = logins(r, "engineers.logins", &raw.engineers.logins);
    if let Some(gt) = &raw.engineers.team {
        team_ref(r, "engineers.team", gt);
    }
    let heroes = logins(r, "rotation.heroes", &raw.rotation.heroes);
    let overrides = overrides(r, &raw);
    let written_exceptions = calendar::exceptions(r, &raw);
    let leave = calendar::leave(r, &raw);
    let people = super::people::names(r, &raw);

    if raw.labels.sprint.trim().is_empty() {
        r.key(
            "labels.sprint",
            "the sprint label is empty".into(),
            "set sprint = \"sprint\"",
        );
    }
    let switches = switches(r, &raw);

    let layout = super::layout::build(r, raw.preset.as_deref(), &raw.body, &raw.team);
    let templates = templates_of(raw.templates, &layout);
    let reminders = super::reminders::build(r, &raw.reminders, length_weeks.unwrap_or(2));
    // Templates are checked even when the cadence is broken: they are
    // rendered with sample values, not with this file's calendar.
    let views: Vec<TeamView> = teams.iter().map(super::Team::view).collect();
    for p in templates::check(&templates, &views, &layout) {
        r.key(&format!("templates.{}", p.key), p.message, &p.help);
    }

    let (Some(cadence), Some(numbering), Some(switches), Some(reminders)) =
        (cadence, numbering, switches, reminders)
    else {
        return None;
    };
    let exceptions = calendar::placed(
        r,
        &cadence,
        &written_exceptions,
        raw.numbering.count_skipped,
    );
    if !r.problems.is_empty() {
        return None;
    }
    Some(RepoConfig {
        teams,
        engineers: Engineers {
            logins: engineer_logins,
            github_team: raw.engineers.team,
        },
        cadence,
        numbering,
        rotation: Rotation { heroes, overrides },
        sprint_label: raw.labels.sprint.trim().to_string(),
        switches,
        reminders,
        templates,
        exceptions,
        count_skipped: raw.numbering.count_skipped,
        leave,
        people,
        layout,
    })
}

/// `cadence.length_weeks`, when it is a length sprintbot supports.
fn length_weeks(r: &mut Report<'_>, raw: &Raw) -> Option<u8> {
    let length_weeks = u8::try_from(raw.cadence.length_weeks)
        .ok()
        .filter(|w| (1..=8).contains(w));
    if length_weeks.is_none() {
        r.key(
            "cadence.length_weeks",
            format!(
                "a sprint of {} weeks is not supported",
                raw.cadence.length_weeks
            ),
            "use a length from 1 to 8 weeks",
        );
    }
    length_weeks
}

/// `[cadence]`, when every part of it reads (each problem is reported).
fn cadence(r: &mut Report<'_>, raw: &Raw, length_weeks: Option<u8>) -> Option<Cadence> {
    let anchor = match raw.cadence.anchor.as_deref().map(str::parse::<Date>) {
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => {
            r.key(
                "cadence.anchor",
                format!(
                    "`{}` is not a date",
                    raw.cadence.anchor.clone().unwrap_or_default()
                ),
                "write the first day of a sprint 1/N as YYYY-MM-DD, e.g. anchor = \"2022-10-03\"",
            );
            None
        }
        None => {
            r.missing(
                "cadence.anchor",
                "cadence",
                "the cadence has no anchor date".into(),
                "add `anchor = \"YYYY-MM-DD\"` under [cadence]: the first day of any sprint numbered 1/N",
            );
            None
        }
    };
    let tz = TimeZone::get(&raw.cadence.timezone).ok();
    if tz.is_none() {
        r.key(
            "cadence.timezone",
            format!("`{}` is not an IANA time zone", raw.cadence.timezone),
            "use a name like \"Europe/London\", \"America/Los_Angeles\" or \"UTC\"",
        );
    }
    let opens_at = raw.cadence.opens_at.parse::<Time>().ok();
    if opens_at.is_none() {
        r.key(
            "cadence.opens_at",
            format!("`{}` is not a time of day", raw.cadence.opens_at),
            "write the local opening time as HH:MM, e.g. opens_at = \"09:00\"",
        );
    }
    let mut working_days = Vec::new();
    for (i, day) in raw.cadence.working_days.iter().enumerate() {
        match weekday(day) {
            Some(w) => working_days.push(w),
            None => r.value(
                &format!("cadence.working_days[{i}]"),
                format!("`{day}` is not a day of the week"),
                "use mon, tue, wed, thu, fri, sat or sun",
            ),
        }
    }
    if raw.cadence.working_days.is_empty() {
        r.key(
            "cadence.working_days",
            "no working days".into(),
            "list at least one day, e.g. [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]",
        );
    }
    Some(Cadence {
        anchor: anchor?,
        length_weeks: length_weeks?,
        tz: tz?,
        opens_at: opens_at?,
        working_days,
    })
}

/// `[numbering]`, when it reads.
fn numbering(r: &mut Report<'_>, raw: &Raw) -> Option<Numbering> {
    let first_version = raw.numbering.first_version.parse::<Version>();
    if let Err(e) = &first_version {
        r.key(
            "numbering.first_version",
            e.clone(),
            "write the version of the anchor sprint, e.g. first_version = \"1.41.0\"",
        );
    }
    let parts = u32::try_from(raw.numbering.sprints_per_release)
        .ok()
        .filter(|p| *p >= 1);
    if parts.is_none() {
        r.key(
            "numbering.sprints_per_release",
            match raw.numbering.sprints_per_release {
                ..1 => "a release needs at least one sprint".to_string(),
                n => format!("{n} sprints per release is too many"),
            },
            "set sprints_per_release = 2 (the 2 of `1/2`)",
        );
    }
    Some(Numbering {
        first_version: first_version.ok()?,
        parts: parts?,
        bump: raw.numbering.bump,
    })
}

/// `[switches]`, when its numbers are in range.
fn switches(r: &mut Report<'_>, raw: &Raw) -> Option<Switches> {
    let max_risks = usize::try_from(raw.switches.max_risks)
        .ok()
        .filter(|m| *m >= 1);
    if max_risks.is_none() {
        r.key(
            "switches.max_risks",
            "max_risks must be at least 1".into(),
            "set max_risks = 3",
        );
    }
    let shipped_per_team = usize::try_from(raw.switches.shipped_per_team)
        .ok()
        .filter(|n| *n <= 100);
    if shipped_per_team.is_none() {
        r.key(
            "switches.shipped_per_team",
            format!(
                "shipped_per_team must be from 0 to 100, not {}",
                raw.switches.shipped_per_team
            ),
            "set shipped_per_team = 10 (0 lists only how many, with the search link)",
        );
    }
    let s = &raw.switches;
    Some(Switches {
        close_previous: s.close_previous,
        pin: s.pin,
        carry_unfinished_goals: s.carry_unfinished_goals,
        require_why: s.require_why,
        max_risks: max_risks?,
        health: s.health,
        carry_counts: s.carry_counts,
        tick_linked_goals: s.tick_linked_goals,
        goals_as_sub_issues: s.goals_as_sub_issues,
        shipped: s.shipped,
        shipped_per_team: shipped_per_team?,
        pin_summary: s.pin_summary,
    })
}

/// The templates: the file's own, else those of its layout, else the
/// built-in ones.
fn templates_of(raw: super::raw::RawTemplates, layout: &Layout) -> Templates {
    Templates {
        title: raw.title.unwrap_or_else(|| {
            layout
                .preset
                .title()
                .unwrap_or(render::DEFAULT_TITLE)
                .to_string()
        }),
        issue: raw.issue.unwrap_or_else(|| {
            if layout.generated_body {
                issue_template(layout)
            } else {
                render::DEFAULT_ISSUE.to_string()
            }
        }),
        team: raw.team.unwrap_or_else(|| {
            if layout.generated_team {
                team_template(layout)
            } else {
                render::DEFAULT_TEAM.to_string()
            }
        }),
        health: raw
            .health
            .unwrap_or_else(|| render::DEFAULT_HEALTH.to_string()),
        shipped: raw
            .shipped
            .unwrap_or_else(|| render::DEFAULT_SHIPPED.to_string()),
        summary: raw
            .summary
            .unwrap_or_else(|| render::DEFAULT_SUMMARY.to_string()),
        review: raw
            .review
            .unwrap_or_else(|| render::DEFAULT_REVIEW.to_string()),
        nudge_status: raw
            .nudge_status
            .unwrap_or_else(|| render::DEFAULT_NUDGE_STATUS.to_string()),
        nudge_teams: raw
            .nudge_teams
            .unwrap_or_else(|| render::DEFAULT_NUDGE_TEAMS.to_string()),
    }
}

fn weekday(s: &str) -> Option<Weekday> {
    use Weekday::*;
    let s = s.trim().to_ascii_lowercase();
    Some(match s.get(..3)? {
        "mon" => Monday,
        "tue" => Tuesday,
        "wed" => Wednesday,
        "thu" => Thursday,
        "fri" => Friday,
        "sat" => Saturday,
        "sun" => Sunday,
        _ => return None,
    })
}
