//! A field whose type reads `null` itself (an enum with a null variant, such as a section of the
//! configuration request, where `null` removes, RFC 7396): serde reads `null` as `None` for any
//! `Option`, which would make a sent `null` and an absent field the same. The generated types
//! name [`keep_null`] on such fields.

use serde::{Deserialize, Deserializer};

/// Reads a field that is present, `null` included, as `Some`; with `#[serde(default)]` an
/// absent field stays `None`.
pub(crate) fn keep_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}
