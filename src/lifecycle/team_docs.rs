//! A sprint issue's team comments as the rollover, the review and
//! `/sprint doctor` read them: sprintbot's own (its team marker, in
//! comments its account wrote) and those people wrote as a team's plan
//! (`sprint::team_map`: by people first, then name hints), with the plans
//! no team matched, which are reported and never made a team. Also, at
//! rollover, which linked issues and pull requests of unfinished plan
//! items are finished, so that such an item counts as done without anyone
//! editing a person's comment: one call per distinct link, at most
//! [`MAX_LINK_LOOKUPS`].

use crate::config::repo::RepoConfig;
use crate::github::{Comment, GitHub, GitHubError, IssueNumber, RepoRef};
use crate::links::state_of;
use crate::sprint::links::{LinkRef, LinkState, in_text};
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
    let mut out = TeamComments::default();
    out.docs = comments
        .iter()
        .filter(|c| c.author == *bot)
        .filter_map(|c| Some(TeamDoc::parse(&c.body)?.at(&c.html_url)))
        .filter(|t| t.sprint == sprint)
        .collect();
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

/// The most links one rollover looks up (a comment listing hundreds of
/// pull requests must not spend the hour's budget); the rest stay as
/// their items say.
pub const MAX_LINK_LOOKUPS: usize = 50;

/// Fill each doc's `finished_links`: the links of its unfinished plan
/// items, in this repository, whose issue closed as completed or whose pull
/// request merged. A link GitHub does not know leaves its item as it is; a
/// lookup that fails is an error (the rollover is tried again).
pub async fn mark_finished_links(
    gh: &dyn GitHub,
    repo: &RepoRef,
    docs: &mut [TeamDoc],
) -> Result<(), GitHubError> {
    let mut wanted: Vec<LinkRef> = Vec::new();
    for doc in docs.iter() {
        for h in doc.fates(None).carried {
            for l in in_text(&h.text) {
                if l.is_in(&repo.owner, &repo.name) && !wanted.contains(&l) {
                    wanted.push(l);
                }
            }
        }
    }
    let mut finished: Vec<LinkRef> = Vec::new();
    let mut states: Vec<(u64, LinkState)> = Vec::new();
    for l in wanted {
        let known = states.iter().find(|(n, _)| *n == l.number).map(|(_, s)| *s);
        let state = match known {
            Some(s) => Some(s),
            None if states.len() >= MAX_LINK_LOOKUPS => None,
            None => match gh.get_issue(repo, IssueNumber(l.number)).await {
                Ok(issue) => {
                    let s = state_of(&issue);
                    states.push((l.number, s));
                    Some(s)
                }
                Err(GitHubError::NotFound { .. }) => None,
                Err(e) => return Err(e),
            },
        };
        if state == Some(LinkState::Finished) {
            finished.push(l);
        }
    }
    for doc in docs.iter_mut() {
        doc.finished_links = finished.clone();
    }
    Ok(())
}
