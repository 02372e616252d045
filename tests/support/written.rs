//! What sprintbot wrote on the fake GitHub, counted for the promise that no
//! bot write is ever doubled: one sprint issue per sprint, one comment per
//! marker on each issue (a team's comment, a closing comment, a reminder, an
//! answer), and a command's goal at most once in each issue's plan.

use std::collections::BTreeMap;

use super::fake_github::{BOT_LOGIN, FakeGitHub};

/// The first `<!-- sprintbot:... -->` line of a text, the marker that names
/// what a bot comment is.
pub fn marker(body: &str) -> Option<&str> {
    body.lines()
        .map(str::trim)
        .find(|l| l.starts_with("<!-- sprintbot:") && l.ends_with("-->"))
}

/// The sprint of a sprint issue's body (`id=` of its metadata marker).
pub fn sprint_of(body: &str) -> Option<String> {
    let line = body
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("<!-- sprintbot:sprint "))?;
    let id = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("id="))?;
    Some(id.to_string())
}

/// Every write of `repo` made twice: a description of each, empty when none.
pub fn doubled(fake: &FakeGitHub, repo: &str, goal_titles: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    let issues = fake.issues(repo);
    let mut per_sprint: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for i in issues.iter().filter(|i| i.author == BOT_LOGIN) {
        if let Some(s) = sprint_of(&i.body) {
            per_sprint.entry(s).or_default().push(i.number);
        }
    }
    for (sprint, numbers) in per_sprint.iter().filter(|(_, n)| n.len() > 1) {
        found.push(format!("sprint {sprint} has issues {numbers:?}"));
    }
    for i in &issues {
        let mut per_marker: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
        let comments = fake.comments(repo, i.number);
        for c in comments.iter().filter(|c| c.author == BOT_LOGIN) {
            if let Some(m) = marker(&c.body) {
                per_marker.entry(m).or_default().push(c.id);
            }
        }
        for (m, ids) in per_marker.iter().filter(|(_, ids)| ids.len() > 1) {
            found.push(format!(
                "#{}: {m} posted {} times {ids:?}",
                i.number,
                ids.len()
            ));
        }
        // The retro lists the previous sprint's goals again: only the plan
        // counts.
        let goals = sprintbot::sprint::body::SprintDoc::parse(&i.body)
            .ok()
            .and_then(|d| d.goals().ok())
            .unwrap_or_default();
        for t in goal_titles {
            let times = goals.iter().filter(|g| g.title == *t).count();
            if times > 1 {
                found.push(format!("#{}: goal {t:?} {times} times", i.number));
            }
        }
    }
    found
}
