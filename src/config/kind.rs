//! Telling a deployment config from a repository config by what it holds,
//! not by its name: a repository's file saved as `team.toml` is still a
//! repository config. The top-level tables decide.

use toml::de::DeTable;

use super::diag::{Diagnostic, Severity};
use super::schema::{Key, Shape, closest, syntax_error};
use super::{deploy, repo};

/// The two kinds of config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Deployment,
    Repository,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Deployment => "deployment config",
            Kind::Repository => "repository config",
        }
    }
}

/// The top-level tables of each kind, as they are written (`[[teams]]`).
fn tables(keys: &'static [Key]) -> Vec<(&'static str, String)> {
    keys.iter()
        .map(|k| match k.shape {
            Shape::Tables(_) => (k.name, format!("[[{}]]", k.name)),
            _ => (k.name, format!("[{}]", k.name)),
        })
        .collect()
}

/// Which kind `source` is. A file with tables of both kinds is checked as
/// the kind most of them belong to, with a note naming the tables that
/// decided; a tie, or a file with neither, is an error (with the file's
/// syntax errors, if any, since no checker will report them).
pub fn detect(file: &str, source: &str) -> Result<(Kind, Option<Diagnostic>), Vec<Diagnostic>> {
    // Recoverable parsing, so a file with a syntax error is still sorted
    // (and then gets its syntax error reported by the right checker).
    let (doc, errors) = DeTable::parse_recoverable(source);
    let failed = |d: Diagnostic| {
        let mut out: Vec<Diagnostic> = errors
            .iter()
            .map(|e| syntax_error(file, source, e))
            .collect();
        out.push(d);
        out
    };
    let (deployment, repository) = (tables(deploy::KEYS), tables(repo::keys::TOP));
    let keys: Vec<String> = doc
        .get_ref()
        .iter()
        .map(|(k, _)| k.get_ref().to_string())
        .collect();
    let named = |known: &[(&str, String)]| -> Vec<String> {
        known
            .iter()
            .filter(|(name, _)| keys.iter().any(|k| k == name))
            .map(|(_, shown)| shown.clone())
            .collect()
    };
    let (deploy, repo) = (named(&deployment), named(&repository));
    let all = || deployment.iter().chain(&repository);
    let guess = keys
        .iter()
        .find_map(|k| closest(k, all().map(|(name, _)| *name)))
        .and_then(|name| all().find(|(n, _)| *n == name))
        .map(|(_, shown)| format!("did you mean {shown}? "))
        .unwrap_or_default();
    let listed = |known: &[(&str, String)]| {
        known
            .iter()
            .map(|(_, shown)| shown.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let help = format!(
        "{guess}a deployment config has {}; a repository's .github/sprintbot.toml has {}",
        listed(&deployment),
        listed(&repository)
    );
    let decided = |kind: Kind, by: &[String], other: &[String]| {
        let note = (!other.is_empty()).then(|| {
            Diagnostic::whole_file(
                file,
                format!(
                    "checked as a {} because of {}; {} belong{} in the other kind of file",
                    kind.describe(),
                    by.join(", "),
                    other.join(", "),
                    if other.len() == 1 { "s" } else { "" }
                ),
            )
            .with_severity(Severity::Note)
        });
        Ok((kind, note))
    };
    match (deploy.len(), repo.len()) {
        (0, 0) => Err(failed(
            Diagnostic::whole_file(
                file,
                "this file is neither a deployment config nor a repository config: it has none of their tables",
            )
            .with_help(help),
        )),
        (d, r) if d > r => decided(Kind::Deployment, &deploy, &repo),
        (d, r) if r > d => decided(Kind::Repository, &repo, &deploy),
        _ => Err(failed(
            Diagnostic::whole_file(
                file,
                format!(
                    "cannot tell what this file is: {} belong{} in a deployment config, {} in a repository config",
                    deploy.join(", "),
                    if deploy.len() == 1 { "s" } else { "" },
                    repo.join(", ")
                ),
            )
            .with_help(help),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_decide_not_the_name() {
        let kind = |src: &str| detect("team.toml", src).map(|(k, _)| k);
        assert_eq!(kind("[[teams]]\nname = \"a\"\n"), Ok(Kind::Repository));
        assert_eq!(
            kind("[cadence]\nanchor = \"2022-10-03\"\n"),
            Ok(Kind::Repository)
        );
        assert_eq!(kind("[server]\nlisten = \"x\"\n"), Ok(Kind::Deployment));
        assert_eq!(
            kind("[defaults.cadence]\ntimezone = \"UTC\"\n"),
            Ok(Kind::Deployment)
        );
        // A syntax error elsewhere does not hide the tables.
        assert_eq!(kind("[cadence]\nanchor = \n"), Ok(Kind::Repository));
    }

    #[test]
    fn a_mixed_file_names_the_tables_that_decided() {
        let (kind, note) = detect("x.toml", "[server]\n[cadence]\n[[teams]]\n").unwrap();
        assert_eq!(kind, Kind::Repository);
        let note = note.unwrap();
        assert_eq!(note.severity, Severity::Note);
        assert!(
            note.message.contains("[cadence], [[teams]]")
                || note.message.contains("[[teams]], [cadence]"),
            "{note}"
        );
        assert!(note.message.contains("[server]"), "{note}");
    }

    #[test]
    fn a_tie_or_neither_is_an_error() {
        let e = detect("x.toml", "[server]\n[cadence]\n").unwrap_err();
        assert!(e[0].message.starts_with("cannot tell"), "{e:?}");
        let e = detect("x.toml", "[cadense]\nanchor = 1\n").unwrap_err();
        assert!(e[0].message.contains("neither"), "{e:?}");
        let help = e[0].help.as_deref().unwrap();
        assert!(
            help.starts_with("did you mean [cadence]?") && help.contains("[[teams]]"),
            "{help}"
        );
    }

    #[test]
    fn a_file_too_broken_to_sort_shows_its_syntax_errors() {
        let e = detect("x.toml", "[cadence\nanchor = 1\n").unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].line, 1);
        assert!(e[1].message.contains("neither"));
    }
}
