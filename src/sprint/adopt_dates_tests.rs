//! The adopted sprint's dates from its title, on a two-week cadence
//! anchored on Monday 2022-10-03: lengths of 12, 13, 14, 19 and 26 days, a
//! Monday end, a start off the cadence, and what cannot fit.

use super::*;
use jiff::civil::date;

fn config(weeks: u8) -> RepoConfig {
    let src = format!(
        "[[teams]]\nname = \"Growth\"\nmembers = [\"ann\"]\n\n[cadence]\nanchor = \"2022-10-03\"\nlength_weeks = {weeks}\ntimezone = \"UTC\"\nopens_at = \"09:00\"\n"
    );
    crate::config::repo::parse("t.toml", &src, &toml::Table::new()).unwrap()
}

fn adopt(title: &str) -> Result<Dated, DatesError> {
    dated(title, date(2022, 11, 10), &config(2), &Recorded::default())
}

#[test]
fn the_next_sprint_starts_the_monday_after_the_title_s_end_whatever_its_length() {
    // (title, next start, calendar fields recorded)
    let table = [
        (
            "Sprint 1.42.0 2/2 - Nov 14 - Nov 25",
            date(2022, 11, 28),
            "",
        ),
        ("Sprint Nov 14 to Nov 26", date(2022, 11, 28), ""),
        ("Sprint Nov 14 to Nov 27", date(2022, 11, 28), ""),
        (
            "Sprint - Nov 14 - Dec 2",
            date(2022, 12, 5),
            "extend=2022-11-14+7",
        ),
        (
            "Sprint November 14 to December 9",
            date(2022, 12, 12),
            "extend=2022-11-14+14",
        ),
        // A Monday end is exclusive.
        ("Sprint Planning 11-14 to 11-28", date(2022, 11, 28), ""),
    ];
    for (title, next, fields) in table {
        let d = adopt(title).unwrap_or_else(|e| panic!("{title}: {e:?}"));
        assert_eq!(d.sprint.id, SprintId(date(2022, 11, 14)), "{title}");
        assert_eq!(
            d.sprint.index, 3,
            "{title}: the cadence's index, so its number"
        );
        assert_eq!(d.next, next, "{title}");
        assert_eq!(d.sprint.end.tomorrow().unwrap(), next, "{title}");
        assert_eq!(d.recorded.fields(), fields, "{title}");
    }
}

#[test]
fn a_start_off_the_cadence_extends_the_sprint_before_it() {
    let d = adopt("Sprint Nov 21 - Dec 2").unwrap();
    assert_eq!(d.sprint.start, date(2022, 11, 21));
    assert_eq!(d.next, date(2022, 12, 5));
    assert_eq!(d.recorded.fields(), "extend=2022-10-31+7");
    assert_eq!(d.sprint.index, 3);
}

#[test]
fn exceptions_already_recorded_are_kept() {
    let before = Recorded::default().with(Exception::Skip(SprintId(date(2022, 10, 17))));
    let d = dated(
        "Sprint Nov 14 - Dec 2",
        date(2022, 11, 10),
        &config(2),
        &before,
    )
    .unwrap();
    assert_eq!(d.recorded.fields(), "skip=2022-10-17 extend=2022-11-14+7");
}

#[test]
fn what_cannot_fit_is_refused_with_the_reason() {
    assert_eq!(
        adopt("Sprint 1.n.0 m/2 - Jan 1 to Jan 12"),
        Err(DatesError::Placeholder)
    );
    assert_eq!(adopt("Planning for the sprint"), Err(DatesError::NotDated));
    let short = |title: &str| match adopt(title) {
        Err(DatesError::Unfit(why)) => why,
        other => panic!("{title}: {other:?}"),
    };
    assert!(short("Sprint Sep 26 - Oct 7").contains("before the cadence anchor 2022-10-03"));
    assert!(short("Sprint Oct 10 - Oct 21").contains("not on a sprint's first day"));
    assert!(short("Sprint Nov 14 - Jan 27").contains("more than the 28"));
}

#[test]
fn a_sprint_shorter_than_the_cadence_is_shortened_and_the_next_starts_earlier() {
    // A one-week sprint on a two-week cadence (the team cut it short).
    let d = adopt("Sprint Nov 14 - Nov 18").unwrap();
    assert_eq!(d.sprint.start, date(2022, 11, 14));
    assert_eq!(d.next, date(2022, 11, 21));
    assert_eq!(d.sprint.end.tomorrow().unwrap(), date(2022, 11, 21));
    assert_eq!(d.recorded.fields(), "shorten=2022-11-14+7");
    // The calendar then runs on from the new start, two weeks at a time.
    let cal = config(2).calendar(&d.recorded);
    let after = cal.containing(date(2022, 11, 21));
    assert_eq!(after.start, date(2022, 11, 21));
    assert_eq!(after.end, date(2022, 12, 4));
}

#[test]
fn a_one_week_cadence_takes_a_two_week_title_as_an_extension() {
    let d = dated(
        "Sprint Nov 14 - Nov 25",
        date(2022, 11, 10),
        &config(1),
        &Recorded::default(),
    )
    .unwrap();
    assert_eq!(d.next, date(2022, 11, 28));
    assert_eq!(d.recorded.fields(), "extend=2022-11-14+7");
}

#[test]
fn the_current_one_is_chosen_by_the_titles_dates_not_by_open_state() {
    let adopted = adopt("Sprint Nov 14 - Nov 25").unwrap().title;
    let created = date(2022, 11, 10);
    let others = vec![
        (3, "Sprint Oct 31 - Nov 11".to_string(), created),
        (
            1,
            "Sprint 1.41.0 1/2 - Oct 3 to Oct 14".to_string(),
            created,
        ),
        (7, "Retro notes".to_string(), created),
        (9, "Sprint Nov 28 - Dec 9".to_string(), created),
    ];
    let older = older_open(&adopted, date(2022, 11, 16), &others).unwrap();
    let numbers: Vec<u64> = older.iter().map(|o| o.number).collect();
    assert_eq!(
        numbers,
        [1, 3],
        "oldest first; the next sprint's early issue is neither"
    );
    // Once the later sprint has started, it is the current one.
    let newer = older_open(&adopted, date(2022, 11, 28), &others).unwrap_err();
    assert_eq!((newer.number, newer.start), (9, date(2022, 11, 28)));
}
