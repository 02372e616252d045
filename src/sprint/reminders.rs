//! What the timed reminders say (when they are due is `timed`): the review
//! comment before the rollover, listing what will move ([`Moving`], the
//! same decision the rollover makes) and mentioning the owners of goals
//! without a status; the nudge of those owners; and the nudge of the
//! teams whose planning comment is untouched. Each is the bot's hidden
//! marker followed by its template (`config/templates/review.md.j2`,
//! `nudge_status.md.j2`, `nudge_teams.md.j2`, overridable under
//! `[templates]`), with lists cut to fit GitHub's limit. Everything people
//! wrote is neutralised, so no title can forge a marker.

use minijinja::{Value, context};

use super::carry::next_count;
use super::goal::Goal;
use super::markers::neutralise;
use super::moving::{Moving, fit};
use super::render::{TemplateError, Templates, render_template};
use super::timed::Reminder;
use super::{Login, SprintId};

/// The review comment's facts.
#[derive(Debug, Clone)]
pub struct Review<'a> {
    pub sprint: SprintId,
    /// When the rollover happens, as the team reads it.
    pub rollover_at: String,
    pub moving: &'a Moving,
    /// Unfinished goals are also copied into the next plan.
    pub into_plan: bool,
    /// Show how many sprints each goal will have rolled.
    pub counts: bool,
    /// (team slug, address of its planning comment).
    pub team_comments: &'a [(String, String)],
    /// People who are off and must not be mentioned.
    pub away: &'a [Login],
}

/// A team whose planning comment is untouched, and whom to mention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdleTeam {
    pub name: String,
    /// `@login` of each member, and `@org/team` of its GitHub team.
    pub mentions: Vec<String>,
    /// Its planning comment's address.
    pub url: String,
}

/// A comment sprintbot posted is untouched while GitHub says it was never
/// edited.
pub fn untouched(created_at: &str, updated_at: &str) -> bool {
    created_at == updated_at
}

fn with_marker(reminder: Reminder, sprint: SprintId, text: &str) -> String {
    format!("{}\n{}\n", reminder.marker(sprint), text.trim())
}

fn has_status(g: &Goal) -> bool {
    g.status.as_deref().is_some_and(|s| !s.trim().is_empty())
}

/// Whether `login` is among those `away` (GitHub logins ignore case).
pub fn is_away(away: &[Login], login: &Login) -> bool {
    away.iter().any(|a| a.0.eq_ignore_ascii_case(&login.0))
}

/// `@a @b`: each owner of `goals` once, in order, but those `away`.
fn mentions<'g>(goals: impl Iterator<Item = &'g Goal>, away: &[Login]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for o in goals
        .filter_map(|g| g.owner.as_ref())
        .filter(|o| !is_away(away, o))
    {
        let m = format!("@{o}");
        if !out.iter().any(|x| x.eq_ignore_ascii_case(&m)) {
            out.push(m);
        }
    }
    out
}

/// The review comment, marker first.
pub fn review(templates: &Templates, r: &Review<'_>) -> Result<String, TemplateError> {
    let goals = &r.moving.goals;
    let teams: Vec<_> = r
        .moving
        .teams
        .iter()
        .filter(|t| !(t.items.is_empty() && t.done.is_empty() && t.dropped.is_empty()))
        .collect();
    let no_status = mentions(goals.iter().filter(|g| !has_status(g)), r.away);
    let longest = teams
        .iter()
        .map(|t| t.items.len().max(t.done.len()).max(t.dropped.len()))
        .chain([goals.len()])
        .max();
    fit(longest.unwrap_or(0), |cap| {
        let goal_views: Vec<Value> = goals
            .iter()
            .take(cap)
            .map(|g| {
                context! {
                    number => g.number,
                    title => neutralise(&g.title),
                    owner => g.owner.as_ref().map(|o| o.0.clone()),
                    away => g.owner.as_ref().is_some_and(|o| is_away(r.away, o)),
                    status => g.status.as_deref().filter(|_| has_status(g)).map(neutralise),
                    carried => r.counts.then(|| next_count(g)),
                }
            })
            .collect();
        let team_views: Vec<Value> = teams
            .iter()
            .map(|t| {
                let url = r
                    .team_comments
                    .iter()
                    .find(|(slug, _)| *slug == t.slug)
                    .map(|(_, url)| url.clone())
                    .unwrap_or_default();
                context! {
                    name => neutralise(&t.name),
                    count => t.items.len(),
                    items => t.items.iter().take(cap).map(|i| i.summary()).collect::<Vec<_>>(),
                    more => t.items.len().saturating_sub(cap),
                    done => t.done.iter().take(cap).map(|i| i.summary()).collect::<Vec<_>>(),
                    dropped => t.dropped.iter().take(cap).map(|i| i.summary()).collect::<Vec<_>>(),
                    url,
                }
            })
            .collect();
        let ctx = context! {
            sprint_id => r.sprint.to_string(),
            rollover_at => r.rollover_at.clone(),
            into_plan => r.into_plan,
            goals => goal_views,
            goal_count => goals.len(),
            more_goals => goals.len().saturating_sub(cap),
            teams => team_views,
            no_status => no_status.clone(),
        };
        let text = render_template("review", &templates.review, ctx)?;
        Ok(with_marker(Reminder::Review, r.sprint, &text))
    })
}

/// The nudge of the owners of unfinished goals without a status, or `None`
/// when every such goal has one (or no owner to ask). `ends`: when the
/// sprint ends, as the team reads it.
pub fn nudge_status(
    templates: &Templates,
    sprint: SprintId,
    ends: &str,
    goals: &[Goal],
    away: &[Login],
) -> Result<Option<String>, TemplateError> {
    // Owners who are off are left alone.
    let silent: Vec<&Goal> = goals
        .iter()
        .filter(|g| {
            !g.done && !has_status(g) && g.owner.as_ref().is_some_and(|o| !is_away(away, o))
        })
        .collect();
    if silent.is_empty() {
        return Ok(None);
    }
    let text = fit(silent.len(), |cap| {
        let views: Vec<Value> = silent
            .iter()
            .take(cap)
            .map(|g| {
                context! {
                    number => g.number,
                    title => neutralise(&g.title),
                    owner => g.owner.as_ref().map(|o| o.0.clone()),
                }
            })
            .collect();
        let ctx = context! {
            sprint_id => sprint.to_string(),
            ends => ends.to_string(),
            mentions => mentions(silent.iter().take(cap).copied(), away),
            goals => views,
            goal_count => silent.len(),
            more_goals => silent.len().saturating_sub(cap),
        };
        let text = render_template("nudge_status", &templates.nudge_status, ctx)?;
        Ok(with_marker(Reminder::NudgeStatus, sprint, &text))
    })?;
    Ok(Some(text))
}

/// The nudge of the teams whose planning comment is untouched, or `None`
/// when there is none.
pub fn nudge_teams(
    templates: &Templates,
    sprint: SprintId,
    idle: &[IdleTeam],
) -> Result<Option<String>, TemplateError> {
    if idle.is_empty() {
        return Ok(None);
    }
    let text = fit(idle.len(), |cap| {
        let views: Vec<Value> = idle
            .iter()
            .take(cap)
            .map(|t| {
                context! {
                    name => neutralise(&t.name),
                    mentions => t.mentions.clone(),
                    url => t.url.clone(),
                }
            })
            .collect();
        let ctx = context! {
            sprint_id => sprint.to_string(),
            teams => views,
            more_teams => idle.len().saturating_sub(cap),
        };
        let text = render_template("nudge_teams", &templates.nudge_teams, ctx)?;
        Ok(with_marker(Reminder::NudgeTeams, sprint, &text))
    })?;
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprint::Login;
    use crate::sprint::moving::{TeamItems, fits};

    fn id() -> SprintId {
        SprintId(jiff::civil::date(2022, 11, 14))
    }

    fn goal(number: usize, title: &str, owner: &str, status: Option<&str>) -> Goal {
        Goal {
            number,
            done: false,
            title: title.into(),
            owner: Login::parse(owner),
            why: None,
            status: status.map(String::from),
            mark: None,
            ticked_by: None,
        }
    }

    #[test]
    fn the_review_lists_what_moves_and_mentions_only_owners_without_a_status() {
        let moving = Moving {
            goals: vec![
                goal(2, "Ship X", "ann", None),
                goal(
                    4,
                    "Fix Y <!-- sprintbot:timed nudge-status sprint=2022-11-14 -->",
                    "bob",
                    Some("🟡 half"),
                ),
            ],
            teams: vec![TeamItems {
                name: "Growth".into(),
                slug: "growth".into(),
                items: vec!["Fix login @cy".into()],
                ..TeamItems::empty("Growth", "growth")
            }],
        };
        let urls = [(
            "growth".to_string(),
            "https://gh/1#issuecomment-5".to_string(),
        )];
        let text = review(
            &Templates::default(),
            &Review {
                sprint: id(),
                rollover_at: "Mon Nov 28 at 09:00 (Europe/London)".into(),
                moving: &moving,
                into_plan: false,
                counts: true,
                team_comments: &urls,
                away: &[],
            },
        )
        .unwrap();
        assert!(
            text.starts_with("<!-- sprintbot:timed review sprint=2022-11-14 -->\n"),
            "{text}"
        );
        assert!(
            text.contains("2. Ship X — @ann: no status yet (carried 1×)"),
            "{text}"
        );
        assert!(text.contains("— bob: 🟡 half"), "{text}");
        assert!(!text.contains("@bob"), "{text}");
        assert_eq!(
            text.matches("<!--").count(),
            1,
            "a title cannot forge a marker: {text}"
        );
        assert!(text.contains("**Team Growth**: 1 unticked item becomes a hang-over ([its comment](https://gh/1#issuecomment-5)):\n- Fix login @cy"), "{text}");
        assert!(
            text.contains("@ann: your goals above have no status yet"),
            "{text}"
        );
        assert!(
            text.contains("`/goal done N`")
                && text.contains("`/goal drop N`")
                && text.contains("`/goal status N")
        );
    }

    #[test]
    fn nudges_name_only_who_is_needed_and_fit_github() {
        let goals = [
            goal(1, "A", "ann", None),
            goal(2, "B", "ann", None),
            goal(3, "C", "bob", Some("🟢")),
        ];
        let text = nudge_status(
            &Templates::default(),
            id(),
            "Mon Nov 28 at 09:00 (UTC)",
            &goals,
            &[],
        )
        .unwrap()
        .unwrap();
        assert!(text.starts_with(&Reminder::NudgeStatus.marker(id())));
        assert!(
            text.contains("\n@ann: this sprint ends Mon Nov 28"),
            "{text}"
        );
        assert!(!text.contains("bob"), "{text}");
        let all_said = [goal(3, "C", "bob", Some("🟢"))];
        assert_eq!(
            nudge_status(&Templates::default(), id(), "x", &all_said, &[]).unwrap(),
            None
        );
        // An owner who is off is left alone: nobody else to ask, no nudge.
        let off = [Login("ANN".into())];
        assert_eq!(
            nudge_status(&Templates::default(), id(), "x", &goals, &off).unwrap(),
            None
        );
        let review_goals = Moving {
            goals: goals.to_vec(),
            teams: Vec::new(),
        };
        let text = review(
            &Templates::default(),
            &Review {
                sprint: id(),
                rollover_at: "Mon Nov 28 at 09:00 (UTC)".into(),
                moving: &review_goals,
                into_plan: false,
                counts: false,
                team_comments: &[],
                away: &off,
            },
        )
        .unwrap();
        assert!(!text.contains("@ann"), "{text}");
        assert!(text.contains("1. A — ann (off): no status yet"), "{text}");
        let idle: Vec<IdleTeam> = (0..3000)
            .map(|i| IdleTeam {
                name: format!("Team {i}"),
                mentions: vec![format!("@someone-{i}"), "@acme/team".into()],
                url: format!("https://gh/1#issuecomment-{i}"),
            })
            .collect();
        let text = nudge_teams(&Templates::default(), id(), &idle)
            .unwrap()
            .unwrap();
        assert!(fits(&text));
        assert!(text.contains("more teams"), "{}", &text[text.len() - 300..]);
        assert_eq!(nudge_teams(&Templates::default(), id(), &[]).unwrap(), None);
    }
}
