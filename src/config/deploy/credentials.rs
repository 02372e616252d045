//! The GitHub App's credentials from the environment: `GITHUB_APP_ID` and
//! exactly one of `GITHUB_APP_PRIVATE_KEY` (the PEM text) or
//! `GITHUB_APP_PRIVATE_KEY_PATH` (a file). Only `serve` needs them, so only
//! `serve` reads them; every half-set combination gets its own message
//! naming the variable to fix.

use super::Secret;

/// The App's id and key, and where the key came from (for messages).
#[derive(Debug, Clone)]
pub struct AppSecrets {
    pub app_id: u64,
    pub private_key: Secret,
    pub key_from: KeySource,
}

/// Which variable supplied the private key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `GITHUB_APP_PRIVATE_KEY`.
    Inline,
    /// `GITHUB_APP_PRIVATE_KEY_PATH`, naming this file.
    Path(String),
}

impl KeySource {
    /// The variable to fix, as a user would write it in a message.
    pub fn describe(&self) -> String {
        match self {
            KeySource::Inline => "GITHUB_APP_PRIVATE_KEY".into(),
            KeySource::Path(p) => format!("GITHUB_APP_PRIVATE_KEY_PATH ({p})"),
        }
    }
}

const KEY_HELP: &str = "set GITHUB_APP_PRIVATE_KEY_PATH to the .pem file GitHub downloaded when you generated the App's private key (or GITHUB_APP_PRIVATE_KEY to its text)";
const ID_HELP: &str = "set GITHUB_APP_ID to the App ID shown at the top of the App's settings page (Settings → Developer settings → GitHub Apps → your App)";

/// A half-set or unusable combination of App credentials.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error("GITHUB_APP_ID is set but no private key is\n  help: {KEY_HELP}")]
    IdWithoutKey,
    #[error("{var} is set but GITHUB_APP_ID is not\n  help: {ID_HELP}")]
    KeyWithoutId { var: &'static str },
    #[error(
        "both GITHUB_APP_PRIVATE_KEY and GITHUB_APP_PRIVATE_KEY_PATH are set, so it is unclear which key to use\n  help: unset one of them (a mounted file with GITHUB_APP_PRIVATE_KEY_PATH keeps the key out of the environment)"
    )]
    BothKeys,
    #[error("GITHUB_APP_ID must be a positive number, got `{0}`\n  help: {ID_HELP}")]
    BadId(String),
    #[error(
        "GITHUB_APP_PRIVATE_KEY_PATH names {path}, which cannot be read: {source}\n  help: check the path and that this user may read the file (mounted secrets are often readable by root only)"
    )]
    Unreadable {
        path: String,
        source: std::io::Error,
    },
    #[error("{0} is empty\n  help: {KEY_HELP}")]
    EmptyKey(String),
}

/// Read the App credentials via `var`: `None` when none of the three
/// variables is set (webhooks are then only stored).
pub fn read(var: impl Fn(&str) -> Option<String>) -> Result<Option<AppSecrets>, CredentialsError> {
    let set = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    let id = set("GITHUB_APP_ID");
    let inline = set("GITHUB_APP_PRIVATE_KEY");
    let path = set("GITHUB_APP_PRIVATE_KEY_PATH");
    let key = match (inline, path) {
        (Some(_), Some(_)) => return Err(CredentialsError::BothKeys),
        (Some(pem), None) => Some((Secret::new(pem), KeySource::Inline)),
        (None, Some(path)) => {
            let text =
                std::fs::read_to_string(&path).map_err(|source| CredentialsError::Unreadable {
                    path: path.clone(),
                    source,
                })?;
            if text.trim().is_empty() {
                return Err(CredentialsError::EmptyKey(KeySource::Path(path).describe()));
            }
            Some((Secret::new(text), KeySource::Path(path)))
        }
        (None, None) => None,
    };
    let (id, (private_key, key_from)) = match (id, key) {
        (None, None) => return Ok(None),
        (Some(_), None) => return Err(CredentialsError::IdWithoutKey),
        (None, Some((_, from))) => {
            return Err(CredentialsError::KeyWithoutId {
                var: match from {
                    KeySource::Inline => "GITHUB_APP_PRIVATE_KEY",
                    KeySource::Path(_) => "GITHUB_APP_PRIVATE_KEY_PATH",
                },
            });
        }
        (Some(id), Some(key)) => (id, key),
    };
    let app_id = id
        .trim()
        .parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(CredentialsError::BadId(id))?;
    Ok(Some(AppSecrets {
        app_id,
        private_key,
        key_from,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_with(vars: &[(&str, &str)]) -> Result<Option<AppSecrets>, CredentialsError> {
        read(|k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn nothing_set_is_no_app_and_a_full_set_is_read() {
        assert!(read_with(&[]).unwrap().is_none());
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("app.pem");
        std::fs::write(&key, "PEM").unwrap();
        let path = key.display().to_string();
        let s = read_with(&[
            ("GITHUB_APP_ID", " 42 "),
            ("GITHUB_APP_PRIVATE_KEY_PATH", &path),
        ])
        .unwrap()
        .unwrap();
        assert_eq!((s.app_id, s.private_key.expose()), (42, "PEM"));
        assert_eq!(s.key_from, KeySource::Path(path));
    }

    #[test]
    fn every_half_set_combination_names_what_to_fix() {
        let msg = |vars: &[(&str, &str)]| read_with(vars).unwrap_err().to_string();
        assert!(
            msg(&[("GITHUB_APP_ID", "42")]).starts_with("GITHUB_APP_ID is set but no private key")
        );
        assert!(
            msg(&[("GITHUB_APP_PRIVATE_KEY_PATH", "/etc/hostname")])
                .starts_with("GITHUB_APP_PRIVATE_KEY_PATH is set but GITHUB_APP_ID is not")
        );
        assert!(
            msg(&[("GITHUB_APP_PRIVATE_KEY", "PEM")])
                .starts_with("GITHUB_APP_PRIVATE_KEY is set but GITHUB_APP_ID is not")
        );
        assert!(
            msg(&[
                ("GITHUB_APP_ID", "42"),
                ("GITHUB_APP_PRIVATE_KEY", "PEM"),
                ("GITHUB_APP_PRIVATE_KEY_PATH", "/x")
            ])
            .starts_with("both GITHUB_APP_PRIVATE_KEY and GITHUB_APP_PRIVATE_KEY_PATH")
        );
        let unreadable = msg(&[
            ("GITHUB_APP_ID", "42"),
            ("GITHUB_APP_PRIVATE_KEY_PATH", "/nonexistent/app.pem"),
        ]);
        assert!(
            unreadable.starts_with("GITHUB_APP_PRIVATE_KEY_PATH names /nonexistent/app.pem"),
            "{unreadable}"
        );
        assert!(
            msg(&[("GITHUB_APP_ID", "abc"), ("GITHUB_APP_PRIVATE_KEY", "PEM")])
                .starts_with("GITHUB_APP_ID must be a positive number, got `abc`")
        );
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "\n").unwrap();
        let empty = empty.display().to_string();
        assert!(
            msg(&[
                ("GITHUB_APP_ID", "42"),
                ("GITHUB_APP_PRIVATE_KEY_PATH", &empty)
            ])
            .starts_with(&format!("GITHUB_APP_PRIVATE_KEY_PATH ({empty}) is empty"))
        );
    }
}
