//! The TLS setup: rustls with the ring provider, the Mozilla roots compiled in, and the
//! caller's extra roots.
//!
//! The provider is passed explicitly rather than installed process-wide, so that this crate
//! neither depends on nor interferes with whichever provider the application installs.

use std::sync::Arc;

use rustls::RootCertStore;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::config_error::ConfigError;

/// Every `CERTIFICATE` block of a PEM document; at least one is required.
pub(crate) fn parse_pem_certificates(
    pem: &[u8],
) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let certificates = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ConfigError::InvalidRootCertificate {
            reason: format!("unreadable PEM: {e}"),
        })?;
    if certificates.is_empty() {
        return Err(ConfigError::InvalidRootCertificate {
            reason: "no CERTIFICATE block found".to_owned(),
        });
    }
    // Checked here, not at the first connection: a certificate webpki cannot use is a
    // configuration error.
    let mut probe = RootCertStore::empty();
    for certificate in &certificates {
        probe
            .add(certificate.clone())
            .map_err(|e| ConfigError::InvalidRootCertificate {
                reason: e.to_string(),
            })?;
    }
    Ok(certificates)
}

/// The rustls client configuration: TLS 1.2 and 1.3, the ring provider, the built-in roots plus
/// `extra_roots`.
pub(crate) fn client_config(
    extra_roots: &[CertificateDer<'static>],
) -> Result<rustls::ClientConfig, ConfigError> {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for certificate in extra_roots {
        roots
            .add(certificate.clone())
            .map_err(|e| ConfigError::InvalidRootCertificate {
                reason: e.to_string(),
            })?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ConfigError::Tls {
            reason: e.to_string(),
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    // No ALPN: hyper-rustls refuses a preset list, and HTTP/1.1 is the default without one.
    Ok(config)
}
