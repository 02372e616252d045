//! What happens next in one repository, as a pure function of its
//! calendar (the cadence with its skipped and extended sprints), the sprint
//! of its current issue and the time. The scheduler acts on it (sleeping
//! until the instant, or queueing the rollover that is due) and
//! `/sprint doctor` tells people about it, so the two never disagree.

use jiff::Timestamp;

use crate::config::repo::RepoConfig;
use crate::sprint::SprintId;
use crate::sprint::calendar::Sprint;
use crate::sprint::exceptions::parse_note;
use crate::sprint::timeline::Calendar;

/// The outcome a rollover records (in the store's steps, under the sprint
/// that was due) when that sprint's issue exists but a person closed it.
/// The sprint counts as held and closed by hand: the scheduler raises no
/// alarm and queues nothing until the next opening instant, or until a
/// webhook about a sprint issue (a reopen) forgets the outcome.
pub const CLOSED_BY_PERSON: &str = "outcome:closed-by-person";

/// The next thing the scheduler does for a repository.
#[derive(Debug, Clone, PartialEq)]
pub enum Next {
    /// Nothing opens before the cadence anchor: the first sprint opens then.
    First(Sprint),
    /// The current sprint is open; this one opens at its instant.
    Opens(Sprint),
    /// This sprint's instant has passed and its issue is not open yet: its
    /// rollover is queued now.
    Due(Sprint),
}

/// A repository's calendar with the exceptions its current issue records,
/// from the store's note of that issue (`exceptions::note`), and the
/// issue's sprint.
pub fn calendar(config: &RepoConfig, note: Option<&str>) -> (Calendar, Option<SprintId>) {
    let noted = note.and_then(parse_note);
    let calendar = config.calendar(
        &noted
            .as_ref()
            .map(|(_, rec)| rec.clone())
            .unwrap_or_default(),
    );
    (calendar, noted.map(|(sprint, _)| sprint))
}

/// What is next at `now`, given the sprint of the current sprint issue.
pub fn next(calendar: &Calendar, current: Option<SprintId>, now: Timestamp) -> Next {
    let Some(due) = calendar.due(now) else {
        return Next::First(calendar.first());
    };
    if current.is_some_and(|sprint| sprint >= due.id) {
        // It opens at the current sprint's close (skipped ones passed over).
        Next::Opens(calendar.next_after(due.id))
    } else {
        Next::Due(due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_sprint_is_an_outcome_the_store_forgets_on_a_webhook() {
        assert!(CLOSED_BY_PERSON.starts_with(crate::store::OUTCOME_STEP_PREFIX));
    }

    fn config(anchor: &str) -> RepoConfig {
        let src = format!(
            "[[teams]]\nname = \"Growth\"\nmembers = [\"ann\"]\n\n[cadence]\nanchor = \"{anchor}\"\ntimezone = \"UTC\"\nopens_at = \"09:00\"\n"
        );
        crate::config::repo::parse("t.toml", &src, &toml::Table::new()).unwrap()
    }

    #[test]
    fn first_then_due_then_the_one_after() {
        let c = config("2022-10-03");
        let (cal, _) = calendar(&c, None);
        let before: Timestamp = "2022-09-30T12:00:00Z".parse().unwrap();
        assert!(matches!(next(&cal, None, before), Next::First(s) if s.index == 0));
        let during: Timestamp = "2022-10-05T12:00:00Z".parse().unwrap();
        assert!(matches!(next(&cal, None, during), Next::Due(s) if s.index == 0));
        let (cal, current) = calendar(&c, Some("2022-09-19"));
        assert!(matches!(next(&cal, current, during), Next::Due(_)));
        let (cal, current) = calendar(&c, Some("2022-10-03"));
        match next(&cal, current, during) {
            Next::Opens(s) => {
                assert_eq!(s.id.to_string(), "2022-10-17");
                assert_eq!(s.opens_at, cal.sprint(0).closes_at);
            }
            other => panic!("{other:?}"),
        }
    }
}
