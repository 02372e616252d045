//! A team comment read as people write it (the reading reference, §4–§5):
//! every list item under a plan heading is an item, whatever its bullet
//! (`-`, `*`, `+`, `1.`, a task box, a status emoji), with its nested lines;
//! owner lines and a person's heading own the items under them; `<details>`
//! takes the role of its summary; the template's placeholders are not
//! items. Each item gets a status under the comment's legend (`status`),
//! and with it a fate at rollover: carried, done or dropped. Which heading
//! is which is `roles`; walking the lines is `reader`. Pure.

mod reader;
mod roles;
mod status;
#[cfg(test)]
mod tests;

pub use reader::{read, read_as};
pub(crate) use roles::{Role, role};
pub use status::{GUESS_MARK, Legend, Status};

use super::Login;
use super::markers::neutralise;

/// Which part of the comment an item sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// This sprint's plan (priorities, hang-overs): what rolls over.
    Plan,
    /// Last sprint's items and notes: never carried.
    Retro,
    /// Goals, hero, people off, other teams impacted: never carried.
    Other,
}

/// What the rollover does with an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    Carried,
    Done,
    Dropped,
}

/// One item as its team wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadItem {
    pub part: Part,
    /// Its first line without bullet or box; marks and handles kept.
    pub text: String,
    /// Its nested lines, indented relative to the item (at least two
    /// spaces, so they stay nested under any bullet).
    pub children: Vec<String>,
    /// Handles in its text, else those of the owner line or heading above.
    pub owners: Vec<Login>,
    pub status: Status,
    /// The status is a guess: nothing certain says it (§5.5).
    pub guessed: bool,
}

impl ReadItem {
    /// Its fate at rollover; `None` outside the plan.
    pub fn fate(&self) -> Option<Fate> {
        (self.part == Part::Plan).then_some(match self.status {
            Status::Done => Fate::Done,
            Status::Dropped => Fate::Dropped,
            Status::Open | Status::Unknown => Fate::Carried,
        })
    }

    /// The item as a hang-over of the next comment: its text with owners
    /// that came from a group line added, handles written so GitHub does
    /// not notify again, and its nested lines.
    pub fn hang_over(&self) -> HangOver {
        let mut text = self.text.clone();
        let named = handles(&text);
        let missing: Vec<String> = self
            .owners
            .iter()
            .filter(|o| !named.iter().any(|n| n.0.eq_ignore_ascii_case(&o.0)))
            .map(|o| format!("@{o}"))
            .collect();
        if !missing.is_empty() {
            text = format!("{text} {}", missing.join(" "));
        }
        HangOver {
            text: quiet(without_source(&text)),
            children: self.children.iter().map(|c| quiet(c)).collect(),
            guessed: self.guessed,
            from: None,
        }
    }
}

/// How a carried item links back to the comment it came from; written
/// after its text, and taken off again when it is carried once more.
const SOURCE_LINK: &str = " ([from](";

/// `text` without the link to where it came from last time.
fn without_source(text: &str) -> &str {
    match text.rfind(SOURCE_LINK) {
        Some(at) if text.ends_with("))") => text[..at].trim_end(),
        _ => text,
    }
}

/// An item carried into the next sprint's team comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HangOver {
    pub text: String,
    pub children: Vec<String>,
    /// Carried because nothing said it was done: shown as a guess.
    pub guessed: bool,
    /// The address of the comment it came from.
    pub from: Option<String>,
}

impl From<&str> for HangOver {
    fn from(text: &str) -> HangOver {
        HangOver {
            text: text.to_string(),
            children: Vec::new(),
            guessed: false,
            from: None,
        }
    }
}

impl HangOver {
    /// The item as the team comment's template gets it: its text (with the
    /// hidden guess mark when guessed), then its nested lines, each made
    /// safe from markers.
    pub fn rendered(&self) -> String {
        let mut s = neutralise(&self.text);
        if let Some(url) = &self.from {
            s.push_str(&format!("{SOURCE_LINK}{}))", neutralise(url)));
        }
        if self.guessed {
            s.push(' ');
            s.push_str(GUESS_MARK);
        }
        for c in &self.children {
            let body = c.trim_start();
            let indent = &c[..c.len() - body.len()];
            s.push('\n');
            s.push_str(indent);
            s.push_str(&neutralise(body));
        }
        s
    }

    /// What identifies the item whatever its marks and spacing: the
    /// lowercase letters and digits of its text, for counting an item
    /// present in two comments once.
    pub fn key(&self) -> String {
        let mut out = String::new();
        for c in without_source(&self.text).chars() {
            if c.is_alphanumeric() {
                out.extend(c.to_lowercase());
            } else if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        }
        out.trim_end().to_string()
    }

    /// One line for the review and the audit, with the guess said.
    pub fn summary(&self) -> String {
        let t = neutralise(&self.text);
        if self.guessed {
            format!("{t} _(status guessed: nothing marks it done)_")
        } else {
            t
        }
    }
}

/// First names people write for each other in their plans, with the
/// login each stands for (`[people]` in the config): a configured name
/// owns an item as a handle does; other first names stay text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct People(pub Vec<(String, Login)>);

impl People {
    /// The handles in `s`, then the logins of the configured first names
    /// it names as whole words (as written, capitals included), each once.
    pub fn owners(&self, s: &str) -> Vec<Login> {
        let mut out = handles(s);
        if self.0.is_empty() {
            return out;
        }
        let words: Vec<&str> = s
            .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '\''))
            .filter(|w| !w.is_empty())
            .collect();
        for (name, login) in &self.0 {
            if words.contains(&name.as_str())
                && !out.iter().any(|o| o.0.eq_ignore_ascii_case(&login.0))
            {
                out.push(login.clone());
            }
        }
        out
    }

    /// Whether `word` is a configured first name.
    fn is_name(&self, word: &str) -> bool {
        self.0.iter().any(|(n, _)| n == word)
    }
}

/// Each `@login` in `s` (also inside inline code), not team handles
/// (`@org/team`), once.
pub fn handles(s: &str) -> Vec<Login> {
    let mut out: Vec<Login> = Vec::new();
    for (i, _) in s.match_indices('@') {
        if s[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '.')
        {
            continue;
        }
        let rest = &s[i + 1..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        if rest[end..].starts_with('/') {
            continue;
        }
        if let Some(l) = Login::parse(rest[..end].trim_end_matches('-'))
            && !out.iter().any(|o| o.0.eq_ignore_ascii_case(&l.0))
        {
            out.push(l);
        }
    }
    out
}

/// `s` with every handle outside inline code put in inline code, where
/// GitHub does not notify.
pub fn quiet(s: &str) -> String {
    let mut out = String::new();
    let mut in_code = false;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '`' {
            in_code = !in_code;
        }
        let boundary = !s[..i]
            .chars()
            .next_back()
            .is_some_and(|p| p.is_alphanumeric() || p == '.');
        if c == '@' && !in_code && boundary {
            let rest = &s[i + 1..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || "-_/[]".contains(c)))
                .unwrap_or(rest.len());
            if end > 0 {
                out.push_str(&format!("`@{}`", &rest[..end]));
                while chars.peek().is_some_and(|(j, _)| *j < i + 1 + end) {
                    chars.next();
                }
                continue;
            }
        }
        out.push(c);
    }
    out
}
