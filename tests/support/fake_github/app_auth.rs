//! How the fake refuses an App JWT it cannot verify, as GitHub does: a JWT
//! for an App that does not exist is `404 Integration not found`; one signed
//! with a key that is not the App's is `401 A JSON web token could not be
//! decoded`.

use axum::response::Response;
use base64::Engine as _;

use super::state::AuthKind;
use super::{responses, server};

/// The App a JWT says it is from (`iss`), unverified.
pub fn issuer(jwt: &str) -> Option<String> {
    jwt.split('.')
        .nth(1)
        .and_then(|claims| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(claims)
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|claims| match &claims["iss"] {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
}

/// The kind of a JWT that failed verification, given the Apps that exist.
pub fn classify(jwt: &str, apps: &[String]) -> AuthKind {
    match issuer(jwt) {
        Some(iss) if !apps.contains(&iss) => AuthKind::UnknownApp,
        _ => AuthKind::Invalid,
    }
}

/// GitHub's answer to an App endpoint called without a good App JWT.
pub fn refused(auth: &AuthKind) -> Response {
    match auth {
        AuthKind::UnknownApp => server::reply(404, &responses::error("Integration not found"), &[]),
        _ => server::reply(
            401,
            &responses::error("A JSON web token could not be decoded"),
            &[],
        ),
    }
}
