//! Integration connections: the record, its status, and what it takes to create one.

use std::fmt;

use crate::error::Error;
use crate::id::ConnectionId;
use crate::secret::SecretString;
use crate::text::{Partner, check_text, is_blank};

/// An integration connection as a repository returns it.
///
/// `Debug` is safe to log: the partner credentials print as `[redacted]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The connection's id.
    pub id: ConnectionId,
    /// Whether data flows.
    pub status: ConnectionStatus,
    /// The external system.
    pub partner: Partner,
    /// The tenant or organisation on the partner's side.
    pub remote_instance: RemoteInstance,
    /// What the connection uses to reach the partner.
    pub credentials: PartnerCredentials,
}

/// Whether a connection's data flows run.
///
/// The API may grow new statuses; an unknown one is kept as [`Other`](Self::Other) rather than
/// failing the whole read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConnectionStatus {
    /// Enabled; data flows.
    Active,
    /// Disabled by a user; nothing flows.
    Inactive,
    /// The partner side revoked or lost the link.
    Disconnected,
    /// A status this version does not know, as the API spelled it.
    Other(String),
}

impl ConnectionStatus {
    /// Reads the API's spelling (case-insensitive); never fails.
    ///
    /// ```
    /// use exsited_core::ConnectionStatus;
    ///
    /// assert_eq!(ConnectionStatus::parse("active"), ConnectionStatus::Active);
    /// assert_eq!(ConnectionStatus::parse("PAUSED"), ConnectionStatus::Other("PAUSED".into()));
    /// ```
    pub fn parse(value: &str) -> Self {
        match value.to_ascii_uppercase().as_str() {
            "ACTIVE" => Self::Active,
            "INACTIVE" => Self::Inactive,
            "DISCONNECTED" => Self::Disconnected,
            _ => Self::Other(value.to_owned()),
        }
    }

    /// The API's spelling.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Active => "ACTIVE",
            Self::Inactive => "INACTIVE",
            Self::Disconnected => "DISCONNECTED",
            Self::Other(other) => other,
        }
    }
}

impl fmt::Display for ConnectionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The tenant or organisation on the partner's side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteInstance {
    /// The partner's id for it (a Xero tenant id, a QuickBooks realm id...).
    pub id: String,
    /// Its display name; empty when unknown.
    pub name: String,
}

/// The credentials a connection holds for its partner. The secret parts never print.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PartnerCredentials {
    /// The OAuth client id at the partner. Not a secret.
    pub client_id: String,
    /// The OAuth client secret at the partner.
    pub client_secret: SecretString,
    /// The current access token at the partner.
    pub access_token: SecretString,
    /// The refresh token at the partner.
    pub refresh_token: SecretString,
}

/// The most characters a partner secret may have; real ones are far shorter, and the bound
/// keeps a mistaken file upload out of the store.
pub const MAX_SECRET_CHARS: usize = 8192;

impl PartnerCredentials {
    /// Checks lengths and characters; the error names the field, never the value.
    pub fn validate(&self) -> Result<(), Error> {
        check_text("integration_client_id", &self.client_id)?;
        for (field, secret) in [
            ("integration_client_secret", &self.client_secret),
            ("integration_access_token", &self.access_token),
            ("integration_refresh_token", &self.refresh_token),
        ] {
            if secret.expose().chars().count() > MAX_SECRET_CHARS {
                return Err(Error::invalid_input(
                    field,
                    format!("longer than {MAX_SECRET_CHARS} characters"),
                ));
            }
            if secret.expose().chars().any(char::is_control) {
                return Err(Error::invalid_input(field, "contains control characters"));
            }
        }
        Ok(())
    }
}

/// What it takes to create a connection: validated at construction, so a backend never sees
/// an invalid one.
///
/// Project choice: `provider` and `remote_instance_id` are required; everything else is
/// optional and empty by default.
///
/// ```
/// use exsited_core::{NewConnection, Partner, PartnerCredentials, SecretString};
///
/// let new = NewConnection::new(Partner::new("xero")?, "tenant-42")?
///     .with_remote_instance_name("Acme Ltd")?
///     .with_credentials(PartnerCredentials {
///         client_id: "abc".into(),
///         client_secret: SecretString::new("s3cr3t"),
///         ..Default::default()
///     })?;
/// assert!(!format!("{new:?}").contains("s3cr3t"));
/// # Ok::<(), exsited_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewConnection {
    partner: Partner,
    remote_instance: RemoteInstance,
    credentials: PartnerCredentials,
}

impl NewConnection {
    /// A connection to `partner` for the partner-side tenant `remote_instance_id`.
    pub fn new(partner: Partner, remote_instance_id: &str) -> Result<Self, Error> {
        if is_blank(remote_instance_id) {
            return Err(Error::invalid_input(
                "remote_instance_id",
                "is required and must not be blank",
            ));
        }
        check_text("remote_instance_id", remote_instance_id)?;
        Ok(Self {
            partner,
            remote_instance: RemoteInstance {
                id: remote_instance_id.to_owned(),
                name: String::new(),
            },
            credentials: PartnerCredentials::default(),
        })
    }

    /// Sets the partner-side tenant's display name.
    pub fn with_remote_instance_name(mut self, name: &str) -> Result<Self, Error> {
        check_text("remote_instance_name", name)?;
        self.remote_instance.name = name.to_owned();
        Ok(self)
    }

    /// Sets the partner credentials.
    pub fn with_credentials(mut self, credentials: PartnerCredentials) -> Result<Self, Error> {
        credentials.validate()?;
        self.credentials = credentials;
        Ok(self)
    }

    /// The partner.
    pub fn partner(&self) -> &Partner {
        &self.partner
    }

    /// The partner-side tenant.
    pub fn remote_instance(&self) -> &RemoteInstance {
        &self.remote_instance
    }

    /// The partner credentials.
    pub fn credentials(&self) -> &PartnerCredentials {
        &self.credentials
    }

    /// The record a backend stores for it: status `ACTIVE`, under the id the backend chose.
    pub fn into_connection(self, id: ConnectionId) -> Connection {
        Connection {
            id,
            status: ConnectionStatus::Active,
            partner: self.partner,
            remote_instance: self.remote_instance,
            credentials: self.credentials,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection_with_secrets() -> Connection {
        NewConnection::new(Partner::new("quickbooks").unwrap(), "realm-1")
            .unwrap()
            .with_credentials(PartnerCredentials {
                client_id: "visible-client-id".into(),
                client_secret: SecretString::new("CLIENT-SECRET-VALUE"),
                access_token: SecretString::new("ACCESS-TOKEN-VALUE"),
                refresh_token: SecretString::new("REFRESH-TOKEN-VALUE"),
            })
            .unwrap()
            .into_connection(ConnectionId::random())
    }

    #[test]
    fn debug_of_a_connection_never_prints_a_secret() {
        let conn = connection_with_secrets();
        for shown in [
            format!("{conn:?}"),
            format!("{conn:#?}"),
            format!("{:?}", conn.credentials),
        ] {
            for secret in [
                "CLIENT-SECRET-VALUE",
                "ACCESS-TOKEN-VALUE",
                "REFRESH-TOKEN-VALUE",
            ] {
                assert!(!shown.contains(secret), "{shown}");
            }
            assert!(
                shown.contains("visible-client-id"),
                "non-secret fields stay visible: {shown}"
            );
        }
    }

    #[test]
    fn unknown_status_is_kept_not_rejected() {
        let status = ConnectionStatus::parse("SUSPENDED");
        assert_eq!(status, ConnectionStatus::Other("SUSPENDED".into()));
        assert_eq!(status.as_str(), "SUSPENDED");
        assert_eq!(
            ConnectionStatus::parse("Disconnected"),
            ConnectionStatus::Disconnected
        );
    }

    #[test]
    fn validation_errors_name_the_field_not_the_secret() {
        let creds = PartnerCredentials {
            access_token: SecretString::new("x".repeat(MAX_SECRET_CHARS + 1)),
            ..Default::default()
        };
        match creds.validate() {
            Err(Error::InvalidInput { field, reason }) => {
                assert_eq!(field, "integration_access_token");
                assert!(!reason.contains("xxxx"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_blank_remote_instance_id_is_refused_byte_order_mark_included() {
        for blank in ["", " \t", "\u{feff}", "\u{3000}\u{feff}"] {
            let partner = Partner::new("xero").unwrap();
            match NewConnection::new(partner, blank) {
                Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "remote_instance_id"),
                other => panic!("{blank:?}: {other:?}"),
            }
        }
    }
}
