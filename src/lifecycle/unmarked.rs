//! sprintbot's own comments whose hidden marker a collaborator deleted or
//! mangled (anyone with write access can edit any comment). Such a comment
//! is still sprintbot's earlier effect, so it is recognised by what it
//! says, never posted again: a team's comment by its title line ("Team
//! Growth", as the team template writes it, or the team's name alone), the
//! closing comment by its first sentence, which names the new issue
//! (reminders, the summary and other notes by their first line:
//! `sprint_issues::find_written`). Only
//! comments sprintbot's account wrote on the issue in question count, and
//! only those without an intact marker of another kind (a reply quoting a
//! person's line, a reminder naming teams), so nobody can forge an effect
//! by writing these words, and a marker edited to name another sprint or
//! issue points no effect elsewhere: it is read as the comment it is.

use crate::config::repo::Team;
use crate::github::{Comment, IssueNumber};
use crate::sprint::markers::{parse_team_marker, team_marker};
use crate::sprint::rollover::closing_marker;
use crate::sprint::team::TeamDoc;
use crate::sprint::{Login, SprintId};

fn ours_on(c: &Comment, bot: &Login, issue: IssueNumber) -> bool {
    c.author.0.eq_ignore_ascii_case(&bot.0) && c.issue() == Some(issue)
}

/// Whether `line` is an intact marker other than a team's.
fn other_marker(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("<!-- sprintbot:") && t.ends_with("-->") && parse_team_marker(t).is_none()
}

/// The first line of text, past marker lines and what is left of one.
fn title_line(body: &str) -> Option<String> {
    crate::sprint_issues::first_text_line(body)
}

fn names_team(title: &str, team: &Team) -> bool {
    let mut names = vec![team.name.to_lowercase(), team.slug.replace('-', " ")];
    names.extend(team.aliases.iter().map(|a| a.replace('-', " ")));
    names
        .iter()
        .any(|n| title == n || title == format!("team {n}") || title == format!("{n} team"))
}

/// Whether `c` is sprintbot's comment for `team` on `issue` (of `sprint`)
/// whose team marker is gone, or names another sprint: no team marker for
/// this sprint, no marker of another kind, and the team's title line.
pub fn is_team_comment(
    c: &Comment,
    bot: &Login,
    issue: IssueNumber,
    sprint: SprintId,
    team: &Team,
) -> bool {
    ours_on(c, bot, issue)
        && TeamDoc::parse(&c.body).is_none_or(|d| d.sprint != sprint)
        && !c.body.lines().any(other_marker)
        && title_line(&c.body).is_some_and(|t| names_team(&t, team))
}

/// `c`'s body as the team's comment of `sprint`: its marker put back, so
/// it reads as the comment sprintbot posted (the rollover carries its
/// unfinished items like any other team's).
pub fn with_marker(c: &Comment, team: &Team, sprint: SprintId) -> Option<TeamDoc> {
    let body = c
        .body
        .lines()
        // The marker, or what is left of it (an unclosed `<!--` would hide
        // the rest of the comment).
        .filter(|l| !(l.trim_start().starts_with("<!--") && l.contains("sprintbot:")))
        .collect::<Vec<_>>()
        .join("\n");
    let restored = format!("{}\n{body}", team_marker(&team.slug, sprint));
    Some(TeamDoc::parse(&restored)?.at(&c.html_url))
}

/// Whether sprintbot's closing comment on `previous`, linking `next`, is
/// among `comments`: by its marker, or, with its marker gone or changed,
/// by its first sentence.
pub fn closing_posted(comments: &[Comment], bot: &Login, previous: IssueNumber, next: u64) -> bool {
    let marker = closing_marker(next);
    let sentence = format!("This sprint is over: the next one is #{next} (");
    comments.iter().any(|c| {
        crate::sprint_issues::bot_marked(c, bot, previous, &marker)
            || (ours_on(c, bot, previous)
                && !c.body.lines().any(|l| {
                    let t = l.trim();
                    other_marker(t) && !t.starts_with("<!-- sprintbot:closed ")
                })
                && c.body
                    .lines()
                    .any(|l| l.trim_start().starts_with(&sentence)))
    })
}
