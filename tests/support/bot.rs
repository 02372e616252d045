//! A bot under test: the real router on an ephemeral loopback port, over a
//! store in a temporary directory. The worker is started only when a test asks.

use std::sync::Arc;

use sprintbot::config::deploy::Secret;
use sprintbot::store::Store;
use sprintbot::webhook::{AppState, BodyLimits, ConnectionLimits, router};
use tokio::sync::Notify;

pub const SECRET: &str = "It's a Secret to Everybody";

pub struct TestBot {
    pub url: String,
    pub store: Store,
    pub jobs_ready: Arc<Notify>,
    pub client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl TestBot {
    /// Start the HTTP edge with the given active webhook secrets.
    pub async fn start_with_secrets(secrets: &[&str]) -> TestBot {
        TestBot::start_with(secrets, Default::default()).await
    }

    /// Start the HTTP edge with the given secrets and body limits.
    pub async fn start_with(secrets: &[&str], limits: BodyLimits) -> TestBot {
        TestBot::start_edge(secrets, limits, ConnectionLimits::default()).await
    }

    /// Start the HTTP edge with the given secrets, body and connection limits.
    pub async fn start_edge(
        secrets: &[&str],
        limits: BodyLimits,
        connections: ConnectionLimits,
    ) -> TestBot {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("bot.db")).expect("open store");
        let jobs_ready = Arc::new(Notify::new());
        let state = AppState {
            store: store.clone(),
            secrets: Arc::new(secrets.iter().map(|s| Secret::new(*s)).collect()),
            jobs_ready: jobs_ready.clone(),
            readiness: Default::default(),
            limits,
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(sprintbot::webhook::serve(
            listener,
            router(state),
            connections,
            std::future::pending(),
        ));
        TestBot {
            url: format!("http://{addr}"),
            store,
            jobs_ready,
            client: reqwest::Client::new(),
            _dir: dir,
        }
    }

    pub async fn start() -> TestBot {
        TestBot::start_with_secrets(&[SECRET]).await
    }

    pub fn webhook_url(&self) -> String {
        format!("{}/webhook", self.url)
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let resp = self
            .client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("GET");
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap_or_default())
    }

    /// Count of deliveries stored with any outcome.
    pub async fn stored_deliveries(&self) -> u64 {
        self.store.delivery_count("queued").await.unwrap()
            + self.store.delivery_count("ignored").await.unwrap()
    }
}
