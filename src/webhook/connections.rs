//! The edge's connections: accepting them, serving HTTP/1.1 on each, how
//! many may be open and for how long a request's head may take, and letting
//! them finish on shutdown. (`axum::serve` offers neither a header-read
//! timeout nor a cap, so this is a small accept loop of its own; GitHub and
//! Prometheus speak HTTP/1.1.)
//!
//! A connection that has not sent a whole request head within
//! `header_timeout` is closed, idle keep-alive connections included. At
//! most `max_connections` are open. When the cap is reached, a newcomer
//! from an address holding fewer connections than the address holding the
//! most takes the oldest connection of the latter; otherwise the newcomer
//! is closed at once. So a thousand half-sent requests from one place hold
//! at most the cap, cannot push each other out (no churn), and cannot lock
//! GitHub, which connects from elsewhere, out. (Behind a proxy every
//! connection has the proxy's address: then it is a plain cap, and the
//! proxy should limit each client.)

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::future::Future;
use std::net::IpAddr;
use std::pin::pin;
use std::time::Duration;

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

/// How many connections, and for how long.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub header_timeout: Duration,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: MAX_CONNECTIONS,
            header_timeout: HEADER_TIMEOUT,
        }
    }
}

/// The open connections, by accept order and by peer address.
#[derive(Default)]
struct Slots {
    open: BTreeMap<u64, (IpAddr, AbortHandle)>,
    by_peer: HashMap<IpAddr, BTreeSet<u64>>,
    next: u64,
}

impl Slots {
    /// Whether a connection from `peer` may open, closing another to make
    /// room if `peer` holds fewer than the busiest address.
    fn make_room(&mut self, peer: IpAddr, max: usize) -> bool {
        if self.open.len() < max {
            return true;
        }
        let mine = self.by_peer.get(&peer).map_or(0, BTreeSet::len);
        let busiest = self
            .by_peer
            .iter()
            .max_by_key(|(_, held)| held.len())
            .filter(|(_, held)| held.len() > mine + 1)
            .and_then(|(_, held)| held.first().copied());
        match busiest {
            Some(oldest) => {
                if let Some(task) = self.remove(oldest) {
                    task.abort();
                }
                metrics::counter!("sprintbot_http_connections_closed_total", "reason" => "evicted")
                    .increment(1);
                true
            }
            None => false,
        }
    }

    fn insert(&mut self, peer: IpAddr, task: AbortHandle) -> u64 {
        self.next += 1;
        self.open.insert(self.next, (peer, task));
        self.by_peer.entry(peer).or_default().insert(self.next);
        self.next
    }

    fn remove(&mut self, n: u64) -> Option<AbortHandle> {
        let (peer, task) = self.open.remove(&n)?;
        if let Some(held) = self.by_peer.get_mut(&peer) {
            held.remove(&n);
            if held.is_empty() {
                self.by_peer.remove(&peer);
            }
        }
        Some(task)
    }
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
    let mut slots = Slots::default();
    let mut slot_of: HashMap<tokio::task::Id, u64> = HashMap::new();
    let mut shutdown = pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            Some(done) = tasks.join_next_with_id() => {
                let id = match done {
                    Ok((id, ())) => id,
                    Err(e) => e.id(),
                };
                if let Some(n) = slot_of.remove(&id) {
                    slots.remove(n);
                }
            }
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        // Out of file descriptors, mostly: give some a
                        // chance to close rather than spin.
                        tracing::warn!(error = %e, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let peer = peer_key(peer.ip());
                if !slots.make_room(peer, limits.max_connections) {
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
                let id = task.id();
                slot_of.insert(id, slots.insert(peer, task));
            }
        }
        metrics::gauge!("sprintbot_http_connections_open").set(slots.open.len() as f64);
    }
    drop(listener);
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
}

/// Whose connection this is: an IPv4 address, or an IPv6 /64 (one host's
/// usual share, in which it may pick any address).
fn peer_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
        v4 => v4,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_host_is_its_slash_64_and_a_mapped_ipv4_is_itself() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(peer_key(a), peer_key(b));
        assert_ne!(peer_key(a), peer_key("2001:db8:1:3::1".parse().unwrap()));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(peer_key(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }
}
