//! HTTPS against a local rustls server whose certificate is made for the test: trusted when its
//! CA is given to the client; refused, with its cause, the host and the remedy, and never
//! retried, when the certificate cannot be verified.

mod support;

use std::sync::{Arc, Mutex};

use exsited_core::{ConnectionId, ConnectionRepository, Error, SecretString};
use exsited_transport::{
    ClientConfig, ClientConfigBuilder, Exchange, ExchangeOutcome, FailureKind, TlsCause, TlsError,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose,
    date_time_ymd,
};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::json;
use support::{CLIENT_SECRET, CONN, Reply, Server, connection_json};

/// A test CA: its PEM, and its issuer to sign server certificates with.
struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "exsited test CA");
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        Self {
            issuer: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    fn pem(&self) -> String {
        self.issuer.pem()
    }

    /// An acceptor presenting a certificate this CA signed for `names`, shaped by `edit`.
    fn acceptor(
        &self,
        names: &[&str],
        edit: impl FnOnce(&mut CertificateParams),
    ) -> tokio_rustls::TlsAcceptor {
        let key = KeyPair::generate().unwrap();
        let mut params = leaf_params(names);
        edit(&mut params);
        let cert = params.signed_by(&key, &self.issuer).unwrap();
        acceptor(cert.der().clone(), &key)
    }
}

fn leaf_params(names: &[&str]) -> CertificateParams {
    CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap()
}

fn acceptor(
    cert: rustls_pki_types::CertificateDer<'static>,
    key: &KeyPair,
) -> tokio_rustls::TlsAcceptor {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// An acceptor presenting a self-signed `localhost` certificate.
fn self_signed() -> tokio_rustls::TlsAcceptor {
    let key = KeyPair::generate().unwrap();
    let cert = leaf_params(&["localhost"]).self_signed(&key).unwrap();
    acceptor(cert.der().clone(), &key)
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

/// A builder that records every exchange.
fn observed(builder: ClientConfigBuilder) -> (ClientConfigBuilder, Arc<Mutex<Vec<Exchange>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let builder = builder.observer(move |exchange| log.lock().unwrap().push(exchange.clone()));
    (builder, seen)
}

/// Runs one `get` through a client that records its exchanges and returns the error, after
/// checking what every refused handshake must show: one attempt, no request through, a
/// not-processed `Unavailable` whose typed cause is reachable, and no secret in it.
async fn refused(server: &Server, builder: ClientConfigBuilder) -> (Error, TlsError) {
    let (builder, seen) = observed(builder);
    let client = builder.build().unwrap();
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
    let seen = seen.lock().unwrap();
    assert_eq!(
        seen.len(),
        1,
        "a refused certificate is not retried: {seen:?}"
    );
    assert_eq!(seen[0].outcome, ExchangeOutcome::Failed(FailureKind::Tls));
    assert_eq!(server.accepted(), 1, "one connection, no retry");
    assert!(
        server.requests().is_empty(),
        "no request passed the handshake"
    );
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains(CLIENT_SECRET), "{shown}");
    }
    let tls = TlsError::find(&err)
        .expect("the TLS cause is reachable")
        .clone();
    (err, tls)
}

#[tokio::test]
async fn https_works_with_the_servers_ca_given_as_pem() {
    let ca = Ca::new();
    let server = Server::start_tls(ca.acceptor(&["localhost"], |_| {}), get_ok).await;
    assert!(server.base_url.starts_with("https://localhost:"));
    let client = server
        .config()
        .add_root_certificate_pem(ca.pem())
        .build()
        .unwrap();
    assert_eq!(client.get(conn()).await.unwrap().id, conn());
    assert_eq!(server.token_requests().len(), 1);
}

#[tokio::test]
async fn an_unknown_ca_is_refused_once_naming_the_host_and_how_to_add_a_root() {
    let ca = Ca::new();
    let server = Server::start_tls(ca.acceptor(&["localhost"], |_| {}), get_ok).await;
    let (err, tls) = refused(&server, server.config()).await;
    assert_eq!(tls.cause(), TlsCause::UnknownIssuer);
    assert_eq!(tls.host(), "localhost");
    let message = err.to_string();
    assert!(message.contains("localhost"), "{message}");
    assert!(message.contains("add_root_certificate_pem"), "{message}");
}

#[tokio::test]
async fn a_self_signed_certificate_is_an_unknown_issuer_for_api_calls_too() {
    let server = Server::start_tls(self_signed(), get_ok).await;
    // A fixed bearer token: the refused request is the API call itself, not a token request.
    let builder = ClientConfig::builder()
        .base_url(&server.base_url)
        .bearer_token(SecretString::new("fixed-token-5d2a"));
    let (err, tls) = refused(&server, builder).await;
    assert_eq!(tls.cause(), TlsCause::UnknownIssuer);
    assert!(!err.to_string().contains("fixed-token-5d2a"));
    assert!(
        err.to_string().contains("add_root_certificate_pem"),
        "{err}"
    );
}

#[tokio::test]
async fn a_certificate_for_another_name_is_refused_once_naming_both() {
    let ca = Ca::new();
    let server = Server::start_tls(ca.acceptor(&["api.example.test"], |_| {}), get_ok).await;
    let (err, tls) = refused(&server, server.config().add_root_certificate_pem(ca.pem())).await;
    assert_eq!(tls.cause(), TlsCause::NameMismatch);
    assert_eq!(tls.presented_names(), ["api.example.test"]);
    let message = err.to_string();
    assert!(
        message.contains("localhost") && message.contains("api.example.test"),
        "{message}"
    );
    assert!(message.contains("base URL"), "the remedy: {message}");
}

#[tokio::test]
async fn an_expired_certificate_is_refused_once_with_its_date() {
    let ca = Ca::new();
    let acceptor = ca.acceptor(&["localhost"], |params| {
        params.not_before = date_time_ymd(2000, 1, 1);
        params.not_after = date_time_ymd(2001, 1, 1);
    });
    let server = Server::start_tls(acceptor, get_ok).await;
    let (err, tls) = refused(&server, server.config().add_root_certificate_pem(ca.pem())).await;
    assert_eq!(tls.cause(), TlsCause::Expired);
    let message = err.to_string();
    assert!(message.contains("localhost"), "{message}");
    assert!(message.contains("2001"), "the expiry date: {message}");
    assert!(message.contains("renewed"), "the remedy: {message}");
}

#[tokio::test]
async fn a_certificate_not_valid_yet_is_refused_once() {
    let ca = Ca::new();
    let acceptor = ca.acceptor(&["localhost"], |params| {
        params.not_before = date_time_ymd(2999, 1, 1);
        params.not_after = date_time_ymd(3000, 1, 1);
    });
    let server = Server::start_tls(acceptor, get_ok).await;
    let (err, tls) = refused(&server, server.config().add_root_certificate_pem(ca.pem())).await;
    assert_eq!(tls.cause(), TlsCause::NotYetValid);
    assert!(err.to_string().contains("2999"), "{err}");
}

#[tokio::test]
async fn https_to_a_plain_http_server_says_so_once() {
    let server = Server::start(get_ok).await;
    let https = server.base_url.replace("http://", "https://");
    let (err, tls) = refused(&server, server.config().base_url(https)).await;
    assert_eq!(tls.cause(), TlsCause::NotTls);
    assert!(err.to_string().contains("http://"), "the remedy: {err}");
}
