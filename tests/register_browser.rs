//! `sprintbot register` end to end in a real browser: headless Chromium,
//! driven over WebDriver (chromedriver, with the `fantoccini` client),
//! opens the command's local page, presses its button, is sent on by the
//! fake GitHub's "new App" page (GitHub Enterprise style, under `/api/v3`)
//! back to the command's callback; the command then writes the App's
//! credentials and exits. Needs `chromium` and `chromedriver` (Debian:
//! `apt-get install -y chromium chromium-driver`; `.ci/run` installs them).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use sprintbot::config::deploy::Secret;
use sprintbot::github::auth::AppCredentials;
use sprintbot::github::clock::SystemClock;
use support::fake_github::{FakeGitHub, PRIVATE_KEY};
use support::process::KillOnDrop;
use support::register;

const PUBLIC: &str = "https://sprintbot.example.com";

/// The first of `names` on `PATH` (or the file `var` names).
fn tool(var: &str, names: &[&str]) -> PathBuf {
    if let Some(given) = std::env::var_os(var) {
        return PathBuf::from(given);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "{} not found on PATH (or in ${var}): this test drives a real browser; install it with `apt-get install -y --no-install-recommends chromium chromium-driver` (.ci/run does)",
                names.join(" / ")
            )
        })
}

/// chromedriver on a free loopback port, killed with the test.
async fn chromedriver() -> (KillOnDrop, String) {
    let driver = tool("CHROMEDRIVER", &["chromedriver"]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", driver.display()));
    let child = KillOnDrop::new(child);
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..200 {
        if reqwest::get(format!("{url}/status"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return (child, url);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("chromedriver did not start on {url}");
}

/// A headless Chromium session with a profile of its own.
async fn browser(driver: &str, profile: &Path) -> Client {
    let chromium = tool(
        "CHROME_BIN",
        &["chromium", "chromium-browser", "google-chrome"],
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(driver)
        .await
        .unwrap_or_else(|e| panic!("cannot open a Chromium session through chromedriver: {e}"))
}

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_creates_the_app_for_an_organisation_in_a_browser() {
    let fake = FakeGitHub::start_with_prefix(Arc::new(SystemClock), "/api/v3").await;
    let dir = tempfile::tempdir().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let (_driver, driver_url) = chromedriver().await;
    let args = [
        "--org",
        "acme",
        "--public-url",
        PUBLIC,
        "--name",
        "sprintbot acme",
        "--listen",
        "127.0.0.1:0",
    ];
    let run = register::start(&fake.url(), &args, &[], dir.path());

    let client = browser(&driver_url, profile.path()).await;
    client.goto(&run.page_url).await.unwrap();
    client
        .find(Locator::Css("#submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let install = client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("#install"))
        .await
        .unwrap_or_else(|e| panic!("the browser did not come back to the callback: {e}"));
    let web = fake.web_url();
    let install_url = format!("{web}/apps/sprintbot-acme/installations/new");
    assert_eq!(
        install.attr("href").await.unwrap().as_deref(),
        Some(install_url.as_str())
    );
    let landed = client.current_url().await.unwrap().to_string();
    assert!(
        landed.starts_with(&format!("{}callback?code=", run.page_url)),
        "{landed}"
    );
    client.close().await.unwrap();

    let done = tokio::task::spawn_blocking(move || run.finish(20))
        .await
        .unwrap();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(done.stdout.contains(&install_url), "{}", done.stdout);

    // GitHub's organisation page got the manifest sprintbot needs.
    let posted = fake.manifests_posted();
    assert_eq!(posted.len(), 1);
    assert_eq!(posted[0].org.as_deref(), Some("acme"));
    assert!(landed.contains(&format!("state={}", posted[0].state.as_deref().unwrap())));
    let m = &posted[0].manifest;
    assert_eq!(m["hook_attributes"]["url"], format!("{PUBLIC}/webhook"));
    assert_eq!(m["public"], false);
    assert_eq!(m["default_permissions"]["checks"], "write");

    // The credentials, readable by their owner only.
    let env_file = dir.path().join("sprintbot.env");
    let key_file = dir.path().join("sprintbot.private-key.pem");
    let env = std::fs::read_to_string(&env_file).unwrap();
    let value = |name: &str| {
        env.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} in {env}"))
            .to_string()
    };
    let id: u64 = value("GITHUB_APP_ID").parse().unwrap();
    assert_eq!(value("GITHUB_WEBHOOK_SECRET"), format!("whsec-{id}"));
    assert_eq!(
        PathBuf::from(value("GITHUB_APP_PRIVATE_KEY_PATH")),
        key_file.canonicalize().unwrap()
    );
    assert_eq!(value("GITHUB_API_URL"), fake.url());
    let key = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(key.trim_end(), PRIVATE_KEY.trim_end());
    assert!(AppCredentials::from_pem(id, &Secret::new(key)).is_ok());
    #[cfg(unix)]
    assert_eq!((mode(&env_file), mode(&key_file)), (0o600, 0o600));
    fake.assert_no_violations();
}
