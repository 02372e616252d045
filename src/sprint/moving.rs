//! What a rollover moves out of a sprint, decided in one place for the
//! three that say it: the new issue's plan (`rollover::plan`), the review
//! comment before the rollover (`reminders`) and the audit comment left on
//! the old issue after it ([`audit_comment`]). Unfinished goals go to the
//! next retro (and, with `carry_unfinished_goals`, into its plan); each
//! team's unticked items outside its Retro become its hang-overs. Also the
//! one way every comment here is kept within GitHub's limit: lists are cut
//! to what fits, ending "… and N more" ([`fit`]).

use super::goal::Goal;
use super::markers::neutralise;
use super::render::TeamView;
use super::rollover::{MAX_BODY_CHARS, closing_marker};
use super::team::TeamDoc;
use super::team_identity::match_comments;
use super::team_read::{HangOver, Legend, read};

/// What leaves a sprint at its rollover.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Moving {
    /// Its unfinished goals, in plan order (numbered as they were shown).
    pub goals: Vec<Goal>,
    /// Each configured team, in config order, with its unticked items.
    pub teams: Vec<TeamItems>,
}

/// One team's plan items by where they go: the unfinished ones become its
/// hang-overs, the done ones its next retro's, the dropped ones nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamItems {
    pub name: String,
    pub slug: String,
    pub items: Vec<HangOver>,
    pub done: Vec<HangOver>,
    pub dropped: Vec<HangOver>,
    /// The addresses of the plans people wrote for the team in comments
    /// of their own.
    pub plans: Vec<String>,
    /// The legend its comments wrote (none when the config gives one),
    /// carried into its next comment so that it still governs.
    pub legend: Option<Legend>,
    /// Its quarter goals as its comments last wrote them (see
    /// `quarter_goals`), or empty.
    pub quarter_goals: String,
}

impl TeamItems {
    /// A team with nothing to move.
    pub fn empty(name: &str, slug: &str) -> TeamItems {
        TeamItems {
            name: name.to_string(),
            slug: slug.to_string(),
            items: Vec::new(),
            done: Vec::new(),
            dropped: Vec::new(),
            plans: Vec::new(),
            legend: None,
            quarter_goals: String::new(),
        }
    }
}

impl Moving {
    /// From a sprint's goals and its team comments: sprintbot's own (found
    /// by slug, an earlier name, or as the one renamed team, see
    /// `team_identity`) and those people wrote for a team (`team_map`);
    /// an item in both counts once.
    pub fn of(goals: &[Goal], team_comments: &[TeamDoc], teams: &[TeamView]) -> Moving {
        let own: Vec<&TeamDoc> = team_comments.iter().filter(|c| !c.hand_written).collect();
        let slugs: Vec<&str> = own.iter().map(|c| c.slug.as_str()).collect();
        let found = match_comments(teams, &slugs);
        Moving {
            goals: goals.iter().filter(|g| !g.done).cloned().collect(),
            teams: teams
                .iter()
                .zip(found)
                .map(|(t, found)| {
                    // The config's legend, else the one the team's
                    // comments wrote (each comment's own wins for it).
                    let is_mine = |c: &&TeamDoc| {
                        (c.hand_written && c.slug == t.slug)
                            || found.is_some_and(|(i, _)| std::ptr::eq(*c, own[i]))
                    };
                    let mine = team_comments.iter().filter(is_mine);
                    let written = mine.filter_map(|c| read(&c.body, None).legend).next();
                    let quarter_goals = team_comments
                        .iter()
                        .filter(is_mine)
                        .find_map(|c| super::quarter_goals::read(&c.body))
                        .unwrap_or_default();
                    let legend = t.legend.as_ref().or(written.as_ref());
                    let mut fates = found.map(|(i, _)| own[i].fates(legend)).unwrap_or_default();
                    let mut plans = Vec::new();
                    for hand in team_comments
                        .iter()
                        .filter(|c| c.hand_written && c.slug == t.slug)
                    {
                        fates.merge(hand.fates(legend));
                        plans.push(hand.url.clone());
                    }
                    TeamItems {
                        items: fates.carried,
                        done: fates.done,
                        dropped: fates.dropped,
                        plans,
                        legend: written.clone().filter(|_| t.legend.is_none()),
                        quarter_goals,
                        ..TeamItems::empty(&t.name, &t.slug)
                    }
                })
                .collect(),
        }
    }

    /// The unfinished items of team `slug`.
    pub fn team(&self, slug: &str) -> &[HangOver] {
        self.of_team(slug).map_or(&[], |t| t.items.as_slice())
    }

    /// Everything team `slug` moves: its done items and legend, the
    /// addresses of its own plans.
    pub fn of_team(&self, slug: &str) -> Option<&TeamItems> {
        self.teams.iter().find(|t| t.slug == slug)
    }
}

/// Whether a body fits GitHub's limit.
pub fn fits(body: &str) -> bool {
    body.chars().count() <= MAX_BODY_CHARS
}

/// `text` as it is when it fits GitHub's limit, else cut at the last line
/// break that leaves room for a note saying how much was left out. The
/// last guard of every body built from people's text: GitHub answers a
/// longer one with 422, and nothing would be posted at all.
pub fn bounded(text: String) -> String {
    let total = text.chars().count();
    if total <= MAX_BODY_CHARS {
        return text;
    }
    // Room for the note, whose number has at most 20 digits.
    let keep = MAX_BODY_CHARS - 100;
    let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
    let end = text[..end].rfind('\n').map_or(end, |i| i + 1);
    let left_out = total - text[..end].chars().count();
    format!(
        "{}\n… ({left_out} more characters left out: GitHub's limit is {MAX_BODY_CHARS})\n",
        &text[..end]
    )
}

/// `render(cap)` with every list cut to `cap` items, for the largest cap
/// (from `full` down, halving) whose text fits GitHub's limit; if even no
/// item is too long (a template that writes too much), the text is cut.
pub fn fit<E>(full: usize, render: impl Fn(usize) -> Result<String, E>) -> Result<String, E> {
    let mut cap = full;
    loop {
        let text = render(cap)?;
        if fits(&text) {
            return Ok(text);
        }
        if cap == 0 {
            return Ok(bounded(text));
        }
        cap /= 2;
    }
}

/// `@login` written so that it does not notify (the retro already asks).
fn quiet(goal: &Goal) -> String {
    goal.owner
        .as_ref()
        .map_or_else(|| "no owner".to_string(), |o| format!("`@{o}`"))
}

/// Where the moved things went: the new issue and its team comments.
#[derive(Debug, Clone, Default)]
pub struct Destination<'a> {
    pub issue: u64,
    pub title: &'a str,
    /// Unfinished goals were also copied into the new plan.
    pub into_plan: bool,
    /// (team slug, address of its comment on the new issue).
    pub team_comments: &'a [(String, String)],
    /// Issues moved over as sub-issues of the new issue.
    pub sub_issues: &'a [u64],
}

/// The comment left on the old issue once the new one exists: its marker,
/// the new issue, then exactly what moved there, with links.
pub fn audit_comment(moving: &Moving, to: &Destination<'_>) -> String {
    let n = to.issue;
    let render = |cap: usize| -> Result<String, std::convert::Infallible> {
        let mut s = format!(
            "{}\nThis sprint is over: the next one is #{n} ({}). ",
            closing_marker(n),
            neutralise(to.title)
        );
        let moved_items: usize = moving
            .teams
            .iter()
            .map(|t| t.items.len() + t.done.len() + t.dropped.len())
            .sum();
        if moving.goals.is_empty() && moved_items == 0 && to.sub_issues.is_empty() {
            s.push_str("Every goal of this sprint was done, and no team left an item unticked: nothing moved. 🎉\n");
            return Ok(s);
        }
        s.push_str(&format!("What moved to #{n}:\n\n"));
        match moving.goals.len() {
            0 => s.push_str("- **Goals**: every goal was done. 🎉\n"),
            count => {
                let noun = if count == 1 { "goal is" } else { "goals are" };
                let plan = if to.into_plan { " and in its plan" } else { "" };
                s.push_str(&format!(
                    "- **Goals**: {count} unfinished {noun} in its retro{plan}, where their owners are asked how they went:\n"
                ));
                for g in moving.goals.iter().take(cap) {
                    let status = g
                        .status
                        .as_deref()
                        .map(|st| format!(" > {}", neutralise(st)))
                        .unwrap_or_default();
                    s.push_str(&format!(
                        "  {}. {} ({}){status}\n",
                        g.number,
                        neutralise(&g.title),
                        quiet(g)
                    ));
                }
                more(&mut s, count, cap, "  ");
            }
        }
        for t in moving.teams.iter().filter(|t| !t.items.is_empty()) {
            let count = t.items.len();
            let noun = if count == 1 { "item is a" } else { "items are" };
            let place = to
                .team_comments
                .iter()
                .find(|(slug, url)| *slug == t.slug && !url.is_empty())
                .map_or_else(
                    || format!("its comment on #{n}"),
                    |(_, url)| format!("[its comment on #{n}]({url})"),
                );
            s.push_str(&format!(
                "- **Team {}**: {count} unticked {noun} hang-over{} in {place}:\n",
                neutralise(&t.name),
                if count == 1 { "" } else { "s" }
            ));
            for item in t.items.iter().take(cap) {
                s.push_str(&format!("  - {}\n", item.summary()));
            }
            more(&mut s, count, cap, "  ");
        }
        for t in &moving.teams {
            decided(&mut s, t, cap);
        }
        if !to.sub_issues.is_empty() {
            let list: Vec<String> = to.sub_issues.iter().map(|i| format!("#{i}")).collect();
            s.push_str(&format!(
                "- **Sub-issues** moved to #{n}: {}\n",
                list.join(", ")
            ));
        }
        s.push_str("\nDone goals and ticked items stay here.\n");
        Ok(s)
    };
    let longest = moving
        .teams
        .iter()
        .map(|t| t.items.len().max(t.done.len()).max(t.dropped.len()))
        .chain([moving.goals.len()])
        .max()
        .unwrap_or(0);
    match fit(longest, render) {
        Ok(text) => text,
        Err(never) => match never {},
    }
}

/// A team's done and dropped items in the audit: where each goes.
fn decided(s: &mut String, t: &TeamItems, cap: usize) {
    for (list, place) in [
        (
            &t.done,
            "done: listed as done in the retro of its next comment",
        ),
        (&t.dropped, "dropped: carried nowhere"),
    ] {
        if list.is_empty() {
            continue;
        }
        s.push_str(&format!(
            "- **Team {}**, {} {place}:\n",
            neutralise(&t.name),
            match list.len() {
                1 => "1 item".to_string(),
                n => format!("{n} items"),
            }
        ));
        for item in list.iter().take(cap) {
            s.push_str(&format!("  - {}\n", item.summary()));
        }
        more(s, list.len(), cap, "  ");
    }
}

/// "… and N more" when a list of `count` was cut to `cap`.
pub(crate) fn more(s: &mut String, count: usize, cap: usize, indent: &str) {
    if count > cap {
        s.push_str(&format!("{indent}… and {} more\n", count - cap));
    }
}

#[cfg(test)]
#[path = "moving_tests.rs"]
mod tests;
