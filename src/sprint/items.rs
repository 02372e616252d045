//! Line-level reading and writing of the items inside a managed section:
//! task-list goals (`- [ ] Title @owner — Why: reason` with an optional
//! `  - Status: note` line under it) and plain list items (`1. text`).
//! An item is its first line plus the indented lines under it.

use std::ops::Range;

use std::collections::BTreeMap;

use super::Login;
use super::carry::split_mark;
use super::goal::GoalMark;
use super::links::{split_ticked, ticked_marker};
use super::markers::neutralise;

/// A run of lines in a section: an item, or anything else (blank lines,
/// prose people typed) that is kept as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chunk {
    pub is_item: bool,
    /// Byte range within the section's content.
    pub range: Range<usize>,
}

/// The text of a line without its line ending.
pub(crate) fn text(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r'])
}

/// Split section content into items and other lines. `is_start` says whether
/// a line begins an item; indented non-blank lines continue the current item.
pub(crate) fn chunks(content: &str, is_start: impl Fn(&str) -> bool) -> Vec<Chunk> {
    let mut out: Vec<Chunk> = Vec::new();
    let mut offset = 0;
    for line in content.split_inclusive('\n') {
        let t = text(line);
        let range = offset..offset + line.len();
        offset += line.len();
        let continues = t.starts_with([' ', '\t']) && !t.trim().is_empty();
        if is_start(t) {
            out.push(Chunk {
                is_item: true,
                range,
            });
        } else if continues && out.last().is_some_and(|c| c.is_item) {
            if let Some(last) = out.last_mut() {
                last.range.end = range.end;
            }
        } else {
            out.push(Chunk {
                is_item: false,
                range,
            });
        }
    }
    out
}

/// `- [ ] rest` / `- [x] rest` (also `*`): (done, rest).
pub(crate) fn task(line: &str) -> Option<(bool, &str)> {
    let rest = line
        .strip_prefix("- ")
        .or_else(|| line.strip_prefix("* "))?;
    let (done, rest) = if let Some(r) = rest.strip_prefix("[ ]") {
        (false, r)
    } else if let Some(r) = rest
        .strip_prefix("[x]")
        .or_else(|| rest.strip_prefix("[X]"))
    {
        (true, r)
    } else {
        return None;
    };
    Some((done, rest.strip_prefix(' ').unwrap_or(rest)))
}

/// `- text`, `* text`, `1. text`, `1) text`: the text.
pub(crate) fn list_item(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return Some(rest);
    }
    numbered(line)
}

/// `1. text`, `1) text` (at most four digits): the text.
pub(crate) fn numbered(line: &str) -> Option<&str> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let rest = &line[digits..];
    rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") "))
}

/// A goal's first line: a task-list item as sprintbot writes goals, ticked
/// or not, or a numbered item as hand-run sprints wrote them (an open goal;
/// an issue taken over with `/sprint adopt` keeps them as they are):
/// (done, rest).
pub(crate) fn goal_item(line: &str) -> Option<(bool, &str)> {
    task(line).or_else(|| numbered(line).map(|rest| (false, rest)))
}

/// What a goal's first line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalText {
    pub title: String,
    pub owner: Option<Login>,
    pub why: Option<String>,
    /// The hidden carry-over marker at the end of the line, once it rolled.
    pub mark: Option<GoalMark>,
    /// The link whose closing ticked it, from its hidden tick marker (see
    /// `links`): set only by sprintbot.
    pub ticked_by: Option<u64>,
}

/// Find the start of a "why" clause as people write it: `why:`, `why?`,
/// `Why -`, `— Why:` in any case. Returns (end of title, start of reason).
pub(crate) fn why_clause(s: &str) -> Option<(usize, usize)> {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("why") {
        let at = from + found;
        from = at + 3;
        let before_ok = at == 0 || lower[..at].ends_with([' ', '-', '—', ':', '(', '.']);
        let after = &lower[at + 3..];
        let sep = if after.starts_with(':') || after.starts_with('?') {
            Some(1)
        } else if after.starts_with(" -") || after.starts_with(" —") {
            Some(after[1..].chars().next().map_or(1, |c| 1 + c.len_utf8()))
        } else {
            None
        };
        if let (true, Some(sep)) = (before_ok, sep) {
            let title_end = strip_separators(&s[..at]).len();
            let reason = at + 3 + sep;
            // Allow "Why? - reason" as in the example.
            let rest = &s[reason..];
            let trimmed = rest.trim_start();
            let trimmed = trimmed
                .strip_prefix("- ")
                .or_else(|| trimmed.strip_prefix("— "))
                .unwrap_or(trimmed);
            let skip = rest.len() - trimmed.trim_start().len();
            return Some((title_end, reason + skip));
        }
    }
    None
}

/// Drop the trailing dash-only words people put before an owner or a why
/// (`Ship X - @ann`, `Ship X — Why: ...`).
pub(crate) fn strip_separators(s: &str) -> &str {
    let mut s = s.trim_end();
    while let Some((head, last)) = s.rsplit_once(' ') {
        if !last.is_empty() && last.chars().all(|c| c == '-' || c == '—') {
            s = head.trim_end();
        } else {
            break;
        }
    }
    if s.chars().all(|c| c == '-' || c == '—') {
        ""
    } else {
        s
    }
}

/// Read a goal's text: title, the one `@owner` that ends it, the why, and
/// the carry-over and tick markers (taken out first: they end the line,
/// after the why).
pub(crate) fn parse_goal(rest: &str) -> GoalText {
    let (rest, mark) = split_mark(rest);
    let (rest, ticked_by) = split_ticked(&rest);
    let rest = rest.as_str();
    let (head, why) = match why_clause(rest) {
        Some((title_end, reason)) => {
            let why = rest[reason..].trim();
            (
                &rest[..title_end],
                (!why.is_empty()).then(|| neutralise(why)),
            )
        }
        None => (rest, None),
    };
    let head = head.trim();
    let (title, owner) = match head.rsplit_once(' ') {
        Some((title, last)) if last.starts_with('@') => match Login::parse(last) {
            Some(login) => (strip_separators(title), Some(login)),
            None => (head, None),
        },
        _ if head.starts_with('@') && !head.contains(' ') => ("", Login::parse(head)),
        _ => (head, None),
    };
    let title = title.trim_start_matches([':', ' ']);
    GoalText {
        title: neutralise(title.trim()),
        owner,
        why,
        mark,
        ticked_by,
    }
}

/// The canonical first line of a goal.
pub(crate) fn render_goal(done: bool, goal: &GoalText, eol: &str) -> String {
    let mut s = format!(
        "- [{}] {}",
        if done { "x" } else { " " },
        neutralise(&goal.title)
    );
    if let Some(owner) = &goal.owner {
        s.push_str(&format!(" @{owner}"));
    }
    if let Some(why) = &goal.why {
        s.push_str(&format!(" — Why: {}", neutralise(why)));
    }
    if let Some(mark) = &goal.mark {
        s.push(' ');
        s.push_str(&mark.render());
    }
    if let Some(by) = goal.ticked_by {
        s.push(' ');
        s.push_str(&ticked_marker(by));
    }
    s.push_str(eol);
    s
}

/// A goal's status line, if the item has one: `  - Status: text`.
pub(crate) fn status_line(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let rest = t.strip_prefix("- ").or_else(|| t.strip_prefix("* "))?;
    let (key, value) = rest.split_once(':')?;
    key.trim()
        .eq_ignore_ascii_case("status")
        .then(|| value.trim())
}

pub(crate) fn render_status(status: &str, eol: &str) -> String {
    format!("  - Status: {}{eol}", neutralise(status))
}

pub(crate) fn set_tick(item: &str, done: bool) -> String {
    let mark = if done { "x" } else { " " };
    if task(item).is_some() {
        // Only the box changes: "- [ ]" and "- [x]" have the same length.
        return format!("{}{}{}", &item[..3], mark, &item[4..]);
    }
    match numbered(item) {
        // A hand-numbered goal is open; ticked, it becomes a task-list item
        // (its number goes, every other byte stays).
        Some(rest) if done => format!("- [x] {rest}"),
        _ => item.to_string(),
    }
}

pub(crate) fn set_status(item: &str, status: &str, eol: &str) -> String {
    let new_line = render_status(status, eol);
    let mut out = String::with_capacity(item.len() + new_line.len());
    let mut replaced = false;
    for (i, line) in item.split_inclusive('\n').enumerate() {
        if i > 0 && !replaced && status_line(text(line)).is_some() {
            out.push_str(&new_line);
            replaced = true;
        } else {
            out.push_str(line);
            if i == 0 && !line.ends_with('\n') {
                out.push_str(eol);
            }
        }
    }
    if !replaced {
        let first_len = out.find('\n').map_or(out.len(), |i| i + 1);
        out.insert_str(first_len, &new_line);
        if !item.contains('\n') {
            // The item had no line ending (end of content); keep it that way.
            out.truncate(out.len() - eol.len());
        }
    }
    out
}

pub(crate) fn read_heroes(content: &str) -> BTreeMap<u8, Login> {
    let mut heroes = BTreeMap::new();
    let words: Vec<&str> = content.split_whitespace().collect();
    for (i, w) in words.iter().enumerate() {
        if w.eq_ignore_ascii_case("week")
            && let Some(num) = words
                .get(i + 1)
                .and_then(|n| n.trim_end_matches(':').parse::<u8>().ok())
            && let Some(login) = words
                .get(i + 2)
                .and_then(|l| l.strip_prefix('@'))
                .and_then(Login::parse)
        {
            heroes.insert(num, login);
        }
    }
    heroes
}

/// `Week 1: @a Week 2: @b`.
pub fn render_heroes(heroes: &BTreeMap<u8, Login>, weeks: u8, eol: &str) -> String {
    let parts: Vec<String> = (1..=weeks)
        .map(|w| match heroes.get(&w) {
            Some(l) => format!("Week {w}: @{l}"),
            None => format!("Week {w}: (nobody)"),
        })
        .collect();
    format!("{}{eol}", parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hand_numbered_goal_becomes_a_task_when_ticked_and_only_then() {
        let item = "2. Ship it @ann why? users ask\n  - Status: close\n";
        assert_eq!(
            set_tick(item, true),
            "- [x] Ship it @ann why? users ask\n  - Status: close\n"
        );
        assert_eq!(set_tick(item, false), item);
        assert_eq!(set_tick("- [ ] a\n", true), "- [x] a\n");
        assert_eq!(set_tick("- [x] a\n", false), "- [ ] a\n");
    }

    fn goal(s: &str) -> (String, Option<String>, Option<String>) {
        let g = parse_goal(s);
        (g.title, g.owner.map(|o| o.0), g.why)
    }

    #[test]
    fn goals_are_read_as_people_wrote_them_in_the_example() {
        assert_eq!(
            goal(
                "Refactor onboarding with other options than just ingestion @kappa90 why? current activation metrics are going down."
            ),
            (
                "Refactor onboarding with other options than just ingestion".into(),
                Some("kappa90".into()),
                Some("current activation metrics are going down.".into())
            )
        );
        assert_eq!(
            goal("\"Static\" Playlists @benjackwhite Why? - Common workflow"),
            (
                "\"Static\" Playlists".into(),
                Some("benjackwhite".into()),
                Some("Common workflow".into())
            )
        );
        assert_eq!(
            goal("Ship X @ann — Why: because"),
            ("Ship X".into(), Some("ann".into()), Some("because".into()))
        );
        assert_eq!(
            goal("Data Exploration continued. @mariusandra Why? Make it easier."),
            (
                "Data Exploration continued.".into(),
                Some("mariusandra".into()),
                Some("Make it easier.".into())
            )
        );
        assert_eq!(
            goal("More SOC2 work: @danielxnj why? to get certified"),
            (
                "More SOC2 work:".into(),
                Some("danielxnj".into()),
                Some("to get certified".into())
            )
        );
        assert_eq!(goal("No owner here"), ("No owner here".into(), None, None));
        assert_eq!(
            goal("Somewhy words @x"),
            ("Somewhy words".into(), Some("x".into()), None)
        );
    }

    #[test]
    fn canonical_goal_lines_read_back_the_same() {
        let g = GoalText {
            title: "Ship <!-- sprintbot:goals:end --> now".into(),
            owner: Some(Login("ann".into())),
            why: Some("why: not".into()),
            mark: None,
            ticked_by: None,
        };
        let line = render_goal(false, &g, "\n");
        let (done, rest) = task(text(&line)).unwrap();
        assert!(!done);
        // The title comes back escaped, never as a live marker, and writing
        // it again gives the same line: the escape is never undone.
        let read = parse_goal(rest);
        assert_eq!(read.title, "Ship &lt;!-- sprintbot:goals:end --&gt; now");
        assert_eq!(render_goal(false, &read, "\n"), line);
        let g = read;
        let marked = GoalText {
            mark: GoalMark::parse("<!-- sprintbot:goal id=3f9a1c carried=2 -->"),
            ticked_by: Some(123),
            ..g
        };
        let line = render_goal(true, &marked, "\n");
        assert!(line.ends_with(
            "— Why: why: not <!-- sprintbot:goal id=3f9a1c carried=2 --> <!-- sprintbot:ticked by=#123 -->\n"
        ));
        assert_eq!(parse_goal(task(text(&line)).unwrap().1), marked);
    }

    #[test]
    fn items_continue_over_indented_lines() {
        let content = "- [ ] a @x\n  - Status: ok\n\nnote\n- [x] b\n";
        let c = chunks(content, |l| task(l).is_some());
        let kinds: Vec<(bool, &str)> = c
            .iter()
            .map(|c| (c.is_item, &content[c.range.clone()]))
            .collect();
        assert_eq!(
            kinds,
            vec![
                (true, "- [ ] a @x\n  - Status: ok\n"),
                (false, "\n"),
                (false, "note\n"),
                (true, "- [x] b\n")
            ]
        );
        assert_eq!(status_line("  - Status: ok"), Some("ok"));
        assert_eq!(goal_item("3. Ship @x"), Some((false, "Ship @x")));
        assert_eq!(goal_item("- [x] Ship"), Some((true, "Ship")));
        assert_eq!(goal_item("- Ship"), None);
        assert_eq!(list_item("12. risk"), Some("risk"));
        assert_eq!(list_item("2022. no"), Some("no"));
        assert_eq!(list_item("x. no"), None);
    }
}
