use super::*;

#[test]
fn every_kind_parses_back_from_its_name_in_its_place() {
    for k in Kind::ALL {
        for p in k.places() {
            assert_eq!(Kind::parse(k.name(), *p), Some(k), "{k:?} in {p:?}");
        }
    }
    assert_eq!(Kind::parse("retro", Place::Team), Some(Kind::TeamRetro));
    assert_eq!(Kind::parse("plan", Place::Body), None);
    assert_eq!(Kind::parse("goals", Place::Team), None);
}

#[test]
fn presets_parse_back_and_only_2022_keeps_the_built_in_templates() {
    for p in Preset::ALL {
        assert_eq!(Preset::parse(p.name()), Some(p));
        let l = p.layout();
        assert_eq!(l.generated_body, p != Preset::Y2022);
        assert_eq!(l.generated_team, p != Preset::Y2022);
    }
    assert_eq!(Layout::default().preset, Preset::Y2022);
}

#[test]
fn what_each_era_holds() {
    let has = |p: Preset, k| p.layout().body_has(k);
    assert!(has(Preset::Y2022, Kind::Goals) && has(Preset::Y2022, Kind::RetroGoals));
    assert!(!has(Preset::Y2023, Kind::Goals) && has(Preset::Y2023, Kind::Heroes));
    assert!(has(Preset::Y2024, Kind::Link) && !has(Preset::Y2024, Kind::Heroes));
    assert!(has(Preset::Y2026, Kind::Notes) && !has(Preset::Y2026, Kind::Risks));
    let l = Preset::Y2026.layout();
    assert!(l.holds(Section::Notes) && !l.holds(Section::Goals) && !l.holds(Section::Off));
    assert!(Preset::Y2023.layout().holds(Section::Off));
    assert_eq!(
        Preset::Y2022.layout().required_sections(),
        vec![
            Section::Risks,
            Section::RetroGoals,
            Section::Retro,
            Section::Heroes,
            Section::Goals
        ]
    );
}

#[test]
fn config_text_cannot_open_a_tag_or_write_a_marker() {
    let mut l = Preset::Y2026.layout();
    l.body.push(
        Decl::new(Kind::Text, 2, "{{ metadata }} {% raw %}")
            .text("<!-- sprintbot:goals:start -->\n{#"),
    );
    let t = issue_template(&l);
    assert!(
        t.contains("{{ \"{\" }}{{ \"{\" }} metadata }} {{ \"{\" }}% raw %}"),
        "{t}"
    );
    assert!(t.contains("&lt;!-- sprintbot:goals:start -->"), "{t}");
}
