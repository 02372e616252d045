//! Stories of people writing commands in comments, read by the pure parser.

use proptest::prelude::*;
use sprintbot::commands::parse::{Command, parse};
use sprintbot::sprint::Login;

fn one(text: &str) -> Result<Command, String> {
    let lines = parse(text);
    assert_eq!(lines.len(), 1, "{lines:?}");
    lines[0].command.clone().map_err(|e| e.to_string())
}

fn login(s: &str) -> Login {
    Login(s.into())
}

#[test]
fn a_goal_with_owner_and_why_as_people_write_it() {
    assert_eq!(
        one("/goal Ship the data exploration view @mariusandra why: make exploring data easier"),
        Ok(Command::GoalAdd {
            title: "Ship the data exploration view".into(),
            owner: Some(login("mariusandra")),
            why: Some("make exploring data easier".into()),
            link: None,
        })
    );
    assert_eq!(
        one("/goal Refactor onboarding @kappa90 why? current activation metrics are going down."),
        Ok(Command::GoalAdd {
            title: "Refactor onboarding".into(),
            owner: Some(login("kappa90")),
            why: Some("current activation metrics are going down.".into()),
            link: None,
        })
    );
    assert_eq!(
        one("/goal Static playlists @benjackwhite Why - common workflow"),
        Ok(Command::GoalAdd {
            title: "Static playlists".into(),
            owner: Some(login("benjackwhite")),
            why: Some("common workflow".into()),
            link: None,
        })
    );
    assert_eq!(
        one("/goal Just a title"),
        Ok(Command::GoalAdd {
            title: "Just a title".into(),
            owner: None,
            why: None,
            link: None,
        })
    );
    // A subcommand word followed by words is a title.
    assert_eq!(
        one("/goal drop the old database @ann"),
        Ok(Command::GoalAdd {
            title: "drop the old database".into(),
            owner: Some(login("ann")),
            why: None,
            link: None,
        })
    );
}

#[test]
fn goal_subcommands() {
    assert_eq!(one("/goal done 1"), Ok(Command::GoalDone(1)));
    assert_eq!(one("/goal undone #2"), Ok(Command::GoalUndone(2)));
    assert_eq!(one("/goal drop 3"), Ok(Command::GoalDrop(3)));
    assert_eq!(
        one("/goal owner 1 @tiina303"),
        Ok(Command::GoalOwner(1, login("tiina303")))
    );
    assert_eq!(
        one("/goal status 1 🟡 rolled out to 50%"),
        Ok(Command::GoalStatus(1, "🟡 rolled out to 50%".into()))
    );
    assert_eq!(
        one("/goal edit 2 Ship it for real"),
        Ok(Command::GoalEdit(2, "Ship it for real".into()))
    );
    assert_eq!(one("/GOAL Done 4"), Ok(Command::GoalDone(4)));
}

#[test]
fn other_commands() {
    assert_eq!(
        one("/risk Postgres person table growth"),
        Ok(Command::RiskAdd("Postgres person table growth".into()))
    );
    assert_eq!(one("/risk drop 2"), Ok(Command::RiskDrop(2)));
    assert_eq!(
        one("/retro Feels like a fair amount of incidents"),
        Ok(Command::Retro(
            "Feels like a fair amount of incidents".into()
        ))
    );
    assert_eq!(
        one("/hero week2 @neilkakkar"),
        Ok(Command::Hero {
            week: 2,
            login: login("neilkakkar")
        })
    );
    assert_eq!(one("/sprint rollover"), Ok(Command::SprintRollover));
    assert_eq!(one("/sprint help"), Ok(Command::SprintHelp));
    assert_eq!(one("/sprint"), Ok(Command::SprintHelp));
}

#[test]
fn known_commands_used_wrongly_say_what_is_wrong_and_how_to_write_them() {
    let e = one("/goal Ship X @ann @bob").unwrap_err();
    assert!(
        e.contains("exactly one owner") && e.contains("@ann @bob") && e.contains("/goal <title>"),
        "{e}"
    );
    let e = one("/goal done").unwrap_err();
    assert!(
        e.contains("number N is missing") && e.contains("`/goal done N`"),
        "{e}"
    );
    let e = one("/goal done 0").unwrap_err();
    assert!(e.contains("`0` is not an item number"), "{e}");
    assert!(one("/goal owner 1 tiina").unwrap_err().contains("@octocat"));
    assert!(
        one("/goal status 1")
            .unwrap_err()
            .contains("needs some text")
    );
    assert!(one("/goal").unwrap_err().contains("no title"));
    assert!(one("/goal @ann").unwrap_err().contains("no title"));
    assert!(
        one("/hero week3 @x")
            .unwrap_err()
            .contains("week1 or week2")
    );
    assert!(one("/hero week1").unwrap_err().contains("missing"));
    assert!(one("/risk").unwrap_err().contains("needs some text"));
    assert!(
        one("/sprint dance")
            .unwrap_err()
            .contains("not a /sprint command")
    );
}

#[test]
fn a_goal_links_the_issue_or_pull_request_named_at_its_end() {
    use sprintbot::sprint::links::LinkRef;
    let linked = |repo: Option<(&str, &str)>, number| {
        Some(LinkRef {
            repo: repo.map(|(o, n)| (o.to_string(), n.to_string())),
            number,
        })
    };
    let add = |title: &str, owner: Option<&str>, link| {
        Ok(Command::GoalAdd {
            title: title.into(),
            owner: owner.map(login),
            why: None,
            link,
        })
    };
    assert_eq!(
        one("/goal Ship X @ann #123"),
        add("Ship X", Some("ann"), linked(None, 123))
    );
    assert_eq!(
        one("/goal Ship X (#123) @ann"),
        add("Ship X", Some("ann"), linked(None, 123))
    );
    assert_eq!(
        one("/goal Ship X @ann https://github.com/acme/app/pull/45"),
        add("Ship X", Some("ann"), linked(Some(("acme", "app")), 45))
    );
    assert_eq!(
        one("/goal Ship X acme/app#9 why: it matters"),
        Ok(Command::GoalAdd {
            title: "Ship X".into(),
            owner: None,
            why: Some("it matters".into()),
            link: linked(Some(("acme", "app")), 9),
        })
    );
    // A number inside the title is part of it.
    assert_eq!(
        one("/goal Close #12 follow-ups @ann"),
        add("Close #12 follow-ups", Some("ann"), None)
    );
    let e = one("/goal Ship X #1 #2 @ann").unwrap_err();
    assert!(
        e.contains("links one issue or pull request, and this one names #1 #2"),
        "{e}"
    );
    assert!(one("/goal #5 @ann").unwrap_err().contains("no title"));
    // `/goal edit` writes a trailing link the canonical way.
    assert_eq!(
        one("/goal edit 2 Ship Y #7"),
        Ok(Command::GoalEdit(2, "Ship Y (#7)".into()))
    );
    assert_eq!(
        one("/goal edit 2 #7"),
        Ok(Command::GoalEdit(2, "(#7)".into()))
    );
    assert_eq!(
        one("/goal edit 2 Ship acme/x#7"),
        Ok(Command::GoalEdit(2, "Ship acme/x#7".into()))
    );
}

#[test]
fn commands_in_code_quotes_and_html_are_not_run_and_unknown_words_are_left_alone() {
    let comment = "I think we should:\n\n```\n/goal Not me\n```\n\n    /goal Not me either\n\n> /goal Quoted, not run\n\n<!--\n/goal hidden\n-->\n/shrug\nsee /goal in the docs\n/goal Run me @ann\n";
    let lines = parse(comment);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].number, 16);
    assert_eq!(
        lines[0].command,
        Ok(Command::GoalAdd {
            title: "Run me".into(),
            owner: Some(login("ann")),
            why: None,
            link: None,
        })
    );
}

#[test]
fn several_commands_in_one_comment_come_in_order() {
    let lines = parse("/goal A @ann\r\n/risk B\r\n/goal done 1\r\n");
    let cmds: Vec<_> = lines.iter().map(|l| l.command.clone().unwrap()).collect();
    assert_eq!(
        cmds,
        vec![
            Command::GoalAdd {
                title: "A".into(),
                owner: Some(login("ann")),
                why: None,
                link: None,
            },
            Command::RiskAdd("B".into()),
            Command::GoalDone(1),
        ]
    );
    assert_eq!(lines[1].text, "/risk B");
}

proptest! {
    #[test]
    fn the_parser_never_panics(s in "(?s).{0,300}") {
        let _ = parse(&s);
    }

    #[test]
    fn command_soup_never_panics(parts in prop::collection::vec(prop_oneof![
        Just("/goal "), Just("/risk "), Just("/hero "), Just("/sprint "), Just("done "), Just("drop "), Just("owner "),
        Just("1 "), Just("@a "), Just("why: "), Just("Why - "), Just("\n"), Just("```\n"), Just("> "), Just("é"), Just("<!-- "), Just("-->"),
    ], 0..40)) {
        let _ = parse(&parts.concat());
    }
}
