//! Which team comment on a sprint issue is which configured team's. A
//! team's slug defaults to a slug of its display name, so renaming a team
//! in the config mid-sprint used to change who it was: its unticked items
//! vanished at rollover and an empty comment for the "new" team appeared.
//! Now a comment is a team's when its slug is the team's slug, else one of
//! the team's earlier names (`previous_names` in the config), else, when
//! exactly one comment names no configured team and exactly one team has
//! no comment, that comment is taken as the renamed team's (a guess, said
//! so wherever it is reported).

use super::render::TeamView;

/// How a team's comment was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    /// By the team's slug or an earlier name it lists.
    Named,
    /// The only comment of an unknown team, for the only team without one.
    Guessed,
}

/// For each team (in order), the index in `slugs` of its comment and how it
/// was found. A slug listed twice counts at its first place.
pub fn match_comments(teams: &[TeamView], slugs: &[&str]) -> Vec<Option<(usize, Found)>> {
    let named = |t: &TeamView| {
        std::iter::once(t.slug.as_str())
            .chain(t.aliases.iter().map(String::as_str))
            .find_map(|s| slugs.iter().position(|c| *c == s))
    };
    let mut out: Vec<Option<(usize, Found)>> = teams
        .iter()
        .map(|t| named(t).map(|i| (i, Found::Named)))
        .collect();
    let claimed = |i: usize, out: &[Option<(usize, Found)>]| {
        out.iter().flatten().any(|(c, _)| *c == i)
            || teams
                .iter()
                .any(|t| t.slug == slugs[i] || t.aliases.iter().any(|a| a == slugs[i]))
    };
    let orphans: Vec<usize> = (0..slugs.len())
        .filter(|&i| !claimed(i, &out) && slugs[..i].iter().all(|s| *s != slugs[i]))
        .collect();
    let without: Vec<usize> = (0..teams.len()).filter(|&t| out[t].is_none()).collect();
    if let ([orphan], [team]) = (orphans.as_slice(), without.as_slice()) {
        out[*team] = Some((*orphan, Found::Guessed));
    }
    out
}

/// Slugs of comments no team claims (after the guess): their teams are
/// gone from the config, and what they hold is reported, never silently
/// dropped.
pub fn unclaimed<'s>(teams: &[TeamView], slugs: &[&'s str]) -> Vec<&'s str> {
    let matched = match_comments(teams, slugs);
    let mut out: Vec<&str> = Vec::new();
    for (i, s) in slugs.iter().enumerate() {
        let taken = matched.iter().flatten().any(|(c, _)| slugs[*c] == *s);
        if !taken && !out.contains(s) && slugs[..i].iter().all(|p| p != s) {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team(name: &str, aliases: &[&str]) -> TeamView {
        TeamView {
            name: name.into(),
            slug: name.to_lowercase().replace(' ', "-"),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            ..TeamView::default()
        }
    }

    #[test]
    fn each_team_finds_its_own_comment_by_slug() {
        let teams = [team("Growth", &[]), team("Pipeline", &[])];
        let m = match_comments(&teams, &["pipeline", "growth"]);
        assert_eq!(m, [Some((1, Found::Named)), Some((0, Found::Named))]);
        assert!(unclaimed(&teams, &["pipeline", "growth"]).is_empty());
    }

    #[test]
    fn a_renamed_team_finds_its_comment_by_an_earlier_name() {
        let teams = [team("Retention", &["growth"]), team("Pipeline", &[])];
        let m = match_comments(&teams, &["growth", "pipeline", "billing"]);
        assert_eq!(m[0], Some((0, Found::Named)));
        assert_eq!(
            unclaimed(&teams, &["growth", "pipeline", "billing"]),
            ["billing"]
        );
    }

    #[test]
    fn a_rename_nobody_declared_is_guessed_when_only_one_pair_is_left() {
        let teams = [team("Retention", &[]), team("Pipeline", &[])];
        let m = match_comments(&teams, &["growth", "pipeline"]);
        assert_eq!(m, [Some((0, Found::Guessed)), Some((1, Found::Named))]);
        assert!(unclaimed(&teams, &["growth", "pipeline"]).is_empty());
    }

    #[test]
    fn no_guess_when_two_comments_or_two_teams_could_be_it() {
        let teams = [team("Retention", &[]), team("Pipeline", &[])];
        let m = match_comments(&teams, &["growth", "billing", "pipeline"]);
        assert_eq!(m[0], None);
        assert_eq!(
            unclaimed(&teams, &["growth", "billing", "pipeline"]),
            ["growth", "billing"]
        );
        let teams = [team("Retention", &[]), team("Infra", &[])];
        assert_eq!(match_comments(&teams, &["growth"]), [None, None]);
    }

    #[test]
    fn a_new_team_beside_unchanged_ones_takes_nobody_s_comment() {
        let teams = [team("Growth", &[]), team("Pipeline", &[])];
        assert_eq!(
            match_comments(&teams, &["growth"]),
            [Some((0, Found::Named)), None]
        );
    }
}
