//! Walking a team comment's lines: fences and HTML comments left out,
//! headings (ATX, bold labels, `<summary>`, `Label:` lines, bare role
//! words) given their part by the rules P1–P7 of the reference (§4.3),
//! `<details>` blocks opened and closed (a stray closer survives), and
//! list items gathered with their nested lines and owners.

use super::roles::{Role, priority_key, role};
use super::status::{GUESS_MARK, Legend, pairs, status};
use super::{Part, People, ReadItem};
use crate::sprint::Login;

/// Everything a comment holds that the rollover reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reading {
    pub items: Vec<ReadItem>,
    /// The legend that governed it: its own, else the one passed in.
    pub legend: Option<Legend>,
    /// How many headings name a role (plan, retro, hero, a priority…):
    /// with none and no team line, a comment is not a team's plan.
    pub role_headings: usize,
}

/// A list line: its indent, box and text.
struct ListLine<'a> {
    indent: usize,
    boxed: Option<bool>,
    text: &'a str,
}

fn indent_of(line: &str) -> usize {
    line.chars()
        .take_while(|c| c.is_whitespace())
        .map(|c| if c == '\t' { 4 } else { 1 })
        .sum()
}

fn list_line(line: &str) -> Option<ListLine<'_>> {
    let t = line.trim_start();
    let indent = indent_of(line);
    let rest = if let Some(r) = ["- ", "* ", "+ "].iter().find_map(|b| t.strip_prefix(b)) {
        r
    } else if matches!(t, "-" | "*" | "+") {
        ""
    } else {
        let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
        let r = t[digits..]
            .strip_prefix(['.', ')'])
            .filter(|_| digits > 0)?;
        r.trim_start()
    };
    let (boxed, text) = if let Some(r) = rest.strip_prefix("[ ]") {
        (Some(false), r)
    } else if let Some(r) = rest
        .strip_prefix("[x]")
        .or_else(|| rest.strip_prefix("[X]"))
    {
        (Some(true), r)
    } else {
        (None, rest)
    };
    Some(ListLine {
        indent,
        boxed,
        text: text.trim(),
    })
}

/// Template placeholders and empty values (§4.4, §11.15): never items.
fn placeholder(text: &str) -> bool {
    let t = text.trim().trim_end_matches('.').to_lowercase();
    t.is_empty()
        || t.starts_with("item 1")
        || t.starts_with("okr, status")
        || t.starts_with("quarter goals, status")
        || [
            "none",
            "tbd",
            "tbc",
            "??",
            "nothing",
            "n/a",
            "coming later",
            "___",
        ]
        .contains(&t.as_str())
        || t.starts_with("nothing carried")
}

/// A heading line's text, when the line is one; `level` 1–6 for ATX, 7
/// for the others.
fn heading(line: &str) -> Option<(usize, String)> {
    let t = line.trim();
    let hashes = t.chars().take_while(|c| *c == '#').count();
    if (1..=6).contains(&hashes) && t[hashes..].starts_with(' ') {
        return Some((hashes, t[hashes..].trim().to_string()));
    }
    if let Some(inner) = t.strip_prefix("**").and_then(|r| r.split_once("**"))
        && role(inner.0) != Role::None
    {
        return Some((7, inner.0.to_string()));
    }
    let short = t.split_whitespace().count() <= 6 && !t.starts_with(['-', '*', '+']);
    if short && t.ends_with(':') && role(t) != Role::None {
        return Some((7, t.to_string()));
    }
    if t.split_whitespace().count() <= 3 && !t.ends_with('.') && role(t) != Role::None {
        return Some((7, t.to_string()));
    }
    None
}

/// A line that only names people (`**@ana**`, `@ana:`, `- @ana`, or a
/// configured first name, `Rosa:`): them.
fn group_owners(text: &str, people: &People) -> Option<Vec<Login>> {
    let owners = people.owners(text);
    let rest: String = text
        .split_whitespace()
        .filter(|w| {
            !w.contains('@') && !people.is_name(w.trim_matches(|c: char| !c.is_alphanumeric()))
        })
        .collect::<String>()
        .replace(['*', ':', ',', '&', '/', '`'], "");
    (!owners.is_empty() && (rest.is_empty() || rest == "and")).then_some(owners)
}

/// The part of each priority heading, by the rule P3: with two sets of
/// priority headings the first is the retro's. Returns the line index at
/// which the last set starts, if there are two.
fn last_set_start(lines: &[&str]) -> Option<usize> {
    let mut seen: Vec<String> = Vec::new();
    let mut start = None;
    for (i, l) in lines.iter().enumerate() {
        if let Some((_, h)) = heading(l)
            && role(&h) == Role::Priority
        {
            let k = priority_key(&h);
            if seen.last() == Some(&k) {
                continue; // P7: written twice in a row
            }
            if seen.contains(&k) {
                start = Some(i);
                seen.clear();
            }
            seen.push(k);
        }
    }
    start
}

/// The comment's lines that carry meaning: no fences, no HTML comments.
fn meaningful(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut fence, mut comment) = (false, false);
    for line in body.lines() {
        let t = line.trim();
        if comment {
            comment = !t.contains("-->");
            continue;
        }
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = !fence;
            continue;
        }
        if fence {
            continue;
        }
        if t.starts_with("<!--") {
            comment = !t.contains("-->");
            continue;
        }
        out.push(line);
    }
    out
}

/// Read a team comment; `default` is the legend to use when the comment
/// has none (the team's previous one).
pub fn read(body: &str, default: Option<&Legend>) -> Reading {
    read_as(body, default, &People::default())
}

/// [`read`], with the first names `people` stand for.
pub fn read_as(body: &str, default: Option<&Legend>, people: &People) -> Reading {
    let lines = meaningful(body);
    let legend = Legend::find(lines.iter().copied()).or_else(|| default.cloned());
    let has_plan_heading = lines
        .iter()
        .any(|l| heading(l).is_some_and(|(_, h)| role(&h) == Role::Plan));
    let split = last_set_start(&lines);
    let mut items: Vec<ReadItem> = Vec::new();
    // Item under construction: its indent and first-line facts.
    struct Open {
        indent: usize,
        boxed: Option<bool>,
    }
    let mut open: Option<Open> = None;
    let mut part = Part::Plan;
    let (mut context, mut context_level) = (Role::None, 0);
    let mut heading_owners: Vec<Login> = Vec::new();
    let mut group: Option<(usize, Vec<Login>)> = None;
    let mut details: Vec<(Option<Role>, Part, Role)> = Vec::new();
    let mut retro_details_closed = false;
    let mut role_headings = 0;
    let finish = |items: &mut Vec<ReadItem>, open: &mut Option<Open>, legend: Option<&Legend>| {
        if let (Some(o), Some(item)) = (open.take(), items.last_mut()) {
            let marked = item.text.ends_with(GUESS_MARK);
            if marked {
                item.text = item
                    .text
                    .trim_end_matches(GUESS_MARK)
                    .trim_end()
                    .to_string();
            }
            let child = item.children.first().map(|c| c.trim_start());
            let child = child.map(|c| list_line(c).map_or(c, |l| l.text));
            (item.status, item.guessed) = status(o.boxed, &item.text, child, legend, marked);
        }
    };
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        let lower = t.to_lowercase();
        // <details> and <summary> (P1).
        if lower.starts_with("<details")
            || lower.starts_with("</details")
            || lower.starts_with("<summary")
        {
            finish(&mut items, &mut open, legend.as_ref());
            if lower.starts_with("<details") {
                details.push((None, part, context));
            }
            if lower.starts_with("</details") {
                if let Some((r, p, c)) = details.pop() {
                    if r.is_some_and(Role::is_retro) || (r.is_none() && p == Part::Retro) {
                        retro_details_closed = true;
                    }
                    (part, context) = (p, c);
                }
                continue;
            }
            if let Some(at) = lower.find("<summary>") {
                let s = &t[at + 9..];
                let s = s.split("</").next().unwrap_or(s);
                let r = role(s);
                role_headings += usize::from(r != Role::None);
                if r != Role::None
                    && let Some(top) = details.last_mut()
                {
                    top.0 = Some(r);
                    part = part_of(r, part);
                    context = r;
                }
            }
            continue;
        }
        if t.is_empty() {
            continue;
        }
        if !pairs(t).is_empty() {
            finish(&mut items, &mut open, legend.as_ref());
            continue; // a legend line
        }
        if let Some((level, h)) = heading(line) {
            finish(&mut items, &mut open, legend.as_ref());
            group = None;
            let r = role(&h);
            role_headings += usize::from(r != Role::None);
            if r == Role::Priority {
                let in_retro_details = details.iter().any(|d| d.0.is_some_and(Role::is_retro));
                part = if in_retro_details {
                    Part::Retro
                } else if let Some(s) = split {
                    if i < s { Part::Retro } else { Part::Plan }
                } else if retro_details_closed
                    || !context.is_retro()
                    || level <= context_level
                    || !has_plan_heading
                {
                    // P2, P5, P4, P6
                    Part::Plan
                } else {
                    Part::Retro
                };
            } else if r == Role::None {
                heading_owners = people.owners(&h);
            } else {
                part = part_of(r, part);
                (context, context_level) = (r, level);
                heading_owners.clear();
            }
            continue;
        }
        if let Some(l) = list_line(line) {
            let deeper = open.as_ref().is_some_and(|o| l.indent >= o.indent + 2);
            if deeper {
                if let Some(item) = items.last_mut() {
                    item.children
                        .push(relative(line, open.as_ref().map_or(0, |o| o.indent)));
                }
                continue;
            }
            finish(&mut items, &mut open, legend.as_ref());
            if group.as_ref().is_some_and(|(gi, _)| l.indent <= *gi) {
                group = None;
            }
            if l.boxed.is_none()
                && let Some(owners) = group_owners(l.text, people)
            {
                group = Some((l.indent, owners));
                continue;
            }
            if placeholder(l.text) {
                continue;
            }
            let mut owners = people.owners(l.text);
            if owners.is_empty() {
                owners = group
                    .as_ref()
                    .map_or_else(|| heading_owners.clone(), |g| g.1.clone());
            }
            items.push(ReadItem {
                part,
                text: l.text.to_string(),
                children: Vec::new(),
                owners,
                status: super::Status::Unknown,
                guessed: true,
            });
            open = Some(Open {
                indent: l.indent,
                boxed: l.boxed,
            });
            continue;
        }
        // Not a list line: nested under the open item, a why-line, a
        // person's label, or prose that ends the item.
        let nested = open
            .as_ref()
            .is_some_and(|o| indent_of(line) >= o.indent + 2);
        if nested || (open.is_some() && lower.starts_with("why")) {
            if let Some(item) = items.last_mut() {
                item.children
                    .push(relative(line, open.as_ref().map_or(0, |o| o.indent)));
            }
            continue;
        }
        finish(&mut items, &mut open, legend.as_ref());
        group = None;
        if let Some(owners) = group_owners(t, people) {
            heading_owners = owners;
        }
    }
    finish(&mut items, &mut open, legend.as_ref());
    Reading {
        items,
        legend,
        role_headings,
    }
}

/// The part a role heading opens.
fn part_of(r: Role, current: Part) -> Part {
    match r {
        Role::Plan | Role::HangOver | Role::Priority => Part::Plan,
        Role::RetroNotes | Role::RetroTasks => Part::Retro,
        Role::None => current,
        _ => Part::Other,
    }
}

/// A nested line, indented relative to its item, at least two spaces.
fn relative(line: &str, base: usize) -> String {
    let body = line.trim_start();
    let extra = indent_of(line).saturating_sub(base).max(2);
    format!("{}{body}", " ".repeat(extra))
}
