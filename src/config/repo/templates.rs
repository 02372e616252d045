//! Checking a config's templates before they are used: each is rendered
//! once, with sample values, through the same functions (and so the same
//! context and strict undefined variables) the bot renders with, and the
//! issue body must keep every marker the bot reads back. The health section
//! and shipped sections are rendered into the sample issue, so a template
//! that would damage the body is caught too; the summary comment is
//! rendered from the same sample health, and the reminders (review, nudges)
//! from a sample of what moves.

use jiff::civil::{Time, date};
use jiff::tz::TimeZone;

use crate::config::schema::closest;
use crate::sprint::body::{Goal, SprintDoc};
use crate::sprint::calendar::{Cadence, weekdays};
use crate::sprint::health::{
    self, Figures, Health, Roster, RosterTeam, SprintSummary, TeamFigures,
};
use crate::sprint::layout::Layout;
use crate::sprint::markers::Section;
use crate::sprint::moving::Moving;
use crate::sprint::numbering::{SprintLabel, Version};
use crate::sprint::reminders;
use crate::sprint::render::{
    self, IssueContent, TeamView, TemplateError, TemplateProblem, Templates,
};
use crate::sprint::shipped::{self, MergedPull, Shipped, Window};
use crate::sprint::team::TeamDoc;

/// One template that cannot be used.
pub(super) struct Problem {
    /// `title`, `issue`, `team`, `health`, `shipped`, `summary`, `review`,
    /// `nudge_status` or `nudge_teams`: the key under `[templates]`.
    pub key: &'static str,
    pub message: String,
    pub help: String,
}

/// Every problem with the three templates; `teams` are the config's teams
/// (sample ones are used when it has none).
pub(super) fn check(t: &Templates, teams: &[TeamView], layout: &Layout) -> Vec<Problem> {
    let mut out = Vec::new();
    // A fixed sample sprint: the templates are checked even when the
    // cadence itself is broken.
    let cadence = Cadence {
        anchor: date(2022, 10, 3),
        length_weeks: 2,
        tz: TimeZone::UTC,
        opens_at: Time::midnight(),
        working_days: weekdays(),
    };
    let sprint = cadence.sprint(6);
    let label = SprintLabel {
        version: Version {
            major: 1,
            minor: 42,
            patch: 0,
        },
        part: 2,
        parts: 2,
    };
    let sample = [TeamView {
        name: "Growth".into(),
        slug: "growth".into(),
        ..TeamView::default()
    }];
    let teams = if teams.is_empty() { &sample[..] } else { teams };

    if let Err(e) = render::title(t, &sprint, &label) {
        out.push(failed("title", e));
    }
    let sample = sample_health(teams);
    let health = match health::section::section(t, &sample, true) {
        Ok(h) if !reads_back(&h, sample.history.len()) => {
            out.push(problem(
                "health",
                "the health template writes a `<!-- sprintbot:... -->` marker line of its own".into(),
                "remove it: the bot adds the section's markers and history lines around the template's text",
            ));
            String::new()
        }
        Ok(h) => h,
        Err(e) => {
            out.push(failed("health", e));
            String::new()
        }
    };
    if let Err(e) = health::section::summary(t, &sample, sprint.id) {
        out.push(failed("summary", e));
    }
    let merged = sample_shipped(teams);
    let shipped = match shipped::section(t, &merged, 10, 41) {
        Ok(s) if !reads_back(&s, 0) => {
            out.push(problem(
                "shipped",
                "the shipped template writes a `<!-- sprintbot:... -->` marker line of its own"
                    .into(),
                "remove it: the bot adds the section's markers around the template's text",
            ));
            String::new()
        }
        Ok(s) => s,
        Err(e) => {
            out.push(failed("shipped", e));
            String::new()
        }
    };
    let content = IssueContent {
        sprint: sprint.clone(),
        label,
        previous_issue: Some(41),
        heroes: vec![crate::sprint::Login::parse("octocat"), None],
        retro_goals: vec!["Ship the thing @octocat".into()],
        goals: vec![],
        teams: teams.to_vec(),
        health,
        shipped,
        notes: vec!["An incident follow-up".into()],
    };
    let keep = "keep every `<!-- sprintbot:... -->` marker line of the default template (config/templates/issue.md.j2), and {{ metadata }}";
    match render::issue_body(t, &content).map(|b| SprintDoc::parse(&b)) {
        Err(e) => out.push(failed("issue", e)),
        Ok(Err(e)) => out.push(problem(
            "issue",
            format!("the rendered issue body is damaged: {e}"),
            keep,
        )),
        Ok(Ok(doc)) => {
            let missing: Vec<&str> = layout
                .required_sections()
                .iter()
                .filter(|s| !doc.has_section(**s))
                .map(|s| s.name())
                .collect();
            if !missing.is_empty() {
                let message = format!(
                    "the issue template lacks the markers of: {}",
                    missing.join(", ")
                );
                out.push(problem("issue", message, keep));
            }
            if doc.metadata().is_none() {
                out.push(problem(
                    "issue",
                    "the issue template lacks {{ metadata }}".into(),
                    keep,
                ));
            }
        }
    }
    let hang_overs = ["Fix the flaky test @octocat".to_string()];
    match render::team_comment(
        t,
        &teams[0],
        &sprint,
        &hang_overs,
        &[],
        None,
        &sample_lines(),
    ) {
        Err(e) => out.push(failed("team", e)),
        Ok(body) if TeamDoc::parse(&body).is_none() => out.push(problem(
            "team",
            "the team template lacks {{ marker }}".into(),
            "keep the {{ marker }} line of the default template (config/templates/team.md.j2)",
        )),
        Ok(_) => {}
    }
    out.extend(check_reminders(t, teams));
    out
}

/// The reminders' templates, rendered from a sample sprint where something
/// moves, someone owes a status and a team has not planned.
fn check_reminders(t: &Templates, teams: &[TeamView]) -> Vec<Problem> {
    let mut out = Vec::new();
    let sprint = crate::sprint::SprintId(date(2022, 11, 14));
    let goal = |number, status: Option<&str>| Goal {
        number,
        done: false,
        title: "Ship the thing".into(),
        owner: crate::sprint::Login::parse("octocat"),
        why: None,
        status: status.map(String::from),
        mark: None,
        ticked_by: None,
    };
    let goals = [goal(1, None), goal(2, Some("🟡 half done"))];
    let team_comment = |t: &TeamView| {
        let body = format!(
            "{}\n## Bugs\n- [ ] Fix the flaky test @octocat\n",
            crate::sprint::markers::team_marker(&t.slug, sprint)
        );
        TeamDoc::parse(&body)
    };
    let docs: Vec<TeamDoc> = teams.iter().filter_map(team_comment).collect();
    let moving = Moving::of(&goals, &docs, teams);
    let urls: Vec<(String, String)> = teams
        .iter()
        .map(|t| {
            (
                t.slug.clone(),
                "https://github.com/octocat/hello-world/issues/42#issuecomment-1".into(),
            )
        })
        .collect();
    let when = "Mon Nov 28 at 09:00 (Europe/London)";
    let review = reminders::Review {
        sprint,
        rollover_at: when.into(),
        moving: &moving,
        into_plan: true,
        counts: true,
        team_comments: &urls,
        away: &[],
    };
    if let Err(e) = reminders::review(t, &review) {
        out.push(failed("review", e));
    }
    if let Err(e) = reminders::nudge_status(t, sprint, when, &goals, &[]) {
        out.push(failed("nudge_status", e));
    }
    let idle: Vec<reminders::IdleTeam> = teams
        .iter()
        .map(|team| reminders::IdleTeam {
            name: team.name.clone(),
            mentions: vec!["@octocat".into(), "@octo-org/growth".into()],
            url: urls[0].1.clone(),
        })
        .collect();
    if let Err(e) = reminders::nudge_teams(t, sprint, &idle) {
        out.push(failed("nudge_teams", e));
    }
    out
}

/// Whether a rendered health section holds no marker of another section
/// and its history lines read back.
fn reads_back(section: &str, history: usize) -> bool {
    SprintDoc::parse(section).is_ok_and(|doc| {
        doc.metadata().is_none()
            && Section::ALL.iter().all(|s| !doc.has_section(*s))
            && health::history::recorded(&doc).len() == history
    })
}

/// A sprint's health with every part the template can show.
fn sample_health(teams: &[TeamView]) -> Health {
    let f = |planned, done, carried| Figures {
        planned,
        done,
        carried,
        dropped: planned - done - carried,
    };
    let summary = |day, issue, figures| SprintSummary {
        sprint: crate::sprint::SprintId(date(2022, 10, day)),
        issue,
        previous: Some(issue - 1),
        figures,
    };
    Health {
        total: f(6, 3, 2),
        teams: teams
            .iter()
            .map(|t| TeamFigures {
                team: Some(t.name.clone()),
                figures: f(6, 3, 2),
            })
            .chain([TeamFigures {
                team: None,
                figures: f(0, 0, 0),
            }])
            .collect(),
        longest: vec![health::LongCarried {
            title: "Ship the thing".into(),
            owner: crate::sprint::Login::parse("octocat"),
            carried: 2,
            id: None,
        }],
        history: vec![summary(3, 40, f(5, 4, 1)), summary(17, 41, f(6, 3, 2))],
        issue: 41,
    }
}

/// Pull requests merged during a sample sprint, one per team and one by
/// someone in no team.
fn sample_shipped(teams: &[TeamView]) -> Shipped {
    let at = |day| {
        date(2022, 10, day)
            .at(0, 0, 0, 0)
            .in_tz("UTC")
            .map(|z| z.timestamp())
            .unwrap_or_default()
    };
    let member = |i: usize| crate::sprint::Login(format!("member-{i}"));
    let roster = Roster {
        teams: teams
            .iter()
            .enumerate()
            .map(|(i, t)| RosterTeam {
                name: t.name.clone(),
                members: vec![member(i)],
            })
            .collect(),
    };
    let pulls = (0..=teams.len())
        .map(|i| MergedPull {
            number: 100 + i as u64,
            title: "Make the thing faster".into(),
            author: member(i),
            author_is_bot: false,
            merged_at: at(20),
        })
        .collect();
    Shipped {
        repo_url: "https://github.com/octocat/hello-world".into(),
        base: "main".into(),
        window: Window {
            start: at(17),
            end: at(31),
            first_day: date(2022, 10, 17),
            last_day: date(2022, 10, 28),
        },
        pulls,
        roster,
    }
}

/// `a`, `b` and `c`.
fn listed(names: &[String]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match q.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => q.join(""),
    }
}

fn problem(key: &'static str, message: String, help: &str) -> Problem {
    Problem {
        key,
        message,
        help: help.to_string(),
    }
}

/// A render failure, with a fix for its kind.
fn failed(key: &'static str, e: TemplateError) -> Problem {
    let TemplateError {
        message, problem, ..
    } = e;
    let (message, help) = match problem {
        // minijinja's message ends with the line in the template.
        TemplateProblem::Syntax { .. } => (
            format!("template syntax error in the {key} template: {message}"),
            "check that every {{ ... }} and {% ... %} is closed and every {% if %} / {% for %} has its {% endif %} / {% endfor %}; see https://docs.rs/minijinja/latest/minijinja/syntax/".to_string(),
        ),
        TemplateProblem::Undefined { names, available } => {
            let guess = names
                .iter()
                .find_map(|n| closest(n, available.iter().map(String::as_str)).map(|b| (n, b)))
                .map(|(n, best)| format!("did you mean `{best}` for `{n}`? "))
                .unwrap_or_default();
            let message = match names.as_slice() {
                // Found while rendering: minijinja's message names it.
                [] => format!("the {key} template uses an undefined value: {message}"),
                [one] => format!("the {key} template uses `{one}`, which is not defined"),
                many => format!("the {key} template uses {}, which are not defined", listed(many)),
            };
            let help = format!("{guess}the {key} template can use {}", listed(&available));
            (message, help)
        }
        TemplateProblem::OverLimit { .. } => (
            format!("the {key} template is refused: {message}"),
            format!(
                "keep a template under {} bytes and each {{{{ ... }}}} or {{% ... %}} under {} names, values and operators; split a long chain with {{% set %}}",
                render::limits::MAX_TEMPLATE_BYTES,
                render::limits::MAX_TAG_TOKENS
            ),
        ),
        TemplateProblem::Other { .. } => (
            format!("the {key} template does not render: {message}"),
            "compare it with the default in config/templates/ and the variables it uses".to_string(),
        ),
    };
    Problem { key, message, help }
}

/// A team comment's sample lines: a hero, someone off, quarter goals.
fn sample_lines() -> crate::sprint::render::TeamLines {
    crate::sprint::render::TeamLines {
        hero: "@octocat".into(),
        off: "@hubot (Nov 15)".into(),
        quarter_goals: "1. 🟢 Faster search @octocat".into(),
    }
}
