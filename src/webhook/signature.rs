//! `X-Hub-Signature-256`: HMAC-SHA256 of the raw body, keyed with the webhook
//! secret, compared in constant time. Several secrets may be active so one
//! can be rotated without downtime.

use hmac::{KeyInit, Mac};

use crate::config::deploy::Secret;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("missing X-Hub-Signature-256 header")]
    Missing,
    #[error("X-Hub-Signature-256 is not `sha256=` and 64 hex digits")]
    Malformed,
    #[error("X-Hub-Signature-256 does not match any configured webhook secret")]
    Mismatch,
}

/// Check `header` (the header's value, if present) against `body`.
pub fn verify(
    secrets: &[Secret],
    header: Option<&[u8]>,
    body: &[u8],
) -> Result<(), SignatureError> {
    verify_digest(secrets, &digest(header)?, body)
}

/// The digest a well-formed header carries. The edge checks this before
/// reading a body, so a request with no signature costs nothing.
pub fn digest(header: Option<&[u8]>) -> Result<Vec<u8>, SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?;
    let hex_digest = header
        .strip_prefix(b"sha256=")
        .ok_or(SignatureError::Malformed)?;
    if hex_digest.len() != 64 {
        return Err(SignatureError::Malformed);
    }
    hex::decode(hex_digest).map_err(|_| SignatureError::Malformed)
}

/// Check a header's digest (from [`digest`]) against `body`.
pub fn verify_digest(
    secrets: &[Secret],
    expected: &[u8],
    body: &[u8],
) -> Result<(), SignatureError> {
    for secret in secrets {
        let mut mac = HmacSha256::new_from_slice(secret.expose().as_bytes())
            .expect("HMAC takes any key length");
        mac.update(body);
        // verify_slice compares in constant time.
        if mac.verify_slice(expected).is_ok() {
            return Ok(());
        }
    }
    Err(SignatureError::Mismatch)
}

/// The header value GitHub would send for `body` under `secret` (for tests,
/// benchmarks and the fake GitHub).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const VECTOR: &str = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    #[test]
    fn githubs_published_test_vector_verifies() {
        let secrets = [Secret::new("It's a Secret to Everybody")];
        assert_eq!(sign("It's a Secret to Everybody", b"Hello, World!"), VECTOR);
        assert_eq!(
            verify(&secrets, Some(VECTOR.as_bytes()), b"Hello, World!"),
            Ok(())
        );
    }

    #[test]
    fn refusals_say_why() {
        let secrets = [Secret::new("It's a Secret to Everybody")];
        let body = b"Hello, World!";
        assert_eq!(verify(&secrets, None, body), Err(SignatureError::Missing));
        assert_eq!(
            verify(&secrets, Some(b"sha1=abc"), body),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(&secrets, Some(&VECTOR.as_bytes()[..70]), body),
            Err(SignatureError::Malformed)
        );
        let not_hex = format!("sha256={}", "z".repeat(64));
        assert_eq!(
            verify(&secrets, Some(not_hex.as_bytes()), body),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify(&[Secret::new("other")], Some(VECTOR.as_bytes()), body),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&secrets, Some(VECTOR.as_bytes()), b"Hello, World?"),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(&[], Some(VECTOR.as_bytes()), body),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn any_active_secret_verifies_during_rotation() {
        let secrets = [
            Secret::new("old"),
            Secret::new("It's a Secret to Everybody"),
        ];
        assert_eq!(
            verify(&secrets, Some(VECTOR.as_bytes()), b"Hello, World!"),
            Ok(())
        );
    }
}
