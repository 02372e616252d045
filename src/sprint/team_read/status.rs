//! What an item's status is (§5.4–5.5 of the reading reference): the
//! comment's legend, read wherever it stands, and the marks and words of
//! one item. ✅ and `[x]` are done under every legend; strikethrough, 🚫
//! and 🔵 are dropped; "carries over" and ➡️ are carried. Without a legend
//! only those are certain: any other emoji is read from the reference's
//! table and the item is a guess.

use std::collections::BTreeMap;

/// How an item stands at the end of its sprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Done,
    /// Not finished: in progress, not started, at risk, won't finish, carried.
    Open,
    Dropped,
    /// Nothing says.
    Unknown,
}

/// The status marks a legend can give meaning to (without the variation
/// selector some are written with).
const MARKS: [char; 15] = [
    '✅', '🟢', '🟡', '⌛', '🔲', '🟦', '🟠', '⚪', '🔴', '❌', '🚫', '🔵', '➡', '♻', '✔',
];

/// The hidden mark sprintbot writes after a carried item whose status it
/// guessed, so that the guess survives until a person marks the item.
pub const GUESS_MARK: &str = "<!-- sprintbot:guess -->";

fn is_mark(c: char) -> bool {
    MARKS.contains(&c)
}

/// A team's legend: what each mark means for it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Legend(pub BTreeMap<char, Status>);

impl Legend {
    /// The legend written in `lines` (the comment, fences already left
    /// out), in any of the reference's shapes: `🟢=finished 🟡=in progress`
    /// on one line, one `⚪ = Not Started` pair per line, or a key with no
    /// meanings in a heading (`Retro ✅ 🔴 🟡 🚫`). `None` when there is none.
    pub fn find<'a>(lines: impl Iterator<Item = &'a str>) -> Option<Legend> {
        let mut map = BTreeMap::new();
        let mut key: Option<Vec<char>> = None;
        for line in lines {
            let pairs = pairs(line);
            if !pairs.is_empty() {
                map.extend(pairs);
            } else if line.trim_start().starts_with('#') {
                let marks: Vec<char> = line.chars().filter(|c| is_mark(*c)).collect();
                if marks.len() >= 2 && key.is_none() {
                    key = Some(marks);
                }
            }
        }
        if map.is_empty() {
            // A key names marks without meanings: 🟢 is the finished mark
            // when ✅ is not among them.
            let key = key?;
            for c in key {
                let s = match c {
                    '✅' => Status::Done,
                    '🟢' if !map.contains_key(&'✅') => Status::Done,
                    '🚫' | '🔵' => Status::Dropped,
                    _ => Status::Open,
                };
                map.insert(c, s);
            }
        }
        (!map.is_empty()).then_some(Legend(map))
    }

    /// The legend as one line people can read and sprintbot reads back
    /// the same: `Legend: 🟢 = done, 🟡 = not finished`.
    pub fn line(&self) -> String {
        let pairs: Vec<String> = self
            .0
            .iter()
            .filter_map(|(mark, status)| {
                let words = match status {
                    Status::Done => "done",
                    Status::Open => "not finished",
                    Status::Dropped => "dropped",
                    Status::Unknown => return None,
                };
                Some(format!("{mark} = {words}"))
            })
            .collect();
        format!("Legend: {}", pairs.join(", "))
    }
}

/// The `mark = meaning` pairs of one line.
pub(crate) fn pairs(line: &str) -> Vec<(char, Status)> {
    let chars: Vec<char> = line.chars().filter(|c| *c != '\u{fe0f}').collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_mark(chars[i]) {
            let mut j = i + 1;
            while j < chars.len() && chars[j] == ' ' {
                j += 1;
            }
            if chars.get(j) == Some(&'=') {
                let end = (j + 1..chars.len())
                    .find(|&k| is_mark(chars[k]) || chars[k] == ';')
                    .unwrap_or(chars.len());
                let meaning: String = chars[j + 1..end].iter().collect();
                out.push((chars[i], meaning_of(&meaning.to_lowercase())));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// What a legend's words for a mark mean.
fn meaning_of(w: &str) -> Status {
    let any = |ps: &[&str]| ps.iter().any(|p| w.contains(p));
    if any(&[
        "abandon",
        "dropped",
        "deprioriti",
        "not attempted",
        "cancel",
    ]) {
        Status::Dropped
    } else if any(&[
        "won't", "wont", "not ", "might", "progress", "track", "risk", "planned", "ongoing", "carr",
    ]) {
        Status::Open
    } else if any(&["finish", "complet", "done", "shipped", "merged"]) {
        Status::Done
    } else {
        Status::Open
    }
}

/// Whether `w` occurs in `s` as a whole word (or phrase).
fn has_word(s: &str, w: &str) -> bool {
    s.match_indices(w).any(|(i, _)| {
        let before = s[..i].chars().next_back();
        let after = s[i + w.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The parts of a line where people write a status: after the last
/// separator (` - `, `->`, `>`, `:`), inside parentheses or bold, and a
/// leading `Word:`; each lowercased and trimmed of emoji and punctuation.
fn status_spans(line: &str) -> Vec<String> {
    let lower = line.to_lowercase();
    let mut spans = Vec::new();
    let seps = [" - ", " — ", " – ", "->", "=>", " > ", ": "];
    if let Some(i) = seps
        .iter()
        .filter_map(|s| lower.rfind(s).map(|i| i + s.len()))
        .max()
    {
        spans.push(lower[i..].to_string());
    }
    for (open, close) in [("(", ")"), ("**", "**")] {
        let mut rest = lower.as_str();
        while let Some(i) = rest.find(open) {
            let after = &rest[i + open.len()..];
            let Some(j) = after.find(close) else { break };
            spans.push(after[..j].to_string());
            rest = &after[j + close.len()..];
        }
    }
    if let Some((head, _)) = lower.split_once(':') {
        spans.push(head.to_string());
    }
    spans
        .into_iter()
        .map(|s| {
            let s = s.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '?');
            let s = s.strip_prefix("status").unwrap_or(s);
            s.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '?')
                .to_string()
        })
        .collect()
}

const DONE_WORDS: [&str; 6] = [
    "done",
    "doneish",
    "done(ish)",
    "shipped",
    "merged",
    "finished",
];
const OPEN_WORDS: [&str; 8] = [
    "in progress",
    "still in progress",
    "wip",
    "ongoing",
    "won't finish",
    "not started",
    "blocked",
    "continue",
];
const CARRY_WORDS: [&str; 7] = [
    "carry-over",
    "carry over",
    "carries over",
    "carried over",
    "will roll over",
    "rolls over",
    "carryover",
];
const DROP_WORDS: [&str; 6] = [
    "deprioritised",
    "deprioritized",
    "punted",
    "closed without merging",
    "dropped",
    "won't do",
];
const UNKNOWN_WORDS: [&str; 3] = ["tbd", "tbc", "??"];

/// Whether a span starts with one of `words`.
fn opens_with(spans: &[String], words: &[&str]) -> bool {
    spans
        .iter()
        .any(|s| words.iter().any(|w| s.starts_with(w) && has_word(s, w)))
}

/// Whether the text (a bullet and box already taken off) is struck out.
fn struck(text: &str) -> bool {
    let t = text.trim_start_matches(|c: char| is_mark(c) || c == '\u{fe0f}' || c == ' ');
    t.starts_with('~')
}

/// An item's status and whether it is a guess, from its box (`Some(done)`
/// for `- [ ]` / `- [x]`), its first line and its first nested line.
pub(crate) fn status(
    boxed: Option<bool>,
    first: &str,
    child: Option<&str>,
    legend: Option<&Legend>,
    marked_guess: bool,
) -> (Status, bool) {
    let lines: Vec<&str> = std::iter::once(first).chain(child).collect();
    let marks: Vec<char> = lines
        .iter()
        .flat_map(|l| l.chars())
        .filter(|c| is_mark(*c))
        .collect();
    let spans: Vec<String> = lines.iter().flat_map(|l| status_spans(l)).collect();
    let lower: Vec<String> = lines.iter().map(|l| l.to_lowercase()).collect();
    let anywhere = |ws: &[&str]| lower.iter().any(|l| ws.iter().any(|w| has_word(l, w)));
    if boxed == Some(true) || marks.contains(&'✅') {
        return (Status::Done, false);
    }
    if struck(first) || marks.iter().any(|c| matches!(c, '🚫' | '🔵')) {
        return (Status::Dropped, false);
    }
    if opens_with(&spans, &DROP_WORDS) {
        return (Status::Dropped, false);
    }
    if anywhere(&CARRY_WORDS) || marks.iter().any(|c| matches!(c, '➡' | '♻')) {
        return (Status::Open, false);
    }
    if let Some(legend) = legend
        && let Some(s) = marks.iter().find_map(|c| legend.0.get(c))
    {
        return (*s, false);
    }
    if opens_with(&spans, &DONE_WORDS) {
        return (Status::Done, false);
    }
    if opens_with(&spans, &OPEN_WORDS)
        || child.is_some_and(|c| opens_with(&[c.trim().to_lowercase()], &OPEN_WORDS))
    {
        return (Status::Open, false);
    }
    if let Some(c) = marks.first() {
        // The reference's table, for a comment with no legend.
        return match c {
            '🟢' => (Status::Unknown, true),
            _ => (Status::Open, true),
        };
    }
    if marked_guess || opens_with(&spans, &UNKNOWN_WORDS) {
        return (Status::Unknown, true);
    }
    match boxed {
        Some(false) => (Status::Open, false),
        _ => (Status::Unknown, true),
    }
}
