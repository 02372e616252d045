//! What a template may be before minijinja parses it. Templates come from
//! strangers (a repository config, a pull request from a fork), and
//! minijinja's compiler walks a left-deep chain such as
//! `{{ v|string|string|… }}` or `{{ v.a.a.a… }}` recursively: ten thousand
//! links overflow a thread's stack and abort the whole process, whatever the
//! fuel. So the source is bounded first: its size, and the number of tokens
//! inside any one `{{ … }}` or `{% … %}` tag, which bounds every chain's
//! length. Both limits are far above what a real template needs (the
//! default issue template is about 2 KB, its longest tag 12 tokens).

/// The largest template accepted, in bytes: a template longer than the
/// longest body GitHub accepts cannot be meant.
pub const MAX_TEMPLATE_BYTES: usize = 65_536;

/// The most tokens one tag may hold: names, numbers, strings and operator
/// characters each count one.
pub const MAX_TAG_TOKENS: usize = 256;

/// Why a template was refused before parsing, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverLimit {
    /// 1-based line and column in the template of the tag at fault (the
    /// start of the template when it is too long as a whole).
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Check `source` against the limits; `Ok` says nothing about its syntax,
/// which minijinja checks next.
pub fn check(source: &str) -> Result<(), OverLimit> {
    if source.len() > MAX_TEMPLATE_BYTES {
        return Err(OverLimit {
            line: 1,
            column: 1,
            message: format!(
                "the template is {} bytes long; at most {MAX_TEMPLATE_BYTES} are accepted",
                source.len()
            ),
        });
    }
    let bytes = source.as_bytes();
    let mut i = 0;
    while let Some(offset) = find_opener(&bytes[i..]) {
        let start = i + offset;
        let kind = bytes[start + 1];
        let body = start + 2;
        let (tokens, end) = if kind == b'#' {
            (0, find_close(bytes, body, b'#'))
        } else {
            count_tokens(bytes, body, if kind == b'{' { b'}' } else { b'%' })
        };
        if tokens > MAX_TAG_TOKENS {
            let (line, column) = position(source, start);
            return Err(OverLimit {
                line,
                column,
                message: format!(
                    "a tag at line {line}, column {column} holds more than {MAX_TAG_TOKENS} names, values and operators"
                ),
            });
        }
        match end {
            Some(end) => i = end,
            // An unclosed tag: minijinja reports it as a syntax error.
            None => break,
        }
    }
    Ok(())
}

/// The offset of the next `{{`, `{%` or `{#`.
fn find_opener(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(2)
        .position(|w| w[0] == b'{' && matches!(w[1], b'{' | b'%' | b'#'))
}

/// The offset just past the `X}` that closes a comment, from `from`.
fn find_close(bytes: &[u8], from: usize, x: u8) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(2)
        .position(|w| w[0] == x && w[1] == b'}')
        .map(|p| from + p + 2)
}

/// Count the tokens of a tag whose body starts at `from` and which closes
/// with `close` followed by `}`; strings count one whatever they hold, so
/// a `}}` inside a string does not close the tag. Returns the count (it
/// stops counting just past the limit) and the offset past the tag.
fn count_tokens(bytes: &[u8], from: usize, close: u8) -> (usize, Option<usize>) {
    let mut tokens = 0;
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        if b == close && bytes.get(i + 1) == Some(&b'}') {
            return (tokens, Some(i + 2));
        }
        if b.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        tokens += 1;
        if tokens > MAX_TAG_TOKENS {
            return (tokens, None);
        }
        i = match b {
            b'"' | b'\'' => skip_string(bytes, i + 1, b),
            b if is_word(b) => {
                let mut j = i + 1;
                while j < bytes.len() && is_word(bytes[j]) {
                    j += 1;
                }
                j
            }
            _ => i + 1,
        };
    }
    (tokens, None)
}

/// Letters, digits, `_` and any byte of a multi-byte character.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// The offset past a string literal whose body starts at `from`.
fn skip_string(bytes: &[u8], from: usize, quote: u8) -> usize {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The 1-based line and column (in characters) of byte `offset`.
fn position(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    (line, source[line_start..offset].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_templates_are_far_inside_the_limits() {
        for t in [
            super::super::DEFAULT_TITLE,
            super::super::DEFAULT_ISSUE,
            super::super::DEFAULT_TEAM,
            super::super::DEFAULT_HEALTH,
            super::super::DEFAULT_SHIPPED,
            super::super::DEFAULT_SUMMARY,
            super::super::DEFAULT_REVIEW,
            super::super::DEFAULT_NUDGE_STATUS,
            super::super::DEFAULT_NUDGE_TEAMS,
        ] {
            assert_eq!(check(t), Ok(()), "{t}");
        }
    }

    #[test]
    fn a_long_filter_chain_is_refused_at_its_tag() {
        let chain = "|string".repeat(1_000);
        let source = format!("# Sprint\n\nok {{{{ version }}}} then {{{{ version{chain} }}}}");
        let e = check(&source).unwrap_err();
        assert_eq!((e.line, e.column), (3, 23), "{e:?}");
        assert!(e.message.contains("more than 256"), "{}", e.message);
    }

    #[test]
    fn a_long_attribute_chain_and_a_long_operator_chain_are_refused() {
        let attrs = format!("{{{{ v{} }}}}", ".a".repeat(300));
        assert!(check(&attrs).is_err());
        let sums = format!("{{% set x = 1{} %}}", " + 1".repeat(300));
        assert!(check(&sums).is_err());
        let nots = format!("{{% if {}x %}}{{% endif %}}", "not ".repeat(300));
        assert!(check(&nots).is_err());
    }

    #[test]
    fn strings_and_comments_count_for_nothing_and_do_not_close_a_tag() {
        let long_string = format!("{{{{ \"{}\" ~ version }}}}", "a b c }} ".repeat(500));
        assert_eq!(check(&long_string), Ok(()));
        let comment = format!("{{# {} #}}", "a ".repeat(10_000));
        assert_eq!(check(&comment), Ok(()));
        let escaped = r#"{{ "say \"}}\" twice" }}"#;
        assert_eq!(check(escaped), Ok(()));
    }

    #[test]
    fn a_template_longer_than_any_body_is_refused_whole() {
        let e = check(&"x".repeat(MAX_TEMPLATE_BYTES + 1)).unwrap_err();
        assert_eq!((e.line, e.column), (1, 1));
        assert!(e.message.contains("65536"), "{}", e.message);
    }

    #[test]
    fn an_unclosed_tag_is_left_for_minijinja_to_report() {
        assert_eq!(check("{{ version"), Ok(()));
        assert_eq!(check("{% if x"), Ok(()));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let source = format!("é {{{{ v{} }}}}", ".a".repeat(300));
        assert_eq!(check(&source).unwrap_err().column, 3);
    }
}
