//! Every title form of the reading reference §2.2, in its own invented
//! example, with the dates it means; the placeholder; New Year; and when
//! the next sprint starts (§2.3).

use super::*;
use jiff::civil::date;

fn dated(title: &str, created: Date) -> TitleDates {
    match read_title(title, created) {
        TitleRead::Dated(d) => d,
        other => panic!("{title}: {other:?}"),
    }
}

#[test]
fn every_form_of_the_reference_reads_to_its_dates() {
    let table: &[(&str, Date, Date, Date)] = &[
        (
            "Sprint 3.8.0 1/2 - Feb 1 to Feb 12",
            date(2027, 1, 27),
            date(2027, 2, 1),
            date(2027, 2, 12),
        ),
        (
            "Sprint 3.8.0 2/2 - 15 Feb - 26 Feb",
            date(2027, 2, 10),
            date(2027, 2, 15),
            date(2027, 2, 26),
        ),
        (
            "Sprint 3.9.0 1/2 - Mar 1 - Mar 12",
            date(2027, 2, 24),
            date(2027, 3, 1),
            date(2027, 3, 12),
        ),
        (
            "Sprint 3.9.0 2/2 - Mar 15 to March 26",
            date(2027, 3, 9),
            date(2027, 3, 15),
            date(2027, 3, 26),
        ),
        (
            "Sprint 3.10.0 1/2 - Mar 29 to Apr 16",
            date(2027, 3, 24),
            date(2027, 3, 29),
            date(2027, 4, 16),
        ),
        (
            "Sprint 3.10.1 2/2 - Apr 12 to Apr 23",
            date(2027, 4, 6),
            date(2027, 4, 12),
            date(2027, 4, 23),
        ),
        (
            "Sprint May 10 to May 21",
            date(2027, 5, 4),
            date(2027, 5, 10),
            date(2027, 5, 21),
        ),
        (
            "Sprint May 24th - June 4th",
            date(2027, 5, 18),
            date(2027, 5, 24),
            date(2027, 6, 4),
        ),
        (
            "Sprint - Jun 7 to Jun 18",
            date(2027, 6, 1),
            date(2027, 6, 7),
            date(2027, 6, 18),
        ),
        (
            "Sprint - Jun 21 to Jul 2, 2027",
            date(2027, 6, 15),
            date(2027, 6, 21),
            date(2027, 7, 2),
        ),
        (
            "Sprint Jul 5 to Jul 16, 2027",
            date(2027, 6, 29),
            date(2027, 7, 5),
            date(2027, 7, 16),
        ),
        (
            "Sprint July 19 - July 30, 2027",
            date(2027, 7, 13),
            date(2027, 7, 19),
            date(2027, 7, 30),
        ),
        (
            "Sprint Aug 2 to August 13th",
            date(2027, 7, 27),
            date(2027, 8, 2),
            date(2027, 8, 13),
        ),
        (
            "Sprint - Sept 13 to Sept 24",
            date(2027, 9, 7),
            date(2027, 9, 13),
            date(2027, 9, 24),
        ),
        (
            "Sprint Sep 27 to Oct 8",
            date(2027, 9, 21),
            date(2027, 9, 27),
            date(2027, 10, 8),
        ),
        (
            "Sprint 11th Oct - 22nd Oct",
            date(2027, 10, 5),
            date(2027, 10, 11),
            date(2027, 10, 22),
        ),
        (
            "Sprint - Dec 27 - Jan 7",
            date(2027, 12, 20),
            date(2027, 12, 27),
            date(2028, 1, 7),
        ),
        (
            "Sprint - Jan 10 - Jan 28",
            date(2027, 12, 30),
            date(2028, 1, 10),
            date(2028, 1, 28),
        ),
        (
            "Sprint - Jan 10 - Jan 28",
            date(2028, 1, 11),
            date(2028, 1, 10),
            date(2028, 1, 28),
        ),
        (
            "Sprint - Jan 10 to Jan 22",
            date(2028, 1, 4),
            date(2028, 1, 10),
            date(2028, 1, 22),
        ),
        (
            "Sprint - Jan 24 to Feb 6",
            date(2028, 1, 18),
            date(2028, 1, 24),
            date(2028, 2, 6),
        ),
        (
            "Sprint March 6 to March 31",
            date(2028, 3, 1),
            date(2028, 3, 6),
            date(2028, 3, 31),
        ),
        (
            "Sprint Planning 10-25 to 11-8",
            date(2027, 10, 20),
            date(2027, 10, 25),
            date(2027, 11, 8),
        ),
        (
            "sprint 1.42.0 2/2 - Nov 14 - Nov 25",
            date(2022, 11, 14),
            date(2022, 11, 14),
            date(2022, 11, 25),
        ),
    ];
    for (title, created, start, end) in table {
        let d = dated(title, *created);
        assert_eq!((d.start, d.end), (*start, *end), "{title}");
    }
}

#[test]
fn the_version_and_half_are_read_when_written() {
    let d = dated("Sprint 3.10.1 2/2 - Apr 12 to Apr 23", date(2027, 4, 6));
    assert_eq!(d.version, Some((3, 10, 1)));
    assert_eq!(d.part, Some((2, 2)));
    let d = dated("Sprint May 10 to May 21", date(2027, 5, 4));
    assert_eq!((d.version, d.part), (None, None));
}

#[test]
fn the_placeholder_is_never_dated() {
    assert_eq!(
        read_title("Sprint 1.n.0 m/2 - Jan 1 to Jan 12", date(2027, 3, 1)),
        TitleRead::Placeholder
    );
}

#[test]
fn titles_outside_the_grammar_are_not_dated() {
    for title in [
        "Planning for next quarter",
        "Sprint retro notes",
        "Sprint - Feb 30 to Mar 12",
        "Sprint - Foo 1 to Bar 2",
        "Sprint 13-1 to 13-12",
        "",
    ] {
        assert_eq!(
            read_title(title, date(2027, 3, 1)),
            TitleRead::NotDated,
            "{title:?}"
        );
    }
}

#[test]
fn the_next_sprint_starts_the_monday_after_a_weekend_end_or_on_a_monday_end() {
    // Friday, Saturday, Sunday ends: the following Monday.
    assert_eq!(next_start(date(2027, 2, 12)), date(2027, 2, 15));
    assert_eq!(next_start(date(2028, 1, 22)), date(2028, 1, 24));
    assert_eq!(next_start(date(2028, 2, 6)), date(2028, 2, 7));
    // A Monday end is exclusive: the next sprint starts that Monday.
    assert_eq!(next_start(date(2027, 11, 8)), date(2027, 11, 8));
    // Any other end: the Monday after.
    assert_eq!(next_start(date(2027, 3, 3)), date(2027, 3, 8));
}
