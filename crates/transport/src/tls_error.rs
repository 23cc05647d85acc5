//! A TLS handshake that failed for good: what rustls refused, in words a user can act on.
//!
//! A certificate that fails verification does not fix itself between attempts, so such a failure
//! is never retried; the error names the host, the cause and the remedy.

use std::fmt;
use std::time::{Duration, SystemTime};

use rustls::{CertificateError, InvalidMessage};

/// How many of the names a certificate presents are kept, and how long each may be.
const MAX_NAMES: usize = 8;
const MAX_NAME_BYTES: usize = 253;

/// Why the TLS handshake with the API's host failed: the server's certificate did not verify,
/// or the server does not speak TLS as this client does.
///
/// The transport reports it as [`Error::Unavailable`](exsited_core::Error::Unavailable) (the API
/// could not be reached; nothing was sent) with this value as its source, so that code can tell
/// the cause without reading the message:
///
/// ```
/// use exsited_transport::{TlsCause, TlsError};
///
/// fn needs_a_root(error: &exsited_core::Error) -> bool {
///     TlsError::find(error).is_some_and(|tls| tls.cause() == TlsCause::UnknownIssuer)
/// }
/// ```
///
/// Core's [`Error::is_retryable`](exsited_core::Error::is_retryable) answers `true` for every
/// `Unavailable`; for this one a retry is pointless. The transport makes none, and a caller that
/// retries on its own should ask [`TlsError::find`] first.
///
/// It holds the host, the cause and the names or dates the certificate shows: no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsError {
    host: String,
    cause: TlsCause,
    /// The names the certificate is valid for, for a name mismatch.
    presented: Vec<String>,
    /// The certificate's limit and this machine's clock, for an expired or early certificate.
    validity: Option<Validity>,
    /// What rustls said, for the causes without words of their own.
    detail: Option<String>,
}

/// What was wrong in a [`TlsError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TlsCause {
    /// The certificate is not signed by a trusted root: it is self-signed, issued by a private
    /// CA, or replaced by a TLS-intercepting proxy. Trusting the CA that signed it
    /// ([`add_root_certificate_pem`](crate::ClientConfigBuilder::add_root_certificate_pem))
    /// fixes it.
    UnknownIssuer,
    /// The certificate is not valid for the host of the base URL
    /// ([`presented_names`](TlsError::presented_names) says which names it is for).
    NameMismatch,
    /// The certificate has expired (or this machine's clock is ahead).
    Expired,
    /// The certificate is not valid yet (or this machine's clock is behind).
    NotYetValid,
    /// The certificate has been revoked.
    Revoked,
    /// Any other certificate problem: a bad signature, a bad encoding, a certificate for
    /// another purpose.
    InvalidCertificate,
    /// The server did not answer in TLS: most likely a plain-http server behind an `https` URL.
    NotTls,
    /// Any other handshake failure: no protocol version or cipher suite in common, an alert
    /// from the server.
    Handshake,
}

/// A certificate's `notBefore` or `notAfter`, and the time it was checked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Validity {
    limit: SystemTime,
    now: SystemTime,
}

impl TlsError {
    /// The `TlsError` in `error` or in its chain of sources, if the failure was one.
    pub fn find<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a TlsError> {
        let mut current = Some(error);
        while let Some(error) = current {
            if let Some(tls) = error.downcast_ref::<TlsError>() {
                return Some(tls);
            }
            current = error.source();
        }
        None
    }

    /// The host the client was connecting to (the base URL's).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// What was wrong.
    pub fn cause(&self) -> TlsCause {
        self.cause
    }

    /// For a [`TlsCause::NameMismatch`], the names the certificate is valid for (at most 8);
    /// empty otherwise.
    pub fn presented_names(&self) -> &[String] {
        &self.presented
    }

    /// What fixes it, for a user of this library.
    pub(crate) fn remedy(&self) -> &'static str {
        match self.cause {
            TlsCause::UnknownIssuer => {
                "to trust the CA that signed it, add its PEM with ClientConfigBuilder::add_root_certificate_pem"
            }
            TlsCause::NameMismatch => "use a base URL whose host the certificate is for",
            TlsCause::Expired => {
                "the server needs a renewed certificate, unless this machine's clock is wrong"
            }
            TlsCause::NotYetValid => {
                "this machine's clock may be behind; correct it, or give the server a certificate valid now"
            }
            TlsCause::Revoked | TlsCause::InvalidCertificate => {
                "the server needs a valid certificate"
            }
            TlsCause::NotTls => "for a plain-http server, use an http:// base URL",
            TlsCause::Handshake => {
                "check the server's TLS settings (this client speaks TLS 1.2 and 1.3)"
            }
        }
    }

    /// The TLS failure behind a failed connection to `host`, when rustls refused the handshake.
    /// A connection that failed for another reason (refused, reset, DNS) is `None`: that may
    /// work on the next attempt.
    pub(crate) fn from_connect_error(
        host: &str,
        error: &(dyn std::error::Error + 'static),
    ) -> Option<Self> {
        rustls_error(error).map(|e| Self::from_rustls(host, e))
    }

    fn from_rustls(host: &str, error: &rustls::Error) -> Self {
        let mut tls = Self {
            host: host.to_owned(),
            cause: TlsCause::Handshake,
            presented: Vec::new(),
            validity: None,
            detail: None,
        };
        match error {
            rustls::Error::InvalidCertificate(certificate) => match certificate {
                CertificateError::UnknownIssuer => tls.cause = TlsCause::UnknownIssuer,
                CertificateError::NotValidForName => tls.cause = TlsCause::NameMismatch,
                CertificateError::NotValidForNameContext { presented, .. } => {
                    tls.cause = TlsCause::NameMismatch;
                    tls.presented = presented
                        .iter()
                        .take(MAX_NAMES)
                        .map(|name| printable(presented_name(name), MAX_NAME_BYTES))
                        .collect();
                }
                CertificateError::Expired => tls.cause = TlsCause::Expired,
                CertificateError::ExpiredContext { time, not_after } => {
                    tls.cause = TlsCause::Expired;
                    tls.validity = Some(Validity::new(not_after.as_secs(), time.as_secs()));
                }
                CertificateError::NotValidYet => tls.cause = TlsCause::NotYetValid,
                CertificateError::NotValidYetContext { time, not_before } => {
                    tls.cause = TlsCause::NotYetValid;
                    tls.validity = Some(Validity::new(not_before.as_secs(), time.as_secs()));
                }
                CertificateError::Revoked => tls.cause = TlsCause::Revoked,
                other => {
                    tls.cause = TlsCause::InvalidCertificate;
                    tls.detail = Some(printable(&other.to_string(), 256));
                }
            },
            rustls::Error::NoCertificatesPresented => {
                tls.cause = TlsCause::InvalidCertificate;
                tls.detail = Some("the server presented no certificate".to_owned());
            }
            rustls::Error::InvalidMessage(
                InvalidMessage::InvalidContentType | InvalidMessage::UnknownProtocolVersion,
            ) => tls.cause = TlsCause::NotTls,
            other => tls.detail = Some(printable(&other.to_string(), 256)),
        }
        tls
    }
}

impl Validity {
    fn new(limit: u64, now: u64) -> Self {
        let at = |secs| SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
        Self {
            limit: at(limit),
            now: at(now),
        }
    }
}

/// The rustls error in a connection failure's chain. `std::io::Error` hides the error it wraps
/// from `source()` (it shows only that error's own source), and hyper-rustls wraps rustls's
/// `io::Error` in another, so each one is unwrapped by hand.
fn rustls_error<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        current = match error.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => error.source(),
        };
    }
    None
}

/// A presented name as webpki writes it (`DnsName("api.example.com")`, `IpAddress(10.0.0.1)`),
/// reduced to the name itself; any other form is kept whole.
fn presented_name(written: &str) -> &str {
    written
        .strip_prefix("DnsName(\"")
        .and_then(|rest| rest.strip_suffix("\")"))
        .or_else(|| {
            written
                .strip_prefix("IpAddress(")
                .and_then(|rest| rest.strip_suffix(')'))
        })
        .unwrap_or(written)
}

/// A name from the certificate, bounded and without control characters (it comes from the
/// server, and ends up on a terminal).
fn printable(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if out.len() > max {
        let mut cut = max;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push_str("...");
    }
    out
}

/// The cause and the host, without the remedy: `the TLS certificate of api.example.com expired
/// on ...`.
impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let host = &self.host;
        match self.cause {
            TlsCause::UnknownIssuer => write!(
                f,
                "the TLS certificate of {host} is not signed by a trusted root \
                 (it is self-signed, from a private CA, or replaced by a TLS-intercepting proxy)"
            ),
            TlsCause::NameMismatch if self.presented.is_empty() => {
                write!(
                    f,
                    "the TLS certificate presented by {host} is not valid for {host}"
                )
            }
            TlsCause::NameMismatch => write!(
                f,
                "the TLS certificate presented by {host} is not valid for {host}: it is for {}",
                self.presented.join(", ")
            ),
            TlsCause::Expired => {
                write!(f, "the TLS certificate of {host} has expired")?;
                if let Some(v) = &self.validity {
                    write!(
                        f,
                        " (on {}; this machine's clock reads {})",
                        httpdate::fmt_http_date(v.limit),
                        httpdate::fmt_http_date(v.now)
                    )?;
                }
                Ok(())
            }
            TlsCause::NotYetValid => {
                write!(f, "the TLS certificate of {host} is not valid yet")?;
                if let Some(v) = &self.validity {
                    write!(
                        f,
                        " (from {}; this machine's clock reads {})",
                        httpdate::fmt_http_date(v.limit),
                        httpdate::fmt_http_date(v.now)
                    )?;
                }
                Ok(())
            }
            TlsCause::Revoked => write!(f, "the TLS certificate of {host} has been revoked"),
            TlsCause::InvalidCertificate => write!(
                f,
                "the TLS certificate of {host} was refused: {}",
                self.detail.as_deref().unwrap_or("it is invalid")
            ),
            TlsCause::NotTls => write!(f, "{host} did not answer in TLS"),
            TlsCause::Handshake => write!(
                f,
                "the TLS handshake with {host} failed: {}",
                self.detail.as_deref().unwrap_or("no reason given")
            ),
        }
    }
}

impl std::error::Error for TlsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rustls_error_is_found_inside_an_io_error() {
        // As hyper-rustls reports it: rustls's io::Error wrapped in another.
        let io = std::io::Error::other(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
        ));
        let tls = TlsError::from_connect_error("api.example.com", &io).unwrap();
        assert_eq!(tls.cause(), TlsCause::UnknownIssuer);
        assert_eq!(tls.host(), "api.example.com");
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(TlsError::from_connect_error("h", &refused).is_none());
    }

    #[test]
    fn presented_names_are_bounded_and_printable() {
        let names = (0..20)
            .map(|i| format!("DnsName(\"n{i}\u{1b}.test\")"))
            .collect();
        let error = rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected: rustls_pki_types::ServerName::try_from("h.test").unwrap(),
            presented: names,
        });
        let tls = TlsError::from_rustls("h.test", &error);
        assert_eq!(tls.presented_names().len(), MAX_NAMES);
        assert_eq!(tls.presented_names()[0], "n0?.test");
        assert_eq!(presented_name("IpAddress(10.0.0.1)"), "10.0.0.1");
        assert_eq!(presented_name("DirectoryName"), "DirectoryName");
    }
}
