//! The command parser (pure): finds command lines in a comment — at the start
//! of a line, outside code blocks, quotes and HTML — and turns each into a
//! typed command or a typed error that says what is wrong and how to write it.
//! A goal's link (`#123`, an issue or pull request URL) is one of the words
//! that end the goal, beside its owner (see `sprint::links`).

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use super::grammar::usage_of;
use crate::sprint::Login;
use crate::sprint::items::{strip_separators, why_clause};
use crate::sprint::links::{self, LinkRef};
use crate::sprint::off::Span;

mod calendar;

/// A command, with its arguments checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    GoalAdd {
        title: String,
        owner: Option<Login>,
        why: Option<String>,
        /// The issue or pull request it links, as written.
        link: Option<LinkRef>,
    },
    GoalDone(usize),
    GoalUndone(usize),
    GoalDrop(usize),
    GoalOwner(usize, Login),
    GoalStatus(usize, String),
    GoalEdit(usize, String),
    RiskAdd(String),
    RiskDrop(usize),
    Retro(String),
    Hero {
        week: u8,
        login: Login,
    },
    SprintRollover,
    SprintHelp,
    SprintAdopt,
    SprintDoctor,
    /// `/off @me week1|week2|all|dates`: someone's time off.
    Off {
        who: OffWho,
        span: Span,
    },
    /// `/sprint skip next`.
    SprintSkipNext,
    /// `/sprint extend <days>`.
    SprintExtend(u16),
    /// `/sprint preview`.
    SprintPreview,
}

/// Whose time off an `/off` records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OffWho {
    /// `@me` (or no one named): the comment's author.
    Me,
    User(Login),
}

/// A known command used wrongly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{problem}. Write it as {usage}")]
pub struct ParseError {
    pub problem: String,
    pub usage: String,
}

/// One command line of a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number in the comment.
    pub number: usize,
    /// The line as written.
    pub text: String,
    pub command: Result<Command, ParseError>,
}

/// Every command line of a comment, in order. Unknown `/words` are not
/// commands (people write `/shrug`).
pub fn parse(comment: &str) -> Vec<Line> {
    let skipped = skipped_ranges(comment);
    let mut out = Vec::new();
    let mut offset = 0;
    for (i, raw) in comment.split_inclusive('\n').enumerate() {
        let start = offset;
        offset += raw.len();
        let text = raw.trim_end_matches(['\n', '\r']);
        let trimmed = text.trim_start();
        let at = start + (text.len() - trimmed.len());
        if !trimmed.starts_with('/') || skipped.iter().any(|r| r.contains(&at)) {
            continue;
        }
        let (word, rest) = trimmed[1..]
            .split_once(char::is_whitespace)
            .unwrap_or((&trimmed[1..], ""));
        let word = word.to_ascii_lowercase();
        let command = match word.as_str() {
            "goal" => goal(rest.trim()),
            "risk" => risk(rest.trim()),
            "retro" => text_arg("retro", rest.trim()).map(Command::Retro),
            "hero" => hero(rest.trim()),
            "sprint" => sprint(rest.trim()),
            "off" => calendar::off(rest.trim()),
            _ => continue,
        };
        out.push(Line {
            number: i + 1,
            text: text.to_string(),
            command,
        });
    }
    out
}

/// Byte ranges where commands are not read: code blocks, block quotes, HTML.
fn skipped_ranges(comment: &str) -> Vec<Range<usize>> {
    let mut ranges = Vec::new();
    for (event, range) in Parser::new(comment).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(_))
            | Event::Start(Tag::BlockQuote(_))
            | Event::Start(Tag::HtmlBlock) => ranges.push(range),
            Event::Html(_) | Event::End(TagEnd::HtmlBlock) => ranges.push(range),
            _ => {}
        }
    }
    ranges
}

fn err(word: &str, problem: impl Into<String>) -> ParseError {
    ParseError {
        problem: problem.into(),
        usage: usage_of(word),
    }
}

fn text_arg(word: &str, rest: &str) -> Result<String, ParseError> {
    if rest.is_empty() {
        Err(err(word, format!("/{word} needs some text")))
    } else {
        Ok(rest.to_string())
    }
}

fn number(word: &str, s: Option<&str>) -> Result<usize, ParseError> {
    match s {
        None => Err(err(word, "the item number N is missing")),
        Some(n) => n
            .trim_start_matches('#')
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| err(word, format!("`{n}` is not an item number (1, 2, 3, ...)"))),
    }
}

fn login(word: &str, s: Option<&str>) -> Result<Login, ParseError> {
    match s {
        Some(s) if s.starts_with('@') => {
            Login::parse(s).ok_or_else(|| err(word, format!("`{s}` is not a GitHub user")))
        }
        Some(s) => Err(err(
            word,
            format!("`{s}` should be a mention like @octocat"),
        )),
        None => Err(err(word, "the @user is missing")),
    }
}

const GOAL_SUBCOMMANDS: &[&str] = &["done", "undone", "drop", "owner", "status", "edit"];

fn goal(rest: &str) -> Result<Command, ParseError> {
    let mut words = rest.split_whitespace();
    let first = words.next().map(|w| w.to_ascii_lowercase());
    if let Some(sub) = first.as_deref().filter(|w| GOAL_SUBCOMMANDS.contains(w)) {
        let after: Vec<&str> = rest.split_whitespace().skip(1).collect();
        let n_text = after.first().copied();
        // `/goal drop the old database @ann` is a goal title, not a subcommand.
        let is_number = n_text.is_some_and(|n| n.trim_start_matches('#').parse::<usize>().is_ok());
        if is_number || after.is_empty() {
            let n = number("goal", n_text)?;
            let tail = after.get(1..).map(|t| t.join(" ")).unwrap_or_default();
            return match sub {
                "done" => Ok(Command::GoalDone(n)),
                "undone" => Ok(Command::GoalUndone(n)),
                "drop" => Ok(Command::GoalDrop(n)),
                "owner" => Ok(Command::GoalOwner(n, login("goal", after.get(1).copied())?)),
                "status" => Ok(Command::GoalStatus(n, text_arg("goal", &tail)?)),
                _ => Ok(Command::GoalEdit(
                    n,
                    edited_title(&text_arg("goal", &tail)?),
                )),
            };
        }
    }
    if rest.is_empty() {
        return Err(err("goal", "the goal has no title"));
    }
    let (head, why) = match why_clause(rest) {
        Some((title_end, reason)) => (
            &rest[..title_end],
            Some(rest[reason..].trim().to_string()).filter(|w| !w.is_empty()),
        ),
        None => (rest, None),
    };
    let (head, link) = trailing_link(head)?;
    let mentions: Vec<&str> = head
        .split_whitespace()
        .filter(|w| w.starts_with('@') && w.len() > 1)
        .collect();
    if mentions.len() > 1 {
        return Err(err(
            "goal",
            format!(
                "a goal has exactly one owner, and this one names {}",
                mentions.join(" ")
            ),
        ));
    }
    let owner = match mentions.first() {
        Some(m) => Some(
            Login::parse(m).ok_or_else(|| err("goal", format!("`{m}` is not a GitHub user")))?,
        ),
        None => None,
    };
    let title: Vec<&str> = head
        .split_whitespace()
        .filter(|w| !(w.starts_with('@') && w.len() > 1))
        .collect();
    let title = strip_separators(&title.join(" ")).to_string();
    if title.is_empty() {
        return Err(err("goal", "the goal has no title"));
    }
    Ok(Command::GoalAdd {
        title,
        owner,
        why,
        link,
    })
}

/// Take the link out of a goal's words: a link word among the last words,
/// after the title (`Ship X @ann #123`, `Ship X #123 @ann`). A link word
/// in the middle of the title is part of it (`Close #12 follow-ups`).
fn trailing_link(head: &str) -> Result<(String, Option<LinkRef>), ParseError> {
    let words: Vec<&str> = head.split_whitespace().collect();
    let mut links: Vec<(usize, LinkRef)> = Vec::new();
    for (i, w) in words.iter().enumerate().rev() {
        if w.starts_with('@') && w.len() > 1 {
            continue;
        }
        match links::parse_word(w) {
            Some(link) => links.push((i, link)),
            None => break,
        }
    }
    if links.len() > 1 {
        let named: Vec<String> = links.iter().rev().map(|(_, l)| l.to_string()).collect();
        return Err(err(
            "goal",
            format!(
                "a goal links one issue or pull request, and this one names {}",
                named.join(" ")
            ),
        ));
    }
    let at = links.first().map(|(i, _)| *i);
    let rest: Vec<&str> = words
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != at)
        .map(|(_, w)| *w)
        .collect();
    Ok((rest.join(" "), links.pop().map(|(_, l)| l)))
}

/// A new title for `/goal edit`: a link of this repository written at its
/// end (`#123`, `(#123)`) takes the canonical form, ` (#123)`.
fn edited_title(text: &str) -> String {
    match text.rsplit_once(char::is_whitespace) {
        Some((title, last)) => match links::parse_word(last) {
            Some(LinkRef { repo: None, number }) => links::with_link(title, number),
            _ => text.to_string(),
        },
        None => match links::parse_word(text) {
            Some(LinkRef { repo: None, number }) => links::with_link("", number),
            _ => text.to_string(),
        },
    }
}

fn risk(rest: &str) -> Result<Command, ParseError> {
    let mut words = rest.split_whitespace();
    if words.next().is_some_and(|w| w.eq_ignore_ascii_case("drop")) {
        let n = words.next();
        if n.is_none() || n.is_some_and(|n| n.trim_start_matches('#').parse::<usize>().is_ok()) {
            return number("risk", n).map(Command::RiskDrop);
        }
    }
    text_arg("risk", rest).map(Command::RiskAdd)
}

fn hero(rest: &str) -> Result<Command, ParseError> {
    let mut words = rest.split_whitespace();
    let week = match words.next().map(|w| w.to_ascii_lowercase()).as_deref() {
        Some("week1") | Some("week-1") => 1,
        Some("week2") | Some("week-2") => 2,
        Some(other) => {
            return Err(err(
                "hero",
                format!("`{other}` is not a week: use week1 or week2"),
            ));
        }
        None => return Err(err("hero", "the week is missing")),
    };
    Ok(Command::Hero {
        week,
        login: login("hero", words.next())?,
    })
}

fn sprint(rest: &str) -> Result<Command, ParseError> {
    match rest
        .split_whitespace()
        .next()
        .map(|w| w.to_ascii_lowercase())
        .as_deref()
    {
        Some("rollover") => Ok(Command::SprintRollover),
        Some("adopt") => Ok(Command::SprintAdopt),
        Some("doctor") => Ok(Command::SprintDoctor),
        Some("help") | None => Ok(Command::SprintHelp),
        Some("preview") => Ok(Command::SprintPreview),
        Some("skip") => match rest
            .split_whitespace()
            .nth(1)
            .map(|w| w.to_ascii_lowercase())
        {
            Some(w) if w == "next" => Ok(Command::SprintSkipNext),
            Some(w) => Err(err(
                "sprint",
                format!(
                    "`/sprint skip {w}`: only the next sprint can be skipped, with `/sprint skip next`"
                ),
            )),
            None => Err(err("sprint", "say which sprint: `/sprint skip next`")),
        },
        Some("extend") => calendar::extend(
            &rest
                .split_whitespace()
                .skip(1)
                .collect::<Vec<_>>()
                .join(" "),
        ),
        Some(other) => Err(err("sprint", format!("`{other}` is not a /sprint command"))),
    }
}
