//! Validated text: partner names, resource names and free-text fields, checked once at
//! construction, so that a value of these types is valid wherever it travels.

use std::fmt;

use crate::error::Error;

/// The longest name or free-text identifier the API stores.
pub const MAX_TEXT_CHARS: usize = 255;

/// The longest partner name (`provider`).
pub const MAX_PARTNER_CHARS: usize = 64;

/// Checks a free-text field: at most [`MAX_TEXT_CHARS`] characters and no control characters
/// (they corrupt logs, terminals and CSV exports).
pub fn check_text(field: &str, value: &str) -> Result<(), Error> {
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(Error::invalid_input(
            field,
            format!("longer than {MAX_TEXT_CHARS} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid_input(field, "contains control characters"));
    }
    Ok(())
}

/// Whether `value` holds nothing but white space: Unicode's, and U+FEFF (the byte-order mark),
/// which the `\s` of the document's `NotBlank` pattern counts too, so that what the domain takes
/// for a name the document does as well (a restore sends what the domain read from a backup).
pub(crate) fn is_blank(value: &str) -> bool {
    value.chars().all(|c| c.is_whitespace() || c == '\u{feff}')
}

/// The external system a connection links to, upper case: `XERO`, `QUICKBOOKS`, `HUBSPOT`...
///
/// ```
/// use exsited_core::Partner;
///
/// assert_eq!(Partner::new("xero")?.as_str(), "XERO");
/// assert!(Partner::new("").is_err());
/// assert!(Partner::new("xero; drop table").is_err());
/// # Ok::<(), exsited_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Partner(String);

impl Partner {
    /// Upper-cases and checks the name: 1 to [`MAX_PARTNER_CHARS`] ASCII letters, digits, `_`
    /// or `-`, once surrounding white space is trimmed.
    pub fn new(name: &str) -> Result<Self, Error> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::invalid_input("provider", "is empty"));
        }
        if name.len() > MAX_PARTNER_CHARS {
            return Err(Error::invalid_input(
                "provider",
                format!("longer than {MAX_PARTNER_CHARS} characters"),
            ));
        }
        if !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        {
            return Err(Error::invalid_input(
                "provider",
                "only ASCII letters, digits, '_' and '-' are allowed",
            ));
        }
        Ok(Self(name.to_ascii_uppercase()))
    }

    /// The upper-case name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Partner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A required, non-blank name of at most [`MAX_TEXT_CHARS`] characters (an automation's or a
/// partner function's `name`).
///
/// ```
/// use exsited_core::Name;
///
/// assert_eq!(Name::new("name", "Sync invoices")?.as_str(), "Sync invoices");
/// assert!(Name::new("name", "   ").is_err());
/// assert!(Name::new("name", "\u{feff}").is_err(), "a byte-order mark is blank");
/// # Ok::<(), exsited_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name(String);

impl Name {
    /// Checks the value; `field` names it in the error.
    pub fn new(field: &str, value: &str) -> Result<Self, Error> {
        if is_blank(value) {
            return Err(Error::invalid_input(
                field,
                "is required and must not be blank",
            ));
        }
        check_text(field, value)?;
        Ok(Self(value.to_owned()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A free-text field of at most [`MAX_TEXT_CHARS`] characters and no control characters; it may
/// be empty (every optional field of an automation or partner function is one, `""` when unset).
///
/// ```
/// use exsited_core::Text;
///
/// assert_eq!(Text::new("code", "INV-SYNC")?.as_str(), "INV-SYNC");
/// assert!(Text::default().is_empty());
/// assert!(Text::new("code", "line\nbreak").is_err());
/// # Ok::<(), exsited_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Text(String);

impl Text {
    /// Checks the value (see [`check_text`]); `field` names it in the error.
    pub fn new(field: &str, value: &str) -> Result<Self, Error> {
        check_text(field, value)?;
        Ok(Self(value.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// The longest `object_mapping` accepted; mappings are JSON documents, larger than names.
pub const MAX_OBJECT_MAPPING_CHARS: usize = 65_536;

/// A partner function's mapping document, as the API stores it (a string, usually JSON): at most
/// [`MAX_OBJECT_MAPPING_CHARS`] characters. Line breaks and tabs are allowed (it is a document).
///
/// ```
/// use exsited_core::ObjectMapping;
///
/// let mapping = ObjectMapping::new("object_mapping", "{\n  \"total\": \"amount\"\n}")?;
/// assert!(mapping.as_str().contains("amount"));
/// assert!(ObjectMapping::new("object_mapping", &"x".repeat(70_000)).is_err());
/// # Ok::<(), exsited_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ObjectMapping(String);

impl ObjectMapping {
    /// Checks the length; `field` names it in the error.
    pub fn new(field: &str, value: &str) -> Result<Self, Error> {
        if value.chars().count() > MAX_OBJECT_MAPPING_CHARS {
            return Err(Error::invalid_input(
                field,
                format!("longer than {MAX_OBJECT_MAPPING_CHARS} characters"),
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// The document.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObjectMapping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
