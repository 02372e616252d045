//! GitHub's own webhook payloads from `tests/fixtures/github/webhooks/`,
//! adjusted per test, signed as GitHub signs them.

use std::path::PathBuf;

use serde_json::Value;

/// The test fixtures folder (`tests/fixtures`), copied from GitHub's own
/// data with its licence notices (`tests/fixtures/github/LICENSES.md`).
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

/// A payload file by name, e.g. `issue_comment.created`, parsed.
pub fn payload(name: &str) -> Value {
    let path = fixtures_dir()
        .join("github/webhooks")
        .join(format!("{name}.json"));
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture payloads are JSON")
}

/// `sha256=<hex>` for a body under a secret.
pub fn sign(secret: &str, body: &[u8]) -> String {
    sprintbot::webhook::signature::sign(secret, body)
}

/// A delivery ready to send: event, delivery id, body, signature.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub event: String,
    pub id: String,
    pub body: Vec<u8>,
    pub signature: Option<String>,
}

impl Delivery {
    /// A delivery of `event` with the payload `value`, signed with `secret`.
    pub fn signed(event: &str, id: &str, value: &Value, secret: &str) -> Delivery {
        let body = serde_json::to_vec(value).expect("serialise payload");
        let signature = Some(sign(secret, &body));
        Delivery {
            event: event.into(),
            id: id.into(),
            body,
            signature,
        }
    }

    /// Send it to `url` (the bot's `/webhook`); returns the status code.
    pub async fn send(&self, client: &reqwest::Client, url: &str) -> u16 {
        let mut req = client
            .post(url)
            .header("content-type", "application/json")
            .header("user-agent", "GitHub-Hookshot/test")
            .header("x-github-event", &self.event)
            .header("x-github-delivery", &self.id)
            .body(self.body.clone());
        if let Some(sig) = &self.signature {
            req = req.header("x-hub-signature-256", sig);
        }
        req.send().await.expect("send delivery").status().as_u16()
    }
}
