//! The line of jobs waiting for one installation's write budget. A job
//! sent away by a spent window or GitHub's "wait" is given the instant its
//! turn comes: after the writes promised to the jobs ahead of it (of its
//! class or a more urgent one), one paced slot each. It wakes once, when
//! its writes may go, instead of at every slot that frees. People's
//! commands go ahead of openings, openings ahead of background work, and
//! while a more urgent job's turn is on, less urgent writes wait behind it.
//! The line is this process's: a hint for when to wake. Whether a write
//! may go is still decided at the moment of the write, by the budget
//! shared through the store (`budget.rs`, `pacing.rs`).

use super::budget::WriteClass;

/// The writes a job of each class makes, as `scripts/bench-boundary`
/// counts them: an opening writes the issue, a comment per team, closes
/// the previous issue and pins the new one; a command its change and its
/// 👍; background work (a reminder, a link) one.
pub const WRITES_PER_OPENING: u32 = 8;
pub const WRITES_PER_COMMAND: u32 = 2;
pub const WRITES_PER_BACKGROUND: u32 = 1;

impl WriteClass {
    /// The writes a job of this class is expected to make.
    pub fn writes_per_job(self) -> u32 {
        match self {
            WriteClass::Command => WRITES_PER_COMMAND,
            WriteClass::Opening => WRITES_PER_OPENING,
            WriteClass::Background => WRITES_PER_BACKGROUND,
        }
    }
}

/// A turn promised to a job sent away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Turn {
    class: WriteClass,
    at_ms: i64,
    writes: u32,
}

impl Turn {
    /// When the turn is over: its writes paced, and a slot more for the
    /// job to be claimed again.
    fn ends_ms(&self, interval_ms: i64) -> i64 {
        self.at_ms + (self.writes as i64 + 1) * interval_ms.max(1)
    }
}

/// The turns promised, in the order they were given.
#[derive(Debug, Default)]
pub struct Line {
    turns: Vec<Turn>,
}

impl Line {
    /// Forget the turns that are over at `now_ms`.
    fn forget(&mut self, now_ms: i64, interval_ms: i64) {
        self.turns.retain(|t| t.ends_ms(interval_ms) > now_ms);
    }

    /// A job of `class`, told at `now_ms` that its writes may go at
    /// `until_ms` at the earliest, is given its turn: after every turn not
    /// yet begun of its class or a more urgent one. Returns the turn's
    /// instant, which is booked.
    pub fn book(&mut self, now_ms: i64, class: WriteClass, until_ms: i64, interval_ms: i64) -> i64 {
        self.forget(now_ms, interval_ms);
        let interval_ms = interval_ms.max(1);
        let ahead: i64 = self
            .turns
            .iter()
            .filter(|t| t.class <= class && t.at_ms > now_ms)
            .map(|t| t.writes as i64)
            .sum();
        let at_ms = until_ms.max(now_ms) + ahead * interval_ms;
        self.turns.push(Turn {
            class,
            at_ms,
            writes: class.writes_per_job(),
        });
        at_ms
    }

    /// Until when a write of `class` at `now_ms` must stand aside for a
    /// more urgent job's turn (begun, or due within a slot), if it must.
    pub fn held_back(&mut self, now_ms: i64, class: WriteClass, interval_ms: i64) -> Option<i64> {
        self.forget(now_ms, interval_ms);
        self.turns
            .iter()
            .filter(|t| t.class < class && t.at_ms <= now_ms + interval_ms)
            .map(|t| t.ends_ms(interval_ms))
            .max()
    }

    /// How many turns are promised and when the last begins.
    pub fn waiting(&mut self, now_ms: i64, interval_ms: i64) -> (usize, Option<i64>) {
        self.forget(now_ms, interval_ms);
        let last = self.turns.iter().map(|t| t.at_ms).max();
        (self.turns.len(), last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: i64 = 1_000;

    #[test]
    fn each_job_sent_away_wakes_once_after_the_writes_of_those_ahead() {
        let mut line = Line::default();
        let turns: Vec<i64> = (0..3)
            .map(|_| line.book(0, WriteClass::Opening, 10 * SECOND, SECOND))
            .collect();
        assert_eq!(turns, vec![10 * SECOND, 18 * SECOND, 26 * SECOND]);
    }

    #[test]
    fn a_command_goes_ahead_of_the_openings_waiting() {
        let mut line = Line::default();
        for _ in 0..5 {
            line.book(0, WriteClass::Opening, 10 * SECOND, SECOND);
        }
        line.book(0, WriteClass::Command, 10 * SECOND, SECOND);
        assert_eq!(
            line.book(0, WriteClass::Command, 10 * SECOND, SECOND),
            12 * SECOND,
            "behind the other command only"
        );
        // Openings stand aside while the commands' turns are on...
        assert_eq!(
            line.held_back(10 * SECOND, WriteClass::Opening, SECOND),
            Some(13 * SECOND)
        );
        assert_eq!(
            line.held_back(13 * SECOND, WriteClass::Opening, SECOND),
            Some(15 * SECOND)
        );
        assert_eq!(
            line.held_back(10 * SECOND, WriteClass::Command, SECOND),
            None
        );
        // ...and not once they are over.
        assert_eq!(
            line.held_back(15 * SECOND, WriteClass::Opening, SECOND),
            None
        );
    }

    #[test]
    fn turns_over_are_forgotten() {
        let mut line = Line::default();
        line.book(0, WriteClass::Opening, SECOND, SECOND);
        assert_eq!(line.waiting(0, SECOND), (1, Some(SECOND)));
        assert_eq!(line.waiting(10 * SECOND, SECOND), (0, None));
        assert_eq!(
            line.book(10 * SECOND, WriteClass::Opening, 11 * SECOND, SECOND),
            11 * SECOND
        );
    }
}
