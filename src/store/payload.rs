//! How delivery payloads are kept, the same in every backend: LZ4-compressed
//! with their size in front. Webhook JSON shrinks several times, and every
//! byte saved is a byte not written twice (log, then table).

/// Compress a delivery's raw body for storage.
pub(super) fn compress(payload: &[u8]) -> Vec<u8> {
    lz4_flex::compress_prepend_size(payload)
}

/// The raw body back from what `compress` stored.
pub(super) fn decompress(stored: &[u8]) -> Result<Vec<u8>, lz4_flex::block::DecompressError> {
    lz4_flex::decompress_size_prepended(stored)
}

#[cfg(test)]
mod tests {
    #[test]
    fn payloads_round_trip_through_compression() {
        let body = br#"{"action":"created","comment":{"body":"/goal Ship it"}}"#.repeat(50);
        let stored = super::compress(&body);
        assert!(stored.len() < body.len() / 4);
        assert_eq!(super::decompress(&stored).unwrap(), body);
        assert!(super::decompress(b"\x64\x00\x00\x00\xff").is_err());
    }
}
