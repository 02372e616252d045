//! The HTTP edge: `POST /webhook`, `/healthz`, `/readyz`, `/metrics`.
//!
//! A delivery's signature header is checked before its body is read; the
//! body is read with a size limit while it streams in, within the memory
//! and time bounds of `limits.rs`, verified on its raw bytes, then stored
//! with its job in one transaction before the 202. How many connections
//! may be open, and how long a request head may take, is `connections.rs`.
//! Metric labels come from closed sets, never from a request as sent.
//! Nothing here waits on GitHub; `/readyz` reports what the start-up check
//! learnt about it (`ready.rs`).

pub mod connections;
pub mod limits;
mod ready;
pub mod signature;

pub use connections::{ConnectionLimits, serve};
pub use limits::BodyLimits;
pub use ready::Readiness;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body_util::BodyExt;
use serde::Deserialize;
use tokio::sync::Notify;

use crate::config::deploy::Secret;
use crate::store::{DeliveryOutcome, NewDelivery, Store};

/// GitHub caps payloads at 25 MB; anything larger is refused.
pub const MAX_BODY_BYTES: usize = 25 * 1024 * 1024;

/// What the HTTP handlers share.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub secrets: Arc<Vec<Secret>>,
    /// Woken when a job is queued, so the worker need not poll.
    pub jobs_ready: Arc<Notify>,
    /// Whether GitHub has accepted the App's credentials yet.
    pub readiness: Readiness,
    /// Memory permits and deadlines for reading bodies.
    pub limits: BodyLimits,
}

/// The router with every endpoint.
pub fn router(state: AppState) -> Router {
    crate::telemetry::metrics();
    Router::new()
        .route("/webhook", post(receive))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(render_metrics))
        .with_state(state)
}

/// Why a delivery was refused; each maps to one status code in one place.
#[derive(Debug, thiserror::Error)]
enum Refusal {
    #[error("{0}")]
    Signature(#[from] signature::SignatureError),
    #[error("payload larger than {MAX_BODY_BYTES} bytes")]
    TooLarge,
    #[error("missing or empty {0} header")]
    MissingHeader(&'static str),
    #[error("payload is not a JSON object: {0}")]
    BadJson(String),
    #[error("could not read the request body")]
    BodyRead,
    #[error("the request body did not arrive in time")]
    BodyTimeout,
    #[error("too many deliveries being read at once; try again")]
    Busy,
    #[error("the store could not record the delivery; GitHub may redeliver it")]
    Store,
}

/// Whether sprintbot answering `status` to a delivery means it refused it
/// on purpose, as [`Refusal::status`] maps refusals: the same bytes would
/// be refused again, so asking GitHub to redeliver them is pointless. A
/// body that did not arrive in time (408) or a busy edge (503) is not.
pub fn refused_on_purpose(status: u16) -> bool {
    (400..500).contains(&status) && status != 408 && status != 429
}

impl Refusal {
    fn status(&self) -> StatusCode {
        match self {
            Refusal::Signature(_) => StatusCode::UNAUTHORIZED,
            Refusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Refusal::MissingHeader(_) | Refusal::BadJson(_) | Refusal::BodyRead => {
                StatusCode::BAD_REQUEST
            }
            Refusal::Store | Refusal::Busy => StatusCode::SERVICE_UNAVAILABLE,
            Refusal::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
        }
    }
    fn label(&self) -> &'static str {
        match self {
            Refusal::Signature(_) => "unauthorized",
            Refusal::TooLarge => "too_large",
            Refusal::MissingHeader(_) | Refusal::BadJson(_) | Refusal::BodyRead => "bad_request",
            Refusal::Store => "store_error",
            Refusal::BodyTimeout => "timeout",
            Refusal::Busy => "busy",
        }
    }
    /// Whether the request's signature was checked before it was refused.
    fn verified(&self) -> bool {
        matches!(
            self,
            Refusal::MissingHeader(_) | Refusal::BadJson(_) | Refusal::Store
        )
    }
}

/// The fields the edge reads from every payload; serde still checks that the
/// whole body is well-formed JSON.
#[derive(Deserialize)]
struct Envelope {
    action: Option<serde_json::Value>,
    installation: Option<InstallationRef>,
    repository: Option<RepositoryRef>,
    comment: Option<CommentRef>,
}

#[derive(Deserialize)]
struct CommentRef {
    id: u64,
}

#[derive(Deserialize)]
struct RepositoryRef {
    full_name: String,
}

#[derive(Deserialize)]
struct InstallationRef {
    id: u64,
}

async fn receive(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let event = event_label(header_str(&parts.headers, "x-github-event"));
    match accept(&state, &parts.headers, body).await {
        Ok(outcome) => {
            metrics::counter!("sprintbot_webhook_deliveries_total",
                "event" => event, "outcome" => outcome.label())
            .increment(1);
            if matches!(outcome, DeliveryOutcome::Queued { .. }) {
                state.jobs_ready.notify_one();
            }
            (StatusCode::ACCEPTED, format!("{}\n", outcome.label())).into_response()
        }
        Err(refusal) => {
            // An unverified request's event header is not trusted at all.
            let event = if refusal.verified() {
                event
            } else {
                "unverified"
            };
            metrics::counter!("sprintbot_webhook_deliveries_total",
                "event" => event, "outcome" => refusal.label())
            .increment(1);
            tracing::info!(status = refusal.status().as_u16(), reason = %refusal, "webhook refused");
            let mut response = (refusal.status(), format!("{refusal}\n")).into_response();
            if matches!(refusal, Refusal::Busy) {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
            }
            response
        }
    }
}

async fn accept(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<DeliveryOutcome, Refusal> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(Refusal::TooLarge);
    }
    // Nothing unsigned is read: a well-formed signature header comes first.
    let expected = signature::digest(headers.get("x-hub-signature-256").map(|v| v.as_bytes()))?;
    let _permit = state.limits.admit(declared).await.ok_or(Refusal::Busy)?;
    let read = read_body(body, declared);
    let bytes = tokio::time::timeout(state.limits.deadline(), read)
        .await
        .map_err(|_| Refusal::BodyTimeout)??;
    signature::verify_digest(&state.secrets, &expected, &bytes)?;

    let event =
        header_str(headers, "x-github-event").ok_or(Refusal::MissingHeader("X-GitHub-Event"))?;
    let delivery = header_str(headers, "x-github-delivery")
        .ok_or(Refusal::MissingHeader("X-GitHub-Delivery"))?;
    let envelope: Envelope =
        serde_json::from_slice(&bytes).map_err(|e| Refusal::BadJson(e.to_string()))?;
    let action = match envelope.action {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
        None => None,
    };
    let subject_key = match (event, &envelope.repository, &envelope.comment, &action) {
        ("issue_comment", Some(r), Some(c), Some(a)) => {
            Some(crate::work::comment_event_key(&r.full_name, c.id, a))
        }
        _ => None,
    };
    let new = NewDelivery {
        id: delivery.to_string(),
        event: event.to_string(),
        action,
        installation: envelope.installation.map(|i| i.id),
        payload: bytes,
        job_kind: crate::worker::job_kind_for(event),
        subject_key,
        serial_key: envelope
            .repository
            .filter(|_| crate::worker::is_serial(event))
            .map(|r| crate::work::repo_serial_key(&r.full_name)),
    };
    state.store.record_delivery(new).await.map_err(|e| {
        tracing::error!(error = %e, delivery, "could not record a delivery");
        Refusal::Store
    })
}

/// The body as one buffer of the size its permit was given for: one copy,
/// never more than [`MAX_BODY_BYTES`].
async fn read_body(mut body: Body, declared: Option<u64>) -> Result<Vec<u8>, Refusal> {
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0).min(MAX_BODY_BYTES as u64) as usize);
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.map_err(|_| Refusal::BodyRead)?.into_data() else {
            continue;
        };
        if bytes.len() + data.len() > MAX_BODY_BYTES {
            return Err(Refusal::TooLarge);
        }
        bytes.extend_from_slice(&data);
    }
    Ok(bytes)
}

/// An event's metric label: its name when sprintbot handles or subscribes
/// to it, `other` for any other name, `unknown` when none was sent. A
/// closed set, so no request can add a series to `/metrics`.
fn event_label(event: Option<&str>) -> &'static str {
    let Some(event) = event else {
        return "unknown";
    };
    let subscribed = crate::github::needs::EVENTS.iter().map(|e| e.name);
    crate::worker::HANDLED_EVENTS
        .iter()
        .copied()
        .chain(subscribed)
        .find(|known| *known == event)
        .unwrap_or("other")
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

async fn ready(State(state): State<AppState>) -> Response {
    if !state.store.ping().await {
        let message = format!(
            "not ready: the {} database does not answer\n",
            state.store.backend_name()
        );
        return (StatusCode::SERVICE_UNAVAILABLE, message).into_response();
    }
    match state.readiness.reason() {
        None => (StatusCode::OK, "ready\n").into_response(),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {reason}\n"),
        )
            .into_response(),
    }
}

async fn render_metrics(State(state): State<AppState>) -> Response {
    if let Ok(stats) = state.store.queue_stats().await {
        for (name, n) in [
            ("pending", stats.pending),
            ("running", stats.running),
            ("retrying", stats.retrying),
            ("dead", stats.dead),
        ] {
            metrics::gauge!("sprintbot_queue_jobs", "state" => name).set(n as f64);
        }
        // How many jobs wait for GitHub's write budget, and until when.
        metrics::gauge!("sprintbot_jobs_waiting_for_budget").set(stats.budget_waiting as f64);
        metrics::gauge!("sprintbot_write_budget_until_seconds")
            .set(stats.budget_until_ms.map_or(0.0, |ms| ms as f64 / 1000.0));
    }
    let body = crate::telemetry::metrics().render();
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}
