//! Which configured team a comment people wrote on a sprint issue is the
//! plan of (the reading reference, §4.1, §9, §10). Teams rename themselves
//! almost every sprint, so a comment is mapped by its people first (its
//! author and the handles it names, against each team's members), and
//! only then by name hints (the team's name, slug or earlier names in its
//! first line or headings), never by a heading alone. A plan no team
//! matches is reported as unmapped, never made a team; praise, questions
//! and commands are not plans. Pure.

use super::Login;
use super::team_read::{self, handles};

/// A configured team as the mapping sees it.
#[derive(Debug, Clone, Copy)]
pub struct TeamPeople<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    /// Slugs of its earlier names.
    pub aliases: &'a [String],
    pub members: &'a [Login],
}

/// How a comment was mapped to its team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// By the people it shares with the team (author, handles).
    People,
    /// By its name, for a team whose members are not configured.
    Name,
}

/// What a comment people wrote is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mapping {
    /// Not a plan: praise, a question, a command, a reply.
    NotAPlan,
    /// The plan of the team at this index (config order).
    Team { index: usize, how: How },
    /// A plan that no team matches, with the reason, for the report.
    Unmapped { why: String },
}

/// The comment's first line that carries meaning (no HTML comment, no
/// blank), without heading marks, bold or leading emoji.
fn first_line(body: &str) -> Option<&str> {
    let mut in_comment = false;
    for line in body.lines() {
        let t = line.trim();
        if in_comment {
            in_comment = !t.contains("-->");
            continue;
        }
        if t.starts_with("<!--") {
            in_comment = !t.contains("-->");
            continue;
        }
        if !t.is_empty() {
            return Some(t);
        }
    }
    None
}

/// The lowercase words of `s` (letters and digits), space-separated and
/// padded, so that `has(" search ")` matches a whole word.
fn words(s: &str) -> String {
    let mut out = String::from(" ");
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// Whether the line names a team: `Team X`, `# Team X 🔎`, `🚀 Team X 🚀`,
/// or a sentence that starts with "Team".
fn team_line(line: &str) -> bool {
    words(line).trim_start().starts_with("team ")
}

/// The text name hints are looked for in: the first line and every
/// heading-looking line (`#`, bold, `<summary>`).
fn hint_text(body: &str) -> String {
    let mut s = first_line(body).map(words).unwrap_or_default();
    for line in body.lines() {
        let t = line.trim_start();
        if t.starts_with('#') || t.starts_with("**") || t.to_lowercase().starts_with("<summary") {
            s.push_str(&words(t));
        }
    }
    s
}

/// Whether the team's name, slug or an earlier name occurs in `hints`.
fn named_in(team: &TeamPeople<'_>, hints: &str) -> bool {
    std::iter::once(team.name)
        .chain(std::iter::once(team.slug))
        .chain(team.aliases.iter().map(String::as_str))
        .map(words)
        .filter(|w| !w.trim().is_empty() && w.trim() != "team")
        .any(|w| hints.contains(w.as_str()))
}

fn same(a: &Login, b: &Login) -> bool {
    a.0.eq_ignore_ascii_case(&b.0)
}

/// Map one comment people wrote (`author`, `body`) to a team.
pub fn map_comment(teams: &[TeamPeople<'_>], author: &Login, body: &str) -> Mapping {
    let Some(first) = first_line(body) else {
        return Mapping::NotAPlan;
    };
    if first.starts_with('/') || first.starts_with('>') {
        return Mapping::NotAPlan; // a command, or a reply quoting someone
    }
    let reading = team_read::read(body, None);
    let is_team_line = team_line(first);
    let planned = reading
        .items
        .iter()
        .any(|i| i.part == team_read::Part::Plan);
    if !is_team_line && reading.role_headings == 0 && !planned {
        return Mapping::NotAPlan;
    }
    let mut people = vec![author.clone()];
    for h in handles(body) {
        if !people.iter().any(|p| same(p, &h)) {
            people.push(h);
        }
    }
    let shared: Vec<usize> = teams
        .iter()
        .map(|t| {
            people
                .iter()
                .filter(|p| t.members.iter().any(|m| same(m, p)))
                .count()
        })
        .collect();
    let hints = hint_text(body);
    let candidates: Vec<usize> = (0..teams.len()).filter(|&i| shared[i] > 0).collect();
    if candidates.is_empty() {
        // People cannot decide: a name decides only for a team whose
        // members nobody configured (else it would be a heading alone).
        let by_name: Vec<usize> = (0..teams.len())
            .filter(|&i| teams[i].members.is_empty() && named_in(&teams[i], &hints))
            .collect();
        if let [index] = by_name[..] {
            return Mapping::Team {
                index,
                how: How::Name,
            };
        }
        // Without a team line or a role heading, items alone by people of
        // no team are not taken for a plan.
        if !is_team_line && reading.role_headings == 0 {
            return Mapping::NotAPlan;
        }
        return Mapping::Unmapped {
            why: format!(
                "neither @{author} nor anyone it names is in a configured team's `members`"
            ),
        };
    }
    let named: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&i| named_in(&teams[i], &hints))
        .collect();
    let pool = if named.is_empty() { candidates } else { named };
    let best = pool.iter().map(|&i| shared[i]).max().unwrap_or(0);
    let top: Vec<usize> = pool.into_iter().filter(|&i| shared[i] == best).collect();
    match top[..] {
        [index] => Mapping::Team {
            index,
            how: How::People,
        },
        _ => Mapping::Unmapped {
            why: format!(
                "it could be {}: name the team in its first line",
                top.iter()
                    .map(|&i| format!("Team {}", teams[i].name))
                    .collect::<Vec<_>>()
                    .join(" or ")
            ),
        },
    }
}

#[cfg(test)]
#[path = "team_map_tests.rs"]
mod tests;
