//! Properties of reading a team comment as people write it: every plan
//! item is carried, done or dropped exactly once, no retro line is
//! carried, and the carried list read back gives the same items.

use proptest::prelude::*;
use sprintbot::sprint::team_read::{Fate, Part, read};

/// (bullet, status mark, owner, nested why)
type Shape = (usize, usize, Option<usize>, bool);

fn comment(retro: &[Shape], plan: &[Shape]) -> (String, Vec<(String, Fate)>) {
    let bullets = ["- ", "* ", "+ ", "1. ", "- [ ] "];
    let marks = [
        ("", Fate::Carried),
        (" ✅", Fate::Done),
        (" 🟡", Fate::Carried),
        (" - carries over", Fate::Carried),
        (" (deprioritised)", Fate::Dropped),
    ];
    let people = ["ana", "bo", "chen"];
    let mut body = "Team Owl\n🟢=finished 🟡=in progress\n\n## Retro\n\n".to_string();
    let mut expected = Vec::new();
    for (section, list) in [("retro", retro), ("plan", plan)] {
        if section == "plan" {
            body.push_str("## Plan\n\n### High priority\n\n");
        }
        for (n, (b, m, o, why)) in list.iter().enumerate() {
            let text = format!("{section} task {n}");
            let owner = o
                .map(|o| format!(" @{}", people[o % 3]))
                .unwrap_or_default();
            body.push_str(&format!(
                "{}{text}{owner}{}\n",
                bullets[b % 5],
                marks[m % 5].0
            ));
            if *why {
                body.push_str("  - why: it matters\n");
            }
            if section == "plan" {
                expected.push((text, marks[m % 5].1));
            }
        }
    }
    (body, expected)
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        0..5usize,
        0..5usize,
        prop::option::of(0..3usize),
        any::<bool>(),
    )
}

proptest! {
    #[test]
    fn every_plan_item_has_one_fate_and_carried_ones_read_back_the_same(
        retro in prop::collection::vec(shape(), 0..5),
        plan in prop::collection::vec(shape(), 0..6),
    ) {
        let (body, expected) = comment(&retro, &plan);
        let r = read(&body, None);
        let fates: Vec<(String, Fate)> = r.items.iter().filter_map(|i| {
            let f = i.fate()?;
            let title = i.text.split(" @").next().unwrap().split(" ✅").next().unwrap()
                .split(" 🟡").next().unwrap().split(" - ").next().unwrap().split(" (").next().unwrap().to_string();
            Some((title, f))
        }).collect();
        prop_assert_eq!(&fates, &expected, "{}", body);
        prop_assert!(r.items.iter().filter(|i| i.part == Part::Retro).all(|i| i.fate().is_none()));
        let carried: Vec<_> = r.items.iter().filter(|i| i.fate() == Some(Fate::Carried)).collect();
        let mut again = "## Hang over items from previous sprint\n\n".to_string();
        for (n, i) in carried.iter().enumerate() {
            // Linked back to the comment it came from, as a rollover writes it.
            let mut h = i.hang_over();
            h.from = Some(format!("https://github.com/acme/app/issues/3#issuecomment-{n}"));
            again.push_str(&format!("- [ ] {}\n", h.rendered()));
        }
        let back = read(&again, r.legend.as_ref());
        prop_assert_eq!(back.items.len(), carried.len());
        for (a, b) in carried.iter().zip(&back.items) {
            prop_assert_eq!(&a.owners, &b.owners);
            prop_assert_eq!((a.status, a.guessed), (b.status, b.guessed));
            prop_assert_eq!(&a.children, &b.children);
            prop_assert!(!b.text.contains("retro task"));
            // Carried once more, the old link is taken off, never doubled.
            prop_assert_eq!(a.hang_over().text, b.hang_over().text);
            prop_assert_eq!(b.text.matches("issuecomment-").count(), 1);
        }
    }
}
