//! The opening plan: when more of an installation's sprints open at one
//! instant than GitHub's hour allows, the order they open in and when
//! each is expected to. An installation may write 500 times a rolling
//! hour and 80 a rolling minute; openings may use all but the share kept
//! for people's commands (`budget::WriteLimits`), at `WRITES_PER_OPENING`
//! writes each, one a second. So the first `per_hour` openings are spread
//! over the first minutes, the next ones an hour later, and so on. The
//! order is stable: oldest instant first, then by repository name, and
//! the repositories already open keep their places, so every step of the
//! scheduler (and `/sprint doctor`) computes the same plan. Pure.

use crate::github::budget::{HOUR_MS, WriteClass, WriteLimits};
use crate::github::line::WRITES_PER_OPENING;

/// How openings are spread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// Openings each rolling hour may hold.
    pub per_hour: u32,
    /// The time between two openings' starts.
    pub spacing_ms: i64,
}

impl Pace {
    /// The pace GitHub's limits allow openings, writing one a second.
    pub fn of(limits: &WriteLimits, interval_ms: i64) -> Pace {
        let (per_minute, per_hour) = limits.caps(WriteClass::Opening);
        let writes = WRITES_PER_OPENING as i64;
        Pace {
            per_hour: (per_hour / WRITES_PER_OPENING).max(1),
            spacing_ms: (writes * interval_ms).max(60_000 * writes / per_minute.max(1) as i64),
        }
    }

    /// When the opening at place `k` (from 0) of an instant is planned,
    /// in ms after the instant.
    pub fn offset_ms(&self, k: usize) -> i64 {
        let hours = (k / self.per_hour as usize) as i64;
        let within = (k % self.per_hour as usize) as i64;
        hours * HOUR_MS + within * self.spacing_ms
    }
}

impl Default for Pace {
    fn default() -> Self {
        Pace::of(&WriteLimits::default(), 1_000)
    }
}

/// A repository's latest opening instant, as the scheduler saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub installation: u64,
    pub instant_ms: i64,
    pub repo: String,
    /// Its sprint of that instant is not open yet.
    pub due: bool,
}

/// A due opening's planned time (Unix ms), with the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planned {
    pub repo: String,
    pub at_ms: i64,
}

/// The planned time of every due opening among `places`: each
/// installation's repositories of one instant in name order, placed
/// `pace` apart, the open ones keeping their places.
pub fn plan_openings(places: &[Place], pace: &Pace) -> Vec<Planned> {
    let mut sorted: Vec<&Place> = places.iter().collect();
    sorted.sort_by(|a, b| {
        (a.installation, a.instant_ms, a.repo.to_ascii_lowercase()).cmp(&(
            b.installation,
            b.instant_ms,
            b.repo.to_ascii_lowercase(),
        ))
    });
    let mut out = Vec::new();
    let mut k = 0;
    let mut group = None;
    for p in sorted {
        if group != Some((p.installation, p.instant_ms)) {
            group = Some((p.installation, p.instant_ms));
            k = 0;
        }
        if p.due {
            out.push(Planned {
                repo: p.repo.clone(),
                at_ms: p.instant_ms + pace.offset_ms(k),
            });
        }
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(installation: u64, instant_ms: i64, repo: &str, due: bool) -> Place {
        Place {
            installation,
            instant_ms,
            repo: repo.into(),
            due,
        }
    }

    #[test]
    fn githubs_limits_allow_52_openings_an_hour_eight_seconds_apart() {
        let pace = Pace::default();
        assert_eq!(
            pace,
            Pace {
                per_hour: 52,
                spacing_ms: 8_000
            }
        );
        assert_eq!(pace.offset_ms(0), 0);
        assert_eq!(pace.offset_ms(51), 51 * 8_000);
        assert_eq!(pace.offset_ms(52), HOUR_MS);
        assert_eq!(pace.offset_ms(105), 2 * HOUR_MS + 8_000);
    }

    #[test]
    fn openings_are_placed_by_name_and_open_ones_keep_their_places() {
        let pace = Pace {
            per_hour: 2,
            spacing_ms: 10,
        };
        let places = vec![
            place(7, 0, "acme/d", true),
            place(7, 0, "acme/a", false),
            place(7, 0, "acme/c", true),
            place(7, 0, "acme/b", true),
            place(8, 0, "other/z", true),
        ];
        let planned = plan_openings(&places, &pace);
        let at = |repo: &str| planned.iter().find(|p| p.repo == repo).unwrap().at_ms;
        assert_eq!(planned.len(), 4);
        assert_eq!(at("acme/b"), 10);
        assert_eq!(at("acme/c"), HOUR_MS);
        assert_eq!(at("acme/d"), HOUR_MS + 10);
        assert_eq!(at("other/z"), 0, "each installation has its own budget");
    }

    #[test]
    fn an_older_instant_is_planned_on_its_own_clock() {
        let pace = Pace {
            per_hour: 1,
            spacing_ms: 10,
        };
        let planned = plan_openings(
            &[place(7, 1_000, "acme/a", true), place(7, 0, "acme/b", true)],
            &pace,
        );
        assert_eq!(
            planned,
            vec![
                Planned {
                    repo: "acme/b".into(),
                    at_ms: 0
                },
                Planned {
                    repo: "acme/a".into(),
                    at_ms: 1_000
                },
            ]
        );
    }
}
