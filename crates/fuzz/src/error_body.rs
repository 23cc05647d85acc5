//! The error-body reader (`exsited_spec::errors`), every shape: v3, v4, bare.

use std::collections::BTreeMap;

use exsited_spec::convert::domain_field;
use exsited_spec::errors::{self, ErrorReport, detail, envelope, is_error_object};
use serde_json::Value;

use crate::planted::{MARK, secret_names};

/// Reads `data` as an error body and checks:
///
/// - a report holds at most three times the bytes of the body (each field error is kept as a
///   pair and as a message), so a body cannot blow up in memory or in a log;
/// - reading the body again after a trip through `serde_json::Value` gives the same report;
/// - fields the shapes do not define change nothing: with a planted secret under every secret
///   name of the document, at the top and in every error object, the report is the same and
///   holds no planted value;
/// - the envelope the reference server writes, built from the bytes (status, `details.field`,
///   message), is read back as what was written.
pub fn error_body(data: &[u8]) {
    let report = errors::parse_error_body(data);
    if let Some(report) = &report {
        let size = report_bytes(report);
        assert!(
            size <= 3 * data.len(),
            "a body of {} bytes made a report of {size} bytes",
            data.len()
        );
    }
    if let Ok(value) = serde_json::from_slice::<Value>(data) {
        let again = serde_json::to_vec(&value).expect("a JSON value serializes");
        assert_eq!(
            errors::parse_error_body(&again),
            report,
            "the same JSON, written again"
        );
        unknown_fields_change_nothing(value, report.as_ref());
    }
    envelope_round_trips(data);
}

fn report_bytes(report: &ErrorReport) -> usize {
    let strings = report
        .code
        .iter()
        .chain(&report.request_id)
        .chain(&report.messages);
    strings.map(String::len).sum::<usize>()
        + report
            .fields
            .iter()
            .map(|(field, message)| field.len() + message.len())
            .sum::<usize>()
}

fn unknown_fields_change_nothing(mut value: Value, report: Option<&ErrorReport>) {
    let Value::Object(top) = &mut value else {
        return;
    };
    let plant = |object: &mut serde_json::Map<String, Value>| {
        for name in secret_names() {
            object.insert((*name).to_owned(), Value::String(format!("{MARK}{name}")));
        }
    };
    plant(top);
    if let Some(Value::Array(list)) = top.get_mut("errors") {
        for item in list {
            if let Value::Object(object) = item {
                plant(object);
            }
        }
    }
    let body = serde_json::to_vec(&value).expect("a JSON value serializes");
    let planted = errors::parse_error_body(&body);
    assert_eq!(
        planted.as_ref(),
        report,
        "fields no shape defines (here planted secrets) changed the report"
    );
}

/// The server's envelope for a status (the first two bytes), a field path (the next line, if
/// any) and a message (the rest), read back.
fn envelope_round_trips(data: &[u8]) {
    let (status, rest) = match data {
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]), rest),
        _ => return,
    };
    let rest = String::from_utf8_lossy(rest);
    let (path, message) = rest.split_once('\n').unwrap_or(("", &rest));
    let mut details = BTreeMap::new();
    if !path.is_empty() {
        details.insert(detail::FIELD.to_owned(), path.to_owned());
    }
    let body = serde_json::to_vec(&envelope(status, message, details)).expect("serializes");
    assert!(
        !is_error_object(&body),
        "a v3 envelope is no v4 error object"
    );
    let report = errors::parse_error_body(&body).expect("the server's envelope is read");
    let prefix = format!("invalid {path}: ");
    let reason = message.strip_prefix(&prefix).unwrap_or(message);
    let expected = ErrorReport {
        code: Some(status.to_string()),
        messages: (!message.is_empty())
            .then(|| message.to_owned())
            .into_iter()
            .collect(),
        request_id: None,
        status: None,
        missing: None,
        fields: (!path.is_empty())
            .then(|| (domain_field(path).to_owned(), reason.to_owned()))
            .into_iter()
            .collect(),
    };
    assert_eq!(report, expected, "the server's envelope, read back");
}
