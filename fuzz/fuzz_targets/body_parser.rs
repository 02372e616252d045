//! Fuzz the sprint issue body parser: any text people (or GitHub) could put
//! in an issue body must parse or be refused without a panic, and a change
//! that succeeds must leave a body that still parses.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sprintbot::sprint::Login;
use sprintbot::sprint::body::{Change, SprintDoc};
use sprintbot::sprint::markers::Section;
use sprintbot::sprint::team::TeamDoc;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = TeamDoc::parse(text).map(|t| t.hang_overs());
    let Ok(doc) = SprintDoc::parse(text) else { return };
    let _ = doc.goals();
    let _ = doc.heroes();
    for s in Section::ALL {
        let _ = doc.list(s);
    }
    let n = data.len() % 5;
    let changes = [
        Change::AddGoal { title: "t <!-- x".into(), owner: Some(Login("o".into())), why: Some("w".into()) },
        Change::Tick(n),
        Change::Untick(n),
        Change::Drop(n),
        Change::Edit(n, "e".into()),
        Change::SetOwner(n, Login("p".into())),
        Change::SetStatus(n, "🟢 s".into()),
        Change::AddRisk { text: "r".into(), max: 3 },
        Change::DropRisk(n),
        Change::AddRetro("b".into()),
        Change::SetHero { week: (n % 3) as u8, login: Login("h".into()) },
        Change::SetHandled(n as u64),
    ];
    for change in &changes {
        if let Ok(applied) = doc.apply(change) {
            assert!(SprintDoc::parse(&applied.body).is_ok(), "{change:?} damaged a body");
        }
    }
});
