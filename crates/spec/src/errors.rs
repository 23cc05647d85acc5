//! Reading the API's error bodies, in every shape it has been seen to send, and writing the
//! one shape the reference server sends.

use std::collections::BTreeMap;

use exsited_core::Resource;

use crate::convert::domain_field;
use crate::{BareError, ErrorCode, ErrorDetail, ErrorEnvelope, V4ErrorEnvelope, V4Errors};

/// What an error body said, whatever its shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorReport {
    /// The first error's code, as text (`"404"`, `"validation_error"`, `"unauthorized"`).
    pub code: Option<String>,
    /// Every message, field errors as `field: message`.
    pub messages: Vec<String>,
    /// The request id, when the body carries one (v4).
    pub request_id: Option<String>,
    /// The HTTP status the body names (v4's `status`), which says what a 2xx carrying an error
    /// object stands for.
    pub status: Option<u16>,
    /// The field errors, as `(field, message)`: every field error of a v4 body, and the
    /// `details.field` of v3 errors. A v3 field is named as the domain names it (see
    /// [`domain_field`]): the reference server sends its path in the body.
    pub fields: Vec<(String, String)>,
    /// What a v3 error says was not found, by the keys of its `details` the reference server
    /// sends on a 404: a partner function (`partner_function_uuid`), else an automation
    /// (`automation_uuid`), else a connection (`connection_uuid`), with its id. A 404 under a
    /// connection names the connection too, so the most specific key wins.
    pub missing: Option<(Resource, String)>,
}

fn code_text(code: &ErrorCode) -> String {
    match code {
        ErrorCode::Number(n) => n.to_string(),
        ErrorCode::Text(s) => s.clone(),
    }
}

/// The keys of `details` in the v3 envelope the reference server sends (a project choice, listed
/// in the document's `ErrorDetail`); a client reads [`detail::FIELD`].
pub mod detail {
    /// The path of the field in error, in a body (`integration.automation_details.name`) or
    /// as a query parameter (`limit`).
    pub const FIELD: &str = "field";
    /// A path parameter that is not a valid id (`uuid`).
    pub const PARAMETER: &str = "parameter";
    /// A header with a bad value (`X-Idempotency-Key`).
    pub const HEADER: &str = "header";
    /// The line of a JSON syntax error.
    pub const LINE: &str = "line";
    /// The column of a JSON syntax error.
    pub const COLUMN: &str = "column";
    /// The largest request body accepted, in bytes.
    pub const MAX_BYTES: &str = "max_bytes";
    /// The most header fields of a request head, on a 431.
    pub const MAX_HEADER_FIELDS: &str = "max_header_fields";
    /// The most bytes of a request head, on a 431.
    pub const MAX_HEAD_BYTES: &str = "max_head_bytes";
    /// The longest header field line, on a 431.
    pub const MAX_LINE_BYTES: &str = "max_line_bytes";
    /// The longest request target (path and query), on a 414.
    pub const MAX_TARGET_BYTES: &str = "max_target_bytes";
    /// The methods the path supports, on a 405.
    pub const ALLOW: &str = "allow";
    /// The connection that was not found, or under which something was not found.
    pub const CONNECTION_UUID: &str = "connection_uuid";
    /// The automation that was not found.
    pub const AUTOMATION_UUID: &str = "automation_uuid";
    /// The partner function that was not found.
    pub const PARTNER_FUNCTION_UUID: &str = "partner_function_uuid";
}

/// Reads an error body: the v3 envelope (`code` integer or string), the v4 envelope
/// (`object: "error"`, with `errors` as a list, a map or a string) or the bare
/// `{code, message}`. `None` when the body is none of them (an HTML page, say).
///
/// ```
/// use exsited_spec::errors::parse_error_body;
///
/// let v3 = parse_error_body(br#"{"errors":[{"code":"404","message":"Integration connection not found"}]}"#).unwrap();
/// assert_eq!(v3.code.as_deref(), Some("404"));
/// let v4 = parse_error_body(br#"{"object":"error","request_id":"req_1","code":"validation_error","message":"bad","errors":{"uuid":"invalid"}}"#).unwrap();
/// assert_eq!(v4.request_id.as_deref(), Some("req_1"));
/// assert_eq!(v4.fields, vec![("uuid".to_string(), "invalid".to_string())]);
/// assert!(parse_error_body(b"<html>502 Bad Gateway</html>").is_none());
/// ```
pub fn parse_error_body(body: &[u8]) -> Option<ErrorReport> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    let object = value.as_object()?;
    if object.get("object").and_then(|o| o.as_str()) == Some("error") {
        let v4: V4ErrorEnvelope = serde_json::from_value(value).ok()?;
        return Some(report_v4(v4));
    }
    if object.get("errors").is_some_and(|e| e.is_array()) {
        let v3: ErrorEnvelope = serde_json::from_value(value).ok()?;
        return Some(ErrorReport {
            code: v3.errors.first().map(|e| code_text(&e.code)),
            fields: v3.errors.iter().filter_map(v3_field).collect(),
            missing: v3.errors.first().and_then(v3_missing),
            messages: v3
                .errors
                .into_iter()
                .map(|e| e.message)
                .filter(|m| !m.is_empty())
                .collect(),
            ..ErrorReport::default()
        });
    }
    let bare: BareError = serde_json::from_value(value).ok()?;
    Some(ErrorReport {
        code: Some(code_text(&bare.code)),
        messages: vec![bare.message]
            .into_iter()
            .filter(|m| !m.is_empty())
            .collect(),
        ..ErrorReport::default()
    })
}

/// The field a v3 error names in `details.field` (project choice of the reference server), with
/// the reason: the message without its `invalid {field}: ` prefix.
fn v3_field(error: &ErrorDetail) -> Option<(String, String)> {
    let path = error.details.as_ref()?.get(detail::FIELD)?;
    let field = domain_field(path).to_owned();
    let prefix = format!("invalid {path}: ");
    let reason = error
        .message
        .strip_prefix(&prefix)
        .unwrap_or(&error.message)
        .to_owned();
    Some((field, reason))
}

/// The record a v3 error names as missing in its `details`, the most specific first.
fn v3_missing(error: &ErrorDetail) -> Option<(Resource, String)> {
    let details = error.details.as_ref()?;
    [
        (detail::PARTNER_FUNCTION_UUID, Resource::PartnerFunction),
        (detail::AUTOMATION_UUID, Resource::Automation),
        (detail::CONNECTION_UUID, Resource::Connection),
    ]
    .into_iter()
    .find_map(|(key, resource)| details.get(key).map(|id| (resource, id.clone())))
}

fn report_v4(v4: V4ErrorEnvelope) -> ErrorReport {
    let fields: Vec<(String, String)> = match v4.errors {
        Some(V4Errors::List(list)) => list.into_iter().map(|e| (e.field, e.message)).collect(),
        Some(V4Errors::Map(map)) => map.into_iter().collect(),
        Some(V4Errors::Text(text)) => vec![(String::new(), text)],
        None => Vec::new(),
    };
    let mut messages: Vec<String> = Vec::new();
    if !v4.message.is_empty() {
        messages.push(v4.message);
    }
    messages.extend(fields.iter().map(|(field, message)| {
        if field.is_empty() {
            message.clone()
        } else {
            format!("{field}: {message}")
        }
    }));
    ErrorReport {
        code: v4
            .code
            .as_ref()
            .map(code_text)
            .or_else(|| v4.status.map(|s| s.to_string())),
        messages,
        request_id: (!v4.request_id.is_empty()).then_some(v4.request_id),
        status: v4.status.and_then(|s| u16::try_from(s).ok()),
        fields,
        missing: None,
    }
}

/// Whether a body is the v4 error object, which the API may send with a 2xx status.
pub fn is_error_object(body: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        #[serde(default)]
        object: Option<String>,
    }
    serde_json::from_slice::<Probe>(body).is_ok_and(|p| p.object.as_deref() == Some("error"))
}

/// The v3 envelope the reference server sends: one error, `code` the HTTP status.
pub fn envelope(
    status: u16,
    message: impl Into<String>,
    details: BTreeMap<String, String>,
) -> ErrorEnvelope {
    ErrorEnvelope {
        errors: vec![ErrorDetail {
            code: ErrorCode::Number(i64::from(status)),
            message: message.into(),
            details: (!details.is_empty()).then_some(details),
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_is_read() {
        let v3_int = parse_error_body(
            br#"{"errors":[{"code":404,"message":"gone","details":{"connection_uuid":"x"}}]}"#,
        );
        let v3_int = v3_int.unwrap();
        assert_eq!(v3_int.messages, vec!["gone"]);
        assert_eq!(v3_int.missing, Some((Resource::Connection, "x".to_owned())));
        let under = parse_error_body(
            br#"{"errors":[{"code":404,"message":"Partner function not found","details":{"connection_uuid":"c","partner_function_uuid":"p"}}]}"#,
        )
        .unwrap();
        assert_eq!(
            under.missing,
            Some((Resource::PartnerFunction, "p".to_owned())),
            "the most specific record is the missing one"
        );
        let v3_field = parse_error_body(
            br#"{"errors":[{"code":400,"message":"invalid limit: too big","details":{"field":"limit"}}]}"#,
        )
        .unwrap();
        assert_eq!(
            v3_field.fields,
            vec![("limit".to_string(), "too big".to_string())]
        );
        let nested = parse_error_body(
            br#"{"errors":[{"code":400,"message":"invalid integration.automation_details.code: must not be empty","details":{"field":"integration.automation_details.code"}}]}"#,
        )
        .unwrap();
        assert_eq!(
            nested.fields,
            vec![("code".to_string(), "must not be empty".to_string())]
        );
        let v4_list = parse_error_body(
            br#"{"object":"error","status":400,"code":"validation_error","message":"m","errors":[{"field":"limit","code":"range","message":"too big"}]}"#,
        )
        .unwrap();
        assert_eq!(v4_list.messages, vec!["m", "limit: too big"]);
        assert_eq!(v4_list.status, Some(400));
        let v4_text =
            parse_error_body(br#"{"object":"error","status":500,"errors":"boom"}"#).unwrap();
        assert_eq!(
            (v4_text.code.as_deref(), v4_text.messages),
            (Some("500"), vec!["boom".to_string()])
        );
        let odd = parse_error_body(br#"{"object":"error","status":-1}"#).unwrap();
        assert_eq!(odd.status, None, "a status that is no HTTP status is none");
        let bare = parse_error_body(br#"{"code":"unauthorized","message":"Unauthorized access"}"#)
            .unwrap();
        assert_eq!(bare.code.as_deref(), Some("unauthorized"));
        assert_eq!(bare.missing, None);
        assert!(parse_error_body(b"").is_none());
        assert!(parse_error_body(b"[1,2]").is_none());
        assert!(parse_error_body(br#"{"integration_connection": []}"#).is_none());
    }

    #[test]
    fn error_objects_are_spotted_in_2xx_bodies() {
        assert!(is_error_object(br#"{"object":"error","message":"x"}"#));
        assert!(!is_error_object(br#"{"integration_connection":{}}"#));
        assert!(!is_error_object(b"not json"));
    }

    #[test]
    fn the_servers_envelope_uses_the_status_as_an_integer_code() {
        let json = serde_json::to_string(&envelope(
            404,
            "Integration connection not found",
            BTreeMap::new(),
        ))
        .unwrap();
        assert_eq!(
            json,
            r#"{"errors":[{"code":404,"message":"Integration connection not found"}]}"#
        );
    }
}
