//! A string that must never be printed, and is wiped from memory when dropped.

use std::fmt;

use zeroize::Zeroize;

/// A secret string: partner credentials, tokens, passwords.
///
/// `Debug` and `Display` print `[redacted]`; the only way to the value is the explicit
/// [`expose`](Self::expose), which is easy to find in review. The bytes are overwritten when the
/// value is dropped, so a deleted connection's credentials do not linger in freed memory.
///
/// ```
/// use exsited_core::SecretString;
///
/// let secret = SecretString::new("hunter2");
/// assert_eq!(format!("{secret:?} {secret}"), "[redacted] [redacted]");
/// assert_eq!(secret.expose(), "hunter2");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a value. Prefer moving a `String` in over copying from a `&str` that lives on.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself. Every call site is a place where the secret leaves our protection.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string (the API's "not set").
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl Zeroize for SecretString {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

impl Drop for SecretString {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_formats_the_value() {
        let secret = SecretString::new("s3cr3t-value");
        for shown in [
            format!("{secret}"),
            format!("{secret:?}"),
            format!("{secret:#?}"),
        ] {
            assert!(!shown.contains("s3cr3t"), "{shown}");
        }
    }

    #[test]
    fn zeroize_wipes_the_value() {
        let mut secret = SecretString::new("s3cr3t-value");
        secret.zeroize();
        assert!(secret.is_empty());
    }
}
