//! Tracing and Prometheus metrics set-up. Metrics are recorded anywhere with
//! the `metrics` macros; this module installs the one process-wide recorder
//! and renders it for `GET /metrics`.

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
/// `SPRINTBOT_LOG_FORMAT=json`. Safe to call more than once.
pub fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let json = std::env::var("SPRINTBOT_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
