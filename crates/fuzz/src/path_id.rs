//! The path ids (`ConnectionId::parse`, `AutomationId::parse`, `PartnerFunctionId::parse`):
//! what the server reads from `{uuid}`, `{automation_uuid}` and `{pf_uuid}`, and the CLI from
//! its arguments.

use exsited_core::{
    AutomationId, ConnectionId, Error, InvalidId, MAX_ECHOED_CHARS, PartnerFunctionId,
};
use exsited_spec::paths;

use crate::planted::assert_bounded_error;

/// Reads `data` (lossily decoded) as each kind of id and checks:
///
/// - the three kinds accept exactly the same strings, and exactly the canonical form: 36 ASCII
///   characters, hyphens at 9, 14, 19 and 24, hexadecimal digits elsewhere (a model written
///   here, independent of the `uuid` crate);
/// - an id that parses prints as the input in lower case, parses again from that to itself, and
///   ends the path the server would route for it;
/// - a rejected input is echoed as a prefix of at most 64 characters, marked cut exactly when
///   it was longer, and the error is bounded in length.
pub fn path_id(data: &[u8]) {
    let input = String::from_utf8_lossy(data);
    let connection = ConnectionId::parse(&input);
    let automation = AutomationId::parse(&input);
    let function = PartnerFunctionId::parse(&input);
    assert_eq!(connection.is_ok(), is_canonical(&input), "{input:?}");
    assert_eq!(automation.is_ok(), connection.is_ok(), "{input:?}");
    assert_eq!(function.is_ok(), connection.is_ok(), "{input:?}");
    match connection {
        Ok(id) => {
            let text = id.to_string();
            assert_eq!(text, input.to_ascii_lowercase());
            assert_eq!(ConnectionId::parse(&text).ok(), Some(id));
            assert_eq!(
                ConnectionId::parse(&text.to_ascii_uppercase()).ok(),
                Some(id)
            );
            assert_eq!(automation.map(|a| *a.as_uuid()).ok(), Some(*id.as_uuid()));
            assert_eq!(function.map(|f| *f.as_uuid()).ok(), Some(*id.as_uuid()));
            assert!(paths::delete_connection(id).as_str().ends_with(&text));
        }
        Err(error) => {
            rejected(&input, &error, "connection");
            rejected(
                &input,
                &automation.expect_err("refused above"),
                "automation",
            );
            rejected(
                &input,
                &function.expect_err("refused above"),
                "partner function",
            );
            assert_bounded_error("an id error", &Error::from(error));
        }
    }
}

/// The canonical hyphenated form, either case.
fn is_canonical(input: &str) -> bool {
    input.len() == 36
        && input.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

fn rejected(input: &str, error: &InvalidId, kind: &str) {
    assert_eq!(error.kind(), kind);
    assert!(input.starts_with(error.input()), "the echo is a prefix");
    let echoed = error.input().chars().count();
    let total = input.chars().count();
    assert_eq!(echoed, total.min(MAX_ECHOED_CHARS));
    assert_eq!(error.is_truncated(), total > MAX_ECHOED_CHARS);
    assert_bounded_error("an id error", error);
}
