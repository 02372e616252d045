//! The sprint calendar: from a cadence (an anchor date, a length in weeks, a
//! time zone, a local opening time and the working days) to the sprint that
//! contains any instant, correct across daylight-saving changes and year ends.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use super::SprintId;

/// How a repository's sprints repeat.
#[derive(Debug, Clone, PartialEq)]
pub struct Cadence {
    /// The first day of some sprint (index 0); others are whole lengths away.
    pub anchor: Date,
    /// Length of a sprint in weeks (≥ 1).
    pub length_weeks: u8,
    /// Where the team lives: openings happen at local time there.
    pub tz: TimeZone,
    /// Local time on a sprint's first day at which its issue opens.
    pub opens_at: Time,
    /// Days people work; the title's end date is the last of them.
    pub working_days: Vec<Weekday>,
}

/// One sprint of a cadence.
#[derive(Debug, Clone, PartialEq)]
pub struct Sprint {
    pub id: SprintId,
    /// Sprints since the anchor (negative before it).
    pub index: i64,
    /// First day.
    pub start: Date,
    /// Last calendar day (the day before the next sprint starts).
    pub end: Date,
    /// Last working day (the title's end date).
    pub last_working_day: Date,
    /// The instant its issue opens.
    pub opens_at: Timestamp,
    /// The instant the next sprint's issue opens (this one's rollover).
    pub closes_at: Timestamp,
    /// Weeks in the sprint.
    pub weeks: u8,
}

impl Cadence {
    fn days(&self) -> i64 {
        7 * i64::from(self.length_weeks.max(1))
    }

    /// The sprint with a given index.
    pub fn sprint(&self, index: i64) -> Sprint {
        let start = self.start_of(index);
        let end = start.saturating_add((self.days() - 1).days());
        let last_working_day = (0..self.days())
            .rev()
            .map(|d| start.saturating_add(d.days()))
            .find(|d| self.working_days.contains(&d.weekday()))
            .unwrap_or(end);
        Sprint {
            id: SprintId(start),
            index,
            start,
            end,
            last_working_day,
            opens_at: self.opening(index),
            closes_at: self.opening(index + 1),
            weeks: self.length_weeks.max(1),
        }
    }

    /// The sprint current at `now`: the last one whose opening has passed.
    pub fn sprint_at(&self, now: Timestamp) -> Sprint {
        let local = self.tz.to_datetime(now).date();
        let offset_days = (local - self.anchor).get_days() as i64;
        let mut index = offset_days.div_euclid(self.days());
        // The local date can sit before today's opening time, or (near DST
        // edges) just past a boundary; step until opens(index) <= now < opens(index+1).
        while self.opening(index) > now {
            index -= 1;
        }
        while self.opening(index + 1) <= now {
            index += 1;
        }
        self.sprint(index)
    }

    /// The sprint after the one current at `now`.
    pub fn next_after(&self, now: Timestamp) -> Sprint {
        self.sprint(self.sprint_at(now).index + 1)
    }

    /// The sprint whose days contain a local date (ignoring opening time).
    pub fn sprint_containing(&self, date: Date) -> Sprint {
        let offset_days = (date - self.anchor).get_days() as i64;
        self.sprint(offset_days.div_euclid(self.days()))
    }

    fn start_of(&self, index: i64) -> Date {
        // Work in days from the anchor so very large or negative indexes stay exact.
        let days = index
            .saturating_mul(self.days())
            .clamp(-3_000_000, 3_000_000);
        self.anchor.saturating_add(days.days())
    }

    /// The opening instant of sprint `index`. A local time that does not
    /// exist (spring-forward gap) opens at the first instant after the gap;
    /// an ambiguous one (fall-back) opens at the earlier instant.
    fn opening(&self, index: i64) -> Timestamp {
        let dt = self.start_of(index).to_datetime(self.opens_at);
        self.tz
            .to_ambiguous_timestamp(dt)
            .compatible()
            .unwrap_or(Timestamp::MAX)
    }
}

/// Monday to Friday.
pub fn weekdays() -> Vec<Weekday> {
    use Weekday::*;
    vec![Monday, Tuesday, Wednesday, Thursday, Friday]
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn cadence(anchor: Date, tz: &str, opens: Time) -> Cadence {
        Cadence {
            anchor,
            length_weeks: 2,
            tz: TimeZone::get(tz).unwrap(),
            opens_at: opens,
            working_days: weekdays(),
        }
    }

    fn at(tz: &str, y: i16, m: i8, d: i8, h: i8, min: i8) -> Timestamp {
        date(y, m, d)
            .at(h, min, 0, 0)
            .in_tz(tz)
            .unwrap()
            .timestamp()
    }

    #[test]
    fn example_sprint_runs_nov_14_to_friday_nov_25() {
        let c = cadence(date(2022, 10, 17), "Europe/London", time(9, 0, 0, 0));
        let s = c.sprint_at(at("Europe/London", 2022, 11, 18, 12, 0));
        assert_eq!(s.index, 2);
        assert_eq!(s.start, date(2022, 11, 14));
        assert_eq!(s.end, date(2022, 11, 27));
        assert_eq!(s.last_working_day, date(2022, 11, 25));
        assert_eq!(s.id.to_string(), "2022-11-14");
    }

    #[test]
    fn a_sprint_is_current_only_from_its_opening_time() {
        let c = cadence(date(2022, 10, 17), "Europe/London", time(9, 0, 0, 0));
        assert_eq!(
            c.sprint_at(at("Europe/London", 2022, 11, 14, 8, 59)).start,
            date(2022, 10, 31)
        );
        assert_eq!(
            c.sprint_at(at("Europe/London", 2022, 11, 14, 9, 0)).start,
            date(2022, 11, 14)
        );
        assert_eq!(
            c.next_after(at("Europe/London", 2022, 11, 14, 9, 0)).start,
            date(2022, 11, 28)
        );
    }

    #[test]
    fn london_openings_keep_local_time_across_the_october_clock_change() {
        // BST ends Sun 30 Oct 2022: 09:00 local is 08:00Z before, 09:00Z after.
        let c = cadence(date(2022, 10, 17), "Europe/London", time(9, 0, 0, 0));
        assert_eq!(c.sprint(0).opens_at.to_string(), "2022-10-17T08:00:00Z");
        assert_eq!(c.sprint(1).opens_at.to_string(), "2022-10-31T09:00:00Z");
        assert_eq!(c.sprint(0).closes_at, c.sprint(1).opens_at);
        // Just before the new opening instant (in UTC terms, 08:30Z on the 31st
        // is 08:30 local): still the old sprint.
        assert_eq!(
            c.sprint_at("2022-10-31T08:30:00Z".parse().unwrap()).index,
            0
        );
        assert_eq!(
            c.sprint_at("2022-10-31T09:00:00Z".parse().unwrap()).index,
            1
        );
    }

    #[test]
    fn los_angeles_openings_across_march_spring_forward_and_a_gap_time() {
        // DST starts Sun 12 Mar 2023 in Los Angeles; 02:30 does not exist that day.
        let c = cadence(date(2023, 2, 26), "America/Los_Angeles", time(2, 30, 0, 0));
        let mut sunday = c.clone();
        sunday.anchor = date(2023, 2, 26); // a Sunday
        assert_eq!(
            sunday.sprint(0).opens_at.to_string(),
            "2023-02-26T10:30:00Z"
        );
        // Two weeks later is the gap day: opening moves to the first instant after it.
        assert_eq!(
            sunday.sprint(1).opens_at.to_string(),
            "2023-03-12T10:30:00Z"
        );
        let after = cadence(date(2023, 3, 13), "America/Los_Angeles", time(9, 0, 0, 0));
        assert_eq!(after.sprint(0).opens_at.to_string(), "2023-03-13T16:00:00Z");
        assert_eq!(
            after.sprint(-1).opens_at.to_string(),
            "2023-02-27T17:00:00Z"
        );
    }

    #[test]
    fn sprints_cross_the_year_end() {
        let c = cadence(date(2022, 12, 19), "Europe/London", time(9, 0, 0, 0));
        let s = c.sprint_at(at("Europe/London", 2023, 1, 1, 12, 0));
        assert_eq!(
            (s.start, s.last_working_day),
            (date(2022, 12, 19), date(2022, 12, 30))
        );
        let next = c.sprint(1);
        assert_eq!(
            (next.start, next.last_working_day),
            (date(2023, 1, 2), date(2023, 1, 13))
        );
    }

    #[test]
    fn an_anchor_in_the_future_gives_negative_indexes() {
        let c = cadence(date(2030, 1, 7), "Europe/London", time(9, 0, 0, 0));
        let s = c.sprint_at(at("Europe/London", 2029, 12, 31, 10, 0));
        assert_eq!(s.index, -1);
        assert_eq!(s.start, date(2029, 12, 24));
        let far = c.sprint_at(at("Europe/London", 2026, 11, 24, 10, 0));
        assert!(far.index < -80);
        assert_eq!(far.start.weekday(), Weekday::Monday);
        assert!(far.opens_at <= at("Europe/London", 2026, 11, 24, 10, 0));
    }

    #[test]
    fn one_week_sprints_and_custom_working_days() {
        let mut c = cadence(date(2024, 1, 1), "UTC", time(0, 0, 0, 0));
        c.length_weeks = 1;
        c.working_days = vec![
            Weekday::Sunday,
            Weekday::Monday,
            Weekday::Tuesday,
            Weekday::Wednesday,
            Weekday::Thursday,
        ];
        let s = c.sprint(0);
        assert_eq!(
            (s.end, s.last_working_day),
            (date(2024, 1, 7), date(2024, 1, 7))
        );
        assert_eq!(c.sprint_containing(date(2024, 1, 9)).index, 1);
    }
}
