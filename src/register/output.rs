//! Where `sprintbot register` writes the App's credentials: an env file and
//! the private key beside it, both readable by their owner only. Both are
//! checked before the flow starts, so a GitHub App is never created whose
//! secrets cannot be kept.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::RegisterError;
use super::convert::NewApp;

/// The two files, checked and ready to be written.
#[derive(Debug, Clone)]
pub struct Output {
    pub env_file: PathBuf,
    pub key_file: PathBuf,
    replace: bool,
}

/// `sprintbot.env` → `sprintbot.private-key.pem`, in the same folder.
fn key_file_for(env_file: &Path) -> PathBuf {
    let stem = env_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "sprintbot".into());
    env_file.with_file_name(format!("{stem}.private-key.pem"))
}

/// Check that both files can be written (and, unless `replace`, that
/// neither exists), by creating and removing a file in their folder.
pub fn prepare(env_file: &Path, replace: bool) -> Result<Output, RegisterError> {
    let unwritable = |path: &Path, reason: String| RegisterError::Output {
        path: path.display().to_string(),
        reason,
    };
    let dir = match env_file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = std::fs::canonicalize(&dir).map_err(|e| unwritable(&dir, e.to_string()))?;
    let name = env_file
        .file_name()
        .ok_or_else(|| unwritable(env_file, "it names no file".into()))?;
    let env_file = dir.join(name);
    let key_file = key_file_for(&env_file);
    for path in [&env_file, &key_file] {
        if path.is_dir() {
            return Err(unwritable(path, "it is a folder".into()));
        }
        if !replace && path.exists() {
            return Err(RegisterError::Exists(path.display().to_string()));
        }
    }
    let probe = temp_path(&dir);
    write_private(&probe, b"").map_err(|e| unwritable(&env_file, e.to_string()))?;
    let _ = std::fs::remove_file(&probe);
    Ok(Output {
        env_file,
        key_file,
        replace,
    })
}

fn temp_path(dir: &Path) -> PathBuf {
    dir.join(format!(
        ".sprintbot-register-{:016x}.tmp",
        rand::random::<u64>()
    ))
}

/// Create `path` afresh, readable and writable by its owner only.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Write `bytes` to `target` through a fresh 0600 file renamed over it, so
/// an existing file's looser mode is never kept and a crash leaves no half
/// file.
fn replace_with(target: &Path, bytes: &[u8], replace: bool) -> Result<(), RegisterError> {
    let failed = |e: std::io::Error| RegisterError::Output {
        path: target.display().to_string(),
        reason: e.to_string(),
    };
    if !replace && target.exists() {
        return Err(RegisterError::Exists(target.display().to_string()));
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let temp = temp_path(dir);
    write_private(&temp, bytes).map_err(failed)?;
    std::fs::rename(&temp, target).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        failed(e)
    })
}

/// The env file's text.
pub fn env_text(app: &NewApp, key_file: &Path, api_url: &str) -> String {
    let mut out = format!(
        "# Written by `sprintbot register` for the GitHub App \"{}\" ({}).\n# Keep this file and the key beside it secret.\nGITHUB_APP_ID={}\nGITHUB_APP_PRIVATE_KEY_PATH={}\n",
        app.name,
        app.html_url,
        app.id,
        key_file.display()
    );
    match &app.webhook_secret {
        Some(secret) => out.push_str(&format!("GITHUB_WEBHOOK_SECRET={}\n", secret.expose())),
        None => out.push_str("# GitHub gave no webhook secret: set one in the App's settings.\n# GITHUB_WEBHOOK_SECRET=\n"),
    }
    if api_url.trim_end_matches('/') != "https://api.github.com" {
        out.push_str(&format!(
            "GITHUB_API_URL={}\n",
            api_url.trim_end_matches('/')
        ));
    }
    out
}

impl Output {
    /// Write the key, then the env file that points at it.
    pub fn write(&self, app: &NewApp, api_url: &str) -> Result<(), RegisterError> {
        let mut pem = app.pem.expose().to_string();
        if !pem.ends_with('\n') {
            pem.push('\n');
        }
        replace_with(&self.key_file, pem.as_bytes(), self.replace)?;
        let env = env_text(app, &self.key_file, api_url);
        replace_with(&self.env_file, env.as_bytes(), self.replace)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::deploy::Secret;

    fn app() -> NewApp {
        NewApp {
            id: 7,
            slug: "sb".into(),
            name: "sb".into(),
            html_url: "https://github.com/apps/sb".into(),
            // What is written is not checked here, only where and how.
            pem: Secret::new("the App's key, as GitHub sent it"),
            webhook_secret: Some(Secret::new("whsec")),
        }
    }

    #[cfg(unix)]
    fn mode(p: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn both_files_are_written_for_their_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let out = prepare(&dir.path().join("bot.env"), false).unwrap();
        assert_eq!(out.key_file.file_name().unwrap(), "bot.private-key.pem");
        out.write(&app(), "https://api.github.com").unwrap();
        let env = std::fs::read_to_string(&out.env_file).unwrap();
        assert!(env.contains("GITHUB_APP_ID=7\n"), "{env}");
        assert!(env.contains(&format!(
            "GITHUB_APP_PRIVATE_KEY_PATH={}\n",
            out.key_file.display()
        )));
        assert!(env.contains("GITHUB_WEBHOOK_SECRET=whsec\n"));
        assert!(!env.contains("GITHUB_API_URL"));
        #[cfg(unix)]
        assert_eq!((mode(&out.env_file), mode(&out.key_file)), (0o600, 0o600));
        // Nothing else is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn existing_files_are_kept_unless_replacing() {
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join("bot.env");
        std::fs::write(&env, "old").unwrap();
        assert!(matches!(
            prepare(&env, false),
            Err(RegisterError::Exists(_))
        ));
        let out = prepare(&env, true).unwrap();
        out.write(&app(), "https://ghe.acme.dev/api/v3").unwrap();
        let text = std::fs::read_to_string(&env).unwrap();
        assert!(text.contains("GITHUB_API_URL=https://ghe.acme.dev/api/v3"));
        #[cfg(unix)]
        assert_eq!(mode(&env), 0o600);
    }

    #[test]
    fn a_missing_folder_is_refused_before_anything_happens() {
        let err = prepare(Path::new("/nonexistent/folder/bot.env"), false).unwrap_err();
        assert!(matches!(err, RegisterError::Output { .. }), "{err}");
    }
}
