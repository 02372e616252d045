//! `sprintbot serve`: the GitHub App server — the start-up self-check
//! (`startup.rs`), webhook edge, job worker, scheduler, and graceful
//! shutdown on SIGTERM/SIGINT.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use tokio::sync::{Notify, watch};

use super::common::{EXIT_CONFIG, load_config};
use super::startup::{self, Verdict};
use crate::config::deploy;
use crate::github::GitHubApp;
use crate::store::Store;
use crate::webhook::{self, AppState, Readiness};
use crate::worker::{Handlers, Worker};

const AFTER_HELP: &str = "\
Environment:
  GITHUB_WEBHOOK_SECRET        the App's webhook secret (required); several, comma-separated,
                               while rotating (old and new both verify)
  GITHUB_WEBHOOK_SECRET_FILE   a file with one webhook secret per line (added to the above)
  GITHUB_APP_ID                the App's ID; with its private key, commands and the scheduler run
  GITHUB_APP_PRIVATE_KEY       the App's private key (PEM text), or
  GITHUB_APP_PRIVATE_KEY_PATH  a file holding it
  GITHUB_API_URL               GitHub's API (default https://api.github.com; GitHub Enterprise
                               Server: https://HOST/api/v3)
  SPRINTBOT_CONFIG             the deployment config (as --config)
  SPRINTBOT_LISTEN             the listen address (default 0.0.0.0:3000; --listen wins)
  SPRINTBOT_DATABASE_URL       an SQLite file (default sprintbot.db) or postgres://user:password@host/db
  RUST_LOG                     the log filter (default info)
  SPRINTBOT_LOG_FORMAT         `json` for JSON lines
  NO_COLOR                     no colours in logs, even on a terminal";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Address to listen on (overrides the config and SPRINTBOT_LISTEN).
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
}

pub fn run(config: Option<PathBuf>, args: Args) -> ExitCode {
    crate::telemetry::init_tracing();
    let mut config = match load_config(&config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if let Some(listen) = args.listen {
        config.server.listen = listen;
    }
    let env = match deploy::read_env(|k| std::env::var(k).ok()) {
        Ok(env) => env,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    if env.webhook_secrets.is_empty() {
        eprintln!(
            "error: no webhook secret configured\n  help: set GITHUB_WEBHOOK_SECRET to the secret of your GitHub App \
             (several, comma-separated, while rotating) or GITHUB_WEBHOOK_SECRET_FILE to a file holding it"
        );
        return ExitCode::from(EXIT_CONFIG);
    }
    let secrets = match deploy::credentials::read(|k| std::env::var(k).ok()) {
        Ok(secrets) => secrets,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The HTTP client is built inside the runtime it will run on.
    let _entered = runtime.enter();
    let app = match secrets
        .map(|s| startup::app_from(&s, &env.api_url))
        .transpose()
    {
        Ok(app) => app,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let readiness = Readiness::default();
    let app = match app {
        None => None,
        Some((app, cx)) => match runtime.block_on(startup::check(&app, &cx)) {
            Verdict::Refused(message) => {
                eprintln!("error: {message}");
                return ExitCode::from(EXIT_CONFIG);
            }
            Verdict::Ready(info) => {
                tracing::info!(app = %info.slug, id = info.id, "GitHub accepts the App's credentials");
                startup::warn_if_lacking(&info);
                Some((Arc::new(app), None))
            }
            Verdict::Unreachable(reason) => {
                tracing::warn!("{reason}; starting anyway, /readyz answers 503 until it does");
                readiness.set_not_ready(reason);
                Some((Arc::new(app), Some(cx)))
            }
        },
    };
    match runtime.block_on(serve(config, env, app, readiness)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The App, and what the background re-check needs when GitHub has not
/// answered the start-up check yet.
type App = (Arc<GitHubApp>, Option<startup::Context>);

async fn serve(
    config: deploy::DeployConfig,
    env: deploy::Env,
    app: Option<App>,
    readiness: Readiness,
) -> anyhow::Result<()> {
    crate::telemetry::metrics();
    let store = Store::connect(&config.storage.database_url())
        .await
        .map_err(|e| anyhow::anyhow!("{} ({})", e, config.storage.redacted_url()))?;
    let jobs_ready = Arc::new(Notify::new());
    let state = AppState {
        store: store.clone(),
        secrets: Arc::new(env.webhook_secrets),
        jobs_ready: jobs_ready.clone(),
        readiness: readiness.clone(),
        limits: config.server.body_limits(),
    };
    let listener = tokio::net::TcpListener::bind(&config.server.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.server.listen))?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, database = %config.storage.redacted_url(), backend = store.backend_name(), "sprintbot listening");

    let (stop_tx, stop_rx) = watch::channel(false);
    let handlers = match app {
        Some((app, recheck)) => {
            if let Some(cx) = recheck {
                tokio::spawn(startup::recheck_until_answered(
                    app.clone(),
                    cx,
                    readiness,
                    stop_rx.clone(),
                ));
            }
            let clock: Arc<dyn crate::github::clock::Clock> =
                Arc::new(crate::github::clock::SystemClock);
            let mut commands = crate::context::Context::new(
                app.clone(),
                store.clone(),
                clock,
                config.defaults.clone(),
            );
            commands.config_max_age_ms = config.scheduler.revalidate_hours as i64 * 3600 * 1000;
            // A dead replica's rollover is taken over as soon as its job is.
            commands.lease_ms = config.worker.claim_ms.max(1000) as i64;
            let commands = Arc::new(commands);
            let scheduler = crate::lifecycle::scheduler::Scheduler {
                app,
                commands: commands.clone(),
                jobs_ready: jobs_ready.clone(),
                settings: crate::lifecycle::scheduler::Settings {
                    revalidate_ms: config.scheduler.revalidate_hours as i64 * 3600 * 1000,
                    overdue_ms: config.scheduler.overdue_minutes as i64 * 60 * 1000,
                    max_sleep_ms: config.scheduler.tick_secs as i64 * 1000,
                    ..Default::default()
                },
                reminders_done: Default::default(),
            };
            app_for_limits(&scheduler.app, &store);
            tokio::spawn(crate::lifecycle::leader::run_when_leading(
                scheduler,
                store.clone(),
                stop_rx.clone(),
                crate::lifecycle::leader::LEADERSHIP_CHECK,
            ));
            crate::app::handlers(&commands)
        }
        None => {
            tracing::warn!(
                "GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY(_PATH) are not set: webhooks are stored, but commands are not run and no sprint is opened on schedule (use `sprintbot tick` for that)"
            );
            Handlers::standard()
        }
    };
    let retention = std::time::Duration::from_secs(config.storage.payload_retention_days * 86_400);
    tokio::spawn(crate::lifecycle::leader::prune_payloads(
        store.clone(),
        retention,
        stop_rx.clone(),
    ));
    let worker = Worker::new(store, handlers, config.worker.clone(), jobs_ready);
    let worker_task = tokio::spawn(worker.run(stop_rx.clone()));

    let mut http_stop = stop_rx.clone();
    let server = webhook::serve(
        listener,
        webhook::router(state),
        config.server.connection_limits(),
        async move {
            let _ = http_stop.wait_for(|s| *s).await;
        },
    );
    let signals = tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down: no new deliveries; letting running jobs finish");
        let _ = stop_tx.send(true);
    });
    server.await;
    worker_task.await?;
    signals.abort();
    tracing::info!("stopped");
    Ok(())
}

/// Every replica paces its writes and learns of rate limits through the store.
fn app_for_limits(app: &GitHubApp, store: &Store) {
    app.share_limits(Arc::new(crate::app::StoreLimits(store.clone())));
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
