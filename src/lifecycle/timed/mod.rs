//! Timed reminders on the current sprint issue (the review before the
//! rollover, the nudges), with GitHub as the record of what is done. What
//! is due at `now` comes from the calendar (`sprint::timed`); each due
//! reminder is looked for, by its hidden marker, among the comments
//! sprintbot's own account wrote on the issue (one listing for all of
//! them), and written only when it is not there; then it is recorded in
//! the store, a cache that spares the listing next time (an empty store
//! just looks again). Callers hold the repository's rollover lease
//! (`tick`) or run as its serial `timed` job (`job`), so two processes on
//! one store never write the same reminder twice.

pub mod job;

use jiff::Timestamp;

use super::LifecycleError;
use super::Repo;
use crate::github::{Comment, IssueNumber, IssueState};
use crate::sprint::Login;
use crate::sprint::body::{Goal, SprintDoc};
use crate::sprint::calendar::Sprint;
use crate::sprint::moving::Moving;
use crate::sprint::reminders::{self, IdleTeam, Review, untouched};
use crate::sprint::render::TemplateError;
use crate::sprint::team::TeamDoc;
use crate::sprint::timed::{Reminder, local};
use crate::sprint_issues::recognise_on_github;
use crate::store::OUTCOME_STEP_PREFIX;

/// A reminder this run wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub reminder: Reminder,
    pub issue: IssueNumber,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ran {
    pub posted: Vec<Posted>,
    /// A reminder due by the calendar waits until then: the sprint issue
    /// opened late, and its team comments are younger than the nudge's
    /// delay.
    pub later: Option<Timestamp>,
}

/// The sprint the store's note of the current issue names (its first day,
/// then the exceptions it records), on the calendar with those exceptions:
/// an extended sprint's reminders move with its end.
pub fn current_sprint(
    config: &crate::config::repo::RepoConfig,
    note: &str,
) -> Option<crate::sprint::calendar::Sprint> {
    let (start, recorded) = crate::sprint::exceptions::parse_note(note)?;
    Some(config.calendar(&recorded).containing(start.0))
}

/// The outcome recorded when reminder `d` was due but the remembered
/// sprint issue was not current (closed while its webhook was lost, or for
/// another sprint once the cadence moved): it is not asked for again until
/// a webhook about a sprint issue or a change of the calendar (a new
/// current sprint, a config that moves it) makes it worth a fresh look.
pub fn not_current_step(d: Reminder) -> String {
    format!("{OUTCOME_STEP_PREFIX}{}:not-current", d.step())
}

/// Whether reminder `d` needs nothing more, by the steps `recorded`.
pub fn settled(recorded: &[String], d: Reminder) -> bool {
    recorded.contains(&d.step()) || recorded.contains(&not_current_step(d))
}

/// What a reminder says now.
enum Text {
    Write(String),
    /// Nobody needs it this sprint.
    Nobody,
    /// Ask again at this instant.
    NotYet(Timestamp),
}

/// Whether `c` is sprintbot's comment for `marker`: its own account wrote
/// it, and it starts with the marker (a reply quoting someone's line that
/// holds one is not it).
fn is_reminder(c: &Comment, r: &Repo<'_>, issue: IssueNumber, marker: &str) -> bool {
    crate::sprint_issues::bot_marked(c, r.bot, issue, marker)
}

/// The remembered sprint issue was deleted (its webhook lost): the store
/// forgets it, so the scheduler's next step finds the sprint missing and
/// opens it again, as the `issues.deleted` webhook would have done.
async fn forget_gone(r: &Repo<'_>, number: u64) -> Result<Ran, LifecycleError> {
    tracing::warn!(repo = %r.repo, issue = number,
        "the remembered sprint issue is gone from GitHub; forgetting it");
    r.commands
        .store
        .forget_current_issue(&r.repo.to_string())
        .await?;
    r.commands.wake.notify_one();
    Ok(Ran::default())
}

/// Write the reminders due at `now` on the repository's current sprint
/// issue (as the store last saw it; GitHub confirms it before a write).
/// With nothing due, or everything due recorded as done, it makes no call.
pub async fn run(r: &Repo<'_>, now: Timestamp) -> Result<Ran, LifecycleError> {
    let store = &r.commands.store;
    let name = r.repo.to_string();
    let Some((number, first_day)) = store.current_issue(&name).await? else {
        return Ok(Ran::default());
    };
    let Some(sprint) = current_sprint(r.config, &first_day) else {
        return Ok(Ran::default());
    };
    let cadence = &r.config.cadence;
    let id = crate::sprint::timed::record_key(&sprint);
    let due = r.config.reminders.due(cadence, &sprint, now);
    if due.is_empty() {
        return Ok(Ran::default());
    }
    let recorded = store.steps(&name, &id).await?;
    let due: Vec<Reminder> = due
        .into_iter()
        .filter(|d| !settled(&recorded, *d))
        .collect();
    if due.is_empty() {
        return Ok(Ran::default());
    }
    let issue = IssueNumber(number);
    let comments = match r.gh.list_comments(r.repo, issue, None).await {
        Ok(c) => c,
        Err(e) if e.is_gone() => return forget_gone(r, number).await,
        Err(e) => return Err(e.into()),
    };
    let mine: Vec<&Comment> = comments.iter().filter(|c| c.author == *r.bot).collect();
    let mut todo = Vec::new();
    for d in due {
        let (marker, legacy) = (d.marker_for(&sprint), d.marker(sprint.id));
        match mine
            .iter()
            .find(|c| is_reminder(c, r, issue, &marker) || is_reminder(c, r, issue, &legacy))
        {
            Some(c) => {
                let detail = format!("comment {}", c.id.0);
                store
                    .record_step(&name, &id, &d.step(), Some(detail))
                    .await?;
            }
            None => todo.push(d),
        }
    }
    if todo.is_empty() {
        return Ok(Ran::default());
    }
    // The store's current issue is a cache: GitHub says whether it is
    // still this sprint's open issue (a stale one waits for the rollover
    // or an `issues` webhook to set it right).
    let found = match r.gh.get_issue(r.repo, issue).await {
        Ok(found) => found,
        Err(e) if e.is_gone() => return forget_gone(r, number).await,
        Err(e) => return Err(e.into()),
    };
    let current = found.state == IssueState::Open
        && recognise_on_github(r.gh, r.repo, &found, r.bot)
            .await?
            .is_some_and(|m| m.sprint == sprint.id);
    if !current {
        tracing::info!(repo = %r.repo, issue = number, sprint = %id,
            "the remembered sprint issue is no longer current; no reminder written");
        // Recorded, or the scheduler would queue this job again at once.
        for d in todo {
            let detail = format!("issue #{number} is not this sprint's open issue");
            store
                .record_step(&name, &id, &not_current_step(d), Some(detail))
                .await?;
        }
        return Ok(Ran::default());
    }
    let doc = SprintDoc::parse(&found.body).map_err(|e| LifecycleError::Damaged {
        issue: number,
        problem: e.to_string(),
    })?;
    let has_goals = r
        .config
        .layout
        .holds(crate::sprint::markers::Section::Goals);
    let goals = doc
        .goals_if_any(has_goals)
        .map_err(|e| LifecycleError::Damaged {
            issue: number,
            problem: e.to_string(),
        })?;
    // People off today (config leave, the issue's "Off this sprint") are
    // left out of every mention.
    let today = r.config.cadence.tz.to_datetime(now).date();
    let off = r.config.known_off([&doc]);
    let away: Vec<Login> = match today.tomorrow() {
        Ok(end) => off
            .iter()
            .map(|e| e.login.clone())
            .filter(|l| crate::sprint::off::is_off(&off, l, today, end))
            .collect(),
        Err(_) => Vec::new(),
    };
    // sprintbot's team comments and those people wrote for a team, each
    // with the comment it was read from.
    let teams: Vec<(TeamDoc, &Comment)> =
        super::team_docs::read(&comments, r.bot, sprint.id, r.config)
            .docs
            .into_iter()
            .filter_map(|t| {
                let c = comments.iter().find(|c| c.html_url == t.url)?;
                Some((t, c))
            })
            .collect();
    let mut ran = Ran::default();
    for d in todo {
        let detail = match compose(r, d, &sprint, &goals, &teams, now, &away) {
            Ok(Text::Write(text)) => {
                // The texts open with the sprint's marker; the one written
                // names the sprint's end too (`Reminder::marker_for`).
                let marker = d.marker_for(&sprint);
                let text = text.replacen(&d.marker(sprint.id), &marker, 1);
                // Written before, and its marker edited away since.
                if let Some(c) = crate::sprint_issues::unmarked_twin(&comments, r.bot, issue, &text)
                {
                    let detail = format!("comment {} (its marker edited away)", c.id.0);
                    store
                        .record_step(&name, &id, &d.step(), Some(detail))
                        .await?;
                    continue;
                }
                let c =
                    r.gh.create_comment(r.repo, issue, &text, Some(&marker))
                        .await?;
                tracing::info!(repo = %r.repo, issue = number, reminder = d.name(), "reminder written");
                metrics::counter!("sprintbot_reminders_written_total", "reminder" => d.name())
                    .increment(1);
                ran.posted.push(Posted { reminder: d, issue });
                format!("comment {}", c.id.0)
            }
            Ok(Text::Nobody) => "nobody to remind".to_string(),
            Ok(Text::NotYet(at)) => {
                ran.later = Some(ran.later.map_or(at, |l| l.min(at)));
                continue;
            }
            Err(e) => {
                // Not retried: the template must change. Said where the
                // people who can fix the config look.
                let problem = format!("the {} reminder could not be written: {e}", d.name());
                tracing::warn!(repo = %r.repo, %problem, "a reminder's template does not render");
                if let Err(report) =
                    crate::repos::report_problem(r.gh, r.repo, r.bot, &problem).await
                {
                    tracing::warn!(repo = %r.repo, error = %report, "could not report it");
                }
                format!("failed: {e}")
            }
        };
        store
            .record_step(&name, &id, &d.step(), Some(detail))
            .await?;
    }
    Ok(ran)
}

/// What reminder `d` says at `now`.
fn compose(
    r: &Repo<'_>,
    d: Reminder,
    sprint: &Sprint,
    goals: &[Goal],
    teams: &[(TeamDoc, &Comment)],
    now: Timestamp,
    away: &[Login],
) -> Result<Text, TemplateError> {
    let config = r.config;
    let templates = &config.templates;
    let ends = local(&config.cadence.tz, sprint.closes_at);
    let text = |t: Option<String>| t.map_or(Text::Nobody, Text::Write);
    match d {
        Reminder::Review => {
            let docs: Vec<TeamDoc> = teams.iter().map(|(t, _)| t.clone()).collect();
            let urls: Vec<(String, String)> = teams
                .iter()
                .filter(|(t, _)| !t.hand_written)
                .map(|(t, c)| (t.slug.clone(), c.html_url.clone()))
                .collect();
            let moving = Moving::of(goals, &docs, &config.team_views());
            let review = Review {
                sprint: sprint.id,
                rollover_at: ends,
                moving: &moving,
                into_plan: config.switches.carry_unfinished_goals,
                counts: config.switches.carry_counts,
                team_comments: &urls,
                away,
            };
            reminders::review(templates, &review).map(Text::Write)
        }
        Reminder::NudgeStatus => {
            reminders::nudge_status(templates, sprint.id, &ends, goals, away).map(text)
        }
        Reminder::NudgeTeams => {
            // A comment posted well after the opening instant (the bot was
            // down then) gets its full delay from when it was posted.
            let hours = i64::from(config.reminders.nudge_teams_hours_after_opening);
            let late_after = sprint
                .opens_at
                .checked_add(jiff::SignedDuration::from_hours(1))
                .ok();
            let ripe = |c: &Comment| {
                let posted = c.created_at.parse::<Timestamp>().ok()?;
                if late_after.is_some_and(|l| posted <= l) {
                    return None;
                }
                posted
                    .checked_add(jiff::SignedDuration::from_hours(hours))
                    .ok()
            };
            let mut wait = None;
            let mut idle = Vec::new();
            for team in &config.teams {
                let Some((_, c)) = teams
                    .iter()
                    .find(|(t, _)| t.slug == team.slug && !t.hand_written)
                else {
                    continue;
                };
                // A team that planned in a comment of its own has planned.
                if teams
                    .iter()
                    .any(|(t, _)| t.slug == team.slug && t.hand_written)
                {
                    continue;
                }
                if !untouched(&c.created_at, &c.updated_at) {
                    continue;
                }
                match ripe(c) {
                    Some(at) if at > now => wait = Some(wait.map_or(at, |w: Timestamp| w.max(at))),
                    _ => idle.push(IdleTeam {
                        name: team.name.clone(),
                        mentions: team
                            .members
                            .iter()
                            .filter(|m| !reminders::is_away(away, m))
                            .map(|m| format!("@{m}"))
                            .chain(team.github_team.iter().map(|g| format!("@{g}")))
                            .collect(),
                        url: c.html_url.clone(),
                    }),
                }
            }
            match wait {
                Some(at) => Ok(Text::NotYet(at)),
                None => reminders::nudge_teams(templates, sprint.id, &idle).map(text),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"
[cadence]
anchor = "2022-10-03"
timezone = "Europe/London"
"#;

    #[test]
    fn an_extended_sprint_keeps_its_reminders_until_its_new_end() {
        let config = crate::config::repo::parse("t.toml", CONFIG, &toml::Table::new()).unwrap();
        let plain = current_sprint(&config, "2022-11-14").unwrap();
        let extended = current_sprint(&config, "2022-11-14 extend=2022-11-14+7").unwrap();
        assert_eq!(plain.opens_at, extended.opens_at);
        assert_eq!(
            extended.closes_at.duration_since(plain.closes_at),
            jiff::SignedDuration::from_hours(7 * 24)
        );
        // The review 24 h before the end moves with it.
        let review = |s: &crate::sprint::calendar::Sprint| {
            config
                .reminders
                .instants(&config.cadence, s)
                .into_iter()
                .find(|(r, _)| *r == Reminder::Review)
                .map(|(_, at)| at)
        };
        assert_eq!(
            review(&extended)
                .unwrap()
                .duration_since(review(&plain).unwrap()),
            jiff::SignedDuration::from_hours(7 * 24)
        );
        assert!(current_sprint(&config, "not a date").is_none());
    }
}
