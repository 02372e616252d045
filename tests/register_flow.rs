//! Stories of `sprintbot register` without a browser: the real binary, a
//! fake GitHub, and plain HTTP requests standing in for the browser's
//! visits to the local page, GitHub's page and the callback. The happy path
//! with a real browser is in `register_browser.rs`.

mod support;

use std::process::Command;
use std::sync::Arc;

use sprintbot::github::clock::SystemClock;
use support::fake_github::FakeGitHub;
use support::register::{self, form_encode, no_redirects, read_form};

const PUBLIC: &str = "https://sprintbot.example.com";

async fn fake() -> FakeGitHub {
    FakeGitHub::start(Arc::new(SystemClock)).await
}

async fn get(url: &str) -> (u16, String) {
    let r = no_redirects().get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[cfg(unix)]
fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flow_over_plain_http_creates_the_app_and_its_code_works_once() {
    let fake = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let web = fake.web_url();
    let vars = [("SPRINTBOT_GITHUB_WEB_URL", web.as_str())];
    let args = [
        "--public-url",
        PUBLIC,
        "--out",
        "first.env",
        "--listen",
        "127.0.0.1:0",
    ];
    let run = register::start(&fake.url(), &args, &vars, dir.path());
    let (action, manifest, state) = read_form(&run.page_url).await;
    assert_eq!(action, format!("{web}/settings/apps/new?state={state}"));
    assert_eq!(state.len(), 32);

    // The browser posts the form; GitHub redirects back with a code.
    let posted = no_redirects()
        .post(&action)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_encode("manifest", &manifest))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status().as_u16(), 302);
    let back = posted.headers()["location"].to_str().unwrap().to_string();
    assert!(
        back.starts_with(&format!("{}callback?code=", run.page_url)),
        "{back}"
    );
    let code = back
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_string();
    let (status, page) = get(&back).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("GitHub App created"), "{page}");

    let done = tokio::task::spawn_blocking(move || run.finish(20))
        .await
        .unwrap();
    assert_eq!(done.code, Some(0), "{}", done.stderr);
    assert!(
        done.stdout
            .contains(&format!("{web}/apps/sprintbot/installations/new")),
        "{}",
        done.stdout
    );
    let env = std::fs::read_to_string(dir.path().join("first.env")).unwrap();
    assert!(env.contains("GITHUB_APP_ID="), "{env}");
    #[cfg(unix)]
    assert_eq!(mode(&dir.path().join("first.env")), 0o600);

    // A second flow handed the same code: GitHub has used it up.
    let args = [
        "--public-url",
        PUBLIC,
        "--out",
        "second.env",
        "--listen",
        "127.0.0.1:0",
    ];
    let second = register::start(&fake.url(), &args, &vars, dir.path());
    let (_, _, state) = read_form(&second.page_url).await;
    let (status, page) = get(&format!(
        "{}callback?code={code}&state={state}",
        second.page_url
    ))
    .await;
    assert_eq!(status, 502, "{page}");
    let done = tokio::task::spawn_blocking(move || second.finish(20))
        .await
        .unwrap();
    assert_eq!(done.code, Some(1));
    assert!(
        done.stderr.contains(
            "error: GitHub does not know the code it sent back: it has expired or was used already"
        ),
        "{}",
        done.stderr
    );
    assert!(!dir.path().join("second.env").exists());
    fake.assert_no_violations();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_callback_without_the_flows_state_is_refused() {
    let fake = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--public-url",
        "http://sprintbot.example.com",
        "--listen",
        "127.0.0.1:0",
        "--org",
        "acme",
    ];
    let mut run = register::start(&fake.url(), &args, &[], dir.path());
    let (action, _, state) = read_form(&run.page_url).await;
    assert!(
        action.starts_with(&format!(
            "{}/organizations/acme/settings/apps/new?state=",
            fake.url()
        )),
        "{action}"
    );
    for query in [
        "code=abc".to_string(),
        "code=abc&state=".to_string(),
        // One character off the real state (never the real one itself).
        format!(
            "code=abc&state={}{}",
            &state[..31],
            if state.ends_with('0') { '1' } else { '0' }
        ),
    ] {
        let (status, page) = get(&format!("{}callback?{query}", run.page_url)).await;
        assert_eq!(status, 400, "{query}: {page}");
        assert!(page.contains("Nothing was done"), "{page}");
    }
    assert!(run.running(), "a forged callback must not end the flow");
    assert_eq!(fake.count("POST", "/app-manifests"), 0);
    let said = run.stop();
    assert!(
        said.contains("warning: http://sprintbot.example.com is plain http"),
        "{said}"
    );
    assert_eq!(
        said.matches("refused a callback without this flow's state")
            .count(),
        3,
        "{said}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_refusing_the_conversion_is_a_clear_error() {
    let fake = fake().await;
    fake.refuse_manifest_code("taken1", "Name has already been taken");
    let dir = tempfile::tempdir().unwrap();
    let args = ["--public-url", PUBLIC, "--listen", "127.0.0.1:0"];
    let run = register::start(&fake.url(), &args, &[], dir.path());
    let (_, _, state) = read_form(&run.page_url).await;
    let (status, _) = get(&format!(
        "{}callback?code=taken1&state={state}",
        run.page_url
    ))
    .await;
    assert_eq!(status, 502);
    let done = tokio::task::spawn_blocking(move || run.finish(20))
        .await
        .unwrap();
    assert_eq!(done.code, Some(1));
    assert!(
        done.stderr.contains(
            "error: GitHub refused to create the App from the manifest (422: Name has already been taken)"
        ),
        "{}",
        done.stderr
    );
    assert!(!dir.path().join("sprintbot.env").exists());
    assert_eq!(fake.count("POST", "/app-manifests/taken1/conversions"), 1);
}

#[tokio::test]
async fn what_cannot_work_is_refused_before_the_flow_starts() {
    let fake = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let a_file = dir.path().join("a-file");
    std::fs::write(&a_file, "").unwrap();
    std::fs::write(dir.path().join("taken.env"), "keep me").unwrap();
    let under_a_file = a_file.join("sprintbot.env").display().to_string();
    let cases = [
        (
            PUBLIC,
            vec!["--out", "/nonexistent/folder/sprintbot.env"],
            "error: cannot write /nonexistent/folder",
        ),
        (PUBLIC, vec!["--out", &under_a_file], "error: cannot write"),
        (
            PUBLIC,
            vec!["--out", "taken.env"],
            "taken.env already exists",
        ),
        (
            "sprintbot.example.com",
            vec![],
            "error: `sprintbot.example.com` is not a URL",
        ),
        (
            PUBLIC,
            vec!["--org", "acme/evil"],
            "error: `acme/evil` is not an organisation login",
        ),
    ];
    for (public, extra, message) in cases {
        let mut args = vec![
            "register",
            "--public-url",
            public,
            "--listen",
            "127.0.0.1:0",
        ];
        args.extend(extra.iter().copied());
        let out = Command::new(env!("CARGO_BIN_EXE_sprintbot"))
            .args(&args)
            .current_dir(dir.path())
            .env("GITHUB_API_URL", fake.url())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "no page is offered: {args:?}");
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("taken.env")).unwrap(),
        "keep me"
    );
    assert!(fake.requests().is_empty());
}

/// A request made with this flow's page as `host` (and `origin`, if any).
async fn get_as(url: &str, host: Option<&str>, origin: Option<&str>) -> (u16, String) {
    let mut req = no_redirects().get(url);
    if let Some(h) = host {
        req = req.header("host", h);
    }
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let r = req.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_answers_only_this_machine_by_a_loopback_name() {
    let fake = fake().await;
    let dir = tempfile::tempdir().unwrap();
    let args = ["--public-url", PUBLIC, "--listen", "127.0.0.1:0"];
    let mut run = register::start(&fake.url(), &args, &[], dir.path());
    let (_, _, state) = read_form(&run.page_url).await;
    let port = run
        .page_url
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    let callback = format!("{}callback?code=abc&state={state}", run.page_url);
    // A page the operator visits, under a name made to resolve to
    // 127.0.0.1 (DNS rebinding), or calling from its own origin.
    let evil_host = format!("evil.example:{port}");
    let loopback = format!("127.0.0.1:{port}");
    for (host, origin) in [
        (evil_host.as_str(), None),
        ("evil.example", None),
        (loopback.as_str(), Some("http://evil.example")),
        (loopback.as_str(), Some("null")),
    ] {
        for url in [run.page_url.as_str(), callback.as_str()] {
            let (status, page) = get_as(url, Some(host), origin).await;
            assert_eq!(status, 403, "{host} {origin:?} {url}: {page}");
            assert!(!page.contains(&state), "the state leaked: {page}");
            assert!(page.contains("Open the address"), "{page}");
        }
    }
    assert!(run.running(), "a refused callback finishes nothing");
    // This machine's own names still work.
    for host in [
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        loopback.clone(),
    ] {
        let (status, page) = get_as(&run.page_url, Some(&host), None).await;
        assert_eq!(status, 200, "{host}: {page}");
        assert!(page.contains(&state));
    }
    let origin = format!("http://localhost:{port}");
    let (status, _) = get_as(&run.page_url, Some(&loopback), Some(&origin)).await;
    assert_eq!(status, 200);
    let said = run.stop();
    assert!(said.contains("refused a request"), "{said}");
    assert_eq!(fake.count("POST", "/app-manifests"), 0);
}
