//! The people in a repository config: teams (names, slugs, members, GitHub
//! teams), engineers and the support-hero rotation's overrides, each bad
//! value reported at its own place.

use jiff::civil::Date;

use super::report::Report;
use super::{Raw, Team};
use crate::sprint::rotation::HeroOverride;
use crate::sprint::team_read::{Legend, People};
use crate::sprint::{Login, SprintId};

pub(super) fn teams(r: &mut Report<'_>, raw: &Raw) -> Vec<Team> {
    let mut teams: Vec<Team> = Vec::new();
    for (i, t) in raw.teams.iter().enumerate() {
        let at = |key: &str| format!("teams[{i}].{key}");
        let name = t.name.as_deref().unwrap_or("").trim();
        let slug = t.slug.clone().unwrap_or_else(|| slugify(name));
        match &t.name {
            // Reported at the `[[teams]]` header: there is no key to point at.
            None => r.value(
                &format!("teams[{i}]"),
                "this team has no name".into(),
                "add `name = \"Growth\"` below this [[teams]] line",
            ),
            Some(_) if name.is_empty() || slug.is_empty() => r.key(
                &at("name"),
                "a team needs a name".into(),
                "give every [[teams]] entry a name, e.g. name = \"Growth\"",
            ),
            Some(_) => {}
        }
        if !slug.is_empty() && teams.iter().any(|o| o.slug == slug) {
            r.key(
                &at(if t.slug.is_some() { "slug" } else { "name" }),
                format!("two teams have the slug `{slug}`"),
                "give each team a distinct name or `slug`",
            );
        }
        // Earlier names keep the team's old comments its own; other names
        // are hints for finding the team's own comments.
        let mut aliases: Vec<String> = Vec::new();
        let lists = [
            (
                "previous_names",
                &t.previous_names,
                "an earlier name",
                "list the team's earlier display names, e.g. previous_names = [\"Growth\"]",
            ),
            (
                "names",
                &t.names,
                "a name",
                "list names people use for the team in their own comments, e.g. names = [\"SEARCH\"]",
            ),
        ];
        for (key, list, what, help) in lists {
            for (j, name) in list.iter().enumerate() {
                let alias = slugify(name.trim());
                if alias.is_empty() {
                    r.value(
                        &format!("teams[{i}].{key}[{j}]"),
                        format!("{what} needs letters or digits"),
                        help,
                    );
                } else if alias != slug && !aliases.contains(&alias) {
                    aliases.push(alias);
                }
            }
        }
        let legend = t.legend.as_deref().and_then(|l| {
            let found = Legend::find(std::iter::once(l));
            if found.is_none() {
                r.key(
                    &at("legend"),
                    format!("`{l}` gives no status mark a meaning"),
                    "write each mark with its meaning, e.g. legend = \"🟢 = done, 🟡 = in progress, 🔴 = not done\"",
                );
            }
            found
        });
        let members = logins(r, &at("members"), &t.members);
        if let Some(gt) = &t.github_team {
            team_ref(r, &at("github_team"), gt);
        }
        teams.push(Team {
            name: name.to_string(),
            slug,
            aliases,
            members,
            github_team: t.github_team.clone(),
            legend,
            own_comment: t.own_comment,
            heroes: logins(r, &at("heroes"), &t.heroes),
        });
    }
    teams
}

/// `[people]`: each first name with its login.
pub(super) fn names(r: &mut Report<'_>, raw: &Raw) -> People {
    let mut out = Vec::new();
    for (name, login) in &raw.people {
        let path = format!("people.{name}");
        if name.trim().is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
        {
            r.key(
                &path,
                format!("`{name}` is not a first name"),
                "write a first name as people write it in their plans, e.g. Rosa = \"rosa-k\"",
            );
            continue;
        }
        match Login::parse(login.trim().trim_start_matches('@')) {
            Some(l) => out.push((name.clone(), l)),
            None => r.value(
                &path,
                format!("`{login}` is not a GitHub login"),
                "write logins like \"octocat\"",
            ),
        }
    }
    People(out)
}

pub(super) fn overrides(r: &mut Report<'_>, raw: &Raw) -> Vec<HeroOverride> {
    let mut out = Vec::new();
    for (i, o) in raw.rotation.overrides.iter().enumerate() {
        let at = |key: &str| format!("rotation.overrides[{i}].{key}");
        let (Some(sprint), Some(week), Some(login)) = (&o.sprint, o.week, &o.login) else {
            r.value(
                &format!("rotation.overrides[{i}]"),
                "this override lacks `sprint`, `week` or `login`".into(),
                "write sprint = \"YYYY-MM-DD\" (the sprint's first day), week = 1 or 2, login = \"octocat\"",
            );
            continue;
        };
        let date = sprint.parse::<Date>().ok();
        if date.is_none() {
            r.key(
                &at("sprint"),
                format!("`{sprint}` is not a date"),
                "write the first day of the sprint as YYYY-MM-DD, e.g. sprint = \"2022-11-14\"",
            );
        }
        let week = u8::try_from(week)
            .ok()
            .filter(|w| (1..=raw.cadence.length_weeks).contains(&i64::from(*w)));
        if week.is_none() {
            r.key(
                &at("week"),
                format!(
                    "a {}-week sprint has no week {}",
                    raw.cadence.length_weeks,
                    o.week.unwrap_or_default()
                ),
                "use week = 1 or 2 for a two-week sprint",
            );
        }
        let login_ok = Login::parse(login.trim());
        if login_ok.is_none() {
            r.key(
                &at("login"),
                format!("`{login}` is not a GitHub login"),
                "write logins like \"octocat\"",
            );
        }
        if let (Some(d), Some(l), Some(week)) = (date, login_ok, week) {
            out.push(HeroOverride {
                sprint: SprintId(d),
                week,
                login: l,
            });
        }
    }
    out
}

/// Logins, each bad one reported at its own place in the array at `path`.
pub(super) fn logins(r: &mut Report<'_>, path: &str, raw: &[String]) -> Vec<Login> {
    let mut out = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        match Login::parse(s.trim()) {
            Some(l) => out.push(l),
            None => r.value(
                &format!("{path}[{i}]"),
                format!("`{s}` is not a GitHub login"),
                "write logins like \"octocat\" or \"@octocat\"",
            ),
        }
    }
    out
}

pub(super) fn team_ref(r: &mut Report<'_>, path: &str, s: &str) {
    let ok = matches!(s.split_once('/'), Some((org, team)) if !org.is_empty() && !team.is_empty() && !team.contains('/'));
    if !ok {
        r.key(
            path,
            format!("`{s}` is not a GitHub team"),
            "write it as \"org/team-slug\"",
        );
    }
}

/// `Product Analytics` → `product-analytics`.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}
