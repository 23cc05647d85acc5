//! Planted secrets: a recognisable value put into an input wherever a secret can appear, and
//! the checks that no error carries it and that errors stay short.

use std::fmt::{Debug, Display};
use std::sync::OnceLock;

use exsited_spec::schema::{Kind, Schema};
use exsited_spec::schemas;
use serde_json::Value;

/// What every planted value starts with. No message of the code under test contains it, so
/// finding it in an error means the error quotes an input value.
pub(crate) const MARK: &str = "PLANTED-SECRET-7c1e";

/// Where [`plant`] puts the mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Where {
    /// Before every string at a key the document marks `x-secret`, at any depth.
    SecretFields,
    /// Before every string value, at any depth: a value sent in the wrong field may be a secret.
    EveryString,
}

/// Puts [`MARK`] before the strings `at` says, keeping the rest of each string (so that the
/// length and character checks still see it). Object keys are left alone: they are names the
/// sender chose, not values.
pub(crate) fn plant(value: &mut Value, at: Where) {
    match value {
        Value::Array(items) => items.iter_mut().for_each(|item| plant(item, at)),
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(text)
                        if at == Where::EveryString || secret_names().contains(&key.as_str()) =>
                    {
                        text.insert_str(0, MARK);
                    }
                    _ => plant(item, at),
                }
            }
        }
        Value::String(text) if at == Where::EveryString => text.insert_str(0, MARK),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
}

/// The name of every property the document marks `x-secret`, in any schema.
pub(crate) fn secret_names() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let (mut names, mut seen) = (Vec::new(), Vec::new());
        for schema in schemas::ALL {
            collect_secrets(schema, &mut names, &mut seen);
        }
        names
    })
}

/// `seen` holds the schemas already walked: the configuration document's schema is recursive.
fn collect_secrets(
    schema: &'static Schema,
    names: &mut Vec<&'static str>,
    seen: &mut Vec<*const Schema>,
) {
    let at: *const Schema = schema;
    if seen.contains(&at) {
        return;
    }
    seen.push(at);
    match &schema.kind {
        Kind::Object(object) => {
            for property in object.properties {
                if matches!(&property.schema.kind, Kind::String(text) if text.secret)
                    && !names.contains(&property.name)
                {
                    names.push(property.name);
                }
                collect_secrets(property.schema, names, seen);
            }
        }
        Kind::Array(items) => collect_secrets(items, names, seen),
        Kind::OneOf(members) => members.iter().for_each(|m| collect_secrets(m, names, seen)),
        _ => {}
    }
}

/// Whether `data` does not hold the mark already: only then does finding it in an error say
/// that the error quotes a value that was planted (a fuzzer soon learns the mark and writes it
/// into fields whose value an error may echo by design, such as `limit`).
pub(crate) fn unmarked(data: &[u8]) -> bool {
    !data.windows(MARK.len()).any(|w| w == MARK.as_bytes())
}

/// Asserts that `text`, which `what` names, holds no planted value and has at most
/// `max_bytes` bytes.
pub(crate) fn assert_clean(what: &str, text: &str, max_bytes: usize) {
    assert!(
        !text.contains(MARK),
        "{what} quotes a planted secret: {text}"
    );
    assert_bounded(what, text, max_bytes);
}

/// Asserts that `text`, which `what` names, has at most `max_bytes` bytes.
pub(crate) fn assert_bounded(what: &str, text: &str, max_bytes: usize) {
    assert!(
        text.len() <= max_bytes,
        "{what} has {} bytes, more than {max_bytes}: {text}",
        text.len()
    );
}

/// [`assert_clean`] on both the `Display` and the `Debug` of an error, within
/// [`crate::MAX_ERROR_BYTES`].
pub(crate) fn assert_clean_error(what: &str, error: &(impl Display + Debug)) {
    assert_clean(what, &error.to_string(), crate::MAX_ERROR_BYTES);
    assert_clean(
        &format!("the Debug of {what}"),
        &format!("{error:?}"),
        crate::MAX_ERROR_BYTES,
    );
}

/// [`assert_bounded`] on both the `Display` and the `Debug` of an error, within
/// [`crate::MAX_ERROR_BYTES`]: for errors that may echo what was sent.
pub(crate) fn assert_bounded_error(what: &str, error: &(impl Display + Debug)) {
    assert_bounded(what, &error.to_string(), crate::MAX_ERROR_BYTES);
    assert_bounded(
        &format!("the Debug of {what}"),
        &format!("{error:?}"),
        crate::MAX_ERROR_BYTES,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_secret_fields_are_the_documents() {
        let names = secret_names();
        for name in [
            "client_secret",
            "refresh_token",
            "access_token",
            "integration_client_secret",
            "user_password",
        ] {
            assert!(
                names.contains(&name),
                "{name} is marked x-secret: {names:?}"
            );
        }
        assert!(!names.contains(&"client_id"));
    }

    #[test]
    fn planting_marks_the_strings_it_says_and_nothing_else() {
        let body = json!({"client_secret": "s", "client_id": "c", "list": [{"refresh_token": "r"}, "x"],
            "n": 1});
        let mut secrets = body.clone();
        plant(&mut secrets, Where::SecretFields);
        assert_eq!(
            secrets,
            json!({"client_secret": format!("{MARK}s"), "client_id": "c",
                "list": [{"refresh_token": format!("{MARK}r")}, "x"], "n": 1})
        );
        let mut every = body;
        plant(&mut every, Where::EveryString);
        assert_eq!(
            every,
            json!({"client_secret": format!("{MARK}s"), "client_id": format!("{MARK}c"),
                "list": [{"refresh_token": format!("{MARK}r")}, format!("{MARK}x")], "n": 1})
        );
    }

    #[test]
    fn an_input_that_holds_the_mark_is_not_unmarked() {
        assert!(unmarked(b"limit=5"));
        assert!(!unmarked(format!("limit={MARK}").as_bytes()));
        assert!(unmarked(&MARK.as_bytes()[1..]));
    }
}
