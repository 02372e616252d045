//! Deciding the calendar commands (pure): `/sprint skip next` and
//! `/sprint extend` become an exception recorded in the issue's calendar
//! marker, `/off` an entry of "Off this sprint" plus the support-hero
//! changes it causes, and `/sprint preview` a reply. Each says what it did
//! in a note the answer carries.

use super::super::messages;
use super::super::parse::{Command, OffWho};
use crate::config::repo::RepoConfig;
use crate::sprint::Login;
use crate::sprint::body::{Change, SprintDoc};
use crate::sprint::calendar::Sprint;
use crate::sprint::exceptions::{Exception, MAX_EXTENSION_DAYS};
use crate::sprint::numbering::SprintLabel;
use crate::sprint::off::{self, Off};
use crate::sprint::preview::{self, Inputs};
use crate::sprint::render;
use crate::sprint::team::TeamDoc;
use crate::sprint::timeline::Calendar;

/// What a calendar command does.
pub(super) enum Decided {
    /// These changes, and a note for the answer.
    Changes(Vec<(Change, &'static str)>, Option<String>),
    /// Only a reply.
    Note(String),
    Refused(String),
}

/// `None` when `cmd` is not a calendar command.
pub(super) fn decide(
    doc: &SprintDoc,
    config: &RepoConfig,
    author: &Login,
    cmd: &Command,
    team_comments: &[TeamDoc],
) -> Option<Decided> {
    if !matches!(
        cmd,
        Command::Off { .. }
            | Command::SprintSkipNext
            | Command::SprintExtend(_)
            | Command::SprintPreview
    ) {
        return None;
    }
    let Some(meta) = doc.metadata() else {
        return Some(Decided::Refused(messages::damaged(
            "the sprint metadata marker is missing or damaged",
        )));
    };
    let recorded = doc.recorded();
    let calendar = config.calendar(&recorded);
    let current = calendar.containing(meta.sprint.0);
    Some(match cmd {
        Command::SprintPreview => {
            let settings = config.rollover_settings();
            let inputs = Inputs {
                doc,
                // The number only appears in text the preview does not show.
                issue: 0,
                calendar: &calendar,
                numbering: &config.numbering,
                rotation: &config.rotation,
                settings: &settings,
                team_comments,
            };
            match preview::preview(&inputs) {
                Ok(p) => Decided::Note(messages::preview(&p)),
                Err(e) => Decided::Refused(messages::preview_failed(&e.to_string())),
            }
        }
        Command::SprintSkipNext => {
            let next = calendar.next_after(meta.sprint);
            if calendar.extension(next.index) > 0 {
                return Some(Decided::Refused(messages::skip_extended(next.id)));
            }
            let e = Exception::Skip(next.id);
            let after = config.calendar(&recorded.with(e));
            let note = opening_note(config, &after, &after.next_after(meta.sprint))
                .map(|(title, at)| messages::skipped(next.id, &title, &at));
            Decided::Changes(vec![(Change::Except(e), "sprint.skip")], note)
        }
        Command::SprintExtend(days) => {
            let already = calendar.extension(current.index);
            if already + i64::from(*days) > i64::from(MAX_EXTENSION_DAYS) {
                return Some(Decided::Refused(messages::extended_too_far(
                    already,
                    MAX_EXTENSION_DAYS,
                )));
            }
            let e = Exception::Extend(current.id, *days);
            let after = config.calendar(&recorded.with(e));
            let longer = after.containing(meta.sprint.0);
            let note = opening_note(config, &after, &after.next_after(meta.sprint))
                .map(|(title, at)| messages::extended(longer.last_working_day, &title, &at));
            Decided::Changes(vec![(Change::Except(e), "sprint.extend")], note)
        }
        Command::Off { who, span } => {
            let login = match who {
                OffWho::Me => author.clone(),
                OffWho::User(l) => l.clone(),
            };
            let (from, to) = match off::resolve(*span, &current) {
                Ok(days) => days,
                Err(e) => return Some(Decided::Refused(messages::off_refused(&e.to_string()))),
            };
            let entry = Off { login, from, to };
            let before = config.known_off([doc]);
            let mut after = before.clone();
            after.push(entry.clone());
            let shown = doc.heroes().unwrap_or_default();
            let heroes = config
                .rotation
                .changes_for_off(&calendar, &current, &shown, &before, &after);
            let note = (!heroes.is_empty()).then(|| messages::heroes_moved(&entry, &heroes));
            let mut changes = vec![(Change::AddOff(entry), "off.add")];
            changes.extend(
                heroes
                    .into_iter()
                    .map(|(week, login)| (Change::SetHero { week, login }, "hero.set")),
            );
            Decided::Changes(changes, note)
        }
        _ => return None,
    })
}

/// The issue's new title when a change moved its sprint's dates (the
/// calendar marker changed): the title template with the sprint's label as
/// its metadata records it. `None` when the title stays.
pub fn retitle(
    config: &RepoConfig,
    before: &SprintDoc,
    after: &SprintDoc,
    title: &str,
) -> Option<String> {
    if before.recorded() == after.recorded() {
        return None;
    }
    let meta = after.metadata()?;
    let sprint = config.calendar(&after.recorded()).containing(meta.sprint.0);
    let was = config
        .calendar(&before.recorded())
        .containing(meta.sprint.0);
    if (was.start, was.last_working_day) == (sprint.start, sprint.last_working_day) {
        // Its own dates did not move (a skip of the next one): a title
        // someone edited by hand stays.
        return None;
    }
    let label = SprintLabel {
        version: meta.version.parse().ok()?,
        part: meta.part,
        parts: meta.parts,
    };
    let new = render::title(&config.templates, &sprint, &label).ok()?;
    (new != title).then_some(new)
}

/// The title a sprint would open with, and when it opens (local).
fn opening_note(
    config: &RepoConfig,
    calendar: &Calendar,
    sprint: &Sprint,
) -> Option<(String, String)> {
    let label = calendar.label(&config.numbering, sprint).ok()?;
    let title = render::title(&config.templates, sprint, &label).ok()?;
    Some((title, calendar.local(sprint.opens_at)))
}
