//! `sprintbot register`: create the GitHub App in one command (GitHub's
//! manifest flow, `crate::register`), then print where its credentials are
//! and what to do next.

use std::path::PathBuf;
use std::process::ExitCode;

use super::common::EXIT_CONFIG;
use crate::register::{self, Options, RegisterError, UrlVerdict};

const AFTER_HELP: &str = "\
Environment:
  GITHUB_API_URL            GitHub's API (default https://api.github.com; GitHub Enterprise
                            Server: https://HOST/api/v3). The App is created on the matching
                            web host (https://github.com, https://HOST).
  SPRINTBOT_GITHUB_WEB_URL  GitHub's web address, when it is not derived from GITHUB_API_URL
                            (e.g. a test server).

Open the printed address in a browser, press the button, confirm on GitHub. The command
writes FILE (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY_PATH, GITHUB_WEBHOOK_SECRET) and the
private key beside it, both readable by you only, prints the link that installs the App,
and exits.";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Create the App for this organisation instead of your personal account.
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    /// The https address sprintbot will be reachable at; GitHub sends
    /// webhooks to URL/webhook.
    #[arg(long, value_name = "URL", env = "SPRINTBOT_PUBLIC_URL")]
    pub public_url: String,
    /// Where to write the App's environment file; the private key goes
    /// beside it (sprintbot.private-key.pem).
    #[arg(long, value_name = "FILE", default_value = "sprintbot.env")]
    pub out: PathBuf,
    /// Address of the local page and of GitHub's redirect back to it.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:3456")]
    pub listen: String,
    /// The App's name (unique on GitHub; GitHub's page lets you change it).
    #[arg(long, value_name = "NAME", default_value = "sprintbot")]
    pub name: String,
    /// Replace FILE and the key file when they exist.
    #[arg(long)]
    pub force: bool,
}

pub fn run(_config: Option<PathBuf>, args: Args) -> ExitCode {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let options = Options {
        api_url: var("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into()),
        web_url: var("SPRINTBOT_GITHUB_WEB_URL"),
        org: args.org,
        public_url: args.public_url,
        name: args.name,
        out: args.out,
        listen: args.listen,
        replace: args.force,
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(flow(options))
}

async fn flow(options: Options) -> ExitCode {
    let flow = match register::start(&options).await {
        Ok(flow) => flow,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_CONFIG);
        }
    };
    let (public, verdict) = &flow.public_url;
    match verdict {
        UrlVerdict::Https => {}
        UrlVerdict::Local => eprintln!(
            "note: {public} is for trying sprintbot out: GitHub cannot deliver the App's webhooks there (see docs/src/operations/deployment.md#local-testing)"
        ),
        UrlVerdict::Insecure => eprintln!(
            "warning: {public} is plain http: webhooks would cross the network unencrypted; serve sprintbot behind https (see docs/src/operations/deployment.md#tls-through-a-reverse-proxy)"
        ),
    }
    let on = match &options.org {
        Some(org) => format!("for the organisation {org}"),
        None => "for your personal account".to_string(),
    };
    println!(
        "Open {} in a browser to create the GitHub App {on} (webhooks: {public}/webhook).\nWaiting for GitHub to send the browser back… (Ctrl-C to give up)",
        flow.page_url
    );
    let result = tokio::select! {
        r = flow.finish() => r,
        _ = tokio::signal::ctrl_c() => Err(RegisterError::Interrupted),
    };
    match result {
        Ok(r) => {
            println!(
                "\nCreated the GitHub App \"{}\" (ID {}): {}\nWrote {} and the private key {} (readable by you only).\n\nNext steps:\n  1. Install the App on the repositories that should run sprints: {}\n  2. Start sprintbot with these variables, e.g.\n       set -a; . {}; set +a; sprintbot serve\n     (in a container, mount the key file and set GITHUB_APP_PRIVATE_KEY_PATH to where it is mounted)\n  3. Add .github/sprintbot.toml to a repository (see config/repo-sprintbot.example.toml)\n     and check it with `sprintbot check-config .github/sprintbot.toml`.",
                r.name,
                r.app_id,
                r.html_url,
                r.env_file.display(),
                r.key_file.display(),
                r.install_url,
                r.env_file.display(),
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
