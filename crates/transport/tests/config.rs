//! Configuration: every refusal is its own `ConfigError` at build time, the environment is read
//! as documented, and no `Debug` shows a secret.

use std::time::Duration;

use exsited_core::SecretString;
use exsited_transport::{ClientConfig, ConfigError, DEFAULT_BASE_URL, RetryPolicy};

const SECRET: &str = "cfg-secret-4c1d";
const TOKEN: &str = "cfg-token-9a2b";

fn valid() -> exsited_transport::ClientConfigBuilder {
    ClientConfig::builder().credentials("client", SecretString::new(SECRET))
}

fn error(builder: exsited_transport::ClientConfigBuilder) -> ConfigError {
    let err = builder.build().expect_err("the config must be refused");
    // No refusal repeats a secret.
    assert!(!err.to_string().contains(SECRET) && !format!("{err:?}").contains(SECRET));
    err
}

#[test]
fn defaults_build_against_the_hosted_api() {
    let client = valid().build().unwrap();
    assert_eq!(client.config().base_url(), DEFAULT_BASE_URL);
}

#[test]
fn base_url_refusals() {
    for bad in [
        "not a url",
        "dev-api.exsited.com",
        "ftp://dev-api.exsited.com",
        "https://user:pass@dev-api.exsited.com",
        "https://dev-api.exsited.com/?x=1",
    ] {
        assert!(
            matches!(
                error(valid().base_url(bad)),
                ConfigError::InvalidBaseUrl { .. }
            ),
            "{bad}"
        );
    }
    let err = error(valid().base_url("https://user:s3cr3tpw@host"));
    assert!(!err.to_string().contains("s3cr3tpw"), "{err}");
}

#[test]
fn plain_http_only_to_loopback_or_when_allowed() {
    assert!(matches!(
        error(valid().base_url("http://api.example.com")),
        ConfigError::InsecureHttp { ref host } if host == "api.example.com"
    ));
    valid()
        .base_url("http://api.example.com")
        .allow_insecure_http(true)
        .build()
        .unwrap();
    for loopback in [
        "http://127.0.0.1:8080",
        "http://localhost:3000/prefix",
        "http://[::1]:80",
    ] {
        let client = valid().base_url(loopback).build().unwrap();
        assert_eq!(client.config().base_url(), loopback.trim_end_matches('/'));
    }
}

#[test]
fn credential_refusals() {
    assert!(matches!(
        error(ClientConfig::builder()),
        ConfigError::MissingCredentials
    ));
    assert!(matches!(
        error(valid().bearer_token(SecretString::new(TOKEN))),
        ConfigError::ConflictingCredentials
    ));
    assert!(matches!(
        error(ClientConfig::builder().credentials("", SecretString::new(SECRET))),
        ConfigError::IncompleteCredentials {
            missing: "client id"
        }
    ));
    assert!(matches!(
        error(ClientConfig::builder().credentials("client", SecretString::new(""))),
        ConfigError::IncompleteCredentials {
            missing: "client secret"
        }
    ));
    let broken =
        error(ClientConfig::builder().bearer_token(SecretString::new("zq9-secret\r\nX-Evil: 1")));
    assert!(matches!(broken, ConfigError::InvalidToken));
    assert!(
        !format!("{broken} {broken:?}").contains("zq9"),
        "the error never repeats the token"
    );
    ClientConfig::builder()
        .bearer_token(SecretString::new(TOKEN))
        .build()
        .unwrap();
}

#[test]
fn limit_and_timeout_refusals() {
    assert!(matches!(
        error(valid().connect_timeout(Duration::ZERO)),
        ConfigError::ZeroTimeout {
            name: "connect timeout"
        }
    ));
    assert!(matches!(
        error(valid().attempt_timeout(Duration::ZERO)),
        ConfigError::ZeroTimeout {
            name: "attempt timeout"
        }
    ));
    assert!(matches!(
        error(valid().deadline(Duration::ZERO)),
        ConfigError::ZeroTimeout { name: "deadline" }
    ));
    assert!(matches!(
        error(valid().pool_idle_timeout(Duration::ZERO)),
        ConfigError::ZeroTimeout { .. }
    ));
    assert!(matches!(
        error(valid().retry_policy(RetryPolicy::new(0, Duration::ZERO, Duration::ZERO))),
        ConfigError::InvalidRetryPolicy { .. }
    ));
    assert!(matches!(
        error(valid().retry_policy(RetryPolicy::new(
            3,
            Duration::from_secs(2),
            Duration::from_secs(1)
        ))),
        ConfigError::InvalidRetryPolicy { .. }
    ));
    assert!(matches!(
        error(valid().max_response_bytes(0)),
        ConfigError::ZeroBodyLimit
    ));
    assert!(matches!(
        error(valid().user_agent("bad\nagent")),
        ConfigError::InvalidUserAgent
    ));
}

#[test]
fn root_certificate_refusals() {
    for bad in [
        &b"not pem at all"[..],
        b"-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    ] {
        assert!(
            matches!(
                error(valid().add_root_certificate_pem(bad)),
                ConfigError::InvalidRootCertificate { .. }
            ),
            "{}",
            String::from_utf8_lossy(bad)
        );
    }
}

#[test]
fn environment_variables_are_read() {
    let vars = [
        ("EXSITED_BASE_URL", "http://127.0.0.1:9999/exsited"),
        ("EXSITED_CLIENT_ID", "env-client"),
        ("EXSITED_CLIENT_SECRET", SECRET),
        ("EXSITED_REDIRECT_URI", "https://app.example/cb"),
        ("EXSITED_TOKEN", ""),
    ];
    let lookup = |name: &str| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    };
    let client = ClientConfig::from_lookup(lookup).build().unwrap();
    assert_eq!(client.config().base_url(), "http://127.0.0.1:9999/exsited");
    let shown = format!("{client:?}");
    assert!(shown.contains("env-client") && shown.contains("https://app.example/cb"));
    assert!(!shown.contains(SECRET), "{shown}");

    let token_only = |name: &str| (name == "EXSITED_TOKEN").then(|| TOKEN.to_owned());
    let client = ClientConfig::from_lookup(token_only).build().unwrap();
    assert_eq!(client.config().base_url(), DEFAULT_BASE_URL);
    assert!(!format!("{client:?}").contains(TOKEN));

    assert!(matches!(
        ClientConfig::from_lookup(|_| None).build().unwrap_err(),
        ConfigError::MissingCredentials
    ));
    let both = |name: &str| match name {
        "EXSITED_TOKEN" => Some(TOKEN.to_owned()),
        "EXSITED_CLIENT_ID" => Some("c".to_owned()),
        "EXSITED_CLIENT_SECRET" => Some(SECRET.to_owned()),
        _ => None,
    };
    assert!(matches!(
        ClientConfig::from_lookup(both).build().unwrap_err(),
        ConfigError::ConflictingCredentials
    ));
    // The process environment goes through the same path; whatever it holds, it must not panic.
    let _ = ClientConfig::from_env().map(|b| b.build());
}

#[test]
fn debug_never_shows_a_secret() {
    let builder = valid()
        .redirect_uri("https://app.example/cb")
        .observer(|_| {});
    let client = builder.clone().build().unwrap();
    let bearer = ClientConfig::builder()
        .bearer_token(SecretString::new(TOKEN))
        .build()
        .unwrap();
    for shown in [
        format!("{builder:?}"),
        format!("{builder:#?}"),
        format!("{client:?}"),
        format!("{:?}", client.config()),
        format!("{bearer:#?}"),
    ] {
        assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }
}
