//! Team mapping, one test per shape of the reading reference §4.1, §9 and
//! §10 (invented teams and people).

use super::*;

fn login(s: &str) -> Login {
    Login(s.into())
}

struct Fixture {
    members: Vec<Vec<Login>>,
    aliases: Vec<Vec<String>>,
    names: Vec<&'static str>,
}

impl Fixture {
    fn new(teams: &[(&'static str, &[&str])]) -> Fixture {
        Fixture {
            members: teams
                .iter()
                .map(|(_, m)| m.iter().map(|l| login(l)).collect())
                .collect(),
            aliases: teams.iter().map(|_| Vec::new()).collect(),
            names: teams.iter().map(|(n, _)| *n).collect(),
        }
    }

    fn teams(&self) -> Vec<TeamPeople<'_>> {
        self.names
            .iter()
            .enumerate()
            .map(|(i, n)| TeamPeople {
                name: n,
                slug: n,
                aliases: &self.aliases[i],
                members: &self.members[i],
            })
            .collect()
    }

    fn map(&self, author: &str, body: &str) -> Mapping {
        map_comment(&self.teams(), &login(author), body)
    }
}

fn org() -> Fixture {
    Fixture::new(&[
        ("Search", &["wren", "ikaika"]),
        ("Billing", &["odile", "pax"]),
    ])
}

fn team(index: usize) -> Mapping {
    Mapping::Team {
        index,
        how: How::People,
    }
}

#[test]
fn a_member_s_plan_is_their_team_s_whatever_it_is_called_this_sprint() {
    let f = org();
    for opening in [
        "# Team Search",
        "## Team Search-o-saurus 🦖",
        "🚀 Team Se[Wren]arch 🚀",
        "Team ~Find~ Lookup",
        "Team lookup priorities for this shorter sprint.",
        "# Team Something ",
    ] {
        let body = format!("{opening}\n\n## Plan\n\n- Faster typeahead @wren\n");
        assert_eq!(f.map("ikaika", &body), team(0), "{opening}");
    }
}

#[test]
fn a_poster_who_is_in_no_item_still_maps_by_the_handles_it_names() {
    let f = org();
    let body = "Team Money\n\n### High priority\n\n- Invoice export @pax\n- Tax fix @odile\n";
    assert_eq!(f.map("someone-else", body), team(1));
}

#[test]
fn one_person_posting_for_two_teams_gives_two_teams() {
    let f = Fixture::new(&[
        ("Search", &["wren", "ikaika"]),
        ("Billing", &["wren", "pax"]),
    ]);
    let first = "# Team Search\n\n## Plan\n\n- Ranking tweaks\n";
    let second = "# Team Billing\n\n## Plan\n\n- Refund flow\n";
    assert_eq!(f.map("wren", first), team(0));
    assert_eq!(f.map("wren", second), team(1));
}

#[test]
fn a_member_of_two_teams_with_no_name_hint_is_reported_not_guessed() {
    let f = Fixture::new(&[("Search", &["wren"]), ("Billing", &["wren"])]);
    let Mapping::Unmapped { why } = f.map("wren", "# Team Mystery\n\n## Plan\n\n- Thing\n") else {
        panic!("expected unmapped");
    };
    assert!(why.contains("Team Search or Team Billing"), "{why}");
}

#[test]
fn a_heading_alone_never_maps_a_stranger_s_plan() {
    let f = org();
    let body = "# Team Search\n\n## Plan\n\n- Something @outsider\n";
    assert!(matches!(f.map("outsider", body), Mapping::Unmapped { .. }));
}

#[test]
fn a_team_without_configured_members_is_found_by_its_name() {
    let mut f = Fixture::new(&[("Search", &["wren"]), ("Infra", &[])]);
    f.aliases[1] = vec!["platform".into()];
    let body = "## Team Platform (INFRA)\n\n### High priority\n\n- Upgrade the cluster\n";
    assert_eq!(
        f.map("newcomer", body),
        Mapping::Team {
            index: 1,
            how: How::Name
        }
    );
}

#[test]
fn praise_questions_commands_and_replies_are_not_plans() {
    let f = org();
    for body in [
        "Nice work everyone, what a sprint! 🎉🎉",
        "Should this sprint not end on Friday the 12th?",
        "/goal Ship the exporter @pax why: customers asked",
        "> Should this sprint not end on Friday?\n\nYes, it was moved.",
        "",
        "<!-- only a comment -->",
    ] {
        assert_eq!(f.map("wren", body), Mapping::NotAPlan, "{body:?}");
    }
}

#[test]
fn a_plan_that_opens_with_fill_in_later_is_still_a_plan() {
    let f = org();
    let body = "Team Search - will fill this in later\n\n## Plan\n\n- TBD\n";
    assert_eq!(f.map("wren", body), team(0));
}

#[test]
fn the_untouched_template_under_a_team_name_is_that_team_s_comment() {
    let f = org();
    let body = "## Team Billing\n\n## Retro\n\n- \n\n## Planning\n\n### High priority\n\n-\n";
    assert_eq!(f.map("pax", body), team(1));
}

#[test]
fn a_team_handle_is_not_a_person() {
    let f = org();
    let body = "Team Search\n\n## Plan\n\n- Review with @acme/billing\n";
    assert_eq!(f.map("ikaika", body), team(0));
}
