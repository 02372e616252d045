//! Tracing and Prometheus metrics set-up. Metrics are recorded anywhere with
//! the `metrics` macros; this module installs the one process-wide recorder
//! and renders it for `GET /metrics`, and decides how logs look on stderr.

use std::io::IsTerminal;
use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process-wide Prometheus recorder, installed on first use.
pub fn metrics() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets(&[
                0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 30.0, 120.0, 600.0,
            ])
            .expect("bucket list is not empty");
        builder.install_recorder().unwrap_or_else(|_| {
            // Another recorder is already installed (e.g. by a test harness):
            // keep a private one so /metrics still renders something coherent.
            PrometheusBuilder::new().build_recorder().handle()
        })
    })
}

/// Log to stderr, filtered by `RUST_LOG` (default `info`); JSON lines when
/// `SPRINTBOT_LOG_FORMAT=json`. Colours only on a terminal and without
/// `NO_COLOR`. Safe to call more than once.
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("SPRINTBOT_LOG_FORMAT").is_ok_and(|v| v == "json");
    let colour = use_colour(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
    );
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(colour)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

/// Whether log lines get ANSI colour codes. A file, a pipe, `docker logs` or
/// a log collector would store the escape codes as garbage, so only a
/// terminal gets colour; and <https://no-color.org> asks that any non-empty
/// `NO_COLOR` turn it off even there.
pub fn use_colour(stderr_is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    let no_color_set = no_color.is_some_and(|v| !v.is_empty());
    stderr_is_terminal && !no_color_set
}

#[cfg(test)]
mod tests {
    use super::use_colour;
    use std::ffi::OsStr;

    #[test]
    fn a_terminal_without_no_color_gets_colour() {
        assert!(use_colour(true, None));
    }

    #[test]
    fn a_pipe_or_file_never_gets_colour() {
        assert!(!use_colour(false, None));
        assert!(!use_colour(false, Some(OsStr::new(""))));
    }

    #[test]
    fn any_non_empty_no_color_turns_colour_off() {
        assert!(!use_colour(true, Some(OsStr::new("1"))));
        assert!(!use_colour(true, Some(OsStr::new("0"))));
        assert!(!use_colour(true, Some(OsStr::new("false"))));
    }

    #[test]
    fn an_empty_no_color_is_as_if_unset() {
        assert!(use_colour(true, Some(OsStr::new(""))));
    }
}
