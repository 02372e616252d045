//! The two names everything in `sprint` is keyed by: a sprint's identity
//! (the date it starts on) and a GitHub login.

use std::fmt;

/// A sprint's identity: the date it starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SprintId(pub jiff::civil::Date);

impl fmt::Display for SprintId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A GitHub login, without the `@`.
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Login(pub String);

impl Login {
    /// Parse `@name` or `name`; GitHub logins are alphanumerics and single
    /// hyphens (we also accept `[bot]` suffixes), at most 39 characters.
    pub fn parse(s: &str) -> Option<Login> {
        let s = s.strip_prefix('@').unwrap_or(s);
        let core = s.strip_suffix("[bot]").unwrap_or(s);
        let valid = !core.is_empty()
            && core.len() <= 39
            && core
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !core.starts_with('-');
        valid.then(|| Login(s.to_string()))
    }
}

impl fmt::Display for Login {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
