//! The `/sprint doctor` checklist as a pure function of what was looked up:
//! one item per thing sprintbot needs, and the text of the reply. An item is
//! ✅ in place, ℹ️ said for information (something sprintbot sees to itself,
//! or that does not apply here), or ❌ for a person to fix, with a one-line
//! fix; only ❌ items are counted as needing fixing, so a healthy install has
//! nothing to fix. Looking things up is `checks.rs`.

use jiff::Timestamp;
use jiff::tz::TimeZone;

use crate::github::transport::Budget;
use crate::github::{AppInfo, needs};
use crate::lifecycle::next::Next;
use crate::store::LastDelivery;

/// What an item asks of the person reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// In place (✅).
    Ok,
    /// For information only (ℹ️): nothing for a person to do.
    Info,
    /// A person must fix it (❌); the item says how.
    Fix,
}

/// One item of the checklist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub status: Status,
    /// What is checked, e.g. `Permissions and events`.
    pub what: &'static str,
    /// What was found.
    pub found: String,
    /// How to fix it (for a ❌).
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(what: &'static str, found: impl Into<String>) -> Check {
        Check {
            status: Status::Ok,
            what,
            found: found.into(),
            fix: None,
        }
    }

    /// Worth knowing, nothing to do: sprintbot sees to it, or it does not
    /// apply in this mode.
    pub fn info(what: &'static str, found: impl Into<String>) -> Check {
        Check {
            status: Status::Info,
            what,
            found: found.into(),
            fix: None,
        }
    }

    pub fn bad(what: &'static str, found: impl Into<String>, fix: impl Into<String>) -> Check {
        Check {
            status: Status::Fix,
            what,
            found: found.into(),
            fix: Some(fix.into()),
        }
    }

    /// Whether a person must act on this item.
    pub fn needs_fixing(&self) -> bool {
        self.status == Status::Fix
    }

    /// A look-up that failed: said so, never read as "missing".
    pub fn failed(what: &'static str, looked_up: &str, error: &dyn std::fmt::Display) -> Check {
        Check::bad(
            what,
            format!("I could not check: {looked_up} failed ({error})"),
            "post `/sprint doctor` again in a minute; if it keeps failing, the server's log has the details",
        )
    }
}

/// How much later than a comment's time a delivery may be stamped and still
/// count as not having come: clocks of GitHub and this server differ a little.
pub const CLOCK_SLACK_MS: i64 = 5 * 60 * 1000;

pub const PERMISSIONS: &str = "Permissions and events";
pub const WEBHOOKS: &str = "Webhook deliveries";
pub const BUDGET: &str = "API budget";
pub const NEXT: &str = "Next";

/// The App's permissions and events against what sprintbot needs; `None`:
/// sprintbot acts with a plain token.
pub fn permissions(info: Option<&AppInfo>) -> Check {
    let Some(info) = info else {
        return Check::info(
            PERMISSIONS,
            "not checked: sprintbot acts with a token here (one-shot mode), whose permissions the workflow's `permissions:` block sets (issues: write, contents: read)",
        );
    };
    let lacks = needs::missing(info);
    if lacks.is_empty() {
        return Check::ok(
            PERMISSIONS,
            format!(
                "the App `{}` has every permission and event sprintbot needs",
                info.slug
            ),
        );
    }
    Check::bad(
        PERMISSIONS,
        format!("the App `{}` lacks {}", info.slug, lacks.join("; ")),
        "grant them in the App's settings (Permissions & events), then accept the new permissions on the installation (GitHub asks its owners)",
    )
}

/// Whether webhooks arrive: the newest delivery of the installation
/// against the time the asking comment was written (when a delivery came
/// after it, the comment's own webhook arrived). `app`: false in one-shot
/// mode, which uses none.
pub fn webhooks(
    last: Option<&LastDelivery>,
    comment_at: Timestamp,
    now: Timestamp,
    app: bool,
) -> Check {
    let fix = "check the App's webhook URL (`https://<your host>/webhook`) and secret (`GITHUB_WEBHOOK_SECRET`); the App's settings → Advanced → Recent Deliveries shows what GitHub sent and what it was answered";
    if !app {
        return Check::info(
            WEBHOOKS,
            "not used: sprintbot runs as a one-shot job (`sprintbot tick`), which reads comments itself",
        );
    }
    let Some(d) = last else {
        return Check::bad(
            WEBHOOKS,
            "no webhook from this installation has ever reached sprintbot: this command was found by a catch-up, not delivered",
            fix,
        );
    };
    let event = match &d.action {
        Some(a) => format!("{}.{a}", d.event),
        None => d.event.clone(),
    };
    let received = Timestamp::from_millisecond(d.received_ms).unwrap_or(Timestamp::UNIX_EPOCH);
    if d.received_ms + CLOCK_SLACK_MS >= comment_at.as_millisecond() {
        return Check::ok(
            WEBHOOKS,
            format!(
                "arriving: the newest, `{event}`, came {} ago",
                span(received, now)
            ),
        );
    }
    Check::bad(
        WEBHOOKS,
        format!(
            "stale: the newest delivery, `{event}`, came {} before this command was written, and this command's own webhook never came (a catch-up found it)",
            span(received, comment_at)
        ),
        fix,
    )
}

/// The installation's API budget, as GitHub last reported it.
pub fn budget(b: &Budget, tz: &TimeZone) -> Check {
    let (Some(remaining), Some(limit)) = (b.remaining, b.limit) else {
        return Check::info(BUDGET, "not reported by GitHub yet");
    };
    let reset = b
        .reset
        .map(|r| format!(" (it resets at {})", at(r, tz)))
        .unwrap_or_default();
    if b.is_low() {
        return Check::bad(
            BUDGET,
            format!(
                "only {remaining} of {limit} requests left this hour{reset}: background work waits for the reset"
            ),
            "wait for the reset; commands and openings keep the room they need",
        );
    }
    Check::ok(
        BUDGET,
        format!("{remaining} of {limit} requests left this hour{reset}"),
    )
}

/// What the scheduler does next (see `lifecycle::next`); `name` gives a
/// sprint's label (`1.43.0 1/2`), `last_error` the error of a late
/// rollover, `planned` when the opening plan (`lifecycle::plan`) expects a
/// due sprint to open: it is late only past that.
pub fn next(
    next: &Next,
    now: Timestamp,
    tz: &TimeZone,
    name: &dyn Fn(i64) -> String,
    last_error: Option<&str>,
    planned: Option<Timestamp>,
) -> Check {
    let late_from =
        |s: &crate::sprint::calendar::Sprint| planned.map_or(s.opens_at, |p| p.max(s.opens_at));
    match next {
        Next::Due(s) if planned.is_some_and(|p| p > now) => Check::ok(
            NEXT,
            format!(
                "Sprint {} was due at {}; more of this installation's sprints are due at once than \
                 GitHub's write limits allow in an hour, so it opens by plan at {} ({})",
                name(s.index),
                at(s.opens_at, tz),
                at(late_from(s), tz),
                until(now, late_from(s))
            ),
        ),
        Next::First(s) => Check::ok(
            NEXT,
            format!(
                "the first sprint, Sprint {}, opens {} ({}); nothing opens before the cadence anchor",
                name(s.index),
                at(s.opens_at, tz),
                until(now, s.opens_at)
            ),
        ),
        Next::Opens(s) => Check::ok(
            NEXT,
            format!(
                "Sprint {} opens {} ({}); then this sprint's issue is closed and its goals go into the retro",
                name(s.index),
                at(s.opens_at, tz),
                until(now, s.opens_at)
            ),
        ),
        Next::Due(s) if now.as_millisecond() - late_from(s).as_millisecond() < 15 * 60 * 1000 => {
            Check::ok(
                NEXT,
                format!(
                    "Sprint {} was due at {}: it is opening now",
                    name(s.index),
                    at(s.opens_at, tz)
                ),
            )
        }
        Next::Due(s) => Check::bad(
            NEXT,
            format!(
                "Sprint {} was due at {} ({} ago) and is still not open{}",
                name(s.index),
                at(s.opens_at, tz),
                span(s.opens_at, now),
                last_error
                    .map(|e| format!("; the last try failed: {e}"))
                    .unwrap_or_default()
            ),
            "fix what the last try names (the `sprintbot: configuration error` issue says more), or `/sprint rollover` on the current sprint issue to open it now",
        ),
    }
}

/// `Mon Nov 28, 09:00 GMT` in the repository's time zone.
pub fn at(t: Timestamp, tz: &TimeZone) -> String {
    let local = tz.to_datetime(t);
    let zone = tz.to_offset_info(t);
    format!(
        "{} {}",
        local.strftime("%a %b %-d %Y, %H:%M"),
        zone.abbreviation()
    )
}

fn until(now: Timestamp, then: Timestamp) -> String {
    if then <= now {
        "now".into()
    } else {
        format!("in {}", span(now, then))
    }
}

/// The time from `a` to `b` in words: `3 days 4 hours`, `12 minutes`.
pub fn span(a: Timestamp, b: Timestamp) -> String {
    let mins = (b.as_millisecond() - a.as_millisecond()).max(0) / 60_000;
    let (days, hours, minutes) = (mins / 1440, mins % 1440 / 60, mins % 60);
    let unit = |n: i64, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    match (days, hours) {
        (0, 0) => unit(minutes, "minute"),
        (0, h) => unit(h, "hour"),
        (d, 0) => unit(d, "day"),
        (d, h) => format!("{} {}", unit(d, "day"), unit(h, "hour")),
    }
}

/// The reply: a heading that counts what needs fixing, and one line per item.
pub fn render(marker: &str, repo: &str, checks: &[Check]) -> String {
    let bad = checks.iter().filter(|c| c.needs_fixing()).count();
    let mut s = format!("{marker}\n**sprintbot doctor** for {repo}: ");
    s.push_str(&match bad {
        0 => "everything sprintbot needs is in place.\n\n".to_string(),
        1 => "1 thing needs fixing.\n\n".to_string(),
        n => format!("{n} things need fixing.\n\n"),
    });
    for c in checks {
        let mark = match c.status {
            Status::Ok => "✅",
            Status::Info => "ℹ️",
            Status::Fix => "❌",
        };
        s.push_str(&format!("- {mark} **{}**: {}", c.what, one_line(&c.found)));
        if let Some(fix) = &c.fix {
            s.push_str(&format!(". **Fix:** {}", one_line(fix)));
        }
        s.push('\n');
    }
    s
}

/// Text on one line, and short enough that a reply of a dozen items stays
/// far within GitHub's limit whatever an error message holds.
fn one_line(text: &str) -> String {
    let flat = text.replace(['\r', '\n'], " ");
    match flat.char_indices().nth(600) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

#[cfg(test)]
mod tests;
