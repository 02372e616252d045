//! Stories of the `sprintbot config` check run: someone opens a pull
//! request that changes `.github/sprintbot.toml`, GitHub delivers the
//! webhook to the real router, the worker checks the pull request's version
//! of the file, and a check run appears on its head commit.

mod support;

use support::fake_github::FakeCheckRun;
use support::pull_requests::push_pull_request;
use support::scenario::{BOT, REPO, Scenario};
use support::sprint::POSTHOG_CONFIG;

const CONFIG: &str = ".github/sprintbot.toml";
const SHA_1: &str = "1111111111111111111111111111111111111111";
const SHA_2: &str = "2222222222222222222222222222222222222222";

/// The 1-based line of `text` holding `needle`.
fn line_of(text: &str, needle: &str) -> u64 {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle") as u64
        + 1
}

fn only_run(s: &Scenario) -> FakeCheckRun {
    let runs = s.fake.check_runs(REPO);
    assert_eq!(runs.len(), 1, "{runs:?}");
    runs.into_iter().next().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_request_that_breaks_the_config_gets_a_red_check_with_annotations_at_its_lines() {
    let s = Scenario::start().await;
    let broken = POSTHOG_CONFIG
        .replace(
            "timezone = \"Europe/London\"",
            "timezone = \"Europe/Lodnon\"",
        )
        .replace("sprints_per_release = 2", "sprints_per_release = 0");
    let before = s.fake.requests().len();

    push_pull_request(&s, "opened", 7, SHA_1, REPO, &[(CONFIG, Some(&broken))]).await;

    let run = only_run(&s);
    assert_eq!(run.name, "sprintbot config");
    assert_eq!(run.head_sha, SHA_1);
    assert_eq!(
        (run.status.as_str(), run.conclusion.as_deref()),
        ("completed", Some("failure"))
    );
    assert_eq!(run.title, format!("2 errors in {CONFIG}"));
    let at: Vec<(u64, &str, &str)> = run
        .annotations
        .iter()
        .map(|a| {
            (
                a["start_line"].as_u64().unwrap(),
                a["annotation_level"].as_str().unwrap(),
                a["path"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        at,
        [
            (line_of(&broken, "Lodnon"), "failure", CONFIG),
            (line_of(&broken, "sprints_per_release"), "failure", CONFIG),
        ]
    );
    assert!(
        run.annotations[0]["message"]
            .as_str()
            .unwrap()
            .contains("Europe/Lodnon")
    );
    // Only read and reported: the config in force is untouched and no
    // configuration-error issue is opened for a file not yet merged.
    assert_eq!(s.fake.issues(REPO).len(), 1);
    let writes: Vec<String> = s
        .requests_since(before)
        .into_iter()
        .filter(|r| !r.starts_with("GET "))
        .collect();
    assert_eq!(
        writes,
        [
            "POST /app/installations/7/access_tokens".to_string(),
            format!("POST /repos/{REPO}/check-runs")
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_that_fixes_it_gets_a_green_check_that_previews_the_next_sprint() {
    let s = Scenario::start().await;
    let broken = POSTHOG_CONFIG.replace(
        "timezone = \"Europe/London\"",
        "timezone = \"Europe/Lodnon\"",
    );
    push_pull_request(&s, "opened", 7, SHA_1, REPO, &[(CONFIG, Some(&broken))]).await;
    let fixed = POSTHOG_CONFIG.replace("heroes = [\"macobo\",", "heroes = [\"liyiy\", \"macobo\",");
    assert_ne!(fixed, POSTHOG_CONFIG);

    push_pull_request(&s, "synchronize", 7, SHA_2, REPO, &[(CONFIG, Some(&fixed))]).await;

    let runs = s.fake.check_runs(REPO);
    assert_eq!(runs.len(), 2);
    let green = &runs[1];
    assert_eq!(
        (green.head_sha.as_str(), green.conclusion.as_deref()),
        (SHA_2, Some("success"))
    );
    assert!(green.annotations.is_empty(), "{:?}", green.annotations);
    // Wednesday 16 Nov 2022: the next sprint is 1.43.0 1/2 from Monday 28 Nov.
    assert_eq!(
        green.title,
        "Valid: next sprint opens Mon 2022-11-28 09:00 (Europe/London)"
    );
    for line in [
        "| title | Sprint 1.43.0 1/2 - Nov 28 - Dec 9 |",
        "| opens | Mon 2022-11-28 09:00 (Europe/London), 2022-11-28 09:00 UTC |",
        "| teams | Growth, Pipeline, PostHog TV, Product Analytics, Infrastructure |",
        "| support heroes | week 1: @",
    ] {
        assert!(green.summary.contains(line), "{line}\n{}", green.summary);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_request_from_a_fork_is_only_parsed() {
    let s = Scenario::start().await;
    // A stranger's title template: checked by the strict validation, never
    // used to render the preview.
    let theirs = format!(
        "{POSTHOG_CONFIG}\n[templates]\ntitle = \"{{{{ version }}}} brought to you by mallory\"\n"
    );
    let before = s.fake.requests().len();

    push_pull_request(
        &s,
        "opened",
        9,
        SHA_1,
        "mallory/app",
        &[(CONFIG, Some(&theirs))],
    )
    .await;

    let run = only_run(&s);
    assert_eq!(run.conclusion.as_deref(), Some("success"));
    assert!(
        run.summary
            .contains("| title | Sprint 1.43.0 1/2 - Nov 28 - Dec 9 |"),
        "{}",
        run.summary
    );
    assert!(!run.summary.contains("mallory"), "{}", run.summary);
    assert!(run.summary.contains("comes from a fork"));
    // The file was read from the base repository at the fork's commit.
    assert!(s.fake.requests()[before..].iter().any(|r| {
        r.path == format!("/repos/{REPO}/contents/{CONFIG}") && r.query == format!("ref={SHA_1}")
    }));
    // Nothing but the check run is written.
    let writes: Vec<String> = s
        .requests_since(before)
        .into_iter()
        .filter(|r| !r.starts_with("GET ") && !r.ends_with("/access_tokens"))
        .collect();
    assert_eq!(writes, [format!("POST /repos/{REPO}/check-runs")]);
    assert!(s.fake.comments_all(REPO).iter().all(|c| c.author != BOT));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_requests_that_leave_the_config_alone_get_no_check_run() {
    let s = Scenario::start().await;
    push_pull_request(
        &s,
        "opened",
        3,
        SHA_1,
        REPO,
        &[("src/lib.rs", Some("fn main() {}"))],
    )
    .await;
    push_pull_request(&s, "closed", 4, SHA_2, REPO, &[(CONFIG, Some("oops = "))]).await;
    assert!(s.fake.check_runs(REPO).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_request_that_removes_the_config_says_what_merging_it_does() {
    let s = Scenario::start().await;
    push_pull_request(&s, "reopened", 5, SHA_1, REPO, &[(CONFIG, None)]).await;
    let run = only_run(&s);
    assert_eq!(run.conclusion.as_deref(), Some("neutral"));
    assert!(
        run.summary.contains("stops running sprints"),
        "{}",
        run.summary
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forks_template_that_would_loop_for_minutes_is_stopped_and_reported() {
    let s = Scenario::start().await;
    let looping = format!(
        "{POSTHOG_CONFIG}\n[templates]\ntitle = \"{{% for a in range(10000) %}}{{% for b in range(10000) %}}x{{% endfor %}}{{% endfor %}}\"\n"
    );
    let started = std::time::Instant::now();

    push_pull_request(
        &s,
        "opened",
        11,
        SHA_1,
        "mallory/app",
        &[(CONFIG, Some(&looping))],
    )
    .await;

    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let run = only_run(&s);
    assert_eq!(run.conclusion.as_deref(), Some("failure"));
    assert_eq!(
        run.annotations[0]["start_line"].as_u64(),
        Some(line_of(&looping, "range(10000)"))
    );
    assert!(
        run.annotations[0]["message"]
            .as_str()
            .unwrap()
            .contains("title template"),
        "{:?}",
        run.annotations[0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forks_ten_thousand_link_chain_is_refused_at_its_line_and_the_bot_lives_on() {
    let s = Scenario::start().await;
    // About 70 KB of `|string`: enough to overflow a worker's stack in
    // minijinja's compiler if it were ever parsed.
    let chain = format!(
        "{POSTHOG_CONFIG}\n[templates]\nteam = \"{{{{ team.name{} }}}}\"\n",
        "|string".repeat(10_000)
    );
    push_pull_request(
        &s,
        "opened",
        12,
        SHA_1,
        "mallory/app",
        &[(CONFIG, Some(&chain))],
    )
    .await;
    let run = only_run(&s);
    assert_eq!(run.conclusion.as_deref(), Some("failure"));
    assert_eq!(
        run.annotations[0]["start_line"].as_u64(),
        Some(chain.lines().count() as u64),
        "the `team` key, on the last line"
    );
    let message = run.annotations[0]["message"].as_str().unwrap();
    assert!(message.contains("team template is refused"), "{message}");

    // The process is alive and checks the next pull request as before.
    let attrs = format!(
        "{POSTHOG_CONFIG}\n[templates]\ntitle = \"{{{{ version{} }}}}\"\n",
        ".a".repeat(10_000)
    );
    push_pull_request(
        &s,
        "opened",
        13,
        SHA_2,
        "mallory/app",
        &[(CONFIG, Some(&attrs))],
    )
    .await;
    let runs = s.fake.check_runs(REPO);
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert!(
        runs.iter()
            .all(|r| r.conclusion.as_deref() == Some("failure"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_template_that_would_fill_memory_is_stopped_at_its_output_limit() {
    let s = Scenario::start().await;
    // A thousand 10 MB strings: 10 GB if nothing stopped it.
    let bomb = format!(
        "{POSTHOG_CONFIG}\n[templates]\ntitle = \"{{% for i in range(1000) %}}{{{{ 'x' * 10000000 }}}}{{% endfor %}}\"\n"
    );
    push_pull_request(
        &s,
        "opened",
        14,
        SHA_1,
        "mallory/app",
        &[(CONFIG, Some(&bomb))],
    )
    .await;
    let run = only_run(&s);
    assert_eq!(run.conclusion.as_deref(), Some("failure"));
    let message = run.annotations[0]["message"].as_str().unwrap();
    assert!(message.contains("writes more than"), "{message}");
}
