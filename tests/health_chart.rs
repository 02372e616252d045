//! The sprint health chart is valid Mermaid, so GitHub draws it instead of
//! an error box: the health sections rendered for fixed histories are
//! written to a file and checked by `tools/mermaid/validate-chart.mjs`,
//! which renders each ```` ```mermaid ```` block with mermaid-cli in a
//! headless chromium. It needs Node.js, the tooling (`npm ci --prefix
//! tools/mermaid`) and chromium; without them this test fails and says how
//! to install them, it never passes silently.

use std::path::{Path, PathBuf};
use std::process::Command;

use sprintbot::sprint::SprintId;
use sprintbot::sprint::health::{Figures, Health, SprintSummary, TeamFigures, section};
use sprintbot::sprint::render::Templates;

const INSTALL: &str = "install Node.js 20 or later and chromium (Debian: `apt-get install -y nodejs npm chromium`), \
then the validator: `PUPPETEER_SKIP_DOWNLOAD=1 npm ci --prefix tools/mermaid` (.ci/run does both)";

fn tools() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/mermaid")
}

/// Six sprints, one in which nothing was planned.
fn history(len: usize) -> Vec<SprintSummary> {
    let figures = [
        (9, 6, 2),
        (8, 5, 3),
        (0, 0, 0),
        (10, 7, 1),
        (7, 3, 4),
        (8, 4, 3),
    ];
    (0..len)
        .map(|i| {
            let (planned, done, carried) = figures[i];
            SprintSummary {
                sprint: SprintId(
                    jiff::civil::date(2022, 8, 22) + jiff::Span::new().weeks(2 * i as i64),
                ),
                issue: 100 + i as u64,
                previous: Some(99 + i as u64),
                figures: Figures {
                    planned,
                    done,
                    carried,
                    dropped: planned - done - carried,
                },
            }
        })
        .collect()
}

fn section_for(history: Vec<SprintSummary>) -> String {
    let last = history.last().expect("a history").clone();
    let health = Health {
        total: last.figures,
        teams: vec![TeamFigures {
            team: Some("Growth".into()),
            figures: last.figures,
        }],
        longest: vec![],
        issue: last.issue,
        history,
    };
    section::section(&Templates::default(), &health, true).expect("the default template renders")
}

#[test]
fn the_health_chart_is_valid_mermaid() {
    assert!(
        tools()
            .join("node_modules/@mermaid-js/mermaid-cli")
            .is_dir(),
        "the Mermaid validator is not installed in tools/mermaid: {INSTALL}"
    );
    let dir = tempfile::tempdir().expect("a temp dir");
    let file = dir.path().join("health.md");
    // The six-sprint chart, a first rollover's one-sprint chart, and the
    // section as the default template writes it around them.
    let text = [section_for(history(6)), section_for(history(1))].join("\n");
    assert_eq!(text.matches("```mermaid\n").count(), 2, "{text}");
    std::fs::write(&file, &text).expect("the chart file is written");

    let out = match Command::new("node")
        .arg(tools().join("validate-chart.mjs"))
        .arg(&file)
        .output()
    {
        Ok(out) => out,
        Err(e) => panic!("cannot run `node` ({e}): {INSTALL}"),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0) => assert_eq!(stdout.matches("valid Mermaid").count(), 2, "{stdout}"),
        Some(1) => panic!("the health chart is not valid Mermaid:\n{stderr}\n\nthe file:\n{text}"),
        _ => panic!("the Mermaid validator could not run:\n{stderr}\n{INSTALL}"),
    }
}
