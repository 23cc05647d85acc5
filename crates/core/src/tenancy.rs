//! Tenants and the principals that act in them.

use std::fmt;

use crate::error::Error;

/// The tenant (an Exsited account) that owns connections. Tenants never see each other's data.
///
/// ```
/// use exsited_core::TenantId;
///
/// assert_eq!(TenantId::new("acme-prod")?.as_str(), "acme-prod");
/// assert!(TenantId::new("no spaces").is_err());
/// # Ok::<(), exsited_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(String);

impl TenantId {
    /// 1 to 64 ASCII letters, digits, `-`, `_` or `.`.
    pub fn new(value: &str) -> Result<Self, Error> {
        let ok = !value.is_empty()
            && value.len() <= 64
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(Error::invalid_input(
                "tenant",
                "must be 1 to 64 ASCII letters, digits, '-', '_' or '.'",
            ))
        }
    }

    /// The tenant's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who is acting: an API client of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Principal {
    /// The tenant whose data the client may see.
    pub tenant: TenantId,
    /// The API client's id (not a secret; recorded in audit trails).
    pub client_id: String,
}

impl Principal {
    /// A client of a tenant.
    pub fn new(tenant: TenantId, client_id: impl Into<String>) -> Self {
        Self {
            tenant,
            client_id: client_id.into(),
        }
    }
}
