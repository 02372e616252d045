//! A team's quarter goals (or OKRs) as it last wrote them, to carry into
//! its next comment: people copy them forward every sprint and change
//! only a status, so sprintbot copies them for them (the reading
//! reference, §9). The block is the lines under the heading whose role is
//! goals, up to the next heading of the same or a higher level; the
//! template's own placeholder lines and HTML comments are not goals, and a
//! block of nothing else is no block. Pure.

use super::team_read::{Role, role};

/// A markdown heading's level and words.
fn heading(line: &str) -> Option<(usize, &str)> {
    let t = line.trim_start();
    let level = t.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &t[level..];
    rest.starts_with(' ').then(|| (level, rest.trim()))
}

/// A line the templates write under the heading, never a goal.
fn placeholder(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("<!--")
        || t.contains("status (red/yellow/green) and action points if yellow/red")
        || t == "1."
        || t == "-"
}

/// The quarter-goals block of `body`, if it holds one.
pub fn read(body: &str) -> Option<String> {
    let lines: Vec<&str> = body.lines().collect();
    let start = lines
        .iter()
        .position(|l| heading(l).is_some_and(|(_, words)| role(words) == Role::Goals))?;
    let (level, _) = heading(lines[start])?;
    let mut block: Vec<&str> = Vec::new();
    let mut fenced = false;
    for l in &lines[start + 1..] {
        if l.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        if !fenced && heading(l).is_some_and(|(n, _)| n <= level) {
            break;
        }
        block.push(l);
    }
    if block.iter().all(|l| l.trim().is_empty() || placeholder(l)) {
        return None;
    }
    while block.first().is_some_and(|l| l.trim().is_empty()) {
        block.remove(0);
    }
    while block.last().is_some_and(|l| l.trim().is_empty()) {
        block.pop();
    }
    let kept: Vec<&str> = block
        .into_iter()
        .filter(|l| !l.trim_start().starts_with("<!--") || !l.trim_end().ends_with("-->"))
        .collect();
    Some(kept.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::read;

    #[test]
    fn goals_are_read_up_to_the_next_heading_of_their_level() {
        let body = "# Team Search\n**Support hero:** @ana\n\n## Quarter goals\n\n\
                    1. 🟢 Faster typeahead @ana\n   - p95 under 80 ms 🟡\n\
                    2. 🔴 Ranking v2\n<details><summary>Legend</summary>\n🟢 on track\n</details>\n\n\
                    ## Retro\n\n- done\n";
        assert_eq!(
            read(body).as_deref(),
            Some(
                "1. 🟢 Faster typeahead @ana\n   - p95 under 80 ms 🟡\n2. 🔴 Ranking v2\n\
                 <details><summary>Legend</summary>\n🟢 on track\n</details>"
            )
        );
    }

    #[test]
    fn okrs_count_and_subheadings_stay_inside() {
        let body = "## OKR\n### Objective one\n- 🟡 key result\n## High priority\n- x\n";
        assert_eq!(
            read(body).as_deref(),
            Some("### Objective one\n- 🟡 key result")
        );
    }

    #[test]
    fn the_template_placeholder_alone_is_no_block() {
        let body = "## Quarter goals\n\n1. Quarter goals, status (red/yellow/green) and action points if yellow/red\n\n## Retro\n";
        assert_eq!(read(body), None);
        assert_eq!(read("## Retro\n- a\n"), None);
    }

    #[test]
    fn a_heading_inside_a_fence_does_not_end_the_block() {
        let body = "## Quarter goals\n- 🟢 one\n```\n## not a heading\n```\n## Plan\n";
        assert_eq!(
            read(body).as_deref(),
            Some("- 🟢 one\n```\n## not a heading\n```")
        );
    }
}
