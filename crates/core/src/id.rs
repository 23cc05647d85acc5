//! Identifiers: UUIDs that were checked once, at the edge, and are trusted everywhere after.

use std::fmt;
use std::str::FromStr;

use uuid::Uuid;

/// The most characters of a rejected input an [`InvalidId`] repeats back.
///
/// Input may come from a file of millions of lines or from an attacker; an error message that
/// echoes it whole can flood a log or a terminal.
pub const MAX_ECHOED_CHARS: usize = 64;

/// A string that is not a valid identifier.
///
/// Its `Display` names the kind of id and the offending input, cut to [`MAX_ECHOED_CHARS`]
/// characters and quoted so that whitespace and control characters are visible.
///
/// ```
/// use exsited_core::ConnectionId;
///
/// let err = ConnectionId::parse("not-a-uuid").unwrap_err();
/// assert_eq!(err.input(), "not-a-uuid");
/// assert!(err.to_string().contains("\"not-a-uuid\""));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} id {input:?}{ellipsis}: {reason}", ellipsis = if *.truncated { "..." } else { "" })]
pub struct InvalidId {
    kind: &'static str,
    input: String,
    truncated: bool,
    reason: &'static str,
}

impl InvalidId {
    fn new(kind: &'static str, input: &str, reason: &'static str) -> Self {
        let mut chars = input.chars();
        let echoed: String = chars.by_ref().take(MAX_ECHOED_CHARS).collect();
        Self {
            kind,
            truncated: chars.next().is_some(),
            input: echoed,
            reason,
        }
    }

    /// The kind of id that was expected: `"connection"`, `"automation"` or `"partner function"`.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// The rejected input, at most [`MAX_ECHOED_CHARS`] characters of it.
    pub fn input(&self) -> &str {
        &self.input
    }

    /// Whether [`input`](Self::input) was cut short.
    pub fn is_truncated(&self) -> bool {
        self.truncated
    }

    /// Why the input was rejected, in a few words.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// Parses the canonical, hyphenated 36-character form only (either case).
///
/// `uuid` alone also accepts the braced, URN and 32-digit forms; the API never produces them,
/// and accepting them would let two spellings name one connection in logs, backups and
/// de-duplication.
fn parse_canonical(kind: &'static str, input: &str) -> Result<Uuid, InvalidId> {
    if input.is_empty() {
        return Err(InvalidId::new(kind, input, "empty"));
    }
    if input.len() != 36 {
        return Err(InvalidId::new(
            kind,
            input,
            "expected 36 characters like 123e4567-e89b-12d3-a456-426614174000",
        ));
    }
    let hyphens_in_place = input
        .bytes()
        .enumerate()
        .all(|(i, b)| matches!(i, 8 | 13 | 18 | 23) == (b == b'-'));
    if !hyphens_in_place {
        return Err(InvalidId::new(
            kind,
            input,
            "expected hyphens at positions 9, 14, 19 and 24",
        ));
    }
    Uuid::parse_str(input).map_err(|_| InvalidId::new(kind, input, "expected hexadecimal digits"))
}

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// Parses the canonical hyphenated form; anything else is an [`InvalidId`] that
            /// names the input.
            pub fn parse(input: &str) -> Result<Self, InvalidId> {
                parse_canonical($kind, input).map(Self)
            }

            /// A fresh random (version 4) id, as backends assign on creation.
            pub fn random() -> Self {
                Self(Uuid::new_v4())
            }

            /// Wraps a UUID that is already known to be valid.
            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID itself.
            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = InvalidId;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        /// Lower-case hyphenated, as the API writes it.
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({})"), self.0.hyphenated())
            }
        }
    };
}

uuid_id!(
    /// The id of an integration connection.
    ///
    /// ```
    /// use exsited_core::ConnectionId;
    ///
    /// let id: ConnectionId = "6F9619FF-8B86-D011-B42D-00C04FC964FF".parse()?;
    /// assert_eq!(id.to_string(), "6f9619ff-8b86-d011-b42d-00c04fc964ff");
    /// assert!(ConnectionId::parse("6f9619ff8b86d011b42d00c04fc964ff").is_err());
    /// # Ok::<(), exsited_core::InvalidId>(())
    /// ```
    ConnectionId,
    "connection"
);

uuid_id!(
    /// The id of an automation (a data-sync rule) under a connection.
    AutomationId,
    "automation"
);

uuid_id!(
    /// The id of a partner function (an object mapping) under a connection.
    PartnerFunctionId,
    "partner function"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_canonical_forms_in_either_case() {
        let lower = ConnectionId::parse("123e4567-e89b-12d3-a456-426614174000").unwrap();
        let upper = ConnectionId::parse("123E4567-E89B-12D3-A456-426614174000").unwrap();
        assert_eq!(lower, upper);
        assert_eq!(upper.to_string(), "123e4567-e89b-12d3-a456-426614174000");
    }

    #[test]
    fn rejects_every_malformed_shape() {
        for bad in [
            "",
            "123",
            "123e4567e89b12d3a456426614174000",
            "{123e4567-e89b-12d3-a456-426614174000}",
            "urn:uuid:123e4567-e89b-12d3-a456-426614174000",
            "123e4567-e89b-12d3-a456-42661417400g",
            "123e4567-e89b-12d3-a456_426614174000",
            " 23e4567-e89b-12d3-a456-426614174000",
            "123e4567-e89b-12d3-a456-4266141740000",
            "123e4567-e89b-12d3-a4564-26614174000",
        ] {
            let err = ConnectionId::parse(bad).expect_err(bad);
            assert_eq!(err.kind(), "connection");
            assert_eq!(err.input(), bad);
        }
    }

    #[test]
    fn echoes_at_most_64_characters() {
        let long = "x".repeat(10_000);
        let err = AutomationId::parse(&long).unwrap_err();
        assert_eq!(err.input().chars().count(), MAX_ECHOED_CHARS);
        assert!(err.is_truncated());
        assert!(err.to_string().len() < 200, "{}", err);
        assert_eq!(err.kind(), "automation");
    }

    #[test]
    fn truncates_on_character_not_byte_boundaries() {
        let long = "é".repeat(100);
        let err = PartnerFunctionId::parse(&long).unwrap_err();
        assert_eq!(err.input(), "é".repeat(64));
    }

    #[test]
    fn control_characters_are_visible_in_the_message() {
        let err = ConnectionId::parse("abc\n\u{1b}[2J").unwrap_err();
        let shown = err.to_string();
        assert!(
            !shown.contains('\n') && !shown.contains('\u{1b}'),
            "{shown}"
        );
    }
}
