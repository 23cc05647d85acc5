//! From an HTTP response to core's [`Error`]: statuses to variants, error bodies (every shape the
//! API sends, read by `exsited_spec::errors`) to messages, and unreadable bodies to a short,
//! printable excerpt.

use exsited_core::{Error, Resource};
use exsited_spec::errors::{ErrorReport, is_error_object, parse_error_body};
use serde::de::DeserializeOwned;

use crate::exchange::Response;

/// How much of a body that is not an error envelope is kept in the error.
pub(crate) const EXCERPT_BYTES: usize = 512;
/// How many of the server's messages are kept, and how long each may be.
const MAX_MESSAGES: usize = 8;
const MAX_MESSAGE_BYTES: usize = 512;

/// What a 404 from this call means.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) resource: Resource,
    pub(crate) id: String,
}

impl Target {
    pub(crate) fn new(resource: Resource, id: impl ToString) -> Option<Self> {
        Some(Self {
            resource,
            id: id.to_string(),
        })
    }
}

/// `text` cut to at most `max` bytes on a character boundary, control characters replaced by
/// spaces (they corrupt terminals and logs), runs of whitespace collapsed.
pub(crate) fn clean(text: &str, max: usize) -> String {
    let mut cut = text.len().min(max);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = String::with_capacity(cut);
    for c in text[..cut].chars() {
        let c = if c.is_control() { ' ' } else { c };
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    let trimmed = out.trim();
    if cut < text.len() {
        format!("{trimmed}...")
    } else {
        trimmed.to_owned()
    }
}

/// A bounded, printable excerpt of a body that is not an error envelope (an HTML 502 page).
pub(crate) fn excerpt(body: &[u8]) -> String {
    let head = &body[..body.len().min(EXCERPT_BYTES)];
    let text = String::from_utf8_lossy(head);
    let mut shown = clean(&text, EXCERPT_BYTES);
    if body.len() > EXCERPT_BYTES && !shown.ends_with("...") {
        shown.push_str("...");
    }
    shown
}

fn report_messages(report: &ErrorReport) -> Vec<String> {
    report
        .messages
        .iter()
        .take(MAX_MESSAGES)
        .map(|m| clean(m, MAX_MESSAGE_BYTES))
        .collect()
}

/// The error a non-success response (or a 2xx `object: error` body) stands for.
pub(crate) fn from_response(response: &Response, not_found: Option<&Target>) -> Error {
    if (300..400).contains(&response.status) {
        return redirect(response);
    }
    let report = parse_error_body(&response.body);
    let request_id = report
        .as_ref()
        .and_then(|r| r.request_id.as_deref())
        .map(|id| clean(id, 128))
        .or_else(|| Some(response.request_id.clone()));
    let mut messages = report.as_ref().map(report_messages).unwrap_or_default();
    if report.is_none() && !response.body.is_empty() {
        messages.push(format!(
            "unexpected response body: {}",
            excerpt(&response.body)
        ));
    }
    let joined = |fallback: &str| {
        if messages.is_empty() {
            fallback.to_owned()
        } else {
            messages.join("; ")
        }
    };
    // A 2xx carrying an error object: its own status, when it names one, says what it is.
    let status = if (200..300).contains(&response.status) {
        embedded_status(&response.body).unwrap_or(response.status)
    } else {
        response.status
    };
    match status {
        400 => match report.as_ref().and_then(|r| {
            r.fields
                .iter()
                .find(|(field, _)| !field.is_empty())
                .cloned()
        }) {
            Some((field, reason)) => Error::InvalidInput {
                field: clean(&field, 128),
                reason: clean(&reason, MAX_MESSAGE_BYTES),
            },
            None => backend(status, messages, request_id),
        },
        401 => Error::Unauthorized {
            message: joined("the API rejected the access token"),
        },
        403 => Error::Forbidden {
            message: joined("the API refused the operation"),
        },
        404 => match not_found {
            Some(target) => Error::not_found(target.resource, &target.id),
            None => backend(status, messages, request_id),
        },
        409 | 422 => Error::Conflict {
            message: joined("the request conflicts with the resource's state"),
        },
        429 => Error::RateLimited {
            retry_after: crate::retry::retry_after(&response.headers, std::time::SystemTime::now()),
        },
        _ => backend(status, messages, request_id),
    }
}

fn backend(status: u16, messages: Vec<String>, request_id: Option<String>) -> Error {
    Error::Backend {
        status: Some(status),
        messages,
        request_id,
    }
}

/// The `status` field of a v4 error object, when it is an error status.
fn embedded_status(body: &[u8]) -> Option<u16> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let status = u16::try_from(value.get("status")?.as_u64()?).ok()?;
    (400..600).contains(&status).then_some(status)
}

/// A 3xx: the hosted API redirects bad credentials to a sign-in page. Only the redirect's host
/// is named: the full location may carry tokens or state in its query.
pub(crate) fn redirect(response: &Response) -> Error {
    let host = response
        .headers
        .get(http::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<http::Uri>().ok())
        .and_then(|uri| uri.host().map(|h| clean(h, 128)));
    let message = match host {
        Some(host) => format!(
            "the API redirected (status {}) to {host}, most likely a sign-in page: check the credentials",
            response.status
        ),
        None => format!(
            "the API redirected (status {}), most likely to a sign-in page: check the credentials",
            response.status
        ),
    };
    Error::Unauthorized { message }
}

/// Whether a response is a success the caller can read: a 2xx whose body is not an error object.
pub(crate) fn is_success(response: &Response) -> bool {
    (200..300).contains(&response.status) && !is_error_object(&response.body)
}

/// The body of a success, read as `T`. A body that is not a `T` is a broken contract, reported
/// with serde's position but never its text, which may quote a secret from the body.
pub(crate) fn decode<T: DeserializeOwned>(response: &Response, what: &str) -> Result<T, Error> {
    serde_json::from_slice(&response.body).map_err(|e| {
        let problem = match e.classify() {
            serde_json::error::Category::Io | serde_json::error::Category::Eof => "incomplete JSON",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "JSON of the wrong shape",
        };
        contract(
            response,
            format!(
                "the response is not a valid {what}: {problem} at line {} column {}",
                e.line(),
                e.column()
            ),
        )
    })
}

/// A success whose content broke the contract (a record that does not convert).
pub(crate) fn contract(response: &Response, message: String) -> Error {
    Error::Backend {
        status: Some(response.status),
        messages: vec![message],
        request_id: Some(response.request_id.clone()),
    }
}

/// A record that did not convert to a domain value.
/// Decodes a response as the wire type `W` and turns it into a domain value with `convert`;
/// `what` names the record in both kinds of failure.
pub(crate) fn read<W: DeserializeOwned, T>(
    response: &Response,
    what: &str,
    convert: impl FnOnce(W) -> Result<T, Error>,
) -> Result<T, Error> {
    let wire: W = decode(response, what)?;
    convert(wire).map_err(|e| invalid_record(response, what, e))
}

pub(crate) fn invalid_record(response: &Response, what: &str, error: Error) -> Error {
    let detail = match error {
        Error::InvalidInput { field, reason } => format!("field {field}: {reason}"),
        other => other.to_string(),
    };
    contract(
        response,
        format!("the API sent an invalid {what}: {detail}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_cuts_on_characters_and_strips_controls() {
        assert_eq!(clean("a\u{1b}[2J\nb", 100), "a [2J b");
        assert_eq!(clean(&"é".repeat(10), 5), "éé...");
    }

    #[test]
    fn excerpts_are_bounded() {
        let body = format!("<html>{}</html>", "x".repeat(5000));
        let shown = excerpt(body.as_bytes());
        assert!(shown.len() <= EXCERPT_BYTES + 3, "{}", shown.len());
        assert!(shown.ends_with("..."));
        assert_eq!(excerpt(b"\xff\xfeok"), "\u{fffd}\u{fffd}ok");
    }
}
