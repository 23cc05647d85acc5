//! How a `connections` command fails: API errors turned into the CLI's
//! [`Failure`] (exit 1, or 2 for bad input), with a hint where a
//! person needs one, and the outcome of a command that reports its own results first.

use std::fmt;

use exsited_core::Error;
use exsited_transport::{TlsCause, TlsError};

use crate::failure::Failure;

/// A usage error: bad flags, configuration or input; nothing was sent (exit 2).
pub(crate) fn usage(message: impl fmt::Display) -> Failure {
    Failure::Usage(message.to_string())
}

/// A failed operation, described by `what` (`"cannot read backup.jsonl"`) and its cause
/// (exit 1).
pub(crate) fn failed(what: impl fmt::Display, cause: impl fmt::Display) -> Failure {
    Failure::Failed(format!("{what}: {cause}"))
}

/// An API error as a command's failure: a malformed id is a usage error (exit 2, no request
/// was sent), anything else a failed operation (exit 1).
pub(crate) fn api(error: Error) -> Failure {
    match error {
        Error::InvalidId(_) => Failure::Usage(error.to_string()),
        other => Failure::Failed(describe(&other)),
    }
}

/// An API error as a person should read it: an authentication failure gets a hint about where
/// the credentials come from (never the credentials themselves; the error carries none), a
/// certificate from an unknown CA the flag that trusts it.
pub(crate) fn describe(error: &Error) -> String {
    match error {
        Error::Unauthorized { .. } => format!(
            "{error} (check the API credentials: --client-id with EXSITED_CLIENT_SECRET, or EXSITED_TOKEN)"
        ),
        Error::Forbidden { .. } => {
            format!(
                "{error} (the API client may be read-only; deletes and creates need a write-scoped client)"
            )
        }
        other => match TlsError::find(other) {
            // The library's message names its own remedy; here the remedy is a flag.
            Some(tls) if tls.cause() == TlsCause::UnknownIssuer => format!(
                "unavailable: {tls}; to trust the CA that signed it, pass its PEM file with \
                 --ca-file PATH or EXSITED_CA_FILE"
            ),
            _ => other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_ids_are_usage_errors() {
        let invalid = Error::from(exsited_core::ConnectionId::parse("nope").unwrap_err());
        assert!(matches!(api(invalid), Failure::Usage(m) if m.contains("\"nope\"")));
        assert!(matches!(
            api(Error::RateLimited { retry_after: None }),
            Failure::Failed(_)
        ));
    }

    #[test]
    fn unauthorized_gets_a_hint() {
        let text = describe(&Error::Unauthorized {
            message: "invalid client credentials".into(),
        });
        assert!(text.contains("EXSITED_CLIENT_SECRET"), "{text}");
    }
}
