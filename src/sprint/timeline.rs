//! The calendar people live by: the cadence with its exceptions applied.
//! An extended sprint ends later and pushes every later sprint back by as
//! much; a skipped sprint opens no issue, so the sprint before it stays
//! current until the one after it opens. Sprints keep their calendar index
//! (sprints since the anchor, skipped ones included); the release number
//! counts only the sprints that ran unless `count_skipped` says otherwise,
//! and so does the support-hero rotation. Openings stay at local time
//! across daylight-saving changes and year ends (jiff does the zone work).

use std::collections::{BTreeMap, BTreeSet};

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};

use super::SprintId;
use super::calendar::{Cadence, Sprint};
use super::exceptions::Exception;
use super::numbering::{BeforeFirstVersion, Numbering, SprintLabel};

/// A cadence with its exceptions placed on sprint indexes.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    cadence: Cadence,
    skips: BTreeSet<i64>,
    /// Extra days of each extended sprint (fewer, of a shortened one), by
    /// index.
    extensions: BTreeMap<i64, i64>,
    /// A skipped sprint still takes a release number.
    count_skipped: bool,
}

/// An exception that names no sprint of the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unplaced {
    pub exception: Exception,
    pub reason: String,
}

impl Calendar {
    /// The cadence as it is, with no exception.
    pub fn plain(cadence: &Cadence) -> Calendar {
        Calendar {
            cadence: cadence.clone(),
            skips: BTreeSet::new(),
            extensions: BTreeMap::new(),
            count_skipped: false,
        }
    }

    /// Place `exceptions` (in any order; extensions of one sprint add up).
    /// Those that name no sprint's first day, come before the anchor, or
    /// both skip and extend one sprint are returned, not applied.
    pub fn new(
        cadence: &Cadence,
        exceptions: &[Exception],
        count_skipped: bool,
    ) -> (Calendar, Vec<Unplaced>) {
        Calendar {
            count_skipped,
            ..Calendar::plain(cadence)
        }
        .place(exceptions)
    }

    /// This calendar with more exceptions placed on it, named by the first
    /// days their sprints have on it (the config's are placed first, then
    /// those sprint issues recorded: a config exception keeps naming the
    /// same sprint when an extension recorded later moves it).
    pub fn place(self, exceptions: &[Exception]) -> (Calendar, Vec<Unplaced>) {
        let mut cal = self;
        let cadence = cal.cadence.clone();
        let mut sorted = exceptions.to_vec();
        sorted.sort_by_key(|e| e.sprint());
        let mut unplaced = Vec::new();
        // In date order, so each extension is placed on the grid that the
        // earlier ones shifted.
        for e in sorted {
            let day = e.sprint().0;
            let index = cal.index_containing(day);
            let reason = if day < cadence.anchor {
                Some(format!(
                    "{day} is before the cadence anchor {}",
                    cadence.anchor
                ))
            } else if cal.start_of(index) != day {
                Some(format!(
                    "{day} is not the first day of a sprint: the sprint around it starts on {}",
                    cal.start_of(index)
                ))
            } else {
                None
            };
            if let Some(reason) = reason {
                unplaced.push(Unplaced {
                    exception: e,
                    reason,
                });
                continue;
            }
            match e {
                Exception::Skip(_) => {
                    cal.skips.insert(index);
                }
                Exception::Extend(_, days) => {
                    *cal.extensions.entry(index).or_insert(0) += i64::from(days);
                }
                Exception::Shorten(_, days) => {
                    let change = cal.extensions.get(&index).copied().unwrap_or(0);
                    if cal.length() + change - i64::from(days) < 1 {
                        unplaced.push(Unplaced {
                            exception: e,
                            reason: format!(
                                "the sprint of {day} would be shortened to no day at all"
                            ),
                        });
                        continue;
                    }
                    cal.extensions.insert(index, change - i64::from(days));
                }
            }
        }
        let both: Vec<i64> = cal
            .skips
            .iter()
            .copied()
            .filter(|i| cal.extensions.contains_key(i))
            .collect();
        for i in both {
            let sprint = SprintId(cal.start_of(i));
            cal.extensions.remove(&i);
            unplaced.push(Unplaced {
                exception: Exception::Skip(sprint),
                reason: format!("the sprint of {sprint} is both skipped and extended"),
            });
        }
        (cal, unplaced)
    }

    pub fn cadence(&self) -> &Cadence {
        &self.cadence
    }

    fn length(&self) -> i64 {
        7 * i64::from(self.cadence.length_weeks.max(1))
    }

    /// Days every sprint from `index` on was pushed back by extensions.
    fn shift(&self, index: i64) -> i64 {
        self.extensions.range(..index).map(|(_, d)| d).sum()
    }

    fn start_of(&self, index: i64) -> Date {
        let days = index
            .saturating_mul(self.length())
            .saturating_add(self.shift(index))
            .clamp(-3_000_000, 3_000_000);
        self.cadence.anchor.saturating_add(days.days())
    }

    fn opening(&self, index: i64) -> Timestamp {
        let dt = self.start_of(index).to_datetime(self.cadence.opens_at);
        self.cadence
            .tz
            .to_ambiguous_timestamp(dt)
            .compatible()
            .unwrap_or(Timestamp::MAX)
    }

    /// The index of the sprint whose days contain `date`.
    fn index_containing(&self, date: Date) -> i64 {
        let offset = (date - self.cadence.anchor).get_days() as i64;
        let mut index = offset.div_euclid(self.length());
        // Extensions push starts later, shortenings earlier: step back,
        // then forward.
        while self.start_of(index) > date {
            index -= 1;
        }
        while self.start_of(index + 1) <= date {
            index += 1;
        }
        index
    }

    /// The extra days of sprint `index` (0 when it is not extended,
    /// negative when it was shortened).
    pub fn extension(&self, index: i64) -> i64 {
        self.extensions.get(&index).copied().unwrap_or(0)
    }

    /// An instant as the team reads it: `Mon Dec 7, 2026 at 09:00 (Europe/London)`.
    pub fn local(&self, at: Timestamp) -> String {
        let tz = &self.cadence.tz;
        let local = tz.to_datetime(at);
        format!(
            "{} at {} ({})",
            local.date().strftime("%a %b %-d, %Y"),
            local.time().strftime("%H:%M"),
            tz.iana_name().unwrap_or("UTC")
        )
    }

    pub fn is_skipped(&self, index: i64) -> bool {
        self.skips.contains(&index)
    }

    /// The first sprint at or after `index` that is not skipped.
    fn ran_from(&self, mut index: i64) -> i64 {
        while self.is_skipped(index) {
            index += 1;
        }
        index
    }

    /// The sprint with a calendar index. Its end is the day before the
    /// next sprint starts (an extension included); its issue is current
    /// until the next sprint that is not skipped opens.
    pub fn sprint(&self, index: i64) -> Sprint {
        let start = self.start_of(index);
        let next = self.start_of(index + 1);
        let end = next.saturating_sub(1.day());
        let days = (next - start).get_days().max(1);
        let last_working_day = (0..days)
            .rev()
            .map(|d| start.saturating_add(i64::from(d).days()))
            .find(|d| self.cadence.working_days.contains(&d.weekday()))
            .unwrap_or(end);
        Sprint {
            id: SprintId(start),
            index,
            start,
            end,
            last_working_day,
            opens_at: self.opening(index),
            closes_at: self.opening(self.ran_from(index + 1)),
            weeks: self.cadence.length_weeks.max(1),
        }
    }

    /// The sprint whose issue is current at `now`: the last sprint that is
    /// not skipped and whose opening has passed.
    pub fn sprint_at(&self, now: Timestamp) -> Sprint {
        let local = self.cadence.tz.to_datetime(now).date();
        let mut index = self.index_containing(local);
        while self.opening(index) > now {
            index -= 1;
        }
        while self.opening(index + 1) <= now {
            index += 1;
        }
        while self.is_skipped(index) {
            index -= 1;
        }
        self.sprint(index)
    }

    /// The sprint due at `now`, or `None` before the first one opens: no
    /// sprint opens before the cadence anchor.
    pub fn due(&self, now: Timestamp) -> Option<Sprint> {
        Some(self.sprint_at(now)).filter(|s| s.index >= 0)
    }

    /// The first sprint that opens an issue (index 0 unless skipped).
    pub fn first(&self) -> Sprint {
        self.sprint(self.ran_from(0))
    }

    /// The sprint whose days contain `date` (an issue's sprint id).
    pub fn containing(&self, date: Date) -> Sprint {
        self.sprint(self.index_containing(date))
    }

    /// The sprint that opens after the one of `id`: skipped ones are passed over.
    pub fn next_after(&self, id: SprintId) -> Sprint {
        self.sprint(self.ran_from(self.index_containing(id.0) + 1))
    }

    /// The sprints skipped between the one of `id` and the next that opens.
    pub fn skipped_after(&self, id: SprintId) -> Vec<Sprint> {
        let from = self.index_containing(id.0) + 1;
        (from..self.ran_from(from))
            .map(|i| self.sprint(i))
            .collect()
    }

    /// Sprints that ran before `index` since the anchor (a skipped sprint
    /// does not count); before the anchor, the plain distance.
    pub fn ran_index(&self, index: i64) -> i64 {
        index - self.skips.range(0..index.max(0)).count() as i64
    }

    /// The calendar index of the sprint that ran `ran` sprints after the
    /// anchor (the inverse of [`Calendar::ran_index`] on sprints that ran).
    pub fn index_of_ran(&self, ran: i64) -> i64 {
        let mut index = ran;
        if ran < 0 {
            return index;
        }
        // Each skip at or before the candidate pushes it one further.
        loop {
            let candidate = self.ran_from(index);
            if self.ran_index(candidate) >= ran {
                return candidate;
            }
            index = candidate + 1;
        }
    }

    /// The sprint's release label: skipped sprints take no number unless
    /// the numbering counts them.
    pub fn label(
        &self,
        numbering: &Numbering,
        sprint: &Sprint,
    ) -> Result<SprintLabel, BeforeFirstVersion> {
        let number = if self.count_skipped {
            sprint.index
        } else {
            self.ran_index(sprint.index)
        };
        numbering.label(number)
    }
}

#[cfg(test)]
mod tests;
