//! Turning the file's raw values into a [`RepoConfig`], collecting every
//! problem (not just the first) with its place and a fix.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;

use super::locate::{Place, at};
use super::{Engineers, Raw, RepoConfig, Switches, Team};
use crate::config::diag::Diagnostic;
use crate::sprint::body::SprintDoc;
use crate::sprint::calendar::Cadence;
use crate::sprint::markers::Section;
use crate::sprint::numbering::{Numbering, Version};
use crate::sprint::render::{self, IssueContent, Templates};
use crate::sprint::rotation::{HeroOverride, Rotation};
use crate::sprint::{Login, SprintId};

fn place<'a>(table: &'a str, key: &'a str) -> Place<'a> {
    Place {
        table,
        index: None,
        key,
    }
}

pub(super) fn build(file: &str, source: &str, raw: Raw) -> Result<RepoConfig, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut problem = |p: Place<'_>, message: String, help: &str| {
        problems.push(at(file, source, p, message).with_help(help));
    };

    // Cadence.
    let anchor = match raw.cadence.anchor.as_deref().map(str::parse::<Date>) {
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => {
            problem(
                place("cadence", "anchor"),
                format!(
                    "`{}` is not a date",
                    raw.cadence.anchor.clone().unwrap_or_default()
                ),
                "write the first day of a sprint 1/N as YYYY-MM-DD, e.g. anchor = \"2022-10-03\"",
            );
            None
        }
        None => {
            problem(
                place("cadence", "anchor"),
                "the cadence has no anchor date".into(),
                "add `anchor = \"YYYY-MM-DD\"` under [cadence]: the first day of any sprint numbered 1/N",
            );
            None
        }
    };
    let tz = TimeZone::get(&raw.cadence.timezone).ok();
    if tz.is_none() {
        problem(
            place("cadence", "timezone"),
            format!("`{}` is not an IANA time zone", raw.cadence.timezone),
            "use a name like \"Europe/London\", \"America/Los_Angeles\" or \"UTC\"",
        );
    }
    let opens_at = raw.cadence.opens_at.parse::<Time>().ok();
    if opens_at.is_none() {
        problem(
            place("cadence", "opens_at"),
            format!("`{}` is not a time of day", raw.cadence.opens_at),
            "write the local opening time as HH:MM, e.g. opens_at = \"09:00\"",
        );
    }
    if !(1..=8).contains(&raw.cadence.length_weeks) {
        problem(
            place("cadence", "length_weeks"),
            format!(
                "a sprint of {} weeks is not supported",
                raw.cadence.length_weeks
            ),
            "use a length from 1 to 8 weeks",
        );
    }
    let mut working_days = Vec::new();
    for day in &raw.cadence.working_days {
        match weekday(day) {
            Some(w) => working_days.push(w),
            None => problem(
                place("cadence", "working_days"),
                format!("`{day}` is not a day of the week"),
                "use mon, tue, wed, thu, fri, sat or sun",
            ),
        }
    }
    if raw.cadence.working_days.is_empty() {
        problem(
            place("cadence", "working_days"),
            "no working days".into(),
            "list at least one day, e.g. [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]",
        );
    }

    // Numbering.
    let first_version = raw.numbering.first_version.parse::<Version>();
    if let Err(e) = &first_version {
        problem(
            place("numbering", "first_version"),
            e.clone(),
            "write the version of the anchor sprint, e.g. first_version = \"1.41.0\"",
        );
    }
    if raw.numbering.sprints_per_release == 0 {
        problem(
            place("numbering", "sprints_per_release"),
            "a release needs at least one sprint".into(),
            "set sprints_per_release = 2 (the 2 of `1/2`)",
        );
    }

    // Teams.
    let mut teams: Vec<Team> = Vec::new();
    for (i, t) in raw.teams.iter().enumerate() {
        let slug = t.slug.clone().unwrap_or_else(|| slugify(&t.name));
        let team_place = |key| Place {
            table: "teams",
            index: Some(i),
            key,
        };
        if t.name.trim().is_empty() || slug.is_empty() {
            problem(
                team_place("name"),
                "a team needs a name".into(),
                "give every [[teams]] entry a name, e.g. name = \"Growth\"",
            );
        }
        if teams.iter().any(|o| o.slug == slug) {
            problem(
                team_place(if t.slug.is_some() { "slug" } else { "name" }),
                format!("two teams have the slug `{slug}`"),
                "give each team a distinct name or `slug`",
            );
        }
        let members = logins(&t.members, |bad| {
            problem(
                team_place("members"),
                format!("`{bad}` is not a GitHub login"),
                "write logins like \"octocat\" or \"@octocat\"",
            )
        });
        if let Some(gt) = &t.github_team
            && !is_team_ref(gt)
        {
            problem(
                team_place("github_team"),
                format!("`{gt}` is not a GitHub team"),
                "write it as \"org/team-slug\"",
            );
        }
        teams.push(Team {
            name: t.name.trim().to_string(),
            slug,
            members,
            github_team: t.github_team.clone(),
        });
    }

    // Engineers.
    let engineer_logins = logins(&raw.engineers.logins, |bad| {
        problem(
            place("engineers", "logins"),
            format!("`{bad}` is not a GitHub login"),
            "write logins like \"octocat\"",
        )
    });
    if let Some(gt) = &raw.engineers.team
        && !is_team_ref(gt)
    {
        problem(
            place("engineers", "team"),
            format!("`{gt}` is not a GitHub team"),
            "write it as \"org/team-slug\"",
        );
    }

    // Rotation.
    let heroes = logins(&raw.rotation.heroes, |bad| {
        problem(
            place("rotation", "heroes"),
            format!("`{bad}` is not a GitHub login"),
            "write logins like \"octocat\"",
        )
    });
    let mut overrides = Vec::new();
    for o in &raw.rotation.overrides {
        let (date, login) = (o.sprint.parse::<Date>().ok(), Login::parse(&o.login));
        match (date, login) {
            (Some(d), Some(l)) if (1..=raw.cadence.length_weeks).contains(&o.week) => overrides
                .push(HeroOverride {
                    sprint: SprintId(d),
                    week: o.week,
                    login: l,
                }),
            _ => problem(
                Place {
                    table: "rotation.overrides",
                    index: Some(overrides.len()),
                    key: "sprint",
                },
                format!(
                    "override `{} week {} {}` is not valid",
                    o.sprint, o.week, o.login
                ),
                "write sprint = \"YYYY-MM-DD\" (the sprint's first day), week = 1 or 2, login = \"octocat\"",
            ),
        }
    }

    if raw.labels.sprint.trim().is_empty() {
        problem(
            place("labels", "sprint"),
            "the sprint label is empty".into(),
            "set sprint = \"sprint\"",
        );
    }
    if raw.switches.max_risks == 0 {
        problem(
            place("switches", "max_risks"),
            "max_risks must be at least 1".into(),
            "set max_risks = 3",
        );
    }

    let templates = Templates {
        title: raw
            .templates
            .title
            .unwrap_or_else(|| render::DEFAULT_TITLE.to_string()),
        issue: raw
            .templates
            .issue
            .unwrap_or_else(|| render::DEFAULT_ISSUE.to_string()),
        team: raw
            .templates
            .team
            .unwrap_or_else(|| render::DEFAULT_TEAM.to_string()),
    };

    let (Some(anchor), Some(tz), Some(opens_at), Ok(first_version)) =
        (anchor, tz, opens_at, first_version)
    else {
        return Err(problems);
    };
    let cadence = Cadence {
        anchor,
        length_weeks: raw.cadence.length_weeks.clamp(1, 8),
        tz,
        opens_at,
        working_days,
    };
    let numbering = Numbering {
        first_version,
        parts: raw.numbering.sprints_per_release.max(1),
        bump: raw.numbering.bump,
    };
    for (key, message) in check_templates(&templates, &cadence, &numbering) {
        problem(
            place("templates", key),
            message,
            "keep every `<!-- sprintbot:... -->` marker line of the default template, and {{ metadata }}",
        );
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(RepoConfig {
        teams,
        engineers: Engineers {
            logins: engineer_logins,
            github_team: raw.engineers.team,
        },
        cadence,
        numbering,
        rotation: Rotation { heroes, overrides },
        sprint_label: raw.labels.sprint.trim().to_string(),
        switches: Switches {
            close_previous: raw.switches.close_previous,
            pin: raw.switches.pin,
            carry_unfinished_goals: raw.switches.carry_unfinished_goals,
            require_why: raw.switches.require_why,
            max_risks: raw.switches.max_risks,
        },
        templates,
    })
}

/// Render each template once and check that the body keeps its markers.
fn check_templates(
    t: &Templates,
    cadence: &Cadence,
    numbering: &Numbering,
) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let sprint = cadence.sprint(0);
    let Ok(label) = numbering.label(0) else {
        return out;
    };
    if let Err(e) = render::title(t, &sprint, &label) {
        out.push(("title", e.to_string()));
    }
    let content = IssueContent {
        sprint: sprint.clone(),
        label,
        previous_issue: None,
        heroes: vec![],
        retro_goals: vec![],
        goals: vec![],
        teams: vec![],
    };
    match render::issue_body(t, &content).map(|b| SprintDoc::parse(&b)) {
        Err(e) => out.push(("issue", e.to_string())),
        Ok(Err(e)) => out.push(("issue", format!("the rendered issue body is damaged: {e}"))),
        Ok(Ok(doc)) => {
            let missing: Vec<&str> = Section::ALL
                .iter()
                .filter(|s| !doc.has_section(**s))
                .map(|s| s.name())
                .collect();
            if !missing.is_empty() {
                out.push((
                    "issue",
                    format!(
                        "the issue template lacks the markers of: {}",
                        missing.join(", ")
                    ),
                ));
            }
            if doc.metadata().is_none() {
                out.push(("issue", "the issue template lacks {{ metadata }}".into()));
            }
        }
    }
    let team = render::TeamView {
        name: "Example".into(),
        slug: "example".into(),
    };
    match render::team_comment(t, &team, &sprint, &[]) {
        Err(e) => out.push(("team", e.to_string())),
        Ok(body) if crate::sprint::team::TeamDoc::parse(&body).is_none() => {
            out.push(("team", "the team template lacks {{ marker }}".into()))
        }
        Ok(_) => {}
    }
    out
}

fn logins(raw: &[String], mut bad: impl FnMut(&str)) -> Vec<Login> {
    raw.iter()
        .filter_map(|s| {
            let l = Login::parse(s.trim());
            if l.is_none() {
                bad(s);
            }
            l
        })
        .collect()
}

fn is_team_ref(s: &str) -> bool {
    matches!(s.split_once('/'), Some((org, team)) if !org.is_empty() && !team.is_empty() && !team.contains('/'))
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

/// `Product Analytics` → `product-analytics`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}
