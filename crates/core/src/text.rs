//! Validated text: partner names and resource names, checked once at construction.

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
/// # Ok::<(), exsited_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name(String);

impl Name {
    /// Checks the value; `field` names it in the error.
    pub fn new(field: &str, value: &str) -> Result<Self, Error> {
        if value.trim().is_empty() {
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
