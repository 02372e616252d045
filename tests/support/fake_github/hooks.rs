//! The App's webhook deliveries, as GitHub keeps them: every webhook the
//! fake sends is logged with its answer's status (0 when the bot was not
//! there), `GET /app/hook/deliveries` lists them newest first (`status=
//! failure` keeps the failed ones; `cursor` pages), and `POST .../attempts`
//! sends one again with the same GUID to the bot.

use std::collections::HashMap;

use jiff::Timestamp;
use serde_json::{Value, json};

use super::routes::{Reply, status, with_status};
use super::state::State;

/// One delivery attempt.
#[derive(Debug, Clone)]
pub struct HookDelivery {
    pub id: u64,
    pub guid: String,
    pub event: String,
    pub action: Option<String>,
    pub installation: Option<u64>,
    pub status_code: u16,
    pub delivered_at: Timestamp,
    pub redelivery: bool,
    pub body: Vec<u8>,
}

/// What the fake keeps about webhooks.
#[derive(Default)]
pub struct HooksState {
    pub log: Vec<HookDelivery>,
    /// Where the App's webhooks go: (URL, secret).
    pub target: Option<(String, String)>,
    /// Redeliveries asked for, to be sent once the request is answered.
    pub outbox: Vec<HookDelivery>,
}

fn shape(d: &HookDelivery) -> Value {
    let ok = (200..400).contains(&d.status_code);
    json!({
        "id": d.id, "guid": d.guid, "delivered_at": d.delivered_at.to_string(),
        "redelivery": d.redelivery, "duration": 0.1,
        "status": if ok { "OK" } else { "failed to connect" },
        "status_code": d.status_code, "event": d.event, "action": d.action,
        "installation_id": d.installation, "repository_id": null, "throttled_at": null,
    })
}

/// `GET /app/hook/deliveries` and `POST /app/hook/deliveries/{id}/attempts`.
pub fn route(
    s: &mut State,
    method: &str,
    segments: &[&str],
    query: &HashMap<String, String>,
) -> Option<Reply> {
    match (method, segments) {
        ("GET", ["app", "hook", "deliveries"]) => {
            let failed_only = query.get("status").map(String::as_str) == Some("failure");
            let per_page: usize = query
                .get("per_page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(30)
                .clamp(1, 100);
            let from: usize = query
                .get("cursor")
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            let all: Vec<&HookDelivery> = s
                .hooks
                .log
                .iter()
                .rev()
                .filter(|d| !failed_only || !(200..400).contains(&d.status_code))
                .collect();
            let page: Vec<Value> = all
                .iter()
                .skip(from)
                .take(per_page)
                .map(|d| shape(d))
                .collect();
            let mut reply = with_status(200, Value::Array(page));
            if from + per_page < all.len() {
                let mut next = format!(
                    "/app/hook/deliveries?per_page={per_page}&cursor={}",
                    from + per_page
                );
                if failed_only {
                    next.push_str("&status=failure");
                }
                reply
                    .headers
                    .push(("link", format!("<{{BASE}}{next}>; rel=\"next\"")));
            }
            Some(reply)
        }
        ("POST", ["app", "hook", "deliveries", id, "attempts"]) => {
            let Some(d) = id
                .parse::<u64>()
                .ok()
                .and_then(|id| s.hooks.log.iter().find(|d| d.id == id))
                .cloned()
            else {
                return Some(status(404, "Not Found"));
            };
            s.hooks.outbox.push(d);
            Some(with_status(202, json!({})))
        }
        _ => None,
    }
}

impl super::FakeGitHub {
    /// GitHub's log gains a delivery of `event` that the bot answered with
    /// `status` (a refusal the test cannot cause cheaply, such as a 413).
    pub fn log_delivery(&self, event: &str, payload: &Value, status: u16) -> u64 {
        let id = self.with(|s| s.next_id());
        let d = HookDelivery {
            id,
            guid: format!("guid-{id}"),
            event: event.into(),
            action: payload["action"].as_str().map(String::from),
            installation: payload["installation"]["id"].as_u64(),
            status_code: status,
            delivered_at: self.inner.clock.now(),
            redelivery: false,
            body: serde_json::to_vec(payload).unwrap(),
        };
        self.with(|s| s.hooks.log.push(d));
        id
    }
}

impl super::FakeGitHub {
    /// GitHub sends the last webhook it delivered again, under the same
    /// `X-GitHub-Delivery` (as "Redeliver" in the App's settings does).
    /// Returns the status, or `None` when nothing was delivered yet.
    pub async fn redeliver_last(&self) -> Option<u16> {
        let mut d = self.with(|s| s.hooks.log.last().cloned())?;
        d.id = self.with(|s| s.next_id());
        d.redelivery = true;
        d.delivered_at = self.inner.clock.now();
        Some(self.send_logged(d).await)
    }
}
