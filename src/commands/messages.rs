//! Every message the bot writes about commands, one function each.

use super::grammar;

/// The hidden marker of the bot's reply to a comment, searched for before
/// replying so a retry never answers twice.
pub fn reply_marker(comment_id: u64) -> String {
    format!("<!-- sprintbot:reply-to={comment_id} -->")
}

/// One refused command line: what was written, why, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub line: String,
    pub reason: String,
}

/// The one reply to a comment with refused commands.
pub fn refusals(comment_id: u64, author: &str, refused: &[Refusal]) -> String {
    let mut s = format!("{}\n@{author}, ", reply_marker(comment_id));
    s.push_str(if refused.len() == 1 {
        "I could not run this command:\n"
    } else {
        "I could not run these commands:\n"
    });
    for r in refused {
        s.push_str(&format!("\n> {}\n\n{}\n", r.line.trim(), r.reason));
    }
    s.push_str(
        "\nAny other commands in your comment were applied. `/sprint help` lists every command.\n",
    );
    s
}

/// The reply to `/sprint help`.
pub fn help(comment_id: u64) -> String {
    format!("{}\n{}", reply_marker(comment_id), grammar::help())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_reply_quotes_each_line_with_its_reason() {
        let text = refusals(
            42,
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
        let text = help(7);
        for c in grammar::COMMANDS {
            assert!(text.contains(c.usage), "{}", c.usage);
        }
        insta::assert_snapshot!(text);
    }
}
