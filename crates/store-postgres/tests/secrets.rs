//! Partner secrets at rest: never in the cluster's files in clear, bound to their row, and
//! only ever opened with the key the database was created with.

mod support;

use exsited_core::{
    ConnectionRepository, Error, NewConnection, Partner, PartnerCredentials, SecretString, TenantId,
};
use exsited_secrets::{SecretKey, UnsealError};
use exsited_store_postgres::{OpenError, Options, PostgresStore};

fn with_secrets(remote: &str, secret: &str) -> NewConnection {
    NewConnection::new(Partner::new("xero").unwrap(), remote)
        .unwrap()
        .with_credentials(PartnerCredentials {
            client_id: "partner-client".into(),
            client_secret: SecretString::new(secret),
            access_token: SecretString::new(format!("{secret}-ACCESS")),
            refresh_token: SecretString::new(format!("{secret}-REFRESH")),
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_plaintext_secret_reaches_the_cluster_files_after_a_create_or_a_delete() {
    let cluster = support::cluster();
    let db = cluster.create_database();
    let store = support::open(&cluster, &db, &SecretKey::generate()).await;
    let repo = store.repository(TenantId::new("acme").unwrap());
    let secret = "PLAINTEXT-PARTNER-SECRET-6c1f";
    let made = repo.create(with_secrets("r", secret)).await.unwrap();
    assert_eq!(
        repo.get(made.id)
            .await
            .unwrap()
            .credentials
            .client_secret
            .expose(),
        secret,
        "the store reads it back"
    );
    // The harness finds what is there: a canary written in clear by plain SQL.
    cluster.psql(
        &db,
        "CREATE TABLE canary (v text); INSERT INTO canary VALUES ('CANARY-IN-CLEAR-4b2e')",
    );
    assert!(
        cluster.files_hold(b"CANARY-IN-CLEAR-4b2e"),
        "the scan sees table data and WAL"
    );
    for needle in [
        secret.to_owned(),
        format!("{secret}-ACCESS"),
        format!("{secret}-REFRESH"),
    ] {
        assert!(
            !cluster.files_hold(needle.as_bytes()),
            "after the create: {needle}"
        );
    }
    let raw = cluster.psql(
        &db,
        "SELECT encode(client_secret, 'escape') FROM connections",
    );
    assert!(!raw.contains(secret), "the column holds ciphertext only");

    repo.delete(made.id).await.unwrap();
    for needle in [
        secret.to_owned(),
        format!("{secret}-ACCESS"),
        format!("{secret}-REFRESH"),
    ] {
        assert!(
            !cluster.files_hold(needle.as_bytes()),
            "after the delete: {needle}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ciphertext_moved_to_another_row_does_not_decrypt() {
    let cluster = support::cluster();
    let db = cluster.create_database();
    let store = support::open(&cluster, &db, &SecretKey::generate()).await;
    let repo = store.repository(TenantId::new("acme").unwrap());
    let victim = repo
        .create(with_secrets("victim", "VICTIM-SECRET"))
        .await
        .unwrap();
    let thief = repo
        .create(with_secrets("thief", "THIEF-SECRET"))
        .await
        .unwrap();
    cluster.psql(
        &db,
        &format!(
            "UPDATE connections SET client_secret = \
             (SELECT client_secret FROM connections WHERE uuid = '{}') WHERE uuid = '{}'",
            victim.id, thief.id
        ),
    );
    match repo.get(thief.id).await {
        Err(Error::Unavailable {
            source, message, ..
        }) => {
            let cause = source.expect("the cause");
            assert!(
                matches!(
                    cause.downcast_ref::<UnsealError>(),
                    Some(UnsealError::Rejected { .. })
                ),
                "{cause:?}"
            );
            assert!(!message.contains("VICTIM-SECRET"), "{message}");
            assert!(
                message.contains("client_secret"),
                "names the column: {message}"
            );
        }
        other => panic!("a moved ciphertext must not open: {other:?}"),
    }
    assert_eq!(
        repo.get(victim.id)
            .await
            .unwrap()
            .credentials
            .client_secret
            .expose(),
        "VICTIM-SECRET",
        "the original row still opens"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_key_is_refused_at_start_and_changes_nothing() {
    let cluster = support::cluster();
    let db = cluster.create_database();
    let first = SecretKey::generate();
    let store = support::open(&cluster, &db, &first).await;
    store
        .repository(TenantId::new("acme").unwrap())
        .create(with_secrets("r", "S"))
        .await
        .unwrap();
    let before = cluster.psql(&db, "SELECT key_check, version FROM exsited_schema");
    match PostgresStore::open(
        &cluster.url(&db),
        &SecretKey::generate(),
        Options::default(),
    )
    .await
    {
        Err(OpenError::WrongKey { database }) => assert_eq!(database, db),
        other => panic!("another key must be refused: {other:?}"),
    }
    assert_eq!(
        cluster.psql(&db, "SELECT key_check, version FROM exsited_schema"),
        before
    );
    support::open(&cluster, &db, &first).await;
}
