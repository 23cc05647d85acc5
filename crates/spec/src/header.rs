//! What a header of the document is: its name as the document spells it, and in lower case, the
//! form HTTP/2 sends and `http::HeaderName::from_static` takes. The generated
//! [`crate::headers`] has one [`Header`] per header of the document.

/// A header of the API.
///
/// ```
/// use exsited_spec::headers;
///
/// assert_eq!(headers::X_IDEMPOTENCY_KEY.name, "X-Idempotency-Key");
/// assert_eq!(headers::X_IDEMPOTENCY_KEY.lowercase, "x-idempotency-key");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Header {
    /// As the document spells it (`X-Request-Id`): for messages and documentation.
    pub name: &'static str,
    /// In lower case (`x-request-id`): for building and looking up headers. Header names are
    /// case-insensitive; HTTP/2 and the `http` crate use this form.
    pub lowercase: &'static str,
}
