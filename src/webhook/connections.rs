//! The edge's connections: accepting them, serving HTTP/1.1 on each, how
//! many may be open and for how long a request's head may take, and letting
//! them finish on shutdown. (`axum::serve` offers neither a header-read
//! timeout nor a cap, so this is a small accept loop of its own; GitHub and
//! Prometheus speak HTTP/1.1.)
//!
//! A connection that has not sent a whole request head within
//! `header_timeout` is closed, idle keep-alive connections included. At
//! most `max_connections` are open. When the cap is reached, the connection
//! open longest is closed to make room, if it has been open for at least
//! `evict_after`; otherwise the new one is closed at once. Refusing only
//! new connections would let whoever holds the open ones (a thousand
//! half-sent requests) lock GitHub out; this way a holder keeps a slot for
//! at most `evict_after` under pressure, while a delivery, which takes
//! milliseconds, is never the one closed.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::pin::pin;
use std::time::{Duration, Instant};

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{AbortHandle, JoinSet};

/// The most connections open at once, by default.
pub const MAX_CONNECTIONS: usize = 512;
/// How long a request head may take to arrive, by default.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Under the cap, a connection open this long may be closed for a new one.
pub const EVICT_AFTER: Duration = Duration::from_secs(1);

/// How many connections, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_timeout: Duration,
    pub evict_after: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: MAX_CONNECTIONS,
            header_timeout: HEADER_TIMEOUT,
            evict_after: EVICT_AFTER,
        }
    }
}

/// An open connection: when it was accepted, and how to close it.
struct Open {
    since: Instant,
    task: AbortHandle,
}

/// Serve `router` on `listener` until `shutdown` completes, then let open
/// connections finish their requests (keep-alive ends) and return.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    // Keyed by accept order, so the first entry is the oldest.
    let mut open: BTreeMap<u64, Open> = BTreeMap::new();
    let mut order_of: HashMap<tokio::task::Id, u64> = HashMap::new();
    let mut next = 0u64;
    let mut shutdown = pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            Some(done) = tasks.join_next_with_id() => {
                let id = match done {
                    Ok((id, ())) => id,
                    Err(e) => e.id(),
                };
                if let Some(n) = order_of.remove(&id) {
                    open.remove(&n);
                }
            }
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        // Out of file descriptors, mostly: give some a
                        // chance to close rather than spin.
                        tracing::warn!(error = %e, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                if open.len() >= limits.max_connections && !make_room(&mut open, limits.evict_after) {
                    metrics::counter!("sprintbot_http_connections_closed_total", "reason" => "over_cap")
                        .increment(1);
                    drop(stream);
                    continue;
                }
                let task = tasks.spawn(serve_connection(
                    stream,
                    router.clone(),
                    limits.header_timeout,
                    stop_rx.clone(),
                ));
                next += 1;
                order_of.insert(task.id(), next);
                open.insert(next, Open { since: Instant::now(), task });
            }
        }
        metrics::gauge!("sprintbot_http_connections_open").set(open.len() as f64);
    }
    drop(listener);
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
}

/// Close the oldest connection if it has been open long enough.
fn make_room(open: &mut BTreeMap<u64, Open>, evict_after: Duration) -> bool {
    match open.first_entry() {
        Some(oldest) if oldest.get().since.elapsed() >= evict_after => {
            oldest.remove().task.abort();
            metrics::counter!("sprintbot_http_connections_closed_total", "reason" => "evicted")
                .increment(1);
            true
        }
        _ => false,
    }
}

async fn serve_connection(
    stream: TcpStream,
    router: Router,
    header_timeout: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let service = TowerToHyperService::new(router);
    let mut conn = pin!(builder.serve_connection(TokioIo::new(stream), service));
    tokio::select! {
        _ = conn.as_mut() => return,
        _ = stop.wait_for(|s| *s) => conn.as_mut().graceful_shutdown(),
    }
    let _ = conn.await;
}
