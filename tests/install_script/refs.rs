//! Installing by a ref that is not a release tag: `uses: OWNER/sprintbot@v1`
//! runs the action at the floating tag `v1`, and the binary to fetch is the
//! release tagged on that same commit, found with `git ls-remote` on a git
//! repository made here.

use std::path::Path;
use std::process::Command;

use super::{Releases, run_installed};

/// A git repository whose history is: v1.0.0 (annotated), then a commit
/// tagged v1.1.0 (annotated) and v1.1.0-rc.1, with the floating `v1` moved
/// onto it (lightweight, as the release workflow moves it); then `main` one
/// commit further, unreleased.
fn history(dir: &Path) -> String {
    let repo = dir.join("sprintbot.git");
    std::fs::create_dir_all(&repo).unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(["-c", "init.defaultBranch=main", "-c", "tag.gpgSign=false"])
            .args(["-c", "commit.gpgSign=false"])
            .args(args)
            .current_dir(&repo)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    git(&["init", "--quiet"]);
    git(&["commit", "--quiet", "--allow-empty", "-m", "first"]);
    git(&["tag", "-a", "v1.0.0", "-m", "v1.0.0"]);
    git(&["commit", "--quiet", "--allow-empty", "-m", "second"]);
    git(&["tag", "-a", "v1.1.0-rc.1", "-m", "rc"]);
    git(&["tag", "-a", "v1.1.0", "-m", "v1.1.0"]);
    git(&["tag", "v1"]);
    let released = git(&["rev-parse", "HEAD"]);
    git(&["commit", "--quiet", "--allow-empty", "-m", "third"]);
    released
}

fn releases_with_history() -> (Releases, String, String) {
    let mut r = Releases::new();
    r.publish("v1.0.0").publish("v1.1.0").publish("v1.1.0-rc.1");
    let commit = history(r.dir.path());
    let git_url = r.dir.path().join("sprintbot.git").display().to_string();
    (r, git_url, commit)
}

#[test]
fn the_floating_major_tag_installs_the_release_on_its_commit() {
    let (r, git_url, _) = releases_with_history();
    let run = r.install(&["--version", "v1", "--git-url", &git_url]);
    assert_eq!(run.code(), Some(0), "stderr: {}", run.stderr());
    // The release, not the pre-release on the same commit.
    assert_eq!(run_installed(&r.dest()), "sprintbot v1.1.0 --version");
}

#[test]
fn a_commit_pinned_by_sha_installs_its_release() {
    let (r, git_url, commit) = releases_with_history();
    let run = r.install(&["--version", &commit, "--git-url", &git_url]);
    assert_eq!(run.code(), Some(0), "stderr: {}", run.stderr());
    assert_eq!(run_installed(&r.dest()), "sprintbot v1.1.0 --version");
}

#[test]
fn a_branch_with_no_release_on_its_commit_is_refused() {
    let (r, git_url, _) = releases_with_history();
    let run = r.install(&["--version", "main", "--git-url", &git_url]);
    run.assert_failed_with(1, &["main (commit", "is not a release", "--version vX.Y.Z"]);
    assert!(!r.dest().join("sprintbot").exists());
}

#[test]
fn an_unknown_ref_is_named() {
    let (r, git_url, _) = releases_with_history();
    let run = r.install(&["--version", "v7", "--git-url", &git_url]);
    run.assert_failed_with(1, &["no tag or branch named v7"]);
}

#[test]
fn a_ref_without_a_git_url_asks_for_one() {
    let r = Releases::new();
    let run = r.install(&["--version", "v1"]);
    run.assert_failed_with(1, &["v1 is not a release tag", "--git-url"]);
}

#[test]
fn an_unreadable_git_repository_is_named() {
    let r = Releases::new();
    let missing = r.dir.path().join("nothing-here.git").display().to_string();
    let run = r.install(&["--version", "v1", "--git-url", &missing]);
    run.assert_failed_with(1, &["cannot list the tags of", &missing]);
}
