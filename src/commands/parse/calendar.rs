//! The arguments of the calendar commands: `/off` (whose time off, and
//! which days) and `/sprint extend` (how many days).

use super::{Command, OffWho, ParseError, err, login};
use crate::sprint::exceptions::MAX_EXTENSION_DAYS;
use crate::sprint::off::{Span, parse_dates};

/// `7`, `7d`, `7 days`, `1w`, `2 weeks`: a number of days.
pub(super) fn extend(rest: &str) -> Result<Command, ParseError> {
    let text = rest.trim().to_ascii_lowercase();
    if text.is_empty() {
        return Err(err("sprint", "how many days to extend by is missing"));
    }
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let unit = text[digits.len()..].trim();
    let per = match unit {
        "" | "d" | "day" | "days" => Some(1),
        "w" | "week" | "weeks" => Some(7),
        _ => None,
    };
    let days = match (digits.parse::<u32>().ok(), per) {
        (Some(n), Some(per)) => n.saturating_mul(per),
        _ => {
            return Err(err(
                "sprint",
                format!("`{rest}` is not a number of days (like 7, or 1w)"),
            ));
        }
    };
    match u16::try_from(days)
        .ok()
        .filter(|d| (1..=MAX_EXTENSION_DAYS).contains(d))
    {
        Some(d) => Ok(Command::SprintExtend(d)),
        None => Err(err(
            "sprint",
            format!("a sprint can be extended by 1 to {MAX_EXTENSION_DAYS} days, not {days}"),
        )),
    }
}

/// `/off [@me|@user] week1|week2|all|YYYY-MM-DD[..YYYY-MM-DD]`.
pub(super) fn off(rest: &str) -> Result<Command, ParseError> {
    let mut words: Vec<&str> = rest.split_whitespace().collect();
    let first = words.first().copied();
    let who = match first {
        Some(w) if w.eq_ignore_ascii_case("@me") => {
            words.remove(0);
            OffWho::Me
        }
        Some(w) if w.starts_with('@') => {
            words.remove(0);
            OffWho::User(login("off", Some(w))?)
        }
        _ => OffWho::Me,
    };
    let what = words.join("").to_ascii_lowercase();
    let span = match what.as_str() {
        "" => return Err(err("off", "say when: week1, week2, all or dates")),
        "all" | "sprint" | "thissprint" => Span::All,
        w if w.starts_with("week") => {
            let n = w
                .trim_start_matches("week")
                .trim_start_matches('-')
                .parse::<u8>()
                .ok()
                .filter(|n| *n >= 1);
            match n {
                Some(n) => Span::Week(n),
                None => {
                    return Err(err(
                        "off",
                        format!("`{w}` is not a week: use week1 or week2"),
                    ));
                }
            }
        }
        w => match parse_dates(w) {
            Some((from, to)) => Span::Dates(from, to),
            None => {
                return Err(err(
                    "off",
                    format!(
                        "`{}` is not week1, week2, all or dates like 2026-11-18..2026-11-20 (first day before last)",
                        words.join(" ")
                    ),
                ));
            }
        },
    };
    Ok(Command::Off { who, span })
}
