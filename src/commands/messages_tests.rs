//! Unit tests of `messages`.
use super::*;

#[test]
fn reply_markers_name_the_comment_they_answer() {
    assert_eq!(replied_to(&help(&reply_marker(42, "c"))), Some(42));
    assert_eq!(replied_to(&reply_marker(7, "eab12cd")), Some(7));
    assert_eq!(replied_to("no marker"), None);
}

#[test]
fn refusal_reply_quotes_each_line_with_its_reason() {
    let text = refusals(
        &reply_marker(42, "c"),
        "tim",
        &[
            Refusal {
                line: "/goal done 9".into(),
                reason: "There is no goal 9: the plan has 2.".into(),
            },
            Refusal {
                line: "/sprint rollover".into(),
                reason: "Only maintainers can do that.".into(),
            },
        ],
    );
    insta::assert_snapshot!(text);
}

#[test]
fn help_lists_every_command_of_the_grammar() {
    let text = help(&reply_marker(7, "c"));
    for c in grammar::COMMANDS {
        assert!(text.contains(c.usage), "{}", c.usage);
    }
    insta::assert_snapshot!(text);
}
