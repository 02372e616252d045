//! An installation's write budget, as one decision: may this write go to
//! GitHub now, and if not, until when must it wait? GitHub lets one
//! installation make at most 80 content-creating requests a rolling minute
//! and 500 a rolling hour, asks for a pause between writes, and says "wait"
//! with `Retry-After` (or a spent primary limit with its reset). Who the
//! write is for sets how much of the windows it may use: people's commands
//! and answers all of it, openings and rollovers all but the share kept for
//! commands, reminders and other background writes less again. The
//! decision is pure; `pacing.rs` applies it in one process and the store
//! (`write_log`) for every replica of an installation.

use std::future::Future;

/// Who a write is for, in the order the budget serves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WriteClass {
    /// A person's command, its answer, a checklist someone asked for.
    Command,
    /// Opening a sprint, rolling one over.
    Opening,
    /// Reminders, labels, links and everything else nobody waits for.
    Background,
}

impl WriteClass {
    /// The class of a job kind's writes.
    pub fn of_job(kind: &str) -> WriteClass {
        match kind {
            "webhook:issue_comment" | "answer" | "sync" | "doctor" => WriteClass::Command,
            "rollover" => WriteClass::Opening,
            _ => WriteClass::Background,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WriteClass::Command => "command",
            WriteClass::Opening => "opening",
            WriteClass::Background => "background",
        }
    }
}

/// What the running job's writes are: their class, and the latest time a
/// write of it was told to wait until.
struct JobBudget {
    class: WriteClass,
    limited_until_ms: std::sync::Mutex<Option<i64>>,
}

tokio::task_local! {
    static JOB: JobBudget;
}

/// Run `f` with its writes counted as `class`'s (the worker wraps each
/// job); also returns until when a write of it had to wait, if one did,
/// however the job reported it.
pub async fn as_class<F: Future>(class: WriteClass, f: F) -> (F::Output, Option<i64>) {
    let job = JobBudget {
        class,
        limited_until_ms: std::sync::Mutex::new(None),
    };
    JOB.scope(job, async move {
        let out = f.await;
        let until = JOB.with(|j| *j.limited_until_ms.lock().unwrap_or_else(|e| e.into_inner()));
        (out, until)
    })
    .await
}

/// The class of the writes made here: a person's, outside any job (a
/// command line someone typed).
pub fn current_class() -> WriteClass {
    JOB.try_with(|j| j.class).unwrap_or(WriteClass::Command)
}

/// A write of the running job was told to wait until `until_ms`.
pub fn note_wait(until_ms: i64) {
    let _ = JOB.try_with(|j| {
        let mut u = j.limited_until_ms.lock().unwrap_or_else(|e| e.into_inner());
        *u = Some(u.unwrap_or(0).max(until_ms));
    });
}

/// The reason a job waits for the budget starts so (`sprintbot jobs` and
/// the queue gauges count these).
pub const BUDGET_WAIT: &str = "waiting for GitHub's write budget";

/// GitHub's content-creation limits for one installation, and the shares
/// kept for the classes served first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteLimits {
    pub per_minute: u32,
    pub per_hour: u32,
    /// Writes of each rolling hour (and a sixth of it of each minute) only
    /// commands may use.
    pub command_share: u32,
    /// Writes of each rolling hour background work leaves to openings.
    pub opening_share: u32,
}

impl Default for WriteLimits {
    fn default() -> Self {
        WriteLimits {
            per_minute: 80,
            per_hour: 500,
            command_share: 80,
            opening_share: 100,
        }
    }
}

impl WriteLimits {
    /// The most writes of a rolling (minute, hour) `class` may use.
    pub fn caps(&self, class: WriteClass) -> (u32, u32) {
        let kept_hour = match class {
            WriteClass::Command => 0,
            WriteClass::Opening => self.command_share,
            WriteClass::Background => self.command_share + self.opening_share,
        };
        let kept_minute = match class {
            WriteClass::Command => 0,
            WriteClass::Opening => self.command_share / 6,
            WriteClass::Background => (self.command_share + self.opening_share) / 6,
        };
        (
            self.per_minute.saturating_sub(kept_minute).max(1),
            self.per_hour.saturating_sub(kept_hour).max(1),
        )
    }
}

/// What one installation's budget holds: the writes of the last hour, the
/// next paced slot and the time GitHub said to wait until (Unix ms).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BudgetState {
    /// Write times of the last hour, oldest first.
    pub writes: Vec<i64>,
    pub next_ms: i64,
    pub limited_until_ms: Option<i64>,
}

/// Why a write waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitFor {
    /// The pause between writes: a second or so, waited for in place.
    Pace,
    /// The rolling minute or hour is used up for this class.
    Window,
    /// GitHub said wait (`Retry-After`, or a spent limit's reset).
    Refused,
}

/// The decision about one write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// Write now; it is counted.
    Go,
    Wait {
        until_ms: i64,
        why: WaitFor,
    },
}

pub const HOUR_MS: i64 = 3_600_000;
const MINUTE_MS: i64 = 60_000;

/// May a write of `class` go now? On `Go` the caller records it
/// ([`BudgetState::record`]) in the same step, so two writers never both
/// take the last place.
pub fn decide(
    s: &BudgetState,
    now_ms: i64,
    class: WriteClass,
    limits: &WriteLimits,
    interval_ms: i64,
) -> Grant {
    if let Some(until) = s.limited_until_ms.filter(|u| *u > now_ms) {
        return Grant::Wait {
            until_ms: until,
            why: WaitFor::Refused,
        };
    }
    let (cap_minute, cap_hour) = limits.caps(class);
    let free_at = |window: i64, cap: u32| -> Option<i64> {
        let inside: Vec<i64> = s
            .writes
            .iter()
            .copied()
            .filter(|t| *t > now_ms - window)
            .collect();
        let over = inside.len() as i64 - cap as i64;
        // The window has room once `over + 1` of its writes have left it.
        (over >= 0).then(|| inside[over as usize] + window)
    };
    let window = [free_at(MINUTE_MS, cap_minute), free_at(HOUR_MS, cap_hour)]
        .into_iter()
        .flatten()
        .max();
    if let Some(until) = window {
        return Grant::Wait {
            until_ms: until.max(now_ms + 1),
            why: WaitFor::Window,
        };
    }
    if s.next_ms > now_ms && interval_ms > 0 {
        return Grant::Wait {
            until_ms: s.next_ms,
            why: WaitFor::Pace,
        };
    }
    Grant::Go
}

impl BudgetState {
    /// Count a write made at `now_ms` and forget those older than an hour.
    pub fn record(&mut self, now_ms: i64, interval_ms: i64) {
        self.writes.retain(|t| *t > now_ms - HOUR_MS);
        self.writes.push(now_ms);
        self.next_ms = now_ms + interval_ms;
    }

    /// GitHub refuses writes until `until_ms`.
    pub fn refused_until(&mut self, until_ms: i64) {
        self.limited_until_ms = Some(self.limited_until_ms.unwrap_or(0).max(until_ms));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: WriteLimits = WriteLimits {
        per_minute: 80,
        per_hour: 500,
        command_share: 80,
        opening_share: 100,
    };

    fn filled(n: usize, from: i64, step: i64) -> BudgetState {
        BudgetState {
            writes: (0..n as i64).map(|i| from + i * step).collect(),
            ..BudgetState::default()
        }
    }

    #[test]
    fn a_refusal_holds_every_class_until_it_ends() {
        let s = BudgetState {
            limited_until_ms: Some(5_000),
            ..BudgetState::default()
        };
        for class in [
            WriteClass::Command,
            WriteClass::Opening,
            WriteClass::Background,
        ] {
            assert_eq!(
                decide(&s, 1_000, class, &L, 1_000),
                Grant::Wait {
                    until_ms: 5_000,
                    why: WaitFor::Refused
                }
            );
            assert_eq!(decide(&s, 5_000, class, &L, 1_000), Grant::Go);
        }
    }

    #[test]
    fn the_hour_keeps_a_share_for_commands_and_frees_with_its_oldest_write() {
        // 420 writes, one every 5 s from t=0: openings have used theirs.
        let s = filled(420, 0, 5_000);
        let now = 420 * 5_000;
        assert_eq!(
            decide(&s, now, WriteClass::Opening, &L, 1_000),
            Grant::Wait {
                until_ms: HOUR_MS,
                why: WaitFor::Window
            }
        );
        assert!(matches!(
            decide(&s, now, WriteClass::Background, &L, 1_000),
            Grant::Wait {
                why: WaitFor::Window,
                ..
            }
        ));
        assert_eq!(decide(&s, now, WriteClass::Command, &L, 1_000), Grant::Go);
        assert_eq!(
            decide(&s, HOUR_MS, WriteClass::Opening, &L, 1_000),
            Grant::Go
        );
    }

    #[test]
    fn the_minute_is_capped_at_eighty() {
        let s = filled(80, 0, 100);
        assert_eq!(
            decide(&s, 8_000, WriteClass::Command, &L, 0),
            Grant::Wait {
                until_ms: 60_000,
                why: WaitFor::Window
            }
        );
        assert_eq!(decide(&s, 60_000, WriteClass::Command, &L, 0), Grant::Go);
    }

    #[test]
    fn writes_are_paced_and_recorded() {
        let mut s = BudgetState::default();
        assert_eq!(decide(&s, 0, WriteClass::Opening, &L, 1_000), Grant::Go);
        s.record(0, 1_000);
        assert_eq!(
            decide(&s, 10, WriteClass::Opening, &L, 1_000),
            Grant::Wait {
                until_ms: 1_000,
                why: WaitFor::Pace
            }
        );
        s.record(HOUR_MS + 5, 1_000);
        assert_eq!(
            s.writes,
            vec![HOUR_MS + 5],
            "an hour-old write is forgotten"
        );
    }
}
