//! Every message the bot writes about commands, one function each.

use jiff::civil::Date;

use super::grammar;
use super::replies::{QUOTED_CHARS, QUOTED_REFUSALS, clip, quote};
pub use super::replies::{doctor_marker, replied_to, reply_marker};
use crate::sprint::markers::{Section, neutralise};
use crate::sprint::off::Off;
use crate::sprint::preview::Preview;
use crate::sprint::{Login, SprintId};

/// One refused command line: what was written, why, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub line: String,
    pub reason: String,
}

impl Refusal {
    pub fn new(line: &str, reason: String) -> Refusal {
        Refusal {
            line: line.to_string(),
            reason,
        }
    }
}

/// The one reply to a comment with refused commands.
pub fn refusals(marker: &str, author: &str, refused: &[Refusal]) -> String {
    let mut s = format!("{marker}\n@{author}, ");
    s.push_str(if refused.len() == 1 {
        "I could not run this command:\n"
    } else {
        "I could not run these commands:\n"
    });
    for r in refused.iter().take(QUOTED_REFUSALS) {
        // Reasons are sprintbot's words, but some name what was written.
        let reason = clip(r.reason.trim(), QUOTED_CHARS * 4);
        s.push_str(&format!("\n> {}\n\n{reason}\n", quote(&r.line)));
    }
    if let Some(more) = refused
        .len()
        .checked_sub(QUOTED_REFUSALS)
        .filter(|n| *n > 0)
    {
        s.push_str(&format!(
            "\n…and {more} more refused {}, not quoted here to keep this reply short. Fix the ones above and post the rest again.\n",
            if more == 1 { "line" } else { "lines" }
        ));
    }
    s.push_str(
        "\nAny other commands in your comment were applied. `/sprint help` lists every command.\n",
    );
    s
}

/// The reply to `/sprint help`.
pub fn help(marker: &str) -> String {
    format!("{marker}\n{}", grammar::help())
}

/// The reply when the details of an answer were lost (the process died
/// between applying a comment and answering it, and its store is gone).
pub fn lost_details(marker: &str, author: &str) -> String {
    format!(
        "{marker}\n@{author}, some commands in this comment could not be run, and I lost the details of why. \
         Check the sprint issue, and post again what is missing; `/sprint help` lists every command.\n"
    )
}

/// The one reply to a comment whose commands ran, when some of them have
/// something to say (a calendar command's new dates, a preview).
pub fn notes(marker: &str, author: &str, notes: &[String]) -> String {
    let mut s = format!("{marker}\n@{author}, done.\n");
    for n in notes {
        s.push('\n');
        s.push_str(n.trim_end());
        s.push('\n');
    }
    s
}

// ----- notes about calendar commands -----

/// `/sprint skip next` ran.
pub fn skipped(sprint: SprintId, next_title: &str, opens: &str) -> String {
    format!(
        "The sprint of {} is skipped: no issue opens for it, and this one stays current until **{next_title}** opens on {opens}.",
        short(sprint.0)
    )
}

/// `/sprint extend` ran.
pub fn extended(last_working_day: Date, next_title: &str, opens: &str) -> String {
    format!(
        "This sprint now ends on {} (its title says so too). The next sprint, **{next_title}**, opens on {opens}; every sprint after it moves back as much.",
        last_working_day.strftime("%a %b %-d")
    )
}

/// `/off` moved support heroes.
pub fn heroes_moved(off: &Off, heroes: &[(u8, Login)]) -> String {
    let moved: Vec<String> = heroes
        .iter()
        .map(|(week, login)| format!("week {week}: @{login}"))
        .collect();
    // No mention of the person who is off: they are left alone.
    format!(
        "{} is off, so the support heroes change ({}); {} takes the next turn instead of the one missed.",
        off.login,
        moved.join(", "),
        off.login
    )
}

/// The reply to `/sprint preview`.
pub fn preview(p: &Preview) -> String {
    let mut s = format!("**Next sprint: {}**\n\nOpens {}", p.title, p.opens_local);
    if !p.skipped.is_empty() {
        let skipped: Vec<String> = p.skipped.iter().map(|x| short(x.start)).collect();
        s.push_str(&format!(
            ", after the skipped sprint of {}",
            skipped.join(" and ")
        ));
    }
    s.push_str(".\n\n");
    let heroes: Vec<String> = p
        .heroes
        .iter()
        .enumerate()
        .map(|(i, h)| match h {
            Some(h) => format!("Week {}: @{h}", i + 1),
            None => format!("Week {}: nobody", i + 1),
        })
        .collect();
    s.push_str(&format!("Support heroes: {}\n", heroes.join(" · ")));
    if !p.off.is_empty() {
        let off: Vec<String> = p
            .off
            .iter()
            .map(|o| o.line().trim_start_matches("- ").to_string())
            .collect();
        s.push_str(&format!("Off: {}\n", off.join(", ")));
    }
    match p.rolling.len() {
        0 => s.push_str("\nEvery goal is done: nothing would roll over. 🎉\n"),
        n => {
            s.push_str(&format!(
                "\nIf it opened now, {n} unfinished goal{} would roll into its retro{}:\n\n",
                if n == 1 { "" } else { "s" },
                if p.copied {
                    " and be copied into its plan"
                } else {
                    ""
                }
            ));
            for line in &p.rolling {
                s.push_str(&format!("1. {line}\n"));
            }
            s.push_str("\nTick what is done (`/goal done N`) or drop what is not going to happen (`/goal drop N`) before then.\n");
        }
    }
    for t in &p.teams {
        for (list, place) in [
            (&t.items, "hang-overs in its next comment"),
            (&t.done, "done, listed in its next retro"),
            (&t.dropped, "dropped, carried nowhere"),
        ] {
            if list.is_empty() {
                continue;
            }
            s.push_str(&format!(
                "\n**Team {}**, {place} ({}):\n",
                neutralise(&t.name),
                list.len()
            ));
            for h in list.iter().take(PREVIEW_ITEMS) {
                s.push_str(&format!("- {}\n", h.summary()));
            }
            if list.len() > PREVIEW_ITEMS {
                s.push_str(&format!("- … and {} more\n", list.len() - PREVIEW_ITEMS));
            }
        }
    }
    s
}

/// The most items of one kind a preview lists per team.
const PREVIEW_ITEMS: usize = 30;

/// `Dec 21`.
fn short(d: Date) -> String {
    d.strftime("%b %-d").to_string()
}

// ----- reasons, one per refusal -----

pub fn preview_failed(reason: &str) -> String {
    format!("I cannot work out the next sprint: {reason}. Fix that, then ask again.")
}

pub fn skip_extended(sprint: SprintId) -> String {
    format!(
        "The sprint of {} is extended (in .github/sprintbot.toml), so it cannot also be skipped: remove that exception first.",
        short(sprint.0)
    )
}

pub fn extended_too_far(already: i64, max: u16) -> String {
    format!(
        "A sprint can run at most {max} days longer, and this one is extended by {already} already. Skip the next sprint instead (`/sprint skip next`)."
    )
}

pub fn off_refused(reason: &str) -> String {
    format!(
        "I cannot record this time off: {reason}. Write week1, week2, all, or dates like 2026-11-18..2026-11-20."
    )
}

/// A `/goal` whose link names another repository.
pub fn link_elsewhere(
    link: &crate::sprint::links::LinkRef,
    repo: &crate::github::RepoRef,
) -> String {
    format!(
        "`{link}` is in another repository: a goal links an issue or pull request of {repo} only, so that closing it can tick the goal. \
         Link one of {repo}'s, or name the other one in the goal's why."
    )
}

pub fn line_too_long(max: usize) -> String {
    format!(
        "This line is longer than {max} characters, the most a command may be. Shorten it, or put the details in the issue itself."
    )
}

pub fn too_many_commands(max: usize) -> String {
    format!("Only the first {max} commands of a comment are run. Post the rest in another comment.")
}

pub fn bad_usage(problem: &str, usage: &str) -> String {
    format!("{}. Write it as {usage}.", neutralise(problem))
}

pub fn needs_access(author: &Login, level: &str) -> String {
    format!(
        "@{author} needs {level} access or more to this repository to run this; ask a maintainer to grant it."
    )
}

pub fn not_an_engineer_author(author: &Login) -> String {
    format!(
        "Goals are managed by engineers, and @{author} is not listed as one in .github/sprintbot.toml."
    )
}

pub fn owner_not_engineer(owner: &Login) -> String {
    format!(
        "@{owner} is not an engineer, and a goal's owner must be one: name an engineer listed in .github/sprintbot.toml."
    )
}

pub fn why_required() -> String {
    "This repository asks every goal for a reason: add `why: <reason>`.".into()
}

pub fn no_such_item(section: Section, n: usize, count: usize) -> String {
    format!(
        "There is no item {n} in the {section} list: it has {count}. Use the number shown in the issue."
    )
}

pub fn too_many_risks(max: usize) -> String {
    format!("There are already {max} risks. Drop one with `/risk drop N` first.")
}

pub fn no_such_week(week: u8) -> String {
    format!("Week {week} is not a week of this sprint; use week1 or week2.")
}

pub fn damaged(problem: &str) -> String {
    format!(
        "The sprint issue's structure is damaged ({problem}); restore its marker lines, then post the command again."
    )
}

pub fn target_moved(section: Section, n: usize, now: Option<&str>) -> String {
    match now {
        Some(item) => format!(
            "Item {n} of the {section} list changed while I was applying this (it is now \"{}\"). Check the number and post the command again.",
            quote(item)
        ),
        None => format!(
            "Item {n} of the {section} list was removed while I was applying this. Check the number and post the command again."
        ),
    }
}

pub fn body_too_long(max: usize) -> String {
    format!(
        "This would make the sprint issue longer than GitHub's limit of {max} characters. Shorten it, or move details to a linked issue."
    )
}

pub fn not_current(current: Option<u64>) -> String {
    match current {
        Some(n) => format!("This sprint issue is no longer the current one: commands go on #{n}. Post the command there."),
        None => "This sprint issue is closed, and no newer sprint issue is open yet. Post the command on the next sprint's issue once it opens.".into(),
    }
}

pub fn edited_before_read() -> String {
    "This comment was edited before I read it, and GitHub does not tell me who edited it, so I ran none of its commands. If you wrote them, post them again in a new comment.".into()
}

pub fn config_broken(problem: &str) -> String {
    let problem = quote(problem);
    format!(
        "The repository's .github/sprintbot.toml is broken ({problem}), and there is no earlier valid version to use. Fix the file (see the \"sprintbot: configuration error\" issue), then post the command again."
    )
}

pub fn rollover_failed(reason: &str) -> String {
    format!("I could not open the next sprint: {reason}.")
}

// ----- /sprint adopt and /sprint doctor -----

pub fn already_sprint_issue(sprint: Option<&str>) -> String {
    match sprint {
        Some(s) => format!(
            "This issue is already the sprint issue of the sprint starting {s}: there is nothing to adopt."
        ),
        None => "This issue is already a sprint issue: there is nothing to adopt.".into(),
    }
}

/// A command other than `/sprint adopt` or `/sprint doctor` on an issue
/// that is not a sprint issue (in a comment that asked for one of those).
pub fn metadata_lost() -> String {
    "This is a sprint issue, but its hidden metadata line (the `sprintbot:sprint` comment line of its body) was edited away, so I cannot tell which sprint it is or which commands it has had, and I change nothing. Restore that line from the issue's edit history (the \"edited\" menu above the body), then post the command again.".into()
}

pub fn not_a_sprint_issue() -> String {
    "This issue is not a sprint issue, so this command does nothing here. Post it on the current sprint issue (or again here once `/sprint adopt` has taken this issue over).".into()
}

pub fn adopt_lacking(problem: &str) -> String {
    format!(
        "I cannot make this issue the sprint issue: {problem}. Give it the sections of the sprint template (\"3 things that might take us down\", \"Retro: Status of Outcomes from Previous Sprint\", \"Retro: What can we do better next sprint?\", \"Support hero this sprint\", \"Plan: Proposed Goals for Next Sprint\", each a heading line), then post `/sprint adopt` again."
    )
}

pub fn adopt_taken(issue: u64, sprint: &str) -> String {
    format!(
        "The sprint starting {sprint} already has its sprint issue, #{issue}: commands go there. `/sprint adopt` takes over a sprint sprintbot has not opened (e.g. before the cadence anchor in .github/sprintbot.toml)."
    )
}

pub fn adopt_placeholder(proposed: &str) -> String {
    format!(
        "This issue's title is the sprint template's placeholder (`Sprint 1.n.0 m/2 - …`), so it names no sprint to adopt. Rename it, for example to `{}` (the calendar's current sprint), then post `/sprint adopt` again.",
        neutralise(proposed)
    )
}

pub fn adopt_closed() -> String {
    "This issue is closed, and the current sprint issue must be open. Reopen it, then post `/sprint adopt` again.".into()
}

pub fn adopt_open_elsewhere(issue: u64) -> String {
    format!(
        "#{issue} is still the current sprint issue. Close it first (its goals stay there), then post `/sprint adopt` again."
    )
}

pub fn adopt_no_config(problem: Option<&str>) -> String {
    match problem {
        Some(p) => config_broken(p),
        None => format!(
            "This repository has no {}, so sprintbot does not run sprints here. Add one (every key is in config/repo-sprintbot.example.toml), then post `/sprint adopt` again.",
            crate::repos::CONFIG_PATH
        ),
    }
}

/// sprintbot's comment recording an adoption: it answers the command
/// (`reply` is its reply marker) and is the proof the issue's metadata names.
pub fn adopted(reply: &str, proof: &str, author: &str, sprint: &str, current_from: &str) -> String {
    format!(
        "{reply}\n{proof}\n@{author}, this issue is now the sprint issue of Sprint {sprint}. I added hidden markers around its sections and changed nothing anyone wrote. \
         Commands in comments written from now on work here (`/sprint help` lists them); comments before {current_from} are left as they are. \
         At the next opening its goals go into the retro and this issue is closed. Please keep this comment: it is how I know I adopted this issue.\n"
    )
}

#[cfg(test)]
#[path = "messages_tests.rs"]
mod tests;
