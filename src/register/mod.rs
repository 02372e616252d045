//! `sprintbot register`: GitHub's App manifest flow. A local page posts a
//! manifest (`manifest.rs`) to GitHub's "new App" page; the person confirms
//! there; GitHub sends the browser back to the local callback (`page.rs`)
//! with a code, which is exchanged for the App's ID, private key and
//! webhook secret (`convert.rs`), written to an env file and a key file
//! readable by their owner only (`output.rs`).

mod convert;
pub mod manifest;
mod output;
mod page;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use crate::github::GitHubError;
pub use manifest::UrlVerdict;

/// What the flow needs to know.
#[derive(Debug, Clone)]
pub struct Options {
    /// `GITHUB_API_URL`.
    pub api_url: String,
    /// `SPRINTBOT_GITHUB_WEB_URL`, when set.
    pub web_url: Option<String>,
    pub org: Option<String>,
    pub public_url: String,
    pub name: String,
    pub out: PathBuf,
    pub listen: String,
    /// Replace existing output files.
    pub replace: bool,
}

/// The App that was created, and where its credentials are.
#[derive(Debug, Clone)]
pub struct Registered {
    pub app_id: u64,
    pub slug: String,
    pub name: String,
    pub html_url: String,
    pub install_url: String,
    pub env_file: PathBuf,
    pub key_file: PathBuf,
}

/// Why the flow could not start or finish; each says what to do.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error(
        "`{0}` is not a URL sprintbot can be reached at\n  help: give the https address of your server, e.g. --public-url https://sprintbot.example.com (GitHub sends webhooks to URL/webhook)"
    )]
    PublicUrl(String),
    #[error(
        "`{0}` is not an organisation login\n  help: pass the organisation's login as in https://github.com/LOGIN, e.g. --org acme"
    )]
    Org(String),
    #[error("cannot write {path}: {reason}\n  help: pick a writable place with --out FILE")]
    Output { path: String, reason: String },
    #[error(
        "{0} already exists\n  help: pass --force to replace it, or choose another file with --out"
    )]
    Exists(String),
    #[error(
        "cannot listen on {addr}: {reason}\n  help: pick another address with --listen, e.g. 127.0.0.1:0"
    )]
    Listen { addr: String, reason: String },
    #[error(
        "GitHub does not know the code it sent back: it has expired or was used already (a code works once, for an hour)\n  help: run `sprintbot register` again; if GitHub created an App meanwhile, delete it in its settings or generate a private key there by hand"
    )]
    CodeExpired,
    #[error(
        "GitHub refused to create the App from the manifest (422: {0})\n  help: run `sprintbot register` again, with another --name if the name is taken"
    )]
    Refused(String),
    #[error(
        "the exchange with GitHub failed: {0}\n  help: check GITHUB_API_URL and the network, then run `sprintbot register` again"
    )]
    GitHub(GitHubError),
    #[error("the flow was interrupted before GitHub sent the browser back")]
    Interrupted,
}

/// A flow whose page is being served.
pub struct Flow {
    /// Open this in a browser.
    pub page_url: String,
    /// How the public URL will do (the CLI warns about plain http).
    pub public_url: (String, UrlVerdict),
    listener: tokio::net::TcpListener,
    flow: Arc<page::Flow>,
    done: oneshot::Receiver<Result<Registered, RegisterError>>,
}

/// Check everything that can be checked before anything happens on GitHub
/// (the public URL, the organisation, the output files), then listen.
pub async fn start(o: &Options) -> Result<Flow, RegisterError> {
    let public_url = manifest::check_public_url(&o.public_url)?;
    if let Some(org) = &o.org {
        manifest::check_org(org)?;
    }
    let output = output::prepare(&o.out, o.replace)?;
    let listen_failed = |reason: String| RegisterError::Listen {
        addr: o.listen.clone(),
        reason,
    };
    let listener = tokio::net::TcpListener::bind(&o.listen)
        .await
        .map_err(|e| listen_failed(e.to_string()))?;
    let addr = listener
        .local_addr()
        .map_err(|e| listen_failed(e.to_string()))?;
    // The browser runs here: a wildcard address is reached as loopback.
    let host = if addr.ip().is_unspecified() {
        format!("127.0.0.1:{}", addr.port())
    } else {
        addr.to_string()
    };
    let page_url = format!("http://{host}/");
    let state = format!("{:032x}", rand::random::<u128>());
    let manifest = manifest::build(&manifest::Settings {
        name: o.name.clone(),
        public_url: public_url.0.clone(),
        redirect_url: format!("{page_url}callback"),
    });
    let web = manifest::web_base(&o.api_url, o.web_url.as_deref());
    let (tx, done) = oneshot::channel();
    let flow = Arc::new(page::Flow {
        form_action: manifest::new_app_url(&web, o.org.as_deref(), &state),
        manifest: manifest.to_string(),
        state,
        api_url: o.api_url.clone(),
        output,
        done: Mutex::new(Some(tx)),
    });
    Ok(Flow {
        page_url,
        public_url,
        listener,
        flow,
        done,
    })
}

impl Flow {
    /// Serve the page until GitHub's redirect has been handled; the result
    /// is the App, or why there is none.
    pub async fn finish(self) -> Result<Registered, RegisterError> {
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let server = axum::serve(self.listener, page::router(self.flow)).with_graceful_shutdown(
            async move {
                let _ = stop_rx.await;
            },
        );
        let server = tokio::spawn(async move { server.await });
        let result = self.done.await.unwrap_or(Err(RegisterError::Interrupted));
        let _ = stop_tx.send(());
        // The browser has its answer; an idle keep-alive connection must
        // not hold the command open.
        let _ = tokio::time::timeout(Duration::from_secs(2), server).await;
        result
    }
}
