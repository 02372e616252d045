//! The command table: every command's usage, what it does and who may run
//! it, and the limits on a comment's commands. The parser's error messages
//! and `/sprint help` are both generated from it. Who may run a parsed
//! command is `decide::who`; a test below holds it to this table, row by
//! row.

use crate::sprint::layout::Layout;
use crate::sprint::markers::Section;

/// Who may run a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// An engineer with at least triage permission.
    Engineer,
    /// Anyone with at least triage permission.
    Triage,
    /// Anyone with at least write permission.
    Write,
    /// Maintainers and admins.
    Maintain,
    Anyone,
}

impl Who {
    pub fn describe(self) -> &'static str {
        match self {
            Who::Engineer => "engineers with triage access or more",
            Who::Triage => "triage access or more",
            Who::Write => "write access or more",
            Who::Maintain => "maintain or admin access",
            Who::Anyone => "anyone",
        }
    }
}

/// The longest command line that is run, in characters.
pub const MAX_LINE_CHARS: usize = 1_000;
/// How many commands of one comment are run; the rest are refused.
pub const MAX_COMMANDS: usize = 20;

pub struct Spec {
    pub usage: &'static str,
    pub effect: &'static str,
    pub who: Who,
}

pub const COMMANDS: &[Spec] = &[
    Spec {
        usage: "/goal <title> [@owner] [#123] [why: <reason>]",
        effect: "add a goal to the plan; the owner defaults to you; `#123` (or an issue or pull request URL of this repository) links it: it is ticked when #123 is closed as completed or merged",
        who: Who::Engineer,
    },
    Spec {
        usage: "/goal done N",
        effect: "tick goal N",
        who: Who::Engineer,
    },
    Spec {
        usage: "/goal undone N",
        effect: "untick goal N",
        who: Who::Engineer,
    },
    Spec {
        usage: "/goal drop N",
        effect: "remove goal N (kept in the audit log)",
        who: Who::Engineer,
    },
    Spec {
        usage: "/goal owner N @user",
        effect: "change goal N's owner",
        who: Who::Engineer,
    },
    Spec {
        usage: "/goal status N <text>",
        effect: "set goal N's status for the retro (may start with 🟢 🟡 🔴 ⚪)",
        who: Who::Engineer,
    },
    Spec {
        usage: "/goal edit N <title>",
        effect: "change goal N's title (it keeps its link unless the new title ends with one)",
        who: Who::Engineer,
    },
    Spec {
        usage: "/risk <text>",
        effect: "add one of the things that might take us down",
        who: Who::Triage,
    },
    Spec {
        usage: "/risk drop N",
        effect: "remove risk N",
        who: Who::Triage,
    },
    Spec {
        usage: "/retro <text>",
        effect: "add to \"what can we do better next sprint?\"",
        who: Who::Triage,
    },
    Spec {
        usage: "/hero week1|week2 @user",
        effect: "set this sprint's support hero for a week",
        who: Who::Triage,
    },
    Spec {
        usage: "/off @me week1|week2|all",
        effect: "record that you (or `@user`) are off that week of this sprint, or all of it: the support-hero rotation skips you (you take the next turn instead) and the retro does not ask you about your goals",
        who: Who::Triage,
    },
    Spec {
        usage: "/off @me YYYY-MM-DD..YYYY-MM-DD",
        effect: "record time off on those days, both included (also in a later sprint)",
        who: Who::Triage,
    },
    Spec {
        usage: "/sprint rollover",
        effect: "close this sprint and open the next now",
        who: Who::Maintain,
    },
    Spec {
        usage: "/sprint skip next",
        effect: "skip the next sprint (an offsite, the holidays): no issue opens for it, and this one stays current until the one after it opens",
        who: Who::Maintain,
    },
    Spec {
        usage: "/sprint extend <days>",
        effect: "end this sprint <days> later (`7`, or `1w`); the next sprint, and every one after it, opens that much later",
        who: Who::Maintain,
    },
    Spec {
        usage: "/sprint preview",
        effect: "show the next sprint's title, opening time, support heroes, and the goals that would roll over if it opened now",
        who: Who::Anyone,
    },
    Spec {
        usage: "/sprint adopt",
        effect: "on an issue people wrote in the sprint's shape (its headings as in the sprint template): make it the current sprint issue — hidden markers are added around its sections, every character people wrote is kept, and it is labelled and pinned like an opened sprint; refused, with what is missing, otherwise",
        who: Who::Maintain,
    },
    Spec {
        usage: "/sprint doctor",
        effect: "check what sprintbot needs here (the App's permissions and events, the config, the labels, the pinned issue, webhook deliveries, the API budget) and say what happens next; works on any issue",
        who: Who::Write,
    },
    Spec {
        usage: "/sprint help",
        effect: "show this reference",
        who: Who::Anyone,
    },
];

/// The usage line(s) of a command word (`goal`, `risk`, ...).
pub fn usage_of(word: &str) -> String {
    let prefix = format!("/{word}");
    COMMANDS
        .iter()
        .filter(|c| c.usage == prefix || c.usage.starts_with(&format!("{prefix} ")))
        .map(|c| format!("`{}`", c.usage))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The body section a command writes to, by its usage (`/goal …` writes
/// the goals list); `None` for commands every layout has.
pub fn section_of(usage: &str) -> Option<Section> {
    let word = usage.split_whitespace().next()?;
    Some(match word {
        "/goal" => Section::Goals,
        "/risk" => Section::Risks,
        "/retro" => Section::Retro,
        "/hero" => Section::Heroes,
        _ => return None,
    })
}

/// The `/sprint help` reply under today's layout.
pub fn help() -> String {
    help_for(&Layout::default())
}

/// The `/sprint help` reply under `layout`: the commands that apply, then
/// those that do not, each with where to write instead.
pub fn help_for(layout: &Layout) -> String {
    let applies = |c: &Spec| section_of(c.usage).is_none_or(|s| layout.holds(s));
    let mut s = String::from(
        "**sprintbot commands** — write them at the start of a line in a comment on the current sprint issue:\n\n| command | what it does | who |\n| --- | --- | --- |\n",
    );
    for c in COMMANDS.iter().filter(|c| applies(c)) {
        s.push_str(&format!(
            "| `{}` | {} | {} |\n",
            c.usage,
            c.effect,
            c.who.describe()
        ));
    }
    let mut missing: Vec<Section> = COMMANDS
        .iter()
        .filter(|c| !applies(c))
        .filter_map(|c| section_of(c.usage))
        .collect();
    missing.dedup();
    if !missing.is_empty() {
        s.push_str("\nNot available with this repository's layout:\n");
        for section in missing {
            let words: Vec<String> = COMMANDS
                .iter()
                .filter(|c| section_of(c.usage) == Some(section))
                .filter_map(|c| c.usage.split_whitespace().next())
                .map(|w| format!("`{w}`"))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            s.push_str(&format!(
                "- {}: {}.\n",
                words.join(", "),
                super::decide::layout::reason(section, layout)
            ));
        }
    }
    s.push_str("\nN is the number shown in the list. `why:` may also be written `why?` or `Why -`. Goals have exactly one owner, who must be an engineer.\n");
    s.push_str(&format!(
        "\nLimits: at most {} commands per comment, {} characters per command line, and the sprint issue stays within GitHub's {} characters; anything beyond is refused with the reason. Commands count on the current sprint issue only; editing your comment runs only the lines you added.\n",
        MAX_COMMANDS,
        MAX_LINE_CHARS,
        crate::github::MAX_BODY_CHARS
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::COMMANDS;
    use crate::commands::decide::who;
    use crate::commands::parse::parse;

    /// A line of each row of the table, as people write it.
    const EXAMPLES: &[(&str, &str)] = &[
        (
            "/goal <title> [@owner] [#123] [why: <reason>]",
            "/goal Ship it @ann #12 why: users",
        ),
        ("/goal done N", "/goal done 1"),
        ("/goal undone N", "/goal undone 1"),
        ("/goal drop N", "/goal drop 1"),
        ("/goal owner N @user", "/goal owner 1 @ann"),
        ("/goal status N <text>", "/goal status 1 on track"),
        ("/goal edit N <title>", "/goal edit 1 Ship more"),
        ("/risk <text>", "/risk the vendor is late"),
        ("/risk drop N", "/risk drop 1"),
        ("/retro <text>", "/retro fewer meetings"),
        ("/hero week1|week2 @user", "/hero week2 @ann"),
        ("/off @me week1|week2|all", "/off @me all"),
        (
            "/off @me YYYY-MM-DD..YYYY-MM-DD",
            "/off @me 2026-03-02..2026-03-04",
        ),
        ("/sprint rollover", "/sprint rollover"),
        ("/sprint skip next", "/sprint skip next"),
        ("/sprint extend <days>", "/sprint extend 7"),
        ("/sprint preview", "/sprint preview"),
        ("/sprint adopt", "/sprint adopt"),
        ("/sprint doctor", "/sprint doctor"),
        ("/sprint help", "/sprint help"),
    ];

    #[test]
    fn who_may_run_each_command_is_what_the_table_says() {
        assert_eq!(COMMANDS.len(), EXAMPLES.len(), "a row without an example");
        for spec in COMMANDS {
            let (_, line) = EXAMPLES
                .iter()
                .find(|(usage, _)| *usage == spec.usage)
                .unwrap_or_else(|| panic!("no example of {}", spec.usage));
            let parsed = parse(line);
            let command = parsed[0]
                .command
                .as_ref()
                .unwrap_or_else(|e| panic!("{line}: {e}"));
            assert_eq!(who(command), spec.who, "{}", spec.usage);
        }
    }
}
