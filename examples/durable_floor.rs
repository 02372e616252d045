//! The durable floor `scripts/bench-ingress` measures sprintbot against: the
//! least a webhook receiver can do and still lose nothing it acknowledged to
//! a crashed process. It verifies the signature over the raw body, parses
//! the JSON for the few fields a receiver keeps, and commits the delivery to
//! SQLite before answering 202, with group commit (one writer thread takes
//! whatever queued while it was committing) at `synchronous=NORMAL` in WAL
//! mode. No edge bounds, no job, no metrics: whatever sprintbot does beyond
//! this is what its own figures pay for.
//!
//! `cargo run --profile dist --example durable_floor -- 127.0.0.1:3001 floor.db`
//! with `GITHUB_WEBHOOK_SECRET` set.

use std::sync::mpsc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use hmac::{KeyInit, Mac};
use tokio::sync::oneshot;

type Row = (String, String, Option<String>, Vec<u8>);
type Op = (Row, oneshot::Sender<bool>);

#[derive(Clone)]
struct Floor {
    secret: std::sync::Arc<Vec<u8>>,
    writer: mpsc::Sender<Op>,
}

#[derive(serde::Deserialize)]
struct Envelope {
    action: Option<String>,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let listen = args.next().unwrap_or_else(|| "127.0.0.1:3001".into());
    let path = args.next().unwrap_or_else(|| "floor.db".into());
    let secret = std::env::var("GITHUB_WEBHOOK_SECRET").expect("GITHUB_WEBHOOK_SECRET");
    let conn = rusqlite::Connection::open(&path).expect("open the database");
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, event TEXT NOT NULL,
           action TEXT, received_ms INTEGER NOT NULL, payload BLOB NOT NULL);",
    )
    .expect("create the table");
    let (writer, rx) = mpsc::channel::<Op>();
    std::thread::spawn(move || write_loop(&conn, &rx));
    let floor = Floor {
        secret: std::sync::Arc::new(secret.into_bytes()),
        writer,
    };
    let app = Router::new()
        .route("/webhook", post(receive))
        .route("/healthz", get(|| async { "ok\n" }))
        .with_state(floor);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&listen).await.expect("bind");
        axum::serve(listener, app).await.expect("serve");
    });
}

/// Group commit: one transaction for everything queued, then every answer.
fn write_loop(conn: &rusqlite::Connection, rx: &mpsc::Receiver<Op>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        batch.extend(rx.try_iter().take(255));
        let _ = conn.execute_batch("BEGIN IMMEDIATE");
        let mut results = Vec::with_capacity(batch.len());
        for ((id, event, action, payload), reply) in batch {
            let ms = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() as i64);
            let ok = conn
                .prepare_cached(
                    "INSERT INTO deliveries (id, event, action, received_ms, payload)
                     VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(id) DO NOTHING",
                )
                .and_then(|mut s| s.execute(rusqlite::params![id, event, action, ms, payload]))
                .is_ok();
            results.push((reply, ok));
        }
        let committed = conn.execute_batch("COMMIT").is_ok();
        for (reply, ok) in results {
            let _ = reply.send(ok && committed);
        }
    }
}

async fn receive(State(floor): State<Floor>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let Some(sig) = header("x-hub-signature-256")
        .and_then(|s| s.strip_prefix("sha256="))
        .and_then(|s| hex::decode(s).ok())
    else {
        return StatusCode::UNAUTHORIZED;
    };
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&floor.secret).expect("any key");
    mac.update(&body);
    if mac.verify_slice(&sig).is_err() {
        return StatusCode::UNAUTHORIZED;
    }
    let (Some(event), Some(id)) = (header("x-github-event"), header("x-github-delivery")) else {
        return StatusCode::BAD_REQUEST;
    };
    let Ok(envelope) = serde_json::from_slice::<Envelope>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    let (reply, answer) = oneshot::channel();
    let row = (
        id.to_string(),
        event.to_string(),
        envelope.action,
        body.to_vec(),
    );
    if floor.writer.send((row, reply)).is_err() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    match answer.await {
        Ok(true) => StatusCode::ACCEPTED,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    }
}
