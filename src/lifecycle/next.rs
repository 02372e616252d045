//! What happens next in one repository, as a pure function of its config,
//! the sprint of its current issue and the time. The scheduler acts on it
//! (sleeping until the instant, or queueing the rollover that is due) and
//! `/sprint doctor` tells people about it, so the two never disagree.

use jiff::Timestamp;

use crate::config::repo::RepoConfig;
use crate::sprint::calendar::Sprint;

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

/// What is next at `now`, given the sprint (its id, `YYYY-MM-DD`) of the
/// repository's current sprint issue, if it has one.
pub fn next(config: &RepoConfig, current: Option<&str>, now: Timestamp) -> Next {
    let Some(due) = config.sprint_due(now) else {
        return Next::First(config.cadence.sprint(0));
    };
    // Sprint ids are dates, `YYYY-MM-DD`: as text they sort as dates.
    if current.is_some_and(|s| s >= due.id.to_string().as_str()) {
        Next::Opens(config.cadence.sprint(due.index + 1))
    } else {
        Next::Due(due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(anchor: &str) -> RepoConfig {
        let src = format!(
            "[[teams]]\nname = \"Growth\"\nmembers = [\"ann\"]\n\n[cadence]\nanchor = \"{anchor}\"\ntimezone = \"UTC\"\nopens_at = \"09:00\"\n"
        );
        crate::config::repo::parse("t.toml", &src, &toml::Table::new()).unwrap()
    }

    #[test]
    fn first_then_due_then_the_one_after() {
        let c = config("2022-10-03");
        let before: Timestamp = "2022-09-30T12:00:00Z".parse().unwrap();
        assert!(matches!(next(&c, None, before), Next::First(s) if s.index == 0));
        let during: Timestamp = "2022-10-05T12:00:00Z".parse().unwrap();
        assert!(matches!(next(&c, None, during), Next::Due(s) if s.index == 0));
        assert!(matches!(next(&c, Some("2022-09-19"), during), Next::Due(_)));
        match next(&c, Some("2022-10-03"), during) {
            Next::Opens(s) => assert_eq!(s.id.to_string(), "2022-10-17"),
            other => panic!("{other:?}"),
        }
    }
}
