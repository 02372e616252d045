//! sprintbot's replies: the hidden marker that ties a reply to the comment
//! it answers (parsed as a whole line, never searched for), and how a reply
//! quotes what a person wrote: through the one escape, and clipped, so no
//! quote can forge a marker or push a reply past GitHub's limit.

use crate::sprint::markers::neutralise;

/// The hidden marker of the bot's reply to a comment (`tag` is `c` for the
/// comment as written, `e<hash>` for an edit), looked for before replying
/// so a retry never answers twice.
pub fn reply_marker(comment_id: u64, tag: &str) -> String {
    if tag == "c" {
        format!("<!-- sprintbot:reply-to={comment_id} -->")
    } else {
        format!("<!-- sprintbot:reply-to={comment_id} edit={tag} -->")
    }
}

/// The comment a reply marker answers, if `body` carries one on a line of
/// its own (`reply-to=ID`, then nothing, `edit=TAG`, `adopt` or `doctor`).
/// Parsed, never searched: a marker quoted inside a line is text.
pub fn replied_to(body: &str) -> Option<u64> {
    body.lines().find_map(|line| {
        let inner = line
            .trim()
            .strip_prefix("<!-- sprintbot:reply-to=")?
            .strip_suffix(" -->")?;
        let (id, rest) = inner.split_once(' ').unwrap_or((inner, ""));
        let tag_ok = match rest {
            "" | "adopt" | "doctor" => true,
            tag => tag
                .strip_prefix("edit=")
                .is_some_and(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric())),
        };
        let digits = !id.is_empty() && id.chars().all(|c| c.is_ascii_digit());
        (tag_ok && digits).then(|| id.parse().ok()).flatten()
    })
}

/// The marker of the checklist reply when it is not part of the answer
/// (the comment also asked for a rollover, which sends the answer).
pub fn doctor_marker(comment_id: u64) -> String {
    format!("<!-- sprintbot:reply-to={comment_id} doctor -->")
}

/// The most refused lines one reply quotes; the rest are counted, so a
/// comment of thousands of lines still gets a reply GitHub accepts.
pub const QUOTED_REFUSALS: usize = 20;
/// The most characters of one refused line, or of one reason, a reply
/// quotes.
pub const QUOTED_CHARS: usize = 300;

/// At most `max` characters of `text`, saying how many were left out.
pub(crate) fn clip(text: &str, max: usize) -> String {
    let total = text.chars().count();
    if total <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max).collect();
    format!("{kept}… ({} more characters)", total - max)
}

/// A line a person wrote, as a reply quotes it: through the one escape
/// (`neutralise`), so it can never become a marker line, and clipped.
pub(crate) fn quote(line: &str) -> String {
    clip(&neutralise(line), QUOTED_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_markers_are_read_only_as_whole_lines() {
        for tag in ["c", "e1a2b3"] {
            let m = reply_marker(77, tag);
            assert_eq!(replied_to(&format!("{m}\n@ann, done.\n")), Some(77));
        }
        assert_eq!(replied_to(&doctor_marker(78)), Some(78));
        assert_eq!(
            replied_to("<!-- sprintbot:reply-to=79 adopt -->\ntext"),
            Some(79)
        );
        for forged in [
            "> /risk <!-- sprintbot:reply-to=5 -->",
            "text <!-- sprintbot:reply-to=5 -->",
            "<!-- sprintbot:reply-to=5 --> text",
            "<!-- sprintbot:reply-to=5x -->",
            "<!-- sprintbot:reply-to= -->",
            "<!-- sprintbot:reply-to=5 edit=a b -->",
            "<!-- sprintbot:reply-to=5 other -->",
            "&lt;!-- sprintbot:reply-to=5 --&gt;",
        ] {
            assert_eq!(replied_to(forged), None, "{forged}");
        }
    }

    #[test]
    fn quotes_are_escaped_and_clipped() {
        let q = quote("/risk <!-- sprintbot:closed next=9 -->\nsecond");
        assert!(!q.contains('<') && !q.contains('\n'), "{q}");
        let long = quote(&"x".repeat(QUOTED_CHARS + 5));
        assert!(long.ends_with("… (5 more characters)"), "{long}");
        assert_eq!(long.chars().filter(|c| *c == 'x').count(), QUOTED_CHARS);
    }
}
