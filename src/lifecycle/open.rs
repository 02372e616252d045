//! Opening a sprint, with GitHub as the only record of what is done. The
//! sprint issues sprintbot wrote are listed once; two for one sprint are
//! reduced to the older; a newest issue whose opening was cut short is
//! finished before anything else; only then is the next sprint opened:
//! (0) the previous issue's pending commands are applied, under its lock,
//! so the retro sees them; (1) the new issue is created and (2) checked for
//! a twin another run made at the same moment; (3) each team's comment is
//! posted; (4) the previous issue gets a closing comment; (5) the pin moves
//! and the previous issue closes, in one GraphQL call, last. Every write
//! first looks for its own earlier effect. Which sprint opens, when, and
//! under what number come from the calendar: the config's cadence
//! exceptions and those the newest issue records.

use super::history;
use super::steps::{self, Finishing};
use super::{Done, Goal, LifecycleError, Repo, Report};
use crate::commands::sync::Subject;
use crate::config::repo::RepoConfig;
use crate::github::{Comment, Issue, NewIssue, StateFilter};
use crate::sprint::body::SprintDoc;
use crate::sprint::calendar::Sprint;
use crate::sprint::exceptions::Recorded;
use crate::sprint::markers::{Metadata, Section};
use crate::sprint::rollover::{self, Previous};
use crate::sprint::timeline::Calendar;
use crate::sprint_issues::{self, Currency};
use crate::store::Effect;

/// Run the rollover `goal` asks for (or finish one cut short).
pub async fn open(r: &Repo<'_>, goal: Goal) -> Result<Done, LifecycleError> {
    match open_listed(r, goal, true).await? {
        Some(done) => Ok(done),
        // sprintbot's own issue had lost its label and has it back: list
        // again, and it is the newest sprint issue.
        None => Ok(open_listed(r, goal, false).await?.unwrap_or_default()),
    }
}

/// [`open`] from one listing of the sprint issues; `None` when, `look`ing
/// for one before opening, it put a lost label back (`relabel`).
async fn open_listed(r: &Repo<'_>, goal: Goal, look: bool) -> Result<Option<Done>, LifecycleError> {
    let mut done = Done::default();
    let (mut issues, other) = sprint_issues::list_with_others(
        r.gh,
        r.repo,
        &r.config.sprint_label,
        StateFilter::All,
        r.bot,
    )
    .await?;
    // One identity per repository: a run as another account would open a
    // second issue for the current sprint beside the real one.
    if let (true, Some((theirs, issue))) = (issues.is_empty(), other) {
        return Err(LifecycleError::OtherAccount {
            repo: r.repo.to_string(),
            ours: r.bot.0.clone(),
            theirs: theirs.0,
            issue: issue.0,
        });
    }
    steps::close_duplicates(r, &mut issues).await?;
    let newest = issues.first().cloned();
    // The newest issue's comments tell whether its opening was completed,
    // and are the previous sprint's comments if a new one opens now.
    let mut newest_comments = Vec::new();
    if let Some((meta, issue)) = &newest {
        newest_comments = r.gh.list_comments(r.repo, issue.number, None).await?;
        let finishing = Finishing::new(r, &issues, meta, issue);
        if let Some(report) = finishing.finish_if_cut_short(&newest_comments).await? {
            done.effects.push(current(r, issue, meta));
            done.report = Some(report);
            // `sprintbot rollover` re-run after a crash: finishing the sprint
            // it had half opened is the rollover that was asked for.
            if matches!(goal, Goal::Next(_)) {
                return Ok(Some(done));
            }
            // What it posted belongs to the previous sprint if one opens now.
            newest_comments = r.gh.list_comments(r.repo, issue.number, None).await?;
        }
    }
    // The calendar as the newest issue knows it: the config's exceptions
    // and those `/sprint skip next` and `/sprint extend` recorded.
    let recorded = newest
        .as_ref()
        .map(|(_, i)| Recorded::from_body(&i.body))
        .unwrap_or_default();
    let meta = newest.as_ref().map(|(m, _)| m);
    let Some((calendar, target)) = target_of(r.config, &recorded, goal, meta) else {
        return Ok(Some(done));
    };
    if let Some((meta, issue)) = &newest
        && target.id <= meta.sprint
    {
        // Already open: remember it, so the scheduler stops asking.
        if issue.state == crate::github::IssueState::Open {
            done.effects.push(current(r, issue, meta));
        } else {
            // A person closed it: the sprint ran and was closed by hand. Not
            // an emergency; recorded, so the scheduler waits for the next
            // opening instead of asking again (see `next::CLOSED_BY_PERSON`).
            tracing::info!(repo = %r.repo, issue = issue.number.0, sprint = %target.id,
                "the sprint's issue was closed by hand; the next sprint opens at its instant");
            let detail = format!("issue #{} closed", issue.number.0);
            r.commands
                .store
                .record_step(
                    &r.repo.to_string(),
                    &target.id.to_string(),
                    super::next::CLOSED_BY_PERSON,
                    Some(detail),
                )
                .await?;
        }
        return Ok(Some(done));
    }
    // A sprint is about to open and no labelled sprint issue is open: unless
    // sprintbot's own newer issue lost its label (it gets it back, and the
    // listing starts again). An ordinary rollover, its previous issue open
    // and labelled, does not look.
    let none_open = newest
        .as_ref()
        .is_none_or(|(_, i)| i.state != crate::github::IssueState::Open);
    if look && none_open && super::relabel::restore(r, newest.as_ref()).await? {
        return Ok(None);
    }
    // The first sprint: the label that finds sprint issues is created now,
    // if missing, and never before a sprint is due (issue 21).
    if issues.is_empty() {
        r.gh.ensure_label(r.repo, &r.config.sprint_label).await?;
    }
    let opening = Opening {
        goal,
        calendar,
        sprint: target,
    };
    done.report = open_new(
        r,
        opening,
        &issues,
        newest.as_ref(),
        newest_comments,
        &mut done.effects,
    )
    .await?;
    Ok(Some(done))
}

/// The calendar `recorded` makes, and the sprint `goal` asks for on it
/// (`None`: nothing is due yet).
fn target_of(
    config: &RepoConfig,
    recorded: &Recorded,
    goal: Goal,
    newest: Option<&Metadata>,
) -> Option<(Calendar, Sprint)> {
    let calendar = config.calendar(recorded);
    let target = match (goal, newest) {
        // Before the cadence anchor nothing is due (check-config warns).
        (Goal::Due(now), _) => calendar.due(now)?,
        (Goal::After(id), _) => calendar.next_after(id),
        (Goal::Next(_), Some(m)) => calendar.next_after(m.sprint),
        // Asked for before the anchor: the first sprint opens early rather
        // than one numbered backwards from it.
        (Goal::Next(now), None) => calendar.due(now).unwrap_or_else(|| calendar.first()),
    };
    Some((calendar, target))
}

/// The sprint about to open, on the calendar that says so.
struct Opening {
    goal: Goal,
    calendar: Calendar,
    sprint: Sprint,
}

fn current(r: &Repo<'_>, issue: &Issue, meta: &Metadata) -> Effect {
    Effect::CurrentIssue {
        repo: r.repo.to_string(),
        issue: issue.number.0,
        sprint: sprint_issues::note(meta, issue),
    }
}

/// Open `sprint` after `previous` (the newest sprint issue, if any);
/// `listed`: every sprint issue, as listed at the start.
async fn open_new(
    r: &Repo<'_>,
    mut opening: Opening,
    listed: &[(Metadata, Issue)],
    previous: Option<&(Metadata, Issue)>,
    prev_comments: Vec<Comment>,
    effects: &mut Vec<Effect>,
) -> Result<Option<Report>, LifecycleError> {
    // 0. The previous sprint, with every command written on it applied.
    let mut prev = None;
    if let Some((meta, p)) = previous {
        let subject = Subject {
            gh: r.gh,
            installation: r.installation,
            repo: r.repo,
            repo_id: r.repo_id,
            bot: r.bot,
            loaded: r.loaded,
            issue: p,
            currency: Currency::Current,
        };
        let synced = r
            .commands
            .sync_issue(&subject, Some(prev_comments.clone()))
            .await
            .map_err(|e| LifecycleError::Commands(e.to_string()))?;
        effects.extend(synced.effects);
        // A `/sprint extend` or `/sprint skip next` just applied moves the
        // calendar: the sprint may not be due after all.
        let now_recorded = Recorded::from_body(&synced.body);
        if now_recorded != Recorded::from_body(&p.body) {
            match target_of(r.config, &now_recorded, opening.goal, Some(meta)) {
                Some((calendar, sprint)) if sprint.id > meta.sprint => {
                    opening = Opening {
                        calendar,
                        sprint,
                        ..opening
                    };
                }
                _ => return Ok(None),
            }
        }
        let has_goals = r.config.layout.holds(Section::Goals);
        let doc = match SprintDoc::parse(&synced.body) {
            Ok(doc) if doc.goals_if_any(has_goals).is_ok() && doc.metadata().is_some() => doc,
            Ok(_) | Err(_) => {
                let problem = SprintDoc::parse(&synced.body)
                    .and_then(|d| d.goals_if_any(has_goals).map(|_| ()))
                    .err()
                    .map_or("the sprint metadata marker is missing".to_string(), |e| {
                        e.to_string()
                    });
                steps::report_damage(r, p, meta, &prev_comments, &problem).await?;
                return Err(LifecycleError::Damaged {
                    issue: p.number.0,
                    problem,
                });
            }
        };
        let mut team_comments =
            super::team_docs::read(&prev_comments, r.bot, meta.sprint, r.config).docs;
        if r.config.switches.tick_linked_goals {
            super::team_docs::mark_finished_links(r.gh, r.repo, &mut team_comments).await?;
        }
        // The history the previous body does not record, from older issues.
        let earlier = if r.config.switches.health || r.config.switches.pin_summary {
            history::earlier(r, listed, p.number.0, &doc).await
        } else {
            Vec::new()
        };
        let ended = opening.calendar.containing(meta.sprint.0);
        prev = Some(Previous {
            issue: p.number.0,
            doc,
            team_comments,
            earlier,
            shipped: history::shipped(r, &ended, &opening.sprint).await?,
        });
    }
    let (calendar, sprint) = (&opening.calendar, &opening.sprint);
    let label = calendar.label(&r.config.numbering, sprint)?;
    let settings = r.config.rollover_settings();
    // Heroes with everyone's time off: the config's leave and the previous
    // issue's "Off this sprint", as the plan itself sees them.
    let away = rollover::Away::new(prev.as_ref(), &settings, sprint);
    let heroes = r.config.rotation.heroes_with(calendar, sprint, &away.all);
    let plan = rollover::plan(prev.as_ref(), &settings, sprint, &label, heroes)?;

    // 1. The new issue.
    let marker = format!("<!-- sprintbot:sprint id={} ", sprint.id);
    let new = NewIssue {
        title: plan.title.clone(),
        body: plan.body.clone(),
        labels: vec![r.config.sprint_label.clone()],
    };
    let created = r.gh.create_issue(r.repo, &new, &marker).await?;
    // 2. A twin another run opened at the same moment: keep the older.
    let issue = steps::settle_twins(r, sprint.id, created.clone()).await?;
    let meta = sprint_issues::recognise(&issue, r.bot).ok_or_else(|| {
        LifecycleError::Commands(format!("#{} lost its sprint metadata", issue.number.0))
    })?;
    effects.push(current(r, &issue, &meta));
    let all = [(meta.clone(), issue.clone())]
        .into_iter()
        .chain(previous.cloned())
        .collect::<Vec<_>>();
    let prev_doc = prev.map(|p| p.doc);
    let finishing = Finishing::new(r, &all, &meta, &issue).with_plan(plan, prev_comments, prev_doc);
    if issue.number == created.number {
        finishing.finish(None).await.map(Some)
    } else {
        // The older twin, opened by another run: post only what it lacks.
        let on_issue = r.gh.list_comments(r.repo, issue.number, None).await?;
        finishing.finish(Some(&on_issue)).await.map(Some)
    }
}
