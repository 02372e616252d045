//! `sprintbot jobs`: the queue's state and every job not done, with its last
//! error, read straight from the store.

use std::path::PathBuf;
use std::process::ExitCode;

use super::common::load_config;
use crate::store::{Location, Store};

#[derive(Debug, clap::Args)]
#[command(after_help = "\
Environment:
  SPRINTBOT_CONFIG        the deployment config (as --config)
  SPRINTBOT_DATABASE_URL  the bot's database: an SQLite file (default sprintbot.db) or
                          postgres://user:password@host/db")]
pub struct Args {
    /// Show at most this many jobs.
    #[arg(long, default_value_t = 50)]
    pub limit: u32,
}

pub fn run(config: Option<PathBuf>, args: Args) -> ExitCode {
    let config = match load_config(&config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let url = config.storage.database_url();
    if let Ok(Location::Sqlite(path)) = Location::parse(&url)
        && !path.exists()
    {
        eprintln!(
            "error: no database at {}\n  help: run `sprintbot serve` first, or point SPRINTBOT_DATABASE_URL at the bot's database",
            path.display()
        );
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let listing = runtime.block_on(async {
        let store = Store::connect(&url).await?;
        Ok::<_, crate::store::StoreError>((
            store.queue_stats().await?,
            store.open_jobs(args.limit).await?,
        ))
    });
    let (stats, jobs) = match listing {
        Ok(x) => x,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "pending {}  running {}  retrying {}  dead {}  done {}",
        stats.pending, stats.running, stats.retrying, stats.dead, stats.done
    );
    if stats.budget_waiting > 0 {
        let until = stats
            .budget_until_ms
            .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
            .map_or_else(|| "-".into(), |t| t.to_string());
        println!(
            "waiting for GitHub's write budget: {} (the last until {until})",
            stats.budget_waiting
        );
    }
    if !jobs.is_empty() {
        println!();
        println!(
            "{:>6}  {:<9} {:>8}  {:<36} {:<38} last error",
            "id", "state", "attempts", "kind", "delivery"
        );
        for j in jobs {
            println!(
                "{:>6}  {:<9} {:>8}  {:<36} {:<38} {}",
                j.id,
                j.state,
                j.attempts,
                j.kind,
                j.delivery_id.unwrap_or_else(|| "-".into()),
                j.last_error.unwrap_or_default().replace('\n', " ")
            );
        }
    }
    ExitCode::SUCCESS
}
