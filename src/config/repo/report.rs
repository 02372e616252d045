//! Where the problems found in a repository config go: each at the place
//! its key is written in the file, with a fix. Every part of the validation
//! writes to one [`Report`].

use std::collections::HashSet;
use std::ops::Range;

use crate::config::diag::Diagnostic;
use crate::config::schema::Spans;

/// Where problems go: each at the place its key is written in the file.
pub(super) struct Report<'a> {
    pub file: &'a str,
    pub source: &'a str,
    pub spans: &'a Spans,
    /// Paths the schema walk already reported (their values were dropped,
    /// so what is seen here is a default and must not be reported again).
    pub flagged: &'a HashSet<String>,
    pub problems: Vec<Diagnostic>,
}

impl Report<'_> {
    /// A problem with the value of the key at `path`.
    pub fn key(&mut self, path: &str, message: String, help: &str) {
        let span = self.spans.key(path);
        self.push(path, span, message, help);
    }

    /// A problem with a value as a whole: an array entry, or a
    /// `[[table]]` entry (reported at its header).
    pub fn value(&mut self, path: &str, message: String, help: &str) {
        let span = self.spans.value(path).or_else(|| self.spans.key(path));
        self.push(path, span, message, help);
    }

    /// A required key that is not set: reported at its table when the file
    /// has one, or about the whole file.
    pub fn missing(&mut self, path: &str, table: &str, message: String, help: &str) {
        if self.flagged.contains(path) {
            return;
        }
        let d = match self.spans.value(table) {
            Some(span) => Diagnostic::at_span(self.file, self.source, span, message),
            None => Diagnostic::whole_file(self.file, message),
        };
        self.problems.push(d.with_help(help));
    }

    fn push(&mut self, path: &str, span: Option<Range<usize>>, message: String, help: &str) {
        if self.flagged.contains(path) {
            return;
        }
        let d = match span {
            Some(span) => Diagnostic::at_span(self.file, self.source, span, message),
            // Not written in this file: it came from the defaults it builds on.
            None => Diagnostic::whole_file(
                self.file,
                format!("{message} (`{path}`, from the defaults this file builds on)"),
            ),
        };
        self.problems.push(d.with_help(help));
    }
}
