//! An issue that is one team's own plan, not the shared sprint issue (the
//! reading reference, §10): a `Sprint Planning …` title and a body laid
//! out for one team (`# Team …` over `## Support`, `## Retro`,
//! `## Sprint`). Adoption refuses it, saying why. Pure.

/// Why `title` and `body` are one team's own plan, or `None`.
pub fn own_plan(title: &str, body: &str) -> Option<String> {
    let mut team = None;
    let mut roles = Vec::new();
    for line in body.lines() {
        let t = line.trim();
        let level = t.chars().take_while(|c| *c == '#').count();
        let words = t.trim_start_matches('#');
        if level == 0 || !words.starts_with([' ', '\t']) {
            continue;
        }
        let words = words.trim().trim_end_matches(':').trim();
        let lower = words.to_lowercase();
        if level == 1 && lower.starts_with("team ") && team.is_none() {
            team = Some(words.to_string());
        } else if level >= 2 && ["support", "retro", "sprint"].contains(&lower.as_str()) {
            roles.push(format!("`{} {words}`", "#".repeat(level)));
        }
    }
    let team = team?;
    let planning = title
        .trim()
        .get(..15)
        .is_some_and(|h| h.eq_ignore_ascii_case("sprint planning"));
    if roles.len() < 2 && !planning {
        return None;
    }
    let mut why = format!(
        "it is one team's own plan, not the shared sprint issue: its body is laid out for one team (`# {team}`"
    );
    if !roles.is_empty() {
        why.push_str(&format!(" with {}", roles.join(", ")));
    }
    why.push(')');
    if planning {
        why.push_str(", and its title is a team's `Sprint Planning …`");
    }
    why.push_str(
        ". Adopt the issue the whole organisation plans in instead, and post this team's plan there as its team comment",
    );
    Some(why)
}

#[cfg(test)]
mod tests {
    use super::own_plan;

    const TEAM_BODY: &str = "# Team Owls\n\n## Support\n\n- 11-8 to 11-15: @ann\n\n## Retro\n\n- [x] Ship the importer\n\n## Sprint\n\n- [ ] Ship the exporter\n\n#### Side Quests\n\n- tidy the docs\n";

    #[test]
    fn a_team_s_own_issue_is_refused_with_the_reason() {
        let why = own_plan("Sprint Planning 10-25 to 11-8", TEAM_BODY).unwrap();
        assert!(why.contains("one team's own plan"), "{why}");
        assert!(
            why.contains("`# Team Owls` with `## Support`, `## Retro`, `## Sprint`"),
            "{why}"
        );
        assert!(why.contains("Sprint Planning"), "{why}");
        // The layout alone tells it too.
        assert!(own_plan("Sprint Nov 14 - Nov 25", TEAM_BODY).is_some());
    }

    #[test]
    fn the_shared_issue_is_not_a_team_s_plan() {
        let shared = "## Global sprint planning\n\n### Support hero this sprint\n\n## Team sprint planning\n\n# Team Owls? no: a list\n";
        assert_eq!(own_plan("Sprint Nov 14 - Nov 25", shared), None);
        // A team heading with one role heading, under a shared title.
        assert_eq!(
            own_plan("Sprint Nov 14 - Nov 25", "# Team Owls\n## Sprint\n"),
            None
        );
    }
}
