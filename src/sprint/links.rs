//! Goals linked to issues and pull requests, as a pure matter: how people
//! name the link (in a `/goal` command and on the goal's line), the hidden
//! marker that records that sprintbot ticked a goal because its link closed,
//! and which goals the state of their links ticks or unticks.
//!
//! - **On the goal's line** the link is the end of the title, written as
//!   people write it: `- [ ] Ship X (#123) @ann — Why: ...`. A title that
//!   ends with `(#123)` or `#123` links issue or pull request 123 of the
//!   sprint issue's own repository, whoever wrote it (a command, or a person
//!   editing the issue). Nothing else records the link, so it reads back
//!   from the body alone and moves with the goal when it is carried.
//! - **In a command** the link is a trailing word of the goal:
//!   `/goal Ship X @ann #123`, `(#123)`, `acme/app#123`, or the URL of an
//!   issue or pull request (`https://github.com/acme/app/pull/123`).
//!   [`LinkRef`] keeps the repository the word named so the command can be
//!   refused when it is another one.
//! - **The tick marker** `<!-- sprintbot:ticked by=#123 -->` ends the line of
//!   a goal sprintbot ticked because #123 was closed as completed (or merged).
//!   Only such goals are unticked again when #123 is reopened; a goal a person
//!   ticked is never unticked, and a goal a person unticked after sprintbot
//!   ticked it keeps the marker, so a late or repeated "closed" event does
//!   not tick it a second time.

use super::change::Change;
use super::goal::Goal;

impl Goal {
    /// The issue or pull request its title links.
    pub fn link(&self) -> Option<u64> {
        link_of(&self.title)
    }
}

const TICKED_PREFIX: &str = "<!-- sprintbot:ticked ";
const END: &str = "-->";

/// A link as a command names it: a number, and the repository when the
/// word named one (`owner/repo#N`, a URL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    /// (owner, name), as written.
    pub repo: Option<(String, String)>,
    pub number: u64,
}

impl LinkRef {
    /// Whether it names `owner/name` (or no repository at all).
    pub fn is_in(&self, owner: &str, name: &str) -> bool {
        self.repo
            .as_ref()
            .is_none_or(|(o, n)| o.eq_ignore_ascii_case(owner) && n.eq_ignore_ascii_case(name))
    }
}

impl std::fmt::Display for LinkRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.repo {
            Some((o, n)) => write!(f, "{o}/{n}#{}", self.number),
            None => write!(f, "#{}", self.number),
        }
    }
}

/// An issue or pull request number as GitHub shows it: 1 or more, at most
/// ten digits.
fn number(s: &str) -> Option<u64> {
    let valid = !s.is_empty() && s.len() <= 10 && s.bytes().all(|b| b.is_ascii_digit());
    valid.then(|| s.parse().ok()).flatten().filter(|n| *n > 0)
}

fn repo_part(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// Read one word of a command as a link: `#123`, `(#123)`, `owner/repo#123`
/// or `http(s)://host/owner/repo/issues/123` (also `/pull/123`, with any
/// path, query or fragment after the number).
pub fn parse_word(word: &str) -> Option<LinkRef> {
    let w = word
        .strip_prefix('(')
        .and_then(|w| w.strip_suffix(')'))
        .unwrap_or(word);
    if let Some(n) = w.strip_prefix('#') {
        return Some(LinkRef {
            repo: None,
            number: number(n)?,
        });
    }
    if let Some(rest) = w
        .strip_prefix("https://")
        .or_else(|| w.strip_prefix("http://"))
    {
        let mut parts = rest.split(['/', '?', '#']);
        let (_host, owner, name, kind, n) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        let kind_ok = matches!(kind, "issues" | "pull" | "pulls");
        return (kind_ok && repo_part(owner) && repo_part(name)).then(|| {
            Some(LinkRef {
                repo: Some((owner.to_string(), name.to_string())),
                number: number(n)?,
            })
        })?;
    }
    let (repo, n) = w.split_once('#')?;
    let (owner, name) = repo.split_once('/')?;
    (repo_part(owner) && repo_part(name)).then_some(())?;
    Some(LinkRef {
        repo: Some((owner.to_string(), name.to_string())),
        number: number(n)?,
    })
}

/// The issue or pull request a goal's title links: its last word, `(#N)`
/// or `#N`.
pub fn link_of(title: &str) -> Option<u64> {
    let last = title.split_whitespace().last()?;
    match parse_word(last) {
        Some(LinkRef { repo: None, number }) => Some(number),
        _ => None,
    }
}

/// The link of a goal item's first line as written in the body or the
/// audit log (`- [ ] Ship X (#123) @ann — Why: ...`).
pub fn link_of_item(line: &str) -> Option<u64> {
    let first = line.lines().next()?;
    let (_, rest) = super::items::goal_item(first.trim_start())?;
    link_of(&super::items::parse_goal(rest).title)
}

/// Every issue or pull request a plan item's text links, in order, once:
/// `#12`, `(#12, #15)`, `owner/repo#12`, a URL, or a Markdown link to one.
pub fn in_text(text: &str) -> Vec<LinkRef> {
    let mut out: Vec<LinkRef> = Vec::new();
    for word in text.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
        // `[text](url)`: the address is the part in parentheses.
        let word = word.rsplit("](").next().unwrap_or(word);
        let word = word.trim_matches(|c: char| "()[].:!`*_".contains(c));
        if let Some(l) = parse_word(word)
            && !out.contains(&l)
        {
            out.push(l);
        }
    }
    out
}

/// The title with its link written the canonical way: `Ship X (#123)`.
pub fn with_link(title: &str, number: u64) -> String {
    let title = title.trim();
    if title.is_empty() {
        format!("(#{number})")
    } else {
        format!("{title} (#{number})")
    }
}

/// A new title for a goal that had `old`: it keeps the old title's link
/// unless it names one itself (so `/goal edit` does not lose the link).
pub fn keep_link(old: &str, new: &str) -> String {
    match (link_of(new), link_of(old)) {
        (None, Some(n)) => with_link(new, n),
        _ => new.to_string(),
    }
}

/// The marker of a goal sprintbot ticked because #`by` closed.
pub fn ticked_marker(by: u64) -> String {
    format!("{TICKED_PREFIX}by=#{by} {END}")
}

fn parse_ticked(comment: &str) -> Option<u64> {
    let inner = comment
        .trim()
        .strip_prefix(TICKED_PREFIX)?
        .strip_suffix(END)?;
    let mut by = None;
    for field in inner.split_whitespace() {
        if let ("by", v) = field.split_once('=')? {
            by = Some(number(v.strip_prefix('#')?)?);
        }
    }
    by
}

/// Take every tick marker out of a goal's line: the text without them, and
/// the link the first readable one names. A damaged marker is removed all
/// the same (it never shows up in a title), and counts for nothing.
pub(crate) fn split_ticked(rest: &str) -> (String, Option<u64>) {
    let mut text = rest.to_string();
    let mut by = None;
    while let Some(start) = text.find(TICKED_PREFIX) {
        let Some(len) = text[start..].find(END).map(|i| i + END.len()) else {
            break;
        };
        if by.is_none() {
            by = parse_ticked(&text[start..start + len]);
        }
        let before = text[..start].trim_end();
        let after = text[start + len..].trim_start();
        text = match (before.is_empty(), after.is_empty()) {
            (false, false) => format!("{before} {after}"),
            _ => format!("{before}{after}"),
        };
    }
    (text, by)
}

/// Where a goal item's first line ends (before its line break).
fn first_line_end(item: &str) -> usize {
    let end = item.find('\n').unwrap_or(item.len());
    if item[..end].ends_with('\r') {
        end - 1
    } else {
        end
    }
}

/// A goal item ticked by sprintbot for #`by`: the box and one marker at the
/// end of its first line change; every other byte stays.
pub(crate) fn tick_item(item: &str, by: u64) -> String {
    let ticked = super::items::set_tick(item, true);
    let end = first_line_end(&ticked);
    let (first, rest) = ticked.split_at(end);
    let (first, _) = split_ticked(first);
    format!("{} {}{rest}", first.trim_end(), ticked_marker(by))
}

/// A goal item unticked by sprintbot: the box clears and its tick marker
/// goes; every other byte stays.
pub(crate) fn untick_item(item: &str) -> String {
    let unticked = super::items::set_tick(item, false);
    let end = first_line_end(&unticked);
    let (first, rest) = unticked.split_at(end);
    format!("{}{rest}", split_ticked(first).0)
}

/// What a linked issue or pull request has become, as far as its goal goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// An issue closed as completed, or a merged pull request.
    Finished,
    /// Open (again).
    Open,
    /// Closed otherwise: as not planned, or a pull request closed unmerged.
    Abandoned,
}

/// The links the state of which decides something for these goals: those of
/// goals not ticked yet (and never ticked by sprintbot), and those that
/// ticked a goal.
pub fn watched(goals: &[Goal]) -> Vec<u64> {
    let mut out: Vec<u64> = goals
        .iter()
        .filter_map(|g| match g.ticked_by {
            Some(by) => Some(by),
            None if !g.done => g.link(),
            None => None,
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The changes the links' states make to the goals: a goal whose link is
/// finished is ticked (unless it is ticked already, or sprintbot ticked it
/// before and a person unticked it); a goal sprintbot ticked is unticked
/// when that link is open again. `state` answers for the links it knows;
/// the others change nothing. Ticking and unticking never renumber goals,
/// so the changes apply in any order.
pub fn changes(goals: &[Goal], state: impl Fn(u64) -> Option<LinkState>) -> Vec<Change> {
    let mut out = Vec::new();
    for g in goals {
        match (g.ticked_by, g.link()) {
            (Some(by), _) if state(by) == Some(LinkState::Open) => {
                out.push(Change::LinkUntick(g.number));
            }
            (None, Some(link)) if !g.done && state(link) == Some(LinkState::Finished) => {
                out.push(Change::LinkTick(g.number, link));
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests;
