//! A complete response and how it is read: a success's body as a wire type and then a domain
//! value, anything else as the core [`Error`] it stands for (statuses to variants, every
//! error-body shape the API sends read by `exsited_spec::errors`, an unreadable body kept as a
//! short printable excerpt).

use std::time::SystemTime;

use bytes::Bytes;
use exsited_core::{Error, Resource};
use exsited_spec::errors::{ErrorReport, is_error_object, parse_error_body};
use http::HeaderMap;
use serde::de::DeserializeOwned;

use crate::retry;
use crate::text::{clean, excerpt};

/// How many of the server's messages are kept, and how long each may be.
const MAX_MESSAGES: usize = 8;
const MAX_MESSAGE_BYTES: usize = 512;

/// A complete response: status, headers and the whole body.
///
/// No `Debug`: the body of a connection record holds partner secrets.
pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
    /// The server's `X-Request-Id`, else the one sent.
    pub(crate) request_id: String,
}

/// What a 404 from a call means: which resource, by which id, was not found.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub(crate) resource: Resource,
    pub(crate) id: String,
}

impl Response {
    /// Whether the caller can read this as a success: a 2xx whose body is not an error object.
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status) && !is_error_object(&self.body)
    }

    /// The body of a success, read as the wire type `W`, turned into a domain value by
    /// `convert`; `what` names the record in both kinds of failure.
    pub(crate) fn read<W: DeserializeOwned, T>(
        &self,
        what: &str,
        convert: impl FnOnce(W) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let wire: W = self.decode(what)?;
        convert(wire).map_err(|error| {
            let detail = match error {
                Error::InvalidInput { field, reason } => format!("field {field}: {reason}"),
                other => other.to_string(),
            };
            self.contract(format!("the API sent an invalid {what}: {detail}"))
        })
    }

    /// The body of a success, read as `T`. A body that is not a `T` is a broken contract,
    /// reported with serde's position but never its text, which may quote a secret.
    pub(crate) fn decode<T: DeserializeOwned>(&self, what: &str) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| {
            let problem = match e.classify() {
                serde_json::error::Category::Io | serde_json::error::Category::Eof => {
                    "incomplete JSON"
                }
                serde_json::error::Category::Syntax => "not JSON",
                serde_json::error::Category::Data => "JSON of the wrong shape",
            };
            self.contract(format!(
                "the response is not a valid {what}: {problem} at line {} column {}",
                e.line(),
                e.column()
            ))
        })
    }

    /// A success whose content broke the contract (a record that does not convert).
    pub(crate) fn contract(&self, message: String) -> Error {
        Error::Backend {
            status: Some(self.status),
            messages: vec![message],
            request_id: Some(self.request_id.clone()),
        }
    }

    /// The error a non-success response (or a 2xx `object: error` body) stands for; a 404
    /// names `not_found` when the call says what it looked up.
    pub(crate) fn error(&self, not_found: Option<&Target>) -> Error {
        if (300..400).contains(&self.status) {
            return self.redirect();
        }
        let report = parse_error_body(&self.body);
        let request_id = report
            .as_ref()
            .and_then(|r| r.request_id.as_deref())
            .map(|id| clean(id, 128))
            .or_else(|| Some(self.request_id.clone()));
        let mut messages = report.as_ref().map(report_messages).unwrap_or_default();
        if report.is_none() && !self.body.is_empty() {
            messages.push(format!("unexpected response body: {}", excerpt(&self.body)));
        }
        let joined = |fallback: &str| {
            if messages.is_empty() {
                fallback.to_owned()
            } else {
                messages.join("; ")
            }
        };
        // A 2xx carrying an error object: its own status, when it names an error one, says
        // what it is.
        let status = if (200..300).contains(&self.status) {
            report
                .as_ref()
                .and_then(|r| r.status)
                .filter(|s| (400..600).contains(s))
                .unwrap_or(self.status)
        } else {
            self.status
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
            // What the call looked for, unless the body names what was missing: a connection
            // that is gone makes every record under it a 404.
            404 => match (report.as_ref().and_then(|r| r.missing.as_ref()), not_found) {
                (Some((resource, id)), Some(_)) => Error::not_found(*resource, clean(id, 128)),
                (None, Some(target)) => Error::not_found(target.resource, &target.id),
                (_, None) => backend(status, messages, request_id),
            },
            409 | 422 => Error::Conflict {
                message: joined("the request conflicts with the resource's state"),
            },
            429 => Error::RateLimited {
                retry_after: retry::retry_after(&self.headers, SystemTime::now()),
            },
            _ => backend(status, messages, request_id),
        }
    }

    /// A 3xx: the hosted API redirects bad credentials to a sign-in page. Only the redirect's
    /// host is named: the full location may carry tokens or state in its query.
    fn redirect(&self) -> Error {
        let host = self
            .headers
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<http::Uri>().ok())
            .and_then(|uri| uri.host().map(|h| clean(h, 128)));
        let message = match host {
            Some(host) => format!(
                "the API redirected (status {}) to {host}, most likely a sign-in page: check the credentials",
                self.status
            ),
            None => format!(
                "the API redirected (status {}), most likely to a sign-in page: check the credentials",
                self.status
            ),
        };
        Error::Unauthorized { message }
    }
}

fn report_messages(report: &ErrorReport) -> Vec<String> {
    report
        .messages
        .iter()
        .take(MAX_MESSAGES)
        .map(|m| clean(m, MAX_MESSAGE_BYTES))
        .collect()
}

fn backend(status: u16, messages: Vec<String>, request_id: Option<String>) -> Error {
    Error::Backend {
        status: Some(status),
        messages,
        request_id,
    }
}
