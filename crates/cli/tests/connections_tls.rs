//! `exsited connections` over HTTPS through a TLS-intercepting proxy, as a company network has
//! one: refused with its cause and the flag that fixes it, then trusted with `--ca-file` or
//! `EXSITED_CA_FILE`.

mod connections_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use connections_support::{Api, text};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair, KeyUsagePurpose};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// A TLS-terminating proxy in front of the reference server, presenting a `localhost`
/// certificate signed by a CA made for the test.
struct TlsProxy {
    url: String,
    ca_pem: String,
    accepted: Arc<AtomicUsize>,
}

impl TlsProxy {
    fn start(api: &Api) -> Self {
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "exsited test proxy CA");
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .signed_by(&key, &ca)
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![cert.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
            )
            .unwrap();
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = api.rt.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        let upstream = api.addr;
        api.rt.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A refused handshake is the point of some tests: the client hangs up.
                    let Ok(mut client) = acceptor.accept(stream).await else {
                        return;
                    };
                    let Ok(mut server) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                });
            }
        });
        Self {
            url: format!("https://localhost:{port}"),
            ca_pem: ca.pem(),
            accepted,
        }
    }

    fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

#[test]
fn an_unknown_ca_is_named_once_and_trusted_with_ca_file_or_its_variable() {
    let api = Api::start();
    let ids = api.seed(1);
    let proxy = TlsProxy::start(&api);
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("proxy-ca.pem");
    std::fs::write(&ca_file, &proxy.ca_pem).unwrap();

    let refused = api
        .exsited()
        .env("EXSITED_BASE_URL", &proxy.url)
        .args(["connections", "list", "-v"])
        .output()
        .unwrap();
    let stderr = text(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    for says in [
        "localhost",
        "not signed by a trusted root",
        "--ca-file",
        "EXSITED_CA_FILE",
    ] {
        assert!(stderr.contains(says), "{says:?} in {stderr}");
    }
    let exchanges: Vec<&str> = stderr.lines().filter(|l| l.contains(" -> ")).collect();
    assert_eq!(exchanges.len(), 1, "one attempt, no retry: {stderr}");
    assert!(exchanges[0].contains("TLS handshake refused"), "{stderr}");
    assert_eq!(proxy.accepted(), 1);
    assert_eq!(api.calls(), 0, "nothing reached the server");

    let by_flag = api
        .exsited()
        .env("EXSITED_BASE_URL", &proxy.url)
        .args(["connections", "list", "--ca-file"])
        .arg(&ca_file)
        .output()
        .unwrap();
    assert!(by_flag.status.success(), "{}", text(&by_flag.stderr));
    assert!(text(&by_flag.stdout).contains(&ids[0].to_string()));

    let by_variable = api
        .exsited()
        .env("EXSITED_BASE_URL", &proxy.url)
        .env("EXSITED_CA_FILE", &ca_file)
        .args(["connections", "get", &ids[0].to_string()])
        .output()
        .unwrap();
    assert!(
        by_variable.status.success(),
        "{}",
        text(&by_variable.stderr)
    );
}

#[test]
fn a_missing_or_non_pem_ca_file_exits_2_naming_it_before_any_connection() {
    let api = Api::start();
    let proxy = TlsProxy::start(&api);
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("ca.der");
    std::fs::write(&not_pem, [0x30, 0x82, 0x01, 0x0a]).unwrap();
    for path in [dir.path().join("missing.pem"), not_pem] {
        let output = api
            .exsited()
            .env("EXSITED_BASE_URL", &proxy.url)
            .env("EXSITED_CA_FILE", &path)
            .args(["connections", "list"])
            .output()
            .unwrap();
        let stderr = text(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
        assert!(stderr.contains(&path.display().to_string()), "{stderr}");
    }
    assert_eq!(proxy.accepted(), 0);
}
