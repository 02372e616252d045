//! Properties of the issue body model over generated documents: reading what
//! was written gives it back, a change to one goal touches no other byte,
//! carry-over counts survive people's edits, and no input makes the parser
//! panic.

mod support;

use proptest::prelude::*;
use sprintbot::sprint::Login;
use sprintbot::sprint::body::{Change, SprintDoc};
use sprintbot::sprint::carry::{GoalId, GoalMark};
use sprintbot::sprint::markers::Section;
use sprintbot::sprint::markers::neutralise;
use sprintbot::sprint::rollover::{self, Previous};
use support::sprint::{fresh_body, posthog_config, settings};

#[derive(Debug, Clone)]
struct GoalModel {
    done: bool,
    title: String,
    owner: Option<String>,
    why: Option<String>,
    status: Option<String>,
}

fn text() -> impl Strategy<Value = String> {
    // Words people type, including markdown, mentions, emoji and marker-ish text.
    let word = prop_oneof![
        "[a-zA-Z0-9]{1,8}",
        Just("<!--".to_string()),
        Just("-->".to_string()),
        Just("<!-- sprintbot:goals:end -->".to_string()),
        Just("[x]".to_string()),
        Just("🟢".to_string()),
        Just("—".to_string()),
        Just("`code`".to_string()),
        Just("#12".to_string()),
    ];
    prop::collection::vec(word, 1..6).prop_map(|w| w.join(" "))
}

fn goal() -> impl Strategy<Value = GoalModel> {
    (
        any::<bool>(),
        text(),
        prop::option::of("[a-z][a-z0-9-]{0,8}"),
        prop::option::of(text()),
        prop::option::of(text()),
    )
        .prop_map(|(done, title, owner, why, status)| GoalModel {
            done,
            title,
            owner,
            why,
            status,
        })
}

fn body_with(goals: &[GoalModel]) -> String {
    let mut body = fresh_body(&posthog_config(), "2022-11-16");
    for (i, g) in goals.iter().enumerate() {
        let doc = SprintDoc::parse(&body).unwrap();
        let add = Change::AddGoal {
            title: format!("G{i} {}", g.title),
            owner: g.owner.clone().map(Login),
            why: g.why.clone(),
        };
        body = doc.apply(&add).unwrap().body;
        if g.done {
            body = SprintDoc::parse(&body)
                .unwrap()
                .apply(&Change::Tick(i + 1))
                .unwrap()
                .body;
        }
        if let Some(s) = &g.status {
            body = SprintDoc::parse(&body)
                .unwrap()
                .apply(&Change::SetStatus(i + 1, s.clone()))
                .unwrap()
                .body;
        }
    }
    body
}

/// Whitespace is folded, and a title's trailing dash is read as the
/// separator people write before an owner (`Ship X - @ann`).
fn normalise(s: &str) -> String {
    let mut words: Vec<&str> = s.split_whitespace().collect();
    while words
        .last()
        .is_some_and(|w| w.chars().all(|c| c == '-' || c == '—'))
    {
        words.pop();
    }
    words.join(" ")
}

/// A why's first dash-only word is read as the separator of `Why? - reason`.
fn normalise_why(s: &str) -> String {
    let n = normalise(s);
    match n.split_once(' ') {
        Some((first, rest)) if first == "-" || first == "—" => rest.to_string(),
        _ if n == "-" || n == "—" => String::new(),
        _ => n,
    }
}

/// `body` with a carry marker at the end of each goal's first line, as a
/// rollover writes it: goal i has rolled `counts[i]` times.
fn with_marks(body: &str, counts: &[u32]) -> (String, Vec<GoalMark>) {
    let marks: Vec<GoalMark> = counts
        .iter()
        .enumerate()
        .map(|(i, &carried)| GoalMark {
            id: GoalId::parse(&format!("a{i:05}")).unwrap(),
            carried,
        })
        .collect();
    let mut out = String::new();
    let mut i = 0;
    for line in body.split_inclusive('\n') {
        if line.starts_with("- [") {
            out.push_str(&format!("{} {}\n", line.trim_end(), marks[i].render()));
            i += 1;
        } else {
            out.push_str(line);
        }
    }
    (out, marks)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn carried_counts_survive_a_hand_edit_of_a_goals_title(
        goals in prop::collection::vec(goal(), 1..5),
        counts in prop::collection::vec(1..9u32, 5),
        pick in any::<prop::sample::Index>(),
        edit in 0..3u8,
        words in "[a-zA-Z0-9 ,.!?()]{1,30}",
    ) {
        let (body, marks) = with_marks(&body_with(&goals), &counts[..goals.len()]);
        let k = pick.index(goals.len());
        let words = words.trim().to_string();
        // People edit goal k's line in GitHub's editor.
        let edited: String = body.split_inclusive('\n').map(|line| {
            if !line.starts_with("- [") || !line[6..].starts_with(&format!("G{k} ")) {
                return line.to_string();
            }
            let (head, tail) = line.split_at(6);
            match edit {
                // Words typed into the title.
                0 => format!("{head}{words} {tail}"),
                // The title retyped: everything before the owner, why and marker.
                1 => {
                    let cut = [" @", " — Why:", " <!-- sprintbot:goal"].iter()
                        .filter_map(|s| tail.find(s)).min().unwrap_or(0);
                    format!("{head}{words}{}", &tail[cut..])
                }
                // A note typed after the hidden marker.
                _ => format!("{} {words}\n", line.trim_end()),
            }
        }).collect();
        let read = SprintDoc::parse(&edited).unwrap().goals().unwrap();
        prop_assert_eq!(read.len(), goals.len());
        for (g, mark) in read.iter().zip(&marks) {
            prop_assert_eq!(g.mark.as_ref(), Some(mark));
            prop_assert!(!g.title.contains("sprintbot:goal "), "{}", g.title);
        }
        // And the next retro counts on from it.
        let repo = posthog_config();
        let next = repo.cadence.sprint_containing("2022-11-30".parse().unwrap());
        let label = repo.numbering.label(next.index).unwrap();
        let prev = Previous { issue: 1, doc: SprintDoc::parse(&edited).unwrap(), team_comments: vec![], earlier: vec![], shipped: None };
        let plan = rollover::plan(Some(&prev), &settings(&repo), &next, &label, vec![]).unwrap();
        let retro = SprintDoc::parse(&plan.body).unwrap().list(Section::RetroGoals).unwrap();
        if !goals[k].done {
            let want = format!("(carried {}×)", counts[k] + 1);
            prop_assert!(retro[k].ends_with(&want), "{} lacks {}", retro[k], want);
        }
    }

    #[test]
    fn reading_a_rendered_plan_gives_back_its_goals(goals in prop::collection::vec(goal(), 0..6)) {
        let body = body_with(&goals);
        let read = SprintDoc::parse(&body).unwrap().goals().unwrap();
        prop_assert_eq!(read.len(), goals.len());
        for (i, (g, r)) in goals.iter().zip(&read).enumerate() {
            prop_assert_eq!(r.number, i + 1);
            prop_assert_eq!(r.done, g.done);
            // People's text comes back as sprintbot wrote it: escaped once
            // (`neutralise`), never restored.
            let shown = |t: &str| neutralise(t);
            prop_assert_eq!(normalise(&r.title), normalise(&shown(&format!("G{i} {}", g.title))));
            prop_assert_eq!(r.owner.as_ref().map(|o| o.0.clone()), g.owner.clone());
            prop_assert_eq!(r.why.as_deref().map(normalise).filter(|w| !w.is_empty()), g.why.as_deref().map(|w| normalise_why(&shown(w))).filter(|w| !w.is_empty()));
            prop_assert_eq!(r.status.as_deref().map(normalise), g.status.as_deref().map(|t| normalise(&shown(t))));
        }
    }

    #[test]
    fn a_change_to_one_goal_touches_no_other_byte(
        goals in prop::collection::vec(goal(), 1..6),
        prose in text(),
        crlf in any::<bool>(),
        pick in any::<prop::sample::Index>(),
        op in 0..6u8,
        arg in text(),
    ) {
        // A human-edited body: prose between goals, and maybe Windows line endings.
        let prose = prose.replace("<!--", "&lt;!--");
        let mut body = body_with(&goals).replacen("- [", &format!("{prose}\n\n- ["), 1);
        body = body.replace("## Global Sprint Planning", &format!("## Global Sprint Planning\n{prose}"));
        if crlf {
            body = body.replace('\n', "\r\n");
        }
        let k = pick.index(goals.len()) + 1;
        let change = match op {
            0 => Change::Tick(k),
            1 => Change::Untick(k),
            2 => Change::Drop(k),
            3 => Change::Edit(k, arg),
            4 => Change::SetOwner(k, Login("someone".into())),
            _ => Change::SetStatus(k, arg),
        };
        let new = SprintDoc::parse(&body).unwrap().apply(&change).unwrap().body;
        // The bytes that differ lie within goal k's item.
        let start = body.find(&format!("] G{} ", k - 1)).unwrap() - 4;
        let end = if k < goals.len() { body.find(&format!("] G{} ", k)).unwrap() - 4 } else { body.find("<!-- sprintbot:goals:end -->").unwrap() };
        let prefix = body.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
        let suffix = body.bytes().rev().zip(new.bytes().rev()).take_while(|(a, b)| a == b).count();
        prop_assert!(prefix >= start || new == body, "changed before goal {}: {} < {}", k, prefix, start);
        prop_assert!(body.len() - suffix.min(body.len() - prefix.min(body.len())) <= end || new == body, "changed after goal {}", k);
        // And every other goal reads the same.
        let before = SprintDoc::parse(&body).unwrap().goals().unwrap();
        let after = SprintDoc::parse(&new).unwrap().goals().unwrap();
        let others_before: Vec<_> = before.iter().filter(|g| g.number != k).map(|g| (&g.title, g.done, &g.owner, &g.status)).collect();
        let others_after: Vec<_> = after.iter().filter(|g| matches!(change, Change::Drop(_)) || g.number != k).map(|g| (&g.title, g.done, &g.owner, &g.status)).collect();
        prop_assert_eq!(others_before, others_after);
    }

    #[test]
    fn no_input_makes_the_parser_panic(s in "(?s).{0,400}", n in 0..5usize, t in ".{0,20}") {
        if let Ok(doc) = SprintDoc::parse(&s) {
            let _ = doc.goals();
            let _ = doc.heroes();
            for change in [Change::Tick(n), Change::Untick(n), Change::Drop(n), Change::Edit(n, t.clone()),
                           Change::SetStatus(n, t.clone()), Change::DropRisk(n), Change::SetLedger(sprintbot::sprint::ledger::Ledger { cursor: n as u64, ..Default::default() }),
                           Change::AddGoal { title: t.clone(), owner: None, why: None }, Change::AddRetro(t.clone())] {
                let _ = doc.apply(&change);
            }
        }
    }

    #[test]
    fn marker_soup_never_panics(parts in prop::collection::vec(prop_oneof![
        Just("<!-- sprintbot:goals:start -->\n"), Just("<!-- sprintbot:goals:end -->\n"),
        Just("<!-- sprintbot:risks:start -->\n"), Just("<!-- sprintbot:risks:end -->\n"),
        Just("<!-- sprintbot:heroes:start -->\n"), Just("<!-- sprintbot:heroes:end -->\n"),
        Just("<!-- sprintbot:sprint id=2022-11-14 version=1.0.0 part=1/2 handled=3 -->\n"),
        Just("- [ ] a @b — Why: c\n"), Just("- [x] d\n"), Just("  - Status: e\n"), Just("1. risk\n"),
        Just("Week 1: @x Week 2: @y\n"), Just("\r\n"), Just("- [ ] no newline"), Just("é"),
    ], 0..30), n in 0..4usize) {
        let s: String = parts.concat();
        if let Ok(doc) = SprintDoc::parse(&s) {
            for change in [Change::Tick(n), Change::Drop(n), Change::Edit(n, "t".into()), Change::SetStatus(n, "s".into()),
                           Change::SetOwner(n, Login("o".into())), Change::SetHero { week: 1, login: Login("h".into()) },
                           Change::AddRisk { text: "r".into(), max: 3 }, Change::DropRisk(n)] {
                if let Ok(applied) = doc.apply(&change) {
                    // A successful change leaves a body that still parses.
                    prop_assert!(SprintDoc::parse(&applied.body).is_ok(), "{:?} broke {:?}", change, s);
                }
            }
        }
    }
}
