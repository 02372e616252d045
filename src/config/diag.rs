//! Config diagnostics: one problem in one file, located by line and column,
//! with a hint on how to fix it. Both config loaders report through this type
//! so `check-config`, the server log and the `sprintbot: configuration error`
//! issue all say the same thing.

use std::fmt;
use std::ops::Range;

/// How much a diagnostic matters: only errors make a file invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Severity {
    /// The file cannot be used as it is.
    #[default]
    Error,
    /// The file works, but probably not as its author expects.
    Warning,
    /// Something worth knowing about a valid file.
    Note,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        })
    }
}

/// One problem found in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Whether it makes the file invalid (errors) or is advice (warnings, notes).
    pub severity: Severity,
    /// The file as the user named it (a path, or `owner/repo:.github/sprintbot.toml`).
    pub file: String,
    /// 1-based line; 0 when the problem is about the file as a whole.
    pub line: usize,
    /// 1-based column in characters; 0 when the problem is about the file as a whole.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when we can say.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A problem at a byte offset of `source`.
    pub fn at_offset(file: &str, source: &str, offset: usize, message: impl Into<String>) -> Self {
        let (line, column) = line_column(source, offset);
        Diagnostic {
            severity: Severity::Error,
            file: file.to_string(),
            line,
            column,
            message: message.into(),
            help: None,
        }
    }

    /// A problem with the file as a whole (no position).
    pub fn whole_file(file: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_string(),
            line: 0,
            column: 0,
            message: message.into(),
            help: None,
        }
    }

    /// Turn a `toml` parse or deserialisation error into a located diagnostic.
    pub fn from_toml(file: &str, source: &str, err: &toml::de::Error) -> Self {
        let message = err.message().trim().to_string();
        match err.span() {
            Some(span) => Diagnostic::at_offset(file, source, span.start, message),
            None => Diagnostic::whole_file(file, message),
        }
    }

    /// A problem at the start of a byte span of `source` (as `toml::Spanned` gives).
    pub fn at_span(
        file: &str,
        source: &str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic::at_offset(file, source, span.start, message)
    }

    /// Attach a hint on how to fix the problem.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same diagnostic with another severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Order diagnostics as a reader meets them: by position in the file, those
/// about the whole file last.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by_key(|d| (d.line == 0, d.line, d.column));
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.column, self.message
            )?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of a byte offset; offsets past the
/// end, or inside a multi-byte character, point at the nearest position before.
pub fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = source[line_start..offset].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let src = "a = 1\nbé = 2\n";
        assert_eq!(line_column(src, 0), (1, 1));
        assert_eq!(line_column(src, 6), (2, 1));
        assert_eq!(line_column(src, 9), (2, 3));
        assert_eq!(line_column(src, 999), (3, 1));
    }

    #[test]
    fn toml_errors_are_located() {
        let src = "[server]\nlisten = \n";
        let err = toml::from_str::<toml::Table>(src).unwrap_err();
        let d = Diagnostic::from_toml("x.toml", src, &err);
        assert_eq!(d.line, 2);
        assert!(d.to_string().starts_with("x.toml:2:"), "{d}");
    }
}
