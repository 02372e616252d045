//! GitHub's limits on an installation's writes, as GitHub answers them,
//! when a test asks the fake to enforce them: at most `per_minute`
//! content-creating requests a rolling minute and `per_hour` a rolling
//! hour (GitHub's secondary limits: 80 and 500), refused with 403,
//! `Retry-After` and a message naming the secondary rate limit. A write
//! sent while a refusal (this one, or the primary limit's reset) is
//! pending is refused again and recorded: a well-behaved client sends none.

use std::collections::HashMap;

use axum::response::Response;
use jiff::Timestamp;

use super::responses;
use super::server::reply;
use super::state::State;

#[derive(Default)]
pub struct LimitsState {
    /// (per minute, per hour), when enforced.
    pub enforced: Option<(usize, usize)>,
    /// Each installation's writes GitHub took, oldest first.
    pub writes: HashMap<u64, Vec<Timestamp>>,
    /// When each installation's writes are taken again.
    pub refused_until: HashMap<u64, Timestamp>,
    /// Installations the primary limit refused, until its reset.
    pub primary_refused: HashMap<u64, Timestamp>,
    /// How many writes were refused.
    pub refusals: u64,
    /// Writes sent while a refusal was pending: `METHOD path at`.
    pub after_refusal: Vec<String>,
}

fn is_write(method: &str) -> bool {
    method != "GET" && method != "HEAD"
}

/// The answer to a write over an enforced limit, or `None` to serve it.
pub(super) fn check(
    s: &mut State,
    installation: u64,
    method: &str,
    path: &str,
    now: Timestamp,
) -> Option<Response> {
    if !is_write(method) {
        return None;
    }
    let l = &mut s.limits;
    if let Some(until) = l
        .refused_until
        .get(&installation)
        .copied()
        .filter(|u| *u > now)
    {
        l.after_refusal.push(format!("{method} {path} at {now}"));
        l.refusals += 1;
        return Some(secondary(now, until));
    }
    let (per_minute, per_hour) = l.enforced?;
    let writes = l.writes.entry(installation).or_default();
    let hour_ago = now
        .checked_sub(jiff::SignedDuration::from_secs(3600))
        .ok()?;
    let minute_ago = now.checked_sub(jiff::SignedDuration::from_secs(60)).ok()?;
    writes.retain(|t| *t > hour_ago);
    let in_minute: Vec<Timestamp> = writes.iter().copied().filter(|t| *t > minute_ago).collect();
    let free_at = |inside: &[Timestamp], cap: usize, window: i64| {
        (inside.len() >= cap).then(|| {
            inside[inside.len() - cap]
                .checked_add(jiff::SignedDuration::from_secs(window))
                .unwrap()
        })
    };
    let until = [
        free_at(&in_minute, per_minute, 60),
        free_at(writes, per_hour, 3600),
    ]
    .into_iter()
    .flatten()
    .max();
    match until {
        Some(until) => {
            l.refusals += 1;
            l.refused_until.insert(installation, until);
            Some(secondary(now, until))
        }
        None => {
            writes.push(now);
            None
        }
    }
}

/// GitHub's answer to a write over a secondary limit.
fn secondary(now: Timestamp, until: Timestamp) -> Response {
    let wait = (until.duration_since(now).as_millis() as u64)
        .div_ceil(1000)
        .max(1);
    reply(
        403,
        &responses::error(
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        ),
        &[("retry-after", &wait.to_string())],
    )
}

/// The primary limit refuses a request of `installation` until `reset`:
/// a write sent after the first refusal is one too many.
pub(super) fn primary_refused(
    s: &mut State,
    installation: u64,
    method: &str,
    path: &str,
    now: Timestamp,
    reset: Timestamp,
) {
    let l = &mut s.limits;
    l.refusals += 1;
    if l.primary_refused.insert(installation, reset) == Some(reset) && is_write(method) {
        l.after_refusal.push(format!("{method} {path} at {now}"));
    }
}
