//! [`Secret`]: a string that never prints and is wiped when dropped.

use std::fmt;

use zeroize::Zeroize;

/// A secret string: a partner credential, a token or a password.
///
/// On the wire it is a plain JSON string (serde `transparent`). `Debug` and `Display` print
/// `[redacted]`, never the value, so a struct holding one can derive `Debug` safely; the only way
/// to read the value is [`Secret::expose`], which makes every use easy to find. The bytes are
/// zeroized when the value is dropped.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The value. Every call site is a place where the secret leaves its wrapper: keep them few.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is the empty string (the API sends `""` for an absent credential).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::Secret;

    #[derive(Debug, serde::Serialize, serde::Deserialize, PartialEq)]
    struct Holder {
        name: String,
        key: Secret,
    }

    #[test]
    fn debug_and_display_never_show_the_value() {
        let holder = Holder {
            name: "xero".into(),
            key: Secret::new("s3cr3t-value".into()),
        };
        for text in [
            format!("{holder:?}"),
            format!("{holder:#?}"),
            format!("{}", holder.key),
            format!("{:?}", holder.key),
        ] {
            assert!(!text.contains("s3cr3t"), "{text}");
            assert!(text.contains("[redacted]"), "{text}");
        }
        assert_eq!(holder.key.expose(), "s3cr3t-value");
    }

    #[test]
    fn serde_round_trip_is_a_plain_string() {
        let holder = Holder {
            name: "xero".into(),
            key: Secret::from("s3cr3t-value"),
        };
        let json = serde_json::to_string(&holder).expect("serializes");
        assert_eq!(json, r#"{"name":"xero","key":"s3cr3t-value"}"#);
        let back: Holder = serde_json::from_str(&json).expect("deserializes");
        assert_eq!(back, holder);
        assert!(Secret::default().is_empty());
    }
}
