//! A connection's configuration document between the domain (`exsited_core::configuration`)
//! and its wire types: the `PATCH` body ([`ConfigurationRequest`], the sections at the top level,
//! as the vendor's SDK sends them), the `GET` body ([`ConfigurationEnvelope`],
//! `{"integration": {sections}}`), the `PATCH` answer ([`ConfigurationUpdated`]), and the compact
//! JSON the stores keep. One codec, so the wire, the transport and every store agree.
//!
//! What a value may be is the document's schema ([`crate::schemas::CONFIGURATION_REQUEST`]):
//! objects, arrays, strings and booleans, `null` removing a key in a patch (RFC 7396), no
//! numbers, no unknown section. The server checks a body against it first
//! ([`crate::validate::from_slice`]), so an error names the field path and never quotes a
//! value; the bounds of the domain (size, depth, keys) are checked as the values become domain
//! values here, and name the path the same way ([`exsited_core::key_path`]).

use std::collections::BTreeMap;

use exsited_core::Error;
use exsited_core::configuration::{Configuration, ConfigurationPatch, PatchValue, Section, Value};

use crate::validate::{self, BodyError};
use crate::{
    ConfigurationDocument, ConfigurationEnvelope, ConfigurationPatchValue, ConfigurationRequest,
    ConfigurationSectionPatch, ConfigurationUpdated, ConfigurationValue,
};

/// The document as its wire type, every section written.
pub fn to_wire(document: &Configuration) -> ConfigurationDocument {
    let section = |s| map_to_wire(document.section(s));
    ConfigurationDocument {
        account: section(Section::Account),
        item: section(Section::Item),
        transaction: section(Section::Transaction),
        purchase: section(Section::Purchase),
    }
}

/// A document read from the API, checked against the domain's bounds.
pub fn from_wire(wire: ConfigurationDocument) -> Result<Configuration, Error> {
    Configuration::new([
        (Section::Account, map_from_wire(wire.account)),
        (Section::Item, map_from_wire(wire.item)),
        (Section::Transaction, map_from_wire(wire.transaction)),
        (Section::Purchase, map_from_wire(wire.purchase)),
    ])
}

/// The `GET` body: `{"integration": {"account": {...}, "item": {...}, ...}}`.
pub fn envelope(document: &Configuration) -> ConfigurationEnvelope {
    ConfigurationEnvelope {
        integration: to_wire(document),
    }
}

/// The answer to a `PATCH`: the message and the document after the merge.
pub fn updated(document: &Configuration) -> ConfigurationUpdated {
    ConfigurationUpdated::new(to_wire(document))
}

/// The `PATCH` body of `patch`, every section it names at the top level.
pub fn patch_to_wire(patch: &ConfigurationPatch) -> ConfigurationRequest {
    let mut request = ConfigurationRequest::default();
    for (section, value) in patch.sections() {
        let wire = match value {
            PatchValue::Map(map) => ConfigurationSectionPatch::Merge(
                map.iter()
                    .map(|(k, v)| (k.clone(), patch_value_to_wire(v)))
                    .collect(),
            ),
            // A section's patch is an object or `Remove` (`ConfigurationPatch::new` checks it).
            _ => ConfigurationSectionPatch::Remove(()),
        };
        *slot(&mut request, section) = Some(wire);
    }
    request
}

/// The patch a `PATCH` body asks for, checked against the domain's bounds (keys and depth); an
/// error names the field path in the body (`account.export`).
pub fn patch_from_wire(request: ConfigurationRequest) -> Result<ConfigurationPatch, Error> {
    let ConfigurationRequest {
        account,
        item,
        transaction,
        purchase,
    } = request;
    let sections = [
        (Section::Account, account),
        (Section::Item, item),
        (Section::Transaction, transaction),
        (Section::Purchase, purchase),
    ];
    ConfigurationPatch::new(sections.into_iter().filter_map(|(section, wire)| {
        let value = match wire? {
            ConfigurationSectionPatch::Merge(map) => PatchValue::Map(
                map.into_iter()
                    .map(|(k, v)| (k, patch_value_from_wire(v)))
                    .collect(),
            ),
            ConfigurationSectionPatch::Remove(()) => PatchValue::Remove,
        };
        Some((section, value))
    }))
}

/// The document as the stores keep it: the compact JSON of its four sections, exactly
/// [`Configuration::encoded_len`] bytes.
pub fn to_json(document: &Configuration) -> String {
    // A map of strings, booleans and arrays of them always serializes.
    serde_json::to_string(&to_wire(document)).unwrap_or_default()
}

/// A document a store kept (the form [`to_json`] writes); the error names where it is broken
/// and never quotes a value.
pub fn from_json(text: &str) -> Result<Configuration, Error> {
    let wire: ConfigurationDocument =
        validate::from_slice(text.as_bytes()).map_err(|e| match e {
            BodyError::Invalid(invalid) if !invalid.path().is_root() => {
                Error::invalid_input(invalid.path().to_string(), invalid.reason())
            }
            other => Error::invalid_input("configuration", other.to_string()),
        })?;
    from_wire(wire)
}

fn slot(
    request: &mut ConfigurationRequest,
    section: Section,
) -> &mut Option<ConfigurationSectionPatch> {
    match section {
        Section::Account => &mut request.account,
        Section::Item => &mut request.item,
        Section::Transaction => &mut request.transaction,
        Section::Purchase => &mut request.purchase,
    }
}

fn map_to_wire(map: &BTreeMap<String, Value>) -> BTreeMap<String, ConfigurationValue> {
    map.iter()
        .map(|(k, v)| (k.clone(), value_to_wire(v)))
        .collect()
}

fn map_from_wire(map: BTreeMap<String, ConfigurationValue>) -> BTreeMap<String, Value> {
    map.into_iter()
        .map(|(k, v)| (k, value_from_wire(v)))
        .collect()
}

fn value_to_wire(value: &Value) -> ConfigurationValue {
    match value {
        Value::Text(text) => ConfigurationValue::Text(text.clone()),
        Value::Bool(flag) => ConfigurationValue::Flag(*flag),
        Value::List(list) => ConfigurationValue::List(list.iter().map(value_to_wire).collect()),
        Value::Map(map) => ConfigurationValue::Map(map_to_wire(map)),
    }
}

fn value_from_wire(value: ConfigurationValue) -> Value {
    match value {
        ConfigurationValue::Text(text) => Value::Text(text),
        ConfigurationValue::Flag(flag) => Value::Bool(flag),
        ConfigurationValue::List(list) => {
            Value::List(list.into_iter().map(value_from_wire).collect())
        }
        ConfigurationValue::Map(map) => Value::Map(map_from_wire(map)),
    }
}

fn patch_value_to_wire(value: &PatchValue) -> ConfigurationPatchValue {
    match value {
        PatchValue::Remove => ConfigurationPatchValue::Remove(()),
        PatchValue::Text(text) => ConfigurationPatchValue::Text(text.clone()),
        PatchValue::Bool(flag) => ConfigurationPatchValue::Flag(*flag),
        PatchValue::List(list) => {
            ConfigurationPatchValue::List(list.iter().map(value_to_wire).collect())
        }
        PatchValue::Map(map) => ConfigurationPatchValue::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), patch_value_to_wire(v)))
                .collect(),
        ),
    }
}

fn patch_value_from_wire(value: ConfigurationPatchValue) -> PatchValue {
    match value {
        ConfigurationPatchValue::Remove(()) => PatchValue::Remove,
        ConfigurationPatchValue::Text(text) => PatchValue::Text(text),
        ConfigurationPatchValue::Flag(flag) => PatchValue::Bool(flag),
        ConfigurationPatchValue::List(list) => {
            PatchValue::List(list.into_iter().map(value_from_wire).collect())
        }
        ConfigurationPatchValue::Map(map) => PatchValue::Map(
            map.into_iter()
                .map(|(k, v)| (k, patch_value_from_wire(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use exsited_core::configuration::MAX_DEPTH;

    use super::*;

    /// A `PATCH` body read as the server reads it: the schema, then the domain.
    fn patch(body: &[u8]) -> Result<ConfigurationPatch, String> {
        let request: ConfigurationRequest = validate::from_slice(body).map_err(|e| match e {
            BodyError::Invalid(invalid) => invalid.path().to_string(),
            other => format!("syntax: {other}"),
        })?;
        patch_from_wire(request).map_err(|e| match e {
            Error::InvalidInput { field, reason } => {
                assert!(!reason.contains("SECRET"), "{reason}");
                field
            }
            other => panic!("{other:?}"),
        })
    }

    #[test]
    fn the_sdk_body_merges_and_reads_back() {
        let body = br#"{"account": {"export": {"enabled": "true", "account_receivable_mapping": {"enabled": true,
            "mappings": [{"source": "a", "target": "b"}]}}, "import": {"enabled": "false"}},
            "transaction": {"invoice": {"export": {"enabled": "true"}}}}"#;
        let document = patch(body)
            .unwrap()
            .apply(&Configuration::default())
            .unwrap();
        let stored = to_json(&document);
        assert_eq!(
            stored.len(),
            document.encoded_len(),
            "core counts the bytes the codec writes"
        );
        assert_eq!(from_json(&stored).unwrap(), document);
        let envelope_json = serde_json::to_vec(&envelope(&document)).unwrap();
        let read: ConfigurationEnvelope = serde_json::from_slice(&envelope_json).unwrap();
        assert_eq!(from_wire(read.integration).unwrap(), document);

        let removed = patch(br#"{"account": {"import": null}, "transaction": null}"#)
            .unwrap()
            .apply(&document)
            .unwrap();
        assert!(removed.section(Section::Transaction).is_empty());
        assert_eq!(removed.section(Section::Account).len(), 1);
        let round =
            patch(br#"{"item": {"a": null, "b": {"c": [true]}}, "purchase": null}"#).unwrap();
        let body = serde_json::to_vec(&patch_to_wire(&round)).unwrap();
        assert_eq!(
            patch(&body).unwrap(),
            round,
            "a patch survives its own body"
        );
        assert!(patch(b"{}").unwrap().is_empty());
    }

    #[test]
    fn a_null_section_empties_it_and_a_missing_one_is_left_alone() {
        let request: ConfigurationRequest = validate::from_slice(br#"{"item": null}"#).unwrap();
        assert_eq!(request.item, Some(ConfigurationSectionPatch::Remove(())));
        assert_eq!(request.account, None);
        let set = patch(br#"{"item": {"a": "1"}, "account": {"b": "2"}}"#)
            .unwrap()
            .apply(&Configuration::default())
            .unwrap();
        let after = patch_from_wire(request).unwrap().apply(&set).unwrap();
        assert!(after.section(Section::Item).is_empty());
        assert_eq!(after.section(Section::Account).len(), 1);
    }

    #[test]
    fn bad_bodies_name_the_path_and_never_the_value() {
        assert_eq!(patch(br#"{"accounts": {}}"#).unwrap_err(), "accounts");
        assert_eq!(patch(br#"{"item": "SECRET"}"#).unwrap_err(), "item");
        assert_eq!(
            patch(br#"{"account": {"export": {"tax": 13579}}}"#).unwrap_err(),
            "account.export.tax"
        );
        assert_eq!(
            patch(br#"{"account": {"m": ["SECRET", 1]}}"#).unwrap_err(),
            "account.m[1]"
        );
        assert_eq!(
            patch(br#"{"account": {"tax rate": 1.5}}"#).unwrap_err(),
            r#"account["tax rate"]"#
        );
        assert_eq!(
            patch(br#"{"account": {"m": [null]}}"#).unwrap_err(),
            "account.m[0]",
            "null removes a key; inside an array it means nothing"
        );
        assert!(
            patch(br#"["SECRET"]"#).unwrap_err().is_empty(),
            "the whole body"
        );
        assert!(
            patch(br#"{"item": {"x": "SECRET"#)
                .unwrap_err()
                .starts_with("syntax:")
        );
        let deep = format!(
            "{{\"item\": {}\"x\"{}}}",
            "{\"k\": ".repeat(MAX_DEPTH + 1),
            "}".repeat(MAX_DEPTH + 1)
        );
        assert!(
            patch(deep.as_bytes()).unwrap_err().starts_with("item.k.k"),
            "the domain's depth bound names the path"
        );
    }

    #[test]
    fn a_broken_stored_document_is_an_error_that_quotes_nothing() {
        for stored in [r#"{"account": {"a": 5}}"#, "{", r#"["SECRET"]"#] {
            match from_json(stored) {
                Err(Error::InvalidInput { reason, .. }) => assert!(!reason.contains("SECRET")),
                other => panic!("{stored}: {other:?}"),
            }
        }
        assert!(
            from_json("{}").unwrap().is_empty(),
            "missing sections are empty"
        );
    }
}
