//! One team's comment on a new sprint issue: the team template with last
//! sprint's unfinished items (hang-overs) and its done ones (for the
//! retro), each list cut to what fits GitHub's limit; or, for a team that
//! writes its plan in a comment of its own (`own_comment`), a short
//! comment with only its hang-overs and a link to its last plan, so that
//! nothing it left unfinished is lost and nothing it wrote is duplicated.

use super::calendar::Sprint;
use super::markers::{neutralise, team_marker};
use super::moving::{Moving, fits};
use super::render::{self, TeamLines, TeamView, TemplateError, Templates};

/// The comment for `team` on the issue of `next`; `previous`: the number
/// of the issue the items come from.
pub fn build(
    templates: &Templates,
    team: &TeamView,
    next: &Sprint,
    moving: &Moving,
    previous: Option<u64>,
    lines: &TeamLines,
) -> Result<String, TemplateError> {
    let items = moving.of_team(&team.slug);
    let all = moving.team(&team.slug);
    let (done, plans, legend) = match items {
        Some(t) => (t.done.as_slice(), t.plans.as_slice(), t.legend.as_ref()),
        None => (&[][..], &[][..], None),
    };
    let done: Vec<String> = done
        .iter()
        .map(|h| {
            // Marked done for good: ✅ is done under every legend.
            let text = h.rendered();
            if text.contains('✅') {
                text
            } else {
                format!("✅ {text}")
            }
        })
        .collect();
    let link = previous.map(|p| format!(" in #{p}")).unwrap_or_default();
    let mut keep = all.len().max(done.len());
    loop {
        let shown = keep.min(all.len());
        let mut hang_overs: Vec<String> = all[..shown].iter().map(|h| h.rendered()).collect();
        if shown < all.len() {
            hang_overs.push(format!(
                "… and {} more hang-over items{link}",
                all.len() - shown
            ));
        }
        let done = &done[..keep.min(done.len())];
        let comment = if team.own_comment {
            own_comment_stub(team, next, &hang_overs, plans)
        } else {
            render::team_comment(templates, team, next, &hang_overs, done, legend, lines)?
        };
        if fits(&comment) || keep == 0 {
            return Ok(comment);
        }
        keep /= 2;
    }
}

/// The short comment of a team that plans in its own: its marker, a line
/// that says so and links its last plan, and its hang-overs as a task list
/// under the heading sprintbot reads them from.
fn own_comment_stub(
    team: &TeamView,
    next: &Sprint,
    hang_overs: &[String],
    plans: &[String],
) -> String {
    let name = neutralise(&team.name);
    let last = match plans.last() {
        Some(url) => format!(" ([last sprint's plan]({}))", neutralise(url)),
        None => String::new(),
    };
    let mut s = format!(
        "{}\nTeam {name} plans in a comment of its own{last}. What it left unfinished last sprint is here, to copy into its plan or drop.\n\n## Hang over items from previous sprint\n\n",
        team_marker(&team.slug, next.id)
    );
    if hang_overs.is_empty() {
        s.push_str("- None\n");
    }
    for h in hang_overs {
        s.push_str(&format!("- [ ] {h}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sprint::calendar::{Cadence, weekdays};
    use crate::sprint::moving::TeamItems;
    use crate::sprint::team::TeamDoc;
    use jiff::civil::{Time, date};

    #[test]
    fn a_team_with_its_own_comment_gets_only_its_hang_overs_and_a_link() {
        let team = TeamView {
            name: "Search".into(),
            slug: "search".into(),
            own_comment: true,
            ..TeamView::default()
        };
        let sprint = Cadence {
            anchor: date(2022, 10, 3),
            length_weeks: 2,
            tz: jiff::tz::TimeZone::UTC,
            opens_at: Time::midnight(),
            working_days: weekdays(),
        }
        .sprint_containing(date(2022, 11, 30));
        let mut items = TeamItems::empty("Search", "search");
        items.items = vec!["Typeahead `@wren`".into()];
        items.done = vec!["Ranking tweaks".into()];
        items.plans = vec!["https://github.com/acme/app/issues/3#issuecomment-9".into()];
        let moving = Moving {
            goals: Vec::new(),
            teams: vec![items],
        };
        let body = build(
            &Templates::default(),
            &team,
            &sprint,
            &moving,
            Some(3),
            &Default::default(),
        )
        .unwrap();
        assert!(
            body.starts_with(&team_marker("search", sprint.id)),
            "{body}"
        );
        assert!(
            body.contains(
                "([last sprint's plan](https://github.com/acme/app/issues/3#issuecomment-9))"
            ),
            "{body}"
        );
        assert!(body.contains("- [ ] Typeahead `@wren`\n"), "{body}");
        assert!(
            !body.contains("Ranking tweaks"),
            "the team's own retro has it: {body}"
        );
        // Read back next sprint, the hang-over is still the team's.
        let doc = TeamDoc::parse(&body).unwrap();
        assert_eq!(doc.hang_overs().len(), 1);
    }

    #[test]
    fn a_legend_a_team_wrote_still_governs_its_comments_a_sprint_later() {
        let team = TeamView {
            name: "Search".into(),
            slug: "search".into(),
            ..TeamView::default()
        };
        let cadence = Cadence {
            anchor: date(2022, 10, 3),
            length_weeks: 2,
            tz: jiff::tz::TimeZone::UTC,
            opens_at: Time::midnight(),
            working_days: weekdays(),
        };
        let first = cadence.sprint_containing(date(2022, 11, 16));
        let next = cadence.sprint_containing(date(2022, 11, 30));
        let before = TeamDoc::parse(&format!(
            "{}\nTeam Search\n\n🟢=finished 🟡=in progress\n\n## Planning\n\n- 🟡 Typeahead\n",
            team_marker("search", first.id)
        ))
        .unwrap();
        let moving = Moving::of(&[], &[before], std::slice::from_ref(&team));
        let body = build(
            &Templates::default(),
            &team,
            &next,
            &moving,
            Some(1),
            &Default::default(),
        )
        .unwrap();
        assert!(
            body.contains("\n\nLegend: 🟡 = not finished, 🟢 = done\n"),
            "{body}"
        );
        // A sprint later, the team's own comment writes no legend: the one
        // carried in sprintbot's comment says what its 🟢 means.
        let ours = TeamDoc::parse(&body).unwrap();
        let theirs = TeamDoc::hand_written(
            "search",
            next.id,
            "# Team Search\n\n## Plan\n\n- 🟢 Ranking tweaks\n",
            "",
        );
        let moving = Moving::of(&[], &[ours, theirs], &[team]);
        assert_eq!(
            moving.of_team("search").unwrap().done.len(),
            1,
            "{moving:?}"
        );
        assert!(
            moving
                .team("search")
                .iter()
                .all(|h| h.text.contains("Typeahead"))
        );
    }
}
