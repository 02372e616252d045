//! The calendar's stories: exceptions placed, DST and year ends kept.

use super::*;
use crate::sprint::calendar::weekdays;
use crate::sprint::numbering::Bump;
use jiff::civil::{date, time};
use jiff::tz::TimeZone;

fn cadence(anchor: Date, tz: &str) -> Cadence {
    Cadence {
        anchor,
        length_weeks: 2,
        tz: TimeZone::get(tz).unwrap(),
        opens_at: time(9, 0, 0, 0),
        working_days: weekdays(),
    }
}

fn id(y: i16, m: i8, d: i8) -> SprintId {
    SprintId(date(y, m, d))
}

fn numbering() -> Numbering {
    Numbering {
        first_version: "1.41.0".parse().unwrap(),
        parts: 2,
        bump: Bump::Minor,
    }
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[test]
fn without_exceptions_it_is_the_cadence() {
    let c = cadence(date(2022, 10, 3), "Europe/London");
    let cal = Calendar::plain(&c);
    for i in -3..30 {
        assert_eq!(cal.sprint(i), c.sprint(i), "sprint {i}");
    }
    let now = at("2022-11-16T12:00:00Z");
    assert_eq!(cal.sprint_at(now), c.sprint_at(now));
}

#[test]
fn an_extended_sprint_ends_later_and_pushes_the_rest_back() {
    let c = cadence(date(2026, 11, 2), "Europe/London");
    let (cal, unplaced) = Calendar::new(&c, &[Exception::Extend(id(2026, 11, 16), 7)], false);
    assert!(unplaced.is_empty());
    let s = cal.sprint(1);
    assert_eq!((s.start, s.end), (date(2026, 11, 16), date(2026, 12, 6)));
    assert_eq!(s.last_working_day, date(2026, 12, 4));
    let next = cal.sprint(2);
    assert_eq!(next.start, date(2026, 12, 7));
    assert_eq!(s.closes_at, next.opens_at);
    assert_eq!(next.opens_at.to_string(), "2026-12-07T09:00:00Z");
    // During the extra week the extended sprint is still current.
    assert_eq!(cal.sprint_at(at("2026-12-02T12:00:00Z")).index, 1);
    assert_eq!(cal.sprint_at(at("2026-12-07T09:00:00Z")).index, 2);
    assert_eq!(cal.containing(date(2026, 12, 10)).start, date(2026, 12, 7));
    assert_eq!(cal.next_after(id(2026, 11, 16)).start, date(2026, 12, 7));
    // Numbering is untouched.
    assert_eq!(
        cal.label(&numbering(), &next).unwrap().to_string(),
        "1.42.0 1/2"
    );
}

#[test]
fn a_skipped_sprint_opens_nothing_and_takes_no_number() {
    let c = cadence(date(2026, 11, 2), "Europe/London");
    let (cal, unplaced) = Calendar::new(&c, &[Exception::Skip(id(2026, 12, 14))], false);
    assert!(unplaced.is_empty());
    let before = cal.sprint(2);
    assert_eq!(before.start, date(2026, 11, 30));
    // Its title keeps its own dates; it stays current through the gap.
    assert_eq!(before.last_working_day, date(2026, 12, 11));
    assert_eq!(before.closes_at.to_string(), "2026-12-28T09:00:00Z");
    assert_eq!(cal.sprint_at(at("2026-12-20T12:00:00Z")).index, 2);
    let after = cal.next_after(before.id);
    assert_eq!(after.index, 4);
    assert_eq!(after.start, date(2026, 12, 28));
    assert_eq!(cal.skipped_after(before.id).len(), 1);
    let n = numbering();
    let labels: Vec<String> = [0, 1, 2, 4, 5]
        .iter()
        .map(|i| cal.label(&n, &cal.sprint(*i)).unwrap().to_string())
        .collect();
    assert_eq!(
        labels,
        [
            "1.41.0 1/2",
            "1.41.0 2/2",
            "1.42.0 1/2",
            "1.42.0 2/2",
            "1.43.0 1/2"
        ]
    );
    // Counting skipped sprints, the one after the gap is 1.43.0 1/2.
    let (counting, _) = Calendar::new(&c, &[Exception::Skip(id(2026, 12, 14))], true);
    assert_eq!(
        counting.label(&n, &counting.sprint(4)).unwrap().to_string(),
        "1.43.0 1/2"
    );
    assert_eq!(cal.ran_index(4), 3);
    assert_eq!(cal.index_of_ran(3), 4);
    assert_eq!(cal.index_of_ran(2), 2);
}

#[test]
fn exceptions_that_name_no_sprint_are_returned() {
    let c = cadence(date(2026, 11, 2), "UTC");
    let (cal, unplaced) = Calendar::new(
        &c,
        &[
            Exception::Skip(id(2026, 12, 15)),
            Exception::Extend(id(2026, 10, 19), 3),
            Exception::Skip(id(2026, 11, 16)),
            Exception::Extend(id(2026, 11, 16), 2),
        ],
        false,
    );
    let reasons: Vec<&str> = unplaced.iter().map(|u| u.reason.as_str()).collect();
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons[0].contains("before the cadence anchor"));
    assert!(reasons[1].contains("is not the first day of a sprint"));
    assert!(reasons[2].contains("both skipped and extended"));
    assert_eq!(cal.sprint(2).start, date(2026, 11, 30));
}

#[test]
fn a_second_extension_is_placed_on_the_shifted_grid() {
    let c = cadence(date(2026, 11, 2), "UTC");
    let (cal, unplaced) = Calendar::new(
        &c,
        &[
            Exception::Extend(id(2026, 12, 7), 3),
            Exception::Extend(id(2026, 11, 16), 7),
        ],
        false,
    );
    assert!(unplaced.is_empty(), "{unplaced:?}");
    assert_eq!(cal.sprint(3).start, date(2026, 12, 24));
}

#[test]
fn extensions_keep_local_opening_time_across_dst_and_the_year_end() {
    // London leaves BST on Sun 25 Oct 2026; a sprint extended over it
    // and the next opening in the new year are both at 09:00 local.
    let c = cadence(date(2026, 10, 12), "Europe/London");
    let (cal, _) = Calendar::new(&c, &[Exception::Extend(id(2026, 10, 12), 3)], false);
    assert_eq!(cal.sprint(0).opens_at.to_string(), "2026-10-12T08:00:00Z");
    assert_eq!(cal.sprint(1).opens_at.to_string(), "2026-10-29T09:00:00Z");
    let s = cal.containing(date(2027, 1, 1));
    assert_eq!(s.start, date(2026, 12, 24));
    assert_eq!(cal.sprint(s.index + 1).start, date(2027, 1, 7));
    let la = cadence(date(2027, 2, 22), "America/Los_Angeles");
    let (cal, _) = Calendar::new(&la, &[Exception::Extend(id(2027, 2, 22), 1)], false);
    // Los Angeles springs forward on Sun 14 Mar 2027: the sprint after
    // the extended one opens Tue 9 Mar (PST), the next on 23 Mar (PDT).
    assert_eq!(cal.sprint(1).opens_at.to_string(), "2027-03-09T17:00:00Z");
    assert_eq!(cal.sprint(2).opens_at.to_string(), "2027-03-23T16:00:00Z");
}
