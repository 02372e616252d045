//! Finding where a key is written in a TOML file, so that a value that parsed
//! but does not make sense (an unknown time zone, a duplicated team) is
//! reported at its line and column.

use crate::config::diag::Diagnostic;

/// Where a value lives: a table (`cadence`), optionally the n-th entry of an
/// array of tables (`teams`, 0-based), and a key in it.
pub(super) struct Place<'a> {
    pub table: &'a str,
    pub index: Option<usize>,
    pub key: &'a str,
}

/// A diagnostic at `place` in `source`, or about the whole file when the key
/// is not written there (it came from the defaults).
pub(super) fn at(
    file: &str,
    source: &str,
    place: Place<'_>,
    message: impl Into<String>,
) -> Diagnostic {
    match offset(source, &place) {
        Some(o) => Diagnostic::at_offset(file, source, o, message),
        None => Diagnostic::whole_file(file, message),
    }
}

fn offset(source: &str, place: &Place<'_>) -> Option<usize> {
    let header = match place.index {
        Some(_) => format!("[[{}]]", place.table),
        None => format!("[{}]", place.table),
    };
    let mut seen = 0;
    let mut in_table = false;
    let mut header_at = None;
    let mut pos = 0;
    for line in source.split_inclusive('\n') {
        let start = pos;
        pos += line.len();
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.starts_with('[') {
            let matches = trimmed.trim_end().split('#').next().unwrap_or("").trim() == header;
            in_table = false;
            if matches {
                let wanted = place.index.is_none_or(|i| i == seen);
                seen += 1;
                if wanted {
                    in_table = true;
                    header_at = Some(start + indent);
                }
            }
            continue;
        }
        if in_table && is_key(trimmed, place.key) {
            return Some(start + indent);
        }
        // Dotted keys at the top level: `cadence.timezone = ...`.
        if place.index.is_none()
            && header_at.is_none()
            && is_key(trimmed, &format!("{}.{}", place.table, place.key))
        {
            return Some(start + indent);
        }
    }
    header_at
}

fn is_key(line: &str, key: &str) -> bool {
    let quoted = format!("\"{key}\"");
    [key, quoted.as_str()].iter().any(|k| {
        line.strip_prefix(k)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_in_their_table_and_array_entry() {
        let src =
            "[cadence]\ntimezone = \"x\"\n\n[[teams]]\nname = \"a\"\n[[teams]]\n  name = \"b\"\n";
        let d = at(
            "f",
            src,
            Place {
                table: "cadence",
                index: None,
                key: "timezone",
            },
            "m",
        );
        assert_eq!((d.line, d.column), (2, 1));
        let d = at(
            "f",
            src,
            Place {
                table: "teams",
                index: Some(1),
                key: "name",
            },
            "m",
        );
        assert_eq!((d.line, d.column), (7, 3));
        let d = at(
            "f",
            src,
            Place {
                table: "teams",
                index: Some(1),
                key: "slug",
            },
            "m",
        );
        assert_eq!((d.line, d.column), (6, 1));
        let d = at(
            "f",
            src,
            Place {
                table: "numbering",
                index: None,
                key: "bump",
            },
            "m",
        );
        assert_eq!(d.line, 0);
    }
}
