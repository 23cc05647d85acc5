//! The `X-Request-Id` of each exchange: the caller's when it is sane, else a fresh one.

use exsited_spec::headers::X_REQUEST_ID;
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::crypto;

pub(crate) const HEADER: HeaderName = HeaderName::from_static(X_REQUEST_ID.lowercase);

/// The longest caller-supplied id echoed back; a longer one is replaced, not cut, so that a
/// caller never sees a truncated id it cannot match in its own logs.
const MAX_ECHOED: usize = 128;

/// The caller's request id if it is 1 to 128 visible ASCII characters (it is echoed into
/// headers and logs, where anything else could forge lines), else a generated `req_...`.
pub(crate) fn for_request(headers: &HeaderMap) -> HeaderValue {
    headers
        .get(&HEADER)
        .filter(|v| is_sane(v.as_bytes()))
        .cloned()
        .unwrap_or_else(generate)
}

fn is_sane(value: &[u8]) -> bool {
    !value.is_empty() && value.len() <= MAX_ECHOED && value.iter().all(|b| b.is_ascii_graphic())
}

/// A fresh `req_...` id.
pub(crate) fn generate() -> HeaderValue {
    HeaderValue::from_str(&format!("req_{}", crypto::random_hex(16)))
        .expect("hex is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id_for(value: &[u8]) -> String {
        let mut headers = HeaderMap::new();
        headers.insert(HEADER, HeaderValue::from_bytes(value).unwrap());
        for_request(&headers).to_str().unwrap().to_owned()
    }

    #[test]
    fn sane_ids_are_echoed_others_replaced() {
        assert_eq!(id_for(b"abc-123"), "abc-123");
        assert!(id_for(b"has space").starts_with("req_"));
        assert!(id_for(&[b'x'; 129]).starts_with("req_"));
        assert_eq!(id_for(&[b'x'; 128]).len(), 128);
        assert!(
            for_request(&HeaderMap::new())
                .to_str()
                .unwrap()
                .starts_with("req_")
        );
    }
}
