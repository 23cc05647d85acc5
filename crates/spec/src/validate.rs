//! Checking JSON against the schemas of the document, and reading a request body through them.
//!
//! [`from_slice`] is how a body is read: bytes to a `serde_json::Value` (a syntax error reports
//! its line and column), the value checked against the wire type's [`Schema`] with [`check`],
//! then deserialized into the wire type, which can no longer fail on a type. Errors name the
//! field path (`integration.additional_criteria_details[0].rules[1].value`), what the schema
//! expects and the JSON type that was found, and never quote a value: a value in the wrong
//! field may be a secret.
//!
//! ```
//! use exsited_spec::TokenRequest;
//! use exsited_spec::validate::{BodyError, Invalid, JsonType, from_slice};
//!
//! let body = br#"{"grant_type": "client_credentials", "client_secret": 35817425447964}"#;
//! let err = from_slice::<TokenRequest>(body).unwrap_err();
//! let BodyError::Invalid(Invalid::Type { path, found, .. }) = &err else { panic!("{err}") };
//! assert_eq!(path.to_string(), "client_secret");
//! assert_eq!(*found, JsonType::Integer);
//! assert_eq!(err.to_string(), "client_secret: expected a string, got an integer");
//!
//! let array = from_slice::<TokenRequest>(br#"["client_credentials", "id", "secret"]"#).unwrap_err();
//! assert_eq!(array.to_string(), "expected an object, got an array");
//! ```

use std::fmt;

use serde::de::DeserializeOwned;
use serde_json::Value;
use zeroize::Zeroize;

use crate::schema::{Described, Kind, Object, Range, Schema, Text};

/// Why a body could not be read as its wire type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyError {
    /// Not JSON.
    #[error("{problem} at line {line}, column {column}")]
    Syntax {
        /// What the parser found wrong (`expected value`, `EOF while parsing a string`...):
        /// serde_json's description of the syntax error, which never quotes the input.
        problem: String,
        /// The line of the error, from 1.
        line: usize,
        /// The column of the error, from 1.
        column: usize,
    },
    /// JSON that does not match the schema.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// The value matched the schema but not the wire type generated from it: a generator bug,
    /// never the sender's fault.
    #[error("a value that matches schema {schema} does not fit its wire type")]
    Mismatch {
        /// The schema's name.
        schema: &'static str,
    },
}

/// Reads `body` as `T`: JSON syntax, then `T`'s schema, then `T`.
///
/// The parsed value may hold secrets: when it is refused, its strings are wiped before it is
/// dropped; when it is read, they move into `T`, which holds secrets as [`crate::Secret`].
pub fn from_slice<T: Described + DeserializeOwned>(body: &[u8]) -> Result<T, BodyError> {
    let mut value: Value = serde_json::from_slice(body).map_err(|e| syntax(&e))?;
    if let Err(invalid) = check(&value, T::schema()) {
        wipe(&mut value);
        return Err(invalid.into());
    }
    // A mismatch is reported without serde's message: that message may quote a value.
    serde_json::from_value(value).map_err(|_| BodyError::Mismatch {
        schema: T::schema().name,
    })
}

fn syntax(error: &serde_json::Error) -> BodyError {
    // serde_json's syntax messages name the token it expected, never the input; only a data
    // error (which parsing into a `Value` cannot produce) quotes a value, so it is not shown.
    let problem = match error.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            let text = error.to_string();
            let position = format!(" at line {} column {}", error.line(), error.column());
            text.strip_suffix(&position).unwrap_or(&text).to_owned()
        }
        _ => "malformed JSON".to_owned(),
    };
    BodyError::Syntax {
        problem,
        line: error.line(),
        column: error.column(),
    }
}

/// Zeroizes every string value inside `value`; object keys (names the sender chose, not
/// values) are dropped.
fn wipe(value: &mut Value) {
    match value {
        Value::String(s) => s.zeroize(),
        Value::Array(items) => items.iter_mut().for_each(wipe),
        Value::Object(map) => {
            for (_, item) in map.iter_mut() {
                wipe(item);
            }
            // Keys cannot be changed in place; clearing drops them, unwiped but named by the
            // sender, not secret values.
            map.clear();
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Checks `value` against `schema`; the first violation, in document order of the properties.
///
/// ```
/// use exsited_spec::schemas;
/// use exsited_spec::validate::{Invalid, check};
/// use serde_json::json;
///
/// let body = json!({"integration": {"automation_details": {"name": "Sync"},
///     "additional_criteria_details": [{"rules": [{"value": "10"}, {"value": 10}]}]}});
/// let err = check(&body, &schemas::AUTOMATION_CREATE_REQUEST).unwrap_err();
/// assert!(matches!(err, Invalid::Type { .. }));
/// assert_eq!(err.path().to_string(), "integration.additional_criteria_details[0].rules[1].value");
/// ```
pub fn check(value: &Value, schema: &'static Schema) -> Result<(), Invalid> {
    let mut path = Vec::new();
    walk(value, schema, &mut path)
}

fn walk(value: &Value, schema: &'static Schema, path: &mut Vec<Segment>) -> Result<(), Invalid> {
    if value.is_null() && schema.nullable {
        return Ok(());
    }
    match (&schema.kind, value) {
        (Kind::Any, _)
        | (Kind::Null, Value::Null)
        | (Kind::Boolean, Value::Bool(_))
        | (Kind::Number, Value::Number(_)) => Ok(()),
        (Kind::Integer(range), Value::Number(n)) if n.is_i64() || n.is_u64() => {
            let n = n
                .as_i64()
                .map(i128::from)
                .or_else(|| n.as_u64().map(i128::from))
                .unwrap_or_default();
            check_range(n, *range, path)
        }
        (Kind::String(text), Value::String(s)) => check_text(s, text, path),
        (Kind::Array(items), Value::Array(values)) => {
            for (i, item) in values.iter().enumerate() {
                path.push(Segment::Index(i));
                walk(item, items, path)?;
                path.pop();
            }
            Ok(())
        }
        (Kind::Object(object), Value::Object(map)) => check_object(map, object, path),
        (Kind::OneOf(members), _) => one_of(value, schema, members, path),
        _ => Err(Invalid::Type {
            path: FieldPath(path.clone()),
            expected: Expected::of(schema),
            found: JsonType::of(value),
        }),
    }
}

fn check_range(n: i128, range: Range, path: &[Segment]) -> Result<(), Invalid> {
    let minimum = range.minimum.map_or(i128::from(i64::MIN), i128::from);
    let maximum = range.maximum.map_or_else(
        || {
            if minimum >= 0 {
                i128::from(u64::MAX)
            } else {
                i128::from(i64::MAX)
            }
        },
        i128::from,
    );
    if (minimum..=maximum).contains(&n) {
        Ok(())
    } else {
        Err(Invalid::OutOfRange {
            path: FieldPath(path.to_vec()),
            minimum,
            maximum,
        })
    }
}

fn check_text(s: &str, text: &Text, path: &[Segment]) -> Result<(), Invalid> {
    let at = || FieldPath(path.to_vec());
    if !text.allowed.is_empty() && !text.allowed.contains(&s) {
        return Err(Invalid::NotAllowed {
            path: at(),
            allowed: text.allowed,
        });
    }
    let length = s.chars().count() as u64;
    if let Some(min_length) = text.min_length.filter(|min| length < *min) {
        return Err(Invalid::TooShort {
            path: at(),
            min_length,
        });
    }
    if let Some(max_length) = text.max_length.filter(|max| length > *max) {
        return Err(Invalid::TooLong {
            path: at(),
            max_length,
        });
    }
    match text.pattern {
        Some(pattern) if !pattern.matches(s) => Err(Invalid::Pattern {
            path: at(),
            pattern,
        }),
        _ => Ok(()),
    }
}

fn check_object(
    map: &serde_json::Map<String, Value>,
    object: &'static Object,
    path: &mut Vec<Segment>,
) -> Result<(), Invalid> {
    for property in object.properties {
        match map.get(property.name) {
            None if property.required => {
                path.push(Segment::Field(property.name));
                return Err(Invalid::Missing {
                    path: FieldPath(path.clone()),
                });
            }
            None => {}
            Some(item) => {
                path.push(Segment::Field(property.name));
                walk(item, property.schema, path)?;
                path.pop();
            }
        }
    }
    if let Some(additional) = object.additional {
        for (key, item) in map {
            if object.property(key).is_none() {
                path.push(Segment::Key(clip(key)));
                walk(item, additional, path)?;
                path.pop();
            }
        }
    } else if object.closed
        && let Some(key) = map.keys().find(|key| object.property(key).is_none())
    {
        path.push(Segment::Key(clip(key)));
        return Err(Invalid::Unknown {
            path: FieldPath(path.clone()),
            allowed: object.names().collect(),
        });
    }
    Ok(())
}

/// `oneOf`: exactly one member matches. When none does, the error of the first member that
/// takes the value's JSON type says what is wrong inside; when no member takes it, the error
/// lists the types they take.
fn one_of(
    value: &Value,
    schema: &'static Schema,
    members: &'static [&'static Schema],
    path: &mut Vec<Segment>,
) -> Result<(), Invalid> {
    let depth = path.len();
    let mut matched = 0;
    let mut first_error = None;
    for member in members {
        match walk(value, member, path) {
            Ok(()) => matched += 1,
            // The member does not take this JSON type at all: nothing to say about it.
            Err(Invalid::Type { path: at, .. }) if at.segments().len() == depth => {}
            Err(err) => {
                first_error.get_or_insert(err);
            }
        }
        path.truncate(depth);
    }
    match (matched, first_error) {
        (1, _) => Ok(()),
        (0, Some(err)) => Err(err),
        (0, None) => Err(Invalid::Type {
            path: FieldPath(path.clone()),
            expected: Expected::of(schema),
            found: JsonType::of(value),
        }),
        _ => Err(Invalid::Ambiguous {
            path: FieldPath(path.clone()),
        }),
    }
}

/// At most 64 characters of an object key that names no property (a map key), so that a huge
/// key does not make a huge error.
fn clip(key: &str) -> String {
    key.chars().take(exsited_core::MAX_ECHOED_CHARS).collect()
}

/// Why a JSON value does not match a schema. Every variant names the field; none carries a
/// value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Invalid {
    /// The value has a JSON type the schema does not allow.
    #[error("{}", at(path, self.reason()))]
    Type {
        /// Where.
        path: FieldPath,
        /// The JSON types the schema allows.
        expected: Expected,
        /// The JSON type that was sent.
        found: JsonType,
    },
    /// A required property is absent.
    #[error("{}", at(path, self.reason()))]
    Missing {
        /// The absent property.
        path: FieldPath,
    },
    /// A string that is none of the schema's `enum` values.
    #[error("{}", at(path, self.reason()))]
    NotAllowed {
        /// Where.
        path: FieldPath,
        /// The values the document allows.
        allowed: &'static [&'static str],
    },
    /// A string shorter than `minLength`.
    #[error("{}", at(path, self.reason()))]
    TooShort {
        /// Where.
        path: FieldPath,
        /// The least number of characters.
        min_length: u64,
    },
    /// A string longer than `maxLength`.
    #[error("{}", at(path, self.reason()))]
    TooLong {
        /// Where.
        path: FieldPath,
        /// The most characters allowed.
        max_length: u64,
    },
    /// A string that does not match the `pattern`.
    #[error("{}", at(path, self.reason()))]
    Pattern {
        /// Where.
        path: FieldPath,
        /// The pattern it does not match.
        pattern: crate::schema::Pattern,
    },
    /// An integer outside `minimum` to `maximum`.
    #[error("{}", at(path, self.reason()))]
    OutOfRange {
        /// Where.
        path: FieldPath,
        /// The least value allowed.
        minimum: i128,
        /// The largest value allowed.
        maximum: i128,
    },
    /// More than one member of a `oneOf` matches.
    #[error("{}", at(path, self.reason()))]
    Ambiguous {
        /// Where.
        path: FieldPath,
    },
    /// A property that an object closed by `additionalProperties: false` does not name.
    #[error("{}", at(path, self.reason()))]
    Unknown {
        /// The property, under its object.
        path: FieldPath,
        /// The properties the object may have.
        allowed: Vec<&'static str>,
    },
}

impl Invalid {
    /// The field in error; [`FieldPath::is_root`] when it is the whole value.
    pub fn path(&self) -> &FieldPath {
        match self {
            Invalid::Type { path, .. }
            | Invalid::Missing { path }
            | Invalid::NotAllowed { path, .. }
            | Invalid::TooShort { path, .. }
            | Invalid::TooLong { path, .. }
            | Invalid::Pattern { path, .. }
            | Invalid::OutOfRange { path, .. }
            | Invalid::Ambiguous { path }
            | Invalid::Unknown { path, .. } => path,
        }
    }

    /// What is wrong, without the path: `expected a string, got an integer`.
    pub fn reason(&self) -> String {
        match self {
            Invalid::Type {
                expected, found, ..
            } => format!("expected {expected}, got {found}"),
            Invalid::Missing { .. } => "is required".to_owned(),
            Invalid::NotAllowed { allowed, .. } => {
                format!("must be one of: {}", allowed.join(", "))
            }
            Invalid::TooShort { min_length: 1, .. } => "must not be empty".to_owned(),
            Invalid::TooShort { min_length, .. } => {
                format!("must be at least {min_length} characters long")
            }
            Invalid::TooLong { max_length, .. } => {
                format!("must be at most {max_length} characters long")
            }
            Invalid::Pattern { pattern, .. } => pattern.describe().to_owned(),
            Invalid::OutOfRange {
                minimum, maximum, ..
            } => format!("must be an integer from {minimum} to {maximum}"),
            Invalid::Ambiguous { .. } => "matches more than one of the allowed forms".to_owned(),
            Invalid::Unknown { allowed, .. } => {
                format!("is not allowed here; use {}", allowed.join(", "))
            }
        }
    }
}

/// `path: reason`, or only the reason for the whole value.
fn at(path: &FieldPath, reason: String) -> String {
    if path.is_root() {
        reason
    } else {
        format!("{path}: {reason}")
    }
}

/// Where in a JSON value: `integration.additional_criteria_details[0].rules[1].value`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPath(Vec<Segment>);

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Segment {
    /// A property the schema names.
    Field(&'static str),
    /// An array index, from 0.
    Index(usize),
    /// A key of a map (`additionalProperties`), or a property a closed object does not name;
    /// at most 64 characters of it.
    Key(String),
}

impl FieldPath {
    /// Whether the path is the whole value.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The steps, outermost first.
    pub fn segments(&self) -> &[Segment] {
        &self.0
    }
}

impl fmt::Display for FieldPath {
    /// Properties and plain keys joined by `.`, indexes in brackets, and any other key quoted
    /// in brackets ([`exsited_core::key_path`], the domain's own rule):
    /// `account.export["tax rate"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::new();
        for segment in &self.0 {
            text = match segment {
                Segment::Field(name) => exsited_core::key_path(&text, name),
                Segment::Key(key) => exsited_core::key_path(&text, key),
                Segment::Index(index) => format!("{text}[{index}]"),
            };
        }
        f.write_str(&text)
    }
}

/// The JSON type of a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonType {
    /// `null`.
    Null,
    /// `true` or `false`.
    Boolean,
    /// A number without fraction or exponent that fits 64 bits.
    Integer,
    /// Any other number.
    Number,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl JsonType {
    /// The type of `value`.
    pub fn of(value: &Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(_) => Self::Boolean,
            Value::Number(n) if n.is_i64() || n.is_u64() => Self::Integer,
            Value::Number(_) => Self::Number,
            Value::String(_) => Self::String,
            Value::Array(_) => Self::Array,
            Value::Object(_) => Self::Object,
        }
    }
}

impl fmt::Display for JsonType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Null => "null",
            Self::Boolean => "a boolean",
            Self::Integer => "an integer",
            Self::Number => "a number",
            Self::String => "a string",
            Self::Array => "an array",
            Self::Object => "an object",
        })
    }
}

/// The JSON types a schema allows: `a string or null`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected(Vec<JsonType>);

impl Expected {
    fn of(schema: &Schema) -> Self {
        let mut types = Vec::new();
        collect(schema, &mut types);
        Self(types)
    }

    /// The types, in the order the schema names them.
    pub fn types(&self) -> &[JsonType] {
        &self.0
    }
}

fn collect(schema: &Schema, types: &mut Vec<JsonType>) {
    let mut add = |t: JsonType| {
        if !types.contains(&t) {
            types.push(t);
        }
    };
    match &schema.kind {
        Kind::Any => {}
        Kind::Null => add(JsonType::Null),
        Kind::Boolean => add(JsonType::Boolean),
        Kind::Integer(_) => add(JsonType::Integer),
        Kind::Number => add(JsonType::Number),
        Kind::String(_) => add(JsonType::String),
        Kind::Array(_) => add(JsonType::Array),
        Kind::Object(_) => add(JsonType::Object),
        Kind::OneOf(members) => members.iter().for_each(|m| collect(m, types)),
    }
    if schema.nullable && !types.contains(&JsonType::Null) {
        types.push(JsonType::Null);
    }
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let last = self.0.len().saturating_sub(1);
        for (i, t) in self.0.iter().enumerate() {
            match i {
                0 => {}
                _ if i == last => f.write_str(" or ")?,
                _ => f.write_str(", ")?,
            }
            write!(f, "{t}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
