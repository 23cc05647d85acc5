//! Terminal output shared by the commands: record tables, JSON in the API's wire shapes with
//! the partner secrets redacted, and text made safe to print.
//!
//! The CLI never prints a partner secret: tables leave the credential columns out, and JSON
//! replaces every secret that is set with [`REDACTED`]. The only way to get secrets out of the
//! API with this tool is `exsited connections delete --backup`, which writes them to a file
//! only its owner can read.

use std::borrow::Cow;
use std::io::{self, Write};

use exsited_core::Connection;
use exsited_spec::{Secret, convert};

/// What a secret that is set looks like in JSON output.
pub(crate) const REDACTED: &str = "[redacted]";

/// The connection as the API's record, each secret that is set replaced by [`REDACTED`].
pub(crate) fn redacted_connection(connection: &Connection) -> exsited_spec::Connection {
    let mut wire = convert::connection_to_wire(connection);
    for secret in [
        &mut wire.client_secret,
        &mut wire.access_token,
        &mut wire.refresh_token,
    ] {
        *secret = match secret.take() {
            Some(value) if !value.is_empty() => Some(Secret::from(REDACTED)),
            _ => Some(Secret::from("")),
        };
    }
    wire
}

/// Writes `value` as one line of JSON on standard output.
pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> io::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, value).map_err(io::Error::other)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// `text` with control characters (an escape sequence from a remote record could rewrite the
/// terminal) shown as `?`.
pub(crate) fn printable(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        Cow::Owned(
            text.chars()
                .map(|c| if c.is_control() { '?' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    }
}

/// `text` made printable and cut to `width` characters, marking a cut with `~`.
fn cell(text: &str, width: usize) -> String {
    let text = printable(text);
    if text.chars().count() <= width {
        return text.into_owned();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('~');
    cut
}

/// The connection table: fixed column widths, so that rows can be printed as pages arrive
/// instead of after the whole list was read.
pub(crate) struct ConnectionTable;

impl ConnectionTable {
    const WIDTHS: [usize; 4] = [36, 12, 14, 28];

    /// The header line.
    pub(crate) fn header() -> String {
        Self::line(&[
            "UUID",
            "STATUS",
            "PARTNER",
            "REMOTE INSTANCE ID",
            "REMOTE INSTANCE NAME",
        ])
    }

    /// One connection's line; the credentials are left out.
    pub(crate) fn row(connection: &Connection) -> String {
        Self::line(&[
            &connection.id.to_string(),
            connection.status.as_str(),
            connection.partner.as_str(),
            &connection.remote_instance.id,
            &connection.remote_instance.name,
        ])
    }

    fn line(cells: &[&str; 5]) -> String {
        let mut line = String::new();
        for (text, width) in cells.iter().zip(Self::WIDTHS) {
            line.push_str(&format!("{:<width$}  ", cell(text, width)));
        }
        line.push_str(&printable(cells[4]));
        line.trim_end().to_owned()
    }
}

/// A connection in `key: value` lines, credentials shown only as set or not set.
pub(crate) fn connection_details(connection: &Connection) -> String {
    let c = &connection.credentials;
    let set = |s: &exsited_core::SecretString| if s.is_empty() { "not set" } else { "set" };
    format!(
        "uuid:                 {}\nstatus:               {}\npartner:              {}\nremote instance id:   {}\nremote instance name: {}\npartner client id:    {}\nclient secret:        {}\naccess token:         {}\nrefresh token:        {}",
        connection.id,
        connection.status,
        connection.partner,
        printable(&connection.remote_instance.id),
        printable(&connection.remote_instance.name),
        printable(&c.client_id),
        set(&c.client_secret),
        set(&c.access_token),
        set(&c.refresh_token),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use exsited_core::{ConnectionId, NewConnection, Partner, PartnerCredentials, SecretString};

    fn connection() -> Connection {
        NewConnection::new(Partner::new("xero").unwrap(), "tenant-1")
            .unwrap()
            .with_credentials(PartnerCredentials {
                client_id: "cid".into(),
                client_secret: SecretString::new("TOP-SECRET"),
                access_token: SecretString::new(""),
                refresh_token: SecretString::new("REFRESH-SECRET"),
            })
            .unwrap()
            .into_connection(ConnectionId::random())
    }

    #[test]
    fn json_records_redact_set_secrets_and_keep_empty_ones_empty() {
        let json = serde_json::to_string(&redacted_connection(&connection())).unwrap();
        assert!(
            !json.contains("TOP-SECRET") && !json.contains("REFRESH-SECRET"),
            "{json}"
        );
        assert!(json.contains(r#""client_secret":"[redacted]""#), "{json}");
        assert!(json.contains(r#""access_token":"""#), "{json}");
        assert!(json.contains(r#""client_id":"cid""#), "{json}");
    }

    #[test]
    fn tables_and_details_never_show_secrets() {
        let conn = connection();
        for text in [ConnectionTable::row(&conn), connection_details(&conn)] {
            assert!(!text.contains("SECRET"), "{text}");
        }
        assert!(connection_details(&conn).contains("client secret:        set"));
    }

    #[test]
    fn control_characters_are_neutralised_and_cells_cut() {
        assert_eq!(printable("a\u{1b}[2Jb"), "a?[2Jb");
        assert_eq!(cell("abcdef", 4), "abc~");
        assert_eq!(cell("abc", 4), "abc");
    }
}
