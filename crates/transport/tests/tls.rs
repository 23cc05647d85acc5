//! HTTPS against a local rustls server whose certificate is signed by a CA made for the test:
//! trusted when the CA is given to the client, refused when it is not.

mod support;

use std::sync::Arc;

use exsited_core::{ConnectionId, ConnectionRepository, Error};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use support::{CONN, Reply, Server, connection_json};

/// A CA (its PEM) and a TLS acceptor presenting a `localhost` certificate it signed.
fn ca_and_acceptor() -> (String, tokio_rustls::TlsAcceptor) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "exsited test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();

    let server_key = KeyPair::generate().unwrap();
    let server_cert = CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
        )
        .unwrap();
    (ca.pem(), tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

fn get_ok(_: &support::Recorded, _: usize) -> Reply {
    Reply::json(
        200,
        json!({"integration_connection": connection_json(CONN)}),
    )
}

fn conn() -> ConnectionId {
    CONN.parse().unwrap()
}

#[tokio::test]
async fn https_works_with_the_servers_ca_given_as_pem() {
    let (ca_pem, acceptor) = ca_and_acceptor();
    let server = Server::start_tls(acceptor, get_ok).await;
    assert!(server.base_url.starts_with("https://localhost:"));
    let client = server
        .config()
        .add_root_certificate_pem(ca_pem)
        .build()
        .unwrap();
    assert_eq!(client.get(conn()).await.unwrap().id, conn());
    assert_eq!(server.token_requests().len(), 1);
}

#[tokio::test]
async fn https_is_refused_without_the_ca_and_nothing_is_sent() {
    let (_, acceptor) = ca_and_acceptor();
    let server = Server::start_tls(acceptor, get_ok).await;
    let client = server.config().build().unwrap();
    let err = client.get(conn()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unavailable {
                maybe_processed: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        server.requests().is_empty(),
        "no request passed the handshake"
    );
}
