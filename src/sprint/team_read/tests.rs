//! One test per shape of the reading reference, in invented words.

use super::*;

fn items(body: &str) -> Vec<ReadItem> {
    read(body, None).items
}

fn plan(body: &str) -> Vec<(String, Option<Fate>)> {
    items(body)
        .into_iter()
        .filter(|i| i.part == Part::Plan)
        .map(|i| (i.text.clone(), i.fate()))
        .collect()
}

#[test]
fn every_bullet_shape_is_one_item() {
    let got = plan("## Plan\n- one\n* two\n+ three\n1. four\n2.five\n- [ ] six\n- [x] seven\n");
    let texts: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        texts,
        ["one", "two", "three", "four", "five", "six", "seven"]
    );
    assert_eq!(got[6].1, Some(Fate::Done));
    assert_eq!(got[5].1, Some(Fate::Carried));
}

#[test]
fn nested_lines_travel_with_their_item_which_counts_once() {
    let got = items(
        "## Plan\n- Rebuild the importer @kim\n  - why: uploads time out\n    * a link\nWhy? big files\n- Next thing\n",
    );
    assert_eq!(got.len(), 2);
    assert_eq!(
        got[0].children,
        [
            "  - why: uploads time out",
            "    * a link",
            "  Why? big files"
        ]
    );
    assert_eq!(got[0].owners, [Login("kim".into())]);
}

#[test]
fn template_placeholders_are_not_items() {
    let body = "Team Owl\n\n## Retro\n\n- \n\n## Hang over items from previous sprint\n\n- Item 1. prioritised/deprioritise\n- None\n\n## Planning\n\n### High priority\n\n-\n\n### Bugs\n\n- TBD\n";
    assert!(items(body).is_empty(), "{:?}", items(body));
}

#[test]
fn an_owner_line_owns_its_nested_items_and_a_team_handle_owns_nothing() {
    let got = items(
        "### High priority\n- @lena\n  - Tidy the cache\n    - why: it leaks\n  - Speed up search\n- Ask @acme/infra about disks\n",
    );
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].text, "Tidy the cache");
    assert_eq!(got[0].owners, [Login("lena".into())]);
    assert_eq!(got[0].children, ["  - why: it leaks"]);
    assert_eq!(got[1].owners, [Login("lena".into())]);
    assert!(got[2].owners.is_empty());
}

#[test]
fn a_person_heading_owns_the_items_below() {
    let got = items("## Plan\n### @omar\n- Write the guide\n**@pia**\n- Review it\n");
    assert_eq!(got[0].owners, [Login("omar".into())]);
    assert_eq!(got[1].owners, [Login("pia".into())]);
}

#[test]
fn items_inside_details_count_and_a_stray_closer_survives() {
    let body = "</details>\n## Plan\n<DETAILS>\n<summary>Plan</summary>\n\n- Hidden item\n</details>\n- After it\n";
    assert_eq!(plan(body).len(), 2);
}

#[test]
fn legends_of_every_shape_govern_the_whole_comment() {
    let item = "## Plan\n- 🟢 Launch the beta\n";
    let finished = format!("{item}\n🟢=finished 🟡=in progress 🔴=won't finish ⚪=not started\n");
    assert_eq!(plan(&finished)[0].1, Some(Fate::Done));
    let on_track =
        format!("✅=finished 🟢=on track to finish this quarter 🟡=might not finish\n{item}");
    assert_eq!(plan(&on_track)[0].1, Some(Fate::Carried));
    let per_line = format!(
        "{item}<details>\n\n⚪ = Not Started\n🟢 = Completed\n🔵 = Abandoned\n</details>\n"
    );
    assert_eq!(plan(&per_line)[0].1, Some(Fate::Done));
    let key = format!(
        "# Retro ✅ 🔴 🟡 🚫\n- x\n{}",
        item.replace("## Plan", "# Plan")
    );
    assert_eq!(
        plan(&key)[0].1,
        Some(Fate::Carried),
        "✅ in the key: 🟢 is not finished"
    );
    let none = items(item);
    assert_eq!((none[0].status, none[0].guessed), (Status::Unknown, true));
    let passed = Legend::find(["🟢=finished"].into_iter());
    assert_eq!(read(item, passed.as_ref()).items[0].status, Status::Done);
}

#[test]
fn certain_marks_and_status_words_count_under_any_legend() {
    let body = "## Plan\n- Ship the export ✅\n- ~~Old idea~~\n- 🚫 Banner\n- Forms - done\n- Search (deprioritised)\n- Widgets — carries over\n- Alerts\n  - Still in progress\n- Mystery\n- 🟡 Halfway\n";
    let got = items(body);
    let s: Vec<(Status, bool)> = got.iter().map(|i| (i.status, i.guessed)).collect();
    use Status::*;
    assert_eq!(
        s,
        [
            (Done, false),
            (Dropped, false),
            (Dropped, false),
            (Done, false),
            (Dropped, false),
            (Open, false),
            (Open, false),
            (Unknown, true),
            (Open, true)
        ]
    );
}

#[test]
fn retro_and_plan_are_told_apart_as_the_reference_says() {
    // P3: a set of priorities pasted into the retro, then this sprint's.
    let pasted = "## Retro\n### High priority\n- Old one ✅\n### Low priority\n- Old two\n## Plan\n### High priority\n- New one\n### Low priority\n- New two\n";
    let parts: Vec<Part> = items(pasted).iter().map(|i| i.part).collect();
    assert_eq!(parts, [Part::Retro, Part::Retro, Part::Plan, Part::Plan]);
    // P4: `# High priority` after `# Retro` is outside it.
    let p4 = "# Retro\n- went fine\n# High priority\n- Build it\n";
    assert_eq!(items(p4)[1].part, Part::Plan);
    // P2: after a retro <details> closes.
    let p2 = "<details><summary>Retro</summary>\n\n### High priority\n- Old\n</details>\n\n### High priority\n- New\n";
    let parts: Vec<Part> = items(p2).iter().map(|i| i.part).collect();
    assert_eq!(parts, [Part::Retro, Part::Plan]);
    // P5: priorities under the goals heading are plan (eras B and C).
    let p5 = "## Retro\n- a note\n## OKR\n1. Grow usage 🟡\n### High priority\n- Build it\n";
    let got = items(p5);
    assert_eq!(
        got.iter().map(|i| i.part).collect::<Vec<_>>(),
        [Part::Retro, Part::Other, Part::Plan]
    );
    // P6: no plan heading, one set right under the template's Retro.
    let p6 = "## OKR\n## Retro\n### High priority\n- Build it\n";
    assert_eq!(items(p6)[0].part, Part::Plan);
}

#[test]
fn a_carried_item_keeps_text_marks_owner_and_nesting_and_pings_nobody() {
    let got = items(
        "## Plan\n- @lena\n  - 🟡 Tidy the cache\n    - why: ask @omar\n- Mystery <!-- sprintbot:guess -->\n",
    );
    let h = got[0].hang_over();
    assert_eq!(h.text, "🟡 Tidy the cache `@lena`");
    assert_eq!(h.children, ["  - why: ask `@omar`"]);
    assert!(!got[1].text.contains("guess") && got[1].guessed);
    assert_eq!(quiet("`@a` and @b"), "`@a` and `@b`");
}

#[test]
fn a_details_block_takes_its_summary_s_role_or_the_heading_above_it() {
    // P1: the summary names the role.
    let named = "## Plan\n- Build it\n<details><summary>Retro - Tasks</summary>\n\n- Old thing ✅\n- Older thing\n</details>\n";
    let parts: Vec<Part> = items(named).iter().map(|i| i.part).collect();
    assert_eq!(parts, [Part::Plan, Part::Retro, Part::Retro]);
    // P1: a summary that is no role word ("Theme: …") takes the role of the
    // heading just above the <details>.
    let theme = "## Retro\n<details><summary>Theme: fewer pages</summary>\n\n- Paging ran quiet\n</details>\n\n## Plan\n<details>\n<summary>Theme: speed</summary>\n\n- Faster search\n</details>\n";
    let got = items(theme);
    assert_eq!(
        got.iter()
            .map(|i| (i.text.as_str(), i.part))
            .collect::<Vec<_>>(),
        [
            ("Paging ran quiet", Part::Retro),
            ("Faster search", Part::Plan)
        ]
    );
}

#[test]
fn a_heading_written_twice_in_a_row_is_one_list() {
    // P7: `### High priority` twice is one list, not a second set (P3).
    let twice = "## Plan\n### High priority\n### High priority\n- First\n- Second\n### Low priority\n- Third\n";
    let got = items(twice);
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|i| i.part == Part::Plan), "{got:?}");
}
