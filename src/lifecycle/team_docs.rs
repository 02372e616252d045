//! A sprint issue's team comments as the rollover, the review and
//! `/sprint doctor` read them: sprintbot's own (its team marker, in
//! comments its account wrote) and those people wrote as a team's plan
//! (`sprint::team_map`: by people first, then name hints), with the plans
//! no team matched, which are reported and never made a team.

use crate::config::repo::RepoConfig;
use crate::github::Comment;
use crate::sprint::team::TeamDoc;
use crate::sprint::team_map::{How, Mapping, TeamPeople, map_comment};
use crate::sprint::{Login, SprintId};

/// A comment people wrote that reads as a plan no team matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unmapped {
    pub url: String,
    pub author: Login,
    pub why: String,
}

/// A comment people wrote, taken as a team's plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandWritten {
    pub slug: String,
    pub url: String,
    pub author: Login,
    pub how: How,
}

/// Every team comment of one sprint issue.
#[derive(Debug, Clone, Default)]
pub struct TeamComments {
    /// sprintbot's comments, then the hand-written ones, in issue order.
    pub docs: Vec<TeamDoc>,
    pub hand_written: Vec<HandWritten>,
    pub unmapped: Vec<Unmapped>,
}

/// Read the comments of the issue of `sprint`.
pub fn read(
    comments: &[Comment],
    bot: &Login,
    sprint: SprintId,
    config: &RepoConfig,
) -> TeamComments {
    let mut out = TeamComments {
        docs: comments
            .iter()
            .filter(|c| c.author == *bot)
            .filter_map(|c| Some(TeamDoc::parse(&c.body)?.at(&c.html_url)))
            .filter(|t| t.sprint == sprint)
            .collect(),
        ..TeamComments::default()
    };
    // sprintbot's comment for a team whose marker a person deleted or
    // changed: still that team's, and read as it.
    for team in &config.teams {
        if out.docs.iter().any(|d| d.slug == team.slug) {
            continue;
        }
        let issue = comments.iter().find_map(|c| c.issue());
        let found = issue.and_then(|issue| {
            comments
                .iter()
                .find(|c| super::unmarked::is_team_comment(c, bot, issue, sprint, team))
        });
        if let Some(doc) = found.and_then(|c| super::unmarked::with_marker(c, team, sprint)) {
            out.docs.push(doc);
        }
    }
    let teams: Vec<TeamPeople<'_>> = config
        .teams
        .iter()
        .map(|t| TeamPeople {
            name: &t.name,
            slug: &t.slug,
            aliases: &t.aliases,
            members: &t.members,
        })
        .collect();
    for c in comments
        .iter()
        .filter(|c| c.author != *bot && !c.author_is_bot)
    {
        match map_comment(&teams, &c.author, &c.body) {
            Mapping::NotAPlan => {}
            Mapping::Team { index, how } => {
                let slug = &config.teams[index].slug;
                out.docs
                    .push(TeamDoc::hand_written(slug, sprint, &c.body, &c.html_url));
                out.hand_written.push(HandWritten {
                    slug: slug.clone(),
                    url: c.html_url.clone(),
                    author: c.author.clone(),
                    how,
                });
            }
            Mapping::Unmapped { why } => out.unmapped.push(Unmapped {
                url: c.html_url.clone(),
                author: c.author.clone(),
                why,
            }),
        }
    }
    out
}
