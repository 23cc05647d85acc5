//! A request hyper could not parse: recognising the bare response hyper writes for it, and the
//! enveloped response written in its place.
//!
//! When a request line or head does not parse (garbage, a path that is not ASCII, too many or
//! too large header fields), hyper answers by itself, without calling the service, with a
//! body-less 400, 414 or 431 that has neither `Content-Type`, `X-Request-Id` nor the error
//! envelope; there is no hook to change it. It always has this shape, and it is always the
//! last thing hyper writes on the connection (it closes after it):
//!
//! ```text
//! HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: Tue, 01 Dec 2026 21:51:53 GMT\r\n\r\n
//! ```
//!
//! so the stream (`stream.rs`) looks for it at the end of what hyper writes. None of our own
//! responses can end like this: every head the service builds has `content-type` right after
//! the status line, the only header value that echoes the client (`x-request-id`) has no
//! spaces, and bodies are JSON (no raw line breaks) or the OpenAPI document (tested below).
//! A hyper upgrade that changes the shape fails the protocol tests in `tests/http`, which
//! expect the envelope.

use bytes::Bytes;
use http::StatusCode;

use crate::error::ApiError;
use crate::{head, reply, request_id};

/// What follows the status line of hyper's own response, up to the date.
const MIDDLE: &[u8] = b"\r\nconnection: close\r\ncontent-length: 0\r\ndate: ";
/// An IMF-fixdate (`Tue, 01 Dec 2026 21:51:53 GMT`) is always this long.
const DATE_LEN: usize = 29;
const END: &[u8] = b"\r\n\r\n";

/// The status lines hyper writes for a request it cannot parse.
const STATUS_LINES: [(&[u8], StatusCode); 6] = [
    (b"HTTP/1.1 400 Bad Request", StatusCode::BAD_REQUEST),
    (b"HTTP/1.1 414 URI Too Long", StatusCode::URI_TOO_LONG),
    (
        b"HTTP/1.1 431 Request Header Fields Too Large",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
    ),
    (b"HTTP/1.0 400 Bad Request", StatusCode::BAD_REQUEST),
    (b"HTTP/1.0 414 URI Too Long", StatusCode::URI_TOO_LONG),
    (
        b"HTTP/1.0 431 Request Header Fields Too Large",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
    ),
];

/// hyper's own response at the end of a write.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Bare {
    /// Where it starts in the bytes looked at; what comes before is ours.
    pub(crate) start: usize,
    status: StatusCode,
    http_1_0: bool,
    date: Bytes,
}

/// hyper's own response, if `bytes` ends with one. On any other write this costs one
/// comparison of the last four bytes (a response with a body does not end with a blank line).
pub(crate) fn find(bytes: &[u8]) -> Option<Bare> {
    if !bytes.ends_with(END) {
        return None;
    }
    let date_end = bytes.len() - END.len();
    let date_start = date_end.checked_sub(DATE_LEN)?;
    let middle_start = date_start.checked_sub(MIDDLE.len())?;
    if &bytes[middle_start..date_start] != MIDDLE {
        return None;
    }
    let before = &bytes[..middle_start];
    let (line, status) = STATUS_LINES
        .iter()
        .find(|(line, _)| before.ends_with(line))?;
    Some(Bare {
        start: middle_start - line.len(),
        status: *status,
        http_1_0: line.starts_with(b"HTTP/1.0"),
        date: Bytes::copy_from_slice(&bytes[date_start..date_end]),
    })
}

impl Bare {
    /// The response written instead: the same status, version and date, with the common
    /// headers and the envelope. The request could not be read, so its id is a fresh one.
    pub(crate) fn replacement(&self) -> Vec<u8> {
        let request_id = request_id::generate();
        let error = explain(self.status);
        tracing::info!(
            method = "-",
            path = "-",
            status = self.status.as_u16(),
            request_id = request_id.to_str().unwrap_or_default(),
            "request could not be parsed"
        );
        let body = reply::envelope_body(error);
        let version = if self.http_1_0 {
            "HTTP/1.0"
        } else {
            "HTTP/1.1"
        };
        let mut out = format!(
            "{version} {} {}\r\ncontent-type: {}\r\nx-request-id: {}\r\nconnection: close\r\n\
             content-length: {}\r\ndate: ",
            self.status.as_str(),
            self.status.canonical_reason().unwrap_or_default(),
            reply::JSON,
            request_id.to_str().unwrap_or_default(),
            body.len(),
        )
        .into_bytes();
        out.extend_from_slice(&self.date);
        out.extend_from_slice(END);
        out.extend_from_slice(&body);
        out
    }
}

/// What a client can be told. hyper reports the exact cause only after the response is gone,
/// so each status names every cause it stands for.
fn explain(status: StatusCode) -> ApiError {
    match status {
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => head::too_large(format!(
            "the request head is too large: at most {} header fields and {} bytes in all",
            head::MAX_HEADER_FIELDS,
            head::MAX_HEAD_BYTES
        )),
        StatusCode::URI_TOO_LONG => head::target_too_long(),
        _ => ApiError::bad_request(
            "malformed HTTP/1.1 request: the request line or a header field does not parse \
             (a request target must be ASCII: percent-encode other bytes)",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &[u8] = b"Tue, 01 Dec 2026 21:51:53 GMT";

    fn bare(line: &str) -> Vec<u8> {
        let mut out = line.as_bytes().to_vec();
        out.extend_from_slice(MIDDLE);
        out.extend_from_slice(DATE);
        out.extend_from_slice(END);
        out
    }

    #[test]
    fn hypers_response_is_found_after_ours() {
        let ours = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{}".to_vec();
        let mut both = ours.clone();
        both.extend_from_slice(&bare("HTTP/1.1 431 Request Header Fields Too Large"));
        let found = find(&both).unwrap();
        assert_eq!(found.start, ours.len());
        assert_eq!(found.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
        assert_eq!(&found.date[..], DATE);
        assert_eq!(find(&bare("HTTP/1.0 400 Bad Request")).unwrap().start, 0);
        assert!(find(&bare("HTTP/1.0 400 Bad Request")).unwrap().http_1_0);
    }

    #[test]
    fn our_responses_are_not_taken_for_hypers() {
        for ours in [
            &b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"[..],
            b"HTTP/1.1 204 No Content\r\ncontent-type: application/json\r\nx-request-id: r\r\n\r\n",
            // Our own 400, closing, with an empty body (a HEAD answer looks like this).
            b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-request-id: r\r\n\
              connection: close\r\ncontent-length: 0\r\ndate: Tue, 01 Dec 2026 21:51:53 GMT\r\n\r\n",
            b"",
            b"\r\n\r\n",
        ] {
            assert_eq!(find(ours), None, "{}", String::from_utf8_lossy(ours));
        }
        // The one body that is not JSON cannot end like hyper's response.
        assert!(!exsited_spec::OPENAPI_YAML.contains('\r'));
    }

    #[test]
    fn the_replacement_has_the_common_headers_and_the_envelope() {
        let found = find(&bare("HTTP/1.1 400 Bad Request")).unwrap();
        let text = String::from_utf8(found.replacement()).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{head}");
        assert!(
            head.contains("\r\ncontent-type: application/json\r\n"),
            "{head}"
        );
        assert!(head.contains("\r\nx-request-id: req_"), "{head}");
        assert!(
            head.ends_with("date: Tue, 01 Dec 2026 21:51:53 GMT"),
            "{head}"
        );
        assert!(head.contains(&format!("\r\ncontent-length: {}\r\n", body.len())));
        let envelope: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(envelope["errors"][0]["code"], 400);
    }
}
