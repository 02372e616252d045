//! What an adoption says beyond `messages::adopted`: where the sprint's
//! dates came from and when the next one opens, the older sprint issues
//! still open with how to close them, and the refusals that come from the
//! title's dates or the shape (`sprint::adopt_dates`,
//! `sprint::own_plan`).

use crate::github::RepoRef;
use crate::sprint::adopt_dates::Other;
use crate::sprint::layout::Preset;
use crate::sprint::markers::neutralise;

/// The line saying which dates the adopted sprint has and why.
pub fn dates_line(from_title: bool, start: &str, end: &str, days: i32, opens: &str) -> String {
    let source = if from_title {
        "Its dates come from its title"
    } else {
        "Its title names no dates, so its dates are the calendar's"
    };
    format!("{source}: {start} to {end} ({days} days). The next sprint opens {opens}.\n")
}

/// The older sprint issues still open, with how to close them; empty when
/// there are none.
pub fn older_open(repo: &RepoRef, older: &[Other]) -> String {
    if older.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\nBy the dates in their titles, these open issues are older sprints, not the current one:\n",
    );
    for o in older {
        out.push_str(&format!(
            "- #{} `{}` ({} to {})\n",
            o.number,
            neutralise(&o.title),
            o.start,
            o.end
        ));
    }
    let commands: Vec<String> = older
        .iter()
        .map(|o| format!("`gh issue close {} --repo {repo}`", o.number))
        .collect();
    out.push_str(&format!(
        "I leave them open. To close them, press \"Close issue\" on each, or run {}.\n",
        commands.join(", ")
    ));
    out
}

/// A newer hand-written sprint issue is current by its title's dates.
pub fn newer_is_current(newer: &Other) -> String {
    format!(
        "I cannot make this issue the sprint issue: by the dates in their titles, #{} (`{}`, {} to {}) is the current sprint, and this one is older. Post `/sprint adopt` on #{} instead.",
        newer.number,
        neutralise(&newer.title),
        newer.start,
        newer.end,
        newer.number
    )
}

/// The title's dates do not fit, or the issue is one team's own plan.
pub fn cannot(why: &str) -> String {
    format!("I cannot make this issue the sprint issue: {why}.")
}

/// The title's sprint is over.
pub fn ended(end: &str, next: &str) -> String {
    format!(
        "I cannot make this issue the sprint issue: by its title its sprint ended on {end}, and the next one started on {next}. Rename it to the current sprint's dates, or adopt the current sprint's issue."
    )
}

/// The line saying the issue was written in another era than the config's.
pub fn era(found: Preset, in_force: Preset) -> String {
    format!(
        "\nThis issue is written in the layout of preset {} (this repository's config uses {}): I read it as such. To keep writing sprints this way, set `preset = \"{}\"` in .github/sprintbot.toml.\n",
        found.name(),
        in_force.name(),
        found.name()
    )
}
