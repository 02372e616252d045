//! The health section's chart: goals done and carried over in each of the
//! last sprints, as Mermaid source for a ```` ```mermaid ```` block (GitHub
//! draws those). It is an `xychart-beta` stacked bar chart. Mermaid draws a
//! chart's bar series over one another, so the first series is done +
//! carried (amber) and the second, drawn over it, is done (green): each bar
//! shows done at the bottom and carried on top, and the title names the
//! colours because xychart has no legend. `tools/mermaid` checks that the
//! output is valid Mermaid (`tests/health_chart.rs`).

use super::super::render::short_date;
use super::history::SprintSummary;

/// Colours of the carried (bottom series) and done (top series) bars:
/// GitHub's own "attention" amber and "success" green, readable in its
/// light and dark themes.
pub const CARRIED_COLOUR: &str = "#d4a72c";
pub const DONE_COLOUR: &str = "#2da44e";

/// The chart's Mermaid source (without the fence), one bar per sprint of
/// `history` (oldest first). Ends with a line break.
pub fn mermaid(history: &[SprintSummary]) -> String {
    let labels: Vec<String> = history
        .iter()
        .map(|s| format!("\"{}\"", short_date(s.sprint.0)))
        .collect();
    let stacked: Vec<u32> = history
        .iter()
        .map(|s| s.figures.done.saturating_add(s.figures.carried))
        .collect();
    let done: Vec<u32> = history.iter().map(|s| s.figures.done).collect();
    // The axis starts at 0 so bar heights compare; an all-zero history
    // still needs a range.
    let top = stacked.iter().copied().max().unwrap_or(0).max(1);
    let described: Vec<String> = history
        .iter()
        .map(|s| {
            format!(
                "{}: {} done, {} carried over",
                short_date(s.sprint.0),
                s.figures.done,
                s.figures.carried
            )
        })
        .collect();
    let list = |v: &[u32]| v.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
    format!(
        "%%{{init: {{\"themeVariables\": {{\"xyChart\": {{\"plotColorPalette\": \"{CARRIED_COLOUR}, {DONE_COLOUR}\"}}}}}}}}%%\n\
         xychart-beta\n\
         \x20   title \"Goals per sprint: done (green) and carried over (amber)\"\n\
         \x20   accDescr: {}\n\
         \x20   x-axis [{}]\n\
         \x20   y-axis \"Goals\" 0 --> {top}\n\
         \x20   bar [{}]\n\
         \x20   bar [{}]\n",
        described.join("; "),
        labels.join(", "),
        list(&stacked),
        list(&done),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprint::SprintId;
    use crate::sprint::health::Figures;

    fn summary(day: i8, done: u32, carried: u32) -> SprintSummary {
        SprintSummary {
            sprint: SprintId(jiff::civil::date(2022, 10, day)),
            issue: 100 + day as u64,
            previous: None,
            figures: Figures {
                planned: done + carried + 1,
                done,
                carried,
                dropped: 1,
            },
        }
    }

    #[test]
    fn each_sprint_is_a_stacked_bar_of_done_under_carried() {
        let chart = mermaid(&[summary(3, 5, 3), summary(17, 7, 0)]);
        assert_eq!(
            chart,
            "%%{init: {\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"#d4a72c, #2da44e\"}}}}%%\n\
             xychart-beta\n\
             \x20   title \"Goals per sprint: done (green) and carried over (amber)\"\n\
             \x20   accDescr: Oct 3: 5 done, 3 carried over; Oct 17: 7 done, 0 carried over\n\
             \x20   x-axis [\"Oct 3\", \"Oct 17\"]\n\
             \x20   y-axis \"Goals\" 0 --> 8\n\
             \x20   bar [8, 7]\n\
             \x20   bar [5, 7]\n"
        );
    }

    #[test]
    fn an_empty_sprint_still_has_an_axis() {
        let chart = mermaid(&[summary(3, 0, 0)]);
        assert!(chart.contains("y-axis \"Goals\" 0 --> 1\n"), "{chart}");
        assert!(chart.contains("bar [0]\n"), "{chart}");
    }
}
