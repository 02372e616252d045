//! `sprintbot register` under test: the real binary pointed at a fake
//! GitHub, its output read line by line while it runs, and its local page
//! read as a browser would (the form's action, the manifest, the state),
//! and a person approving the App on GitHub's page.

use std::io::BufRead as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::process::KillOnDrop;

/// A running `sprintbot register`.
pub struct Register {
    pub child: KillOnDrop,
    /// The local page it asks to open.
    pub page_url: String,
    stdout: mpsc::Receiver<String>,
}

/// Start `sprintbot register` with `args`, `GITHUB_API_URL=api` and the
/// extra variables, and wait until it prints its page.
pub fn start(api: &str, args: &[&str], vars: &[(&str, &str)], cwd: &Path) -> Register {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sprintbot"));
    cmd.arg("register")
        .args(args)
        .current_dir(cwd)
        .env("GITHUB_API_URL", api)
        .env_remove("SPRINTBOT_GITHUB_WEB_URL")
        .env_remove("SPRINTBOT_PUBLIC_URL")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let mut child = KillOnDrop::new(cmd.spawn().expect("start sprintbot register"));
    let out = child.stdout.take().expect("stdout");
    let (tx, stdout) = mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let Ok(first) = stdout.recv_timeout(Duration::from_secs(20)) else {
        let stderr = child.stderr.take();
        child.kill_now();
        let mut said = String::new();
        if let Some(mut e) = stderr {
            let _ = std::io::Read::read_to_string(&mut e, &mut said);
        }
        panic!("sprintbot register printed no page address; it said: {said}");
    };
    let page_url = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no page address in {first:?}"))
        .to_string();
    Register {
        child,
        page_url,
        stdout,
    }
}

/// The result of a `sprintbot register` that exited.
pub struct Finished {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Register {
    /// Wait (at most `secs`) for it to exit by itself.
    pub fn finish(mut self, secs: u64) -> Finished {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        while self.child.try_wait().expect("poll register").is_none() {
            assert!(
                std::time::Instant::now() < deadline,
                "sprintbot register did not exit within {secs} s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut stderr = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
        }
        let code = self.child.try_wait().ok().flatten().and_then(|s| s.code());
        let stdout: Vec<String> = self.stdout.try_iter().collect();
        Finished {
            code,
            stdout: stdout.join("\n"),
            stderr,
        }
    }

    /// Kill it where it waits and return what it wrote to stderr.
    pub fn stop(mut self) -> String {
        let stderr = self.child.stderr.take();
        self.child.kill_now();
        let mut said = String::new();
        if let Some(mut e) = stderr {
            let _ = std::io::Read::read_to_string(&mut e, &mut said);
        }
        said
    }

    /// Whether it is still waiting.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().expect("poll register").is_none()
    }
}

/// The value of `name="..."`-style attribute `attr` after `marker` in
/// `html`, unescaped.
pub fn attribute(html: &str, marker: &str, attr: &str) -> String {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{marker} in {html}"));
    let rest = &html[start..];
    let key = format!("{attr}=\"");
    let at = rest.find(&key).expect("attribute") + key.len();
    let end = rest[at..].find('"').expect("closing quote");
    rest[at..at + end]
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// What the local page's form posts: (action, manifest JSON, state).
pub async fn read_form(page_url: &str) -> (String, String, String) {
    let html = reqwest::get(page_url).await.unwrap().text().await.unwrap();
    let action = attribute(&html, "<form", "action");
    let manifest = attribute(&html, "name=\"manifest\"", "value");
    let state = action
        .split_once("state=")
        .map(|(_, s)| s.to_string())
        .expect("state in the form's action");
    (action, manifest, state)
}

/// `application/x-www-form-urlencoded`, as a browser posts a form.
pub fn form_encode(name: &str, value: &str) -> String {
    let enc: String = value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("{name}={enc}")
}

pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// What a person's browser does on `register`'s page: post the form to
/// GitHub's "new App" page and follow its redirect back to the callback.
/// Returns the callback page's status and text.
pub async fn approve(page_url: &str) -> (u16, String) {
    let (action, manifest, _) = read_form(page_url).await;
    let posted = no_redirects()
        .post(&action)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encode("manifest", &manifest))
        .send()
        .await
        .unwrap();
    assert_eq!(
        posted.status().as_u16(),
        302,
        "GitHub's page refused the manifest"
    );
    let back = posted.headers()["location"].to_str().unwrap().to_string();
    let r = no_redirects().get(&back).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}
