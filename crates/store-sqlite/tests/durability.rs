//! What only a file can promise: data survives a restart, a delete survives a restart, deleted
//! secrets are gone from the bytes on disk, and files the store cannot trust are refused
//! untouched.

use std::path::{Path, PathBuf};

use exsited_core::access::AccessStore;
use exsited_core::idempotency::{IdempotencyKey, KeyedCreates};
use exsited_core::{
    AutomationDetails, ConnectionId, ConnectionRepository, ConnectionStatus, CriteriaGroup,
    CriteriaRule, ListQuery, Name, NewConnection, Partner, PartnerCredentials,
    PartnerFunctionDetails, SecretString, TenantId,
};
use exsited_store_sqlite::{OpenError, SCHEMA_VERSION, SqliteStore};

fn tenant() -> TenantId {
    TenantId::new("acme").unwrap()
}

fn new_connection(remote: &str, secret: &str) -> NewConnection {
    NewConnection::new(Partner::new("xero").unwrap(), remote)
        .unwrap()
        .with_remote_instance_name("Acme Ltd")
        .unwrap()
        .with_credentials(PartnerCredentials {
            client_id: "partner-client".into(),
            client_secret: SecretString::new(secret),
            access_token: SecretString::new(format!("{secret}-access")),
            refresh_token: SecretString::new(format!("{secret}-refresh")),
        })
        .unwrap()
}

fn automation() -> AutomationDetails {
    let mut details = AutomationDetails::new(Name::new("name", "Sync invoices").unwrap());
    details.direction = exsited_core::Text::new("direction", "OUTBOUND").unwrap();
    details.criteria = vec![CriteriaGroup {
        group_condition: exsited_core::Text::new("group_condition", "AND").unwrap(),
        rules: vec![CriteriaRule {
            field_name: exsited_core::Text::new("field_name", "amount").unwrap(),
            operator: exsited_core::Text::new("operator", ">").unwrap(),
            value: exsited_core::Text::new("value", "100").unwrap(),
            condition: exsited_core::Text::new("condition", "OR").unwrap(),
        }],
    }];
    details
}

fn wal_of(path: &Path) -> PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    wal.into()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The raw bytes of the database file and its WAL (empty when absent).
fn disk_bytes(path: &Path) -> (Vec<u8>, Vec<u8>) {
    let main = std::fs::read(path).expect("read the database file");
    let wal = std::fs::read(wal_of(path)).unwrap_or_default();
    (main, wal)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn connections_and_deletes_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");

    let store = SqliteStore::open(&path).unwrap();
    let repo = store.repository(tenant());
    let kept = repo
        .create(new_connection("kept", "kept-secret"))
        .await
        .unwrap();
    let doomed = repo
        .create(new_connection("doomed", "doomed-secret"))
        .await
        .unwrap();
    repo.disable(kept.id).await.unwrap();
    let rule = repo.create_automation(kept.id, automation()).await.unwrap();
    let mut details = PartnerFunctionDetails::new(Name::new("name", "Invoices").unwrap());
    details.object_mapping =
        exsited_core::ObjectMapping::new("object_mapping", r#"{"total":"Total"}"#).unwrap();
    let function = repo
        .create_partner_function(kept.id, details)
        .await
        .unwrap();
    repo.create_automation(doomed.id, automation())
        .await
        .unwrap();
    drop((repo, store));
    assert!(
        !wal_of(&path).exists(),
        "closing the store checkpoints and removes the WAL: the writer has finished"
    );

    let store = SqliteStore::open(&path).unwrap();
    let repo = store.repository(tenant());
    let read = repo.get(kept.id).await.unwrap();
    assert_eq!(read.status, ConnectionStatus::Inactive);
    assert_eq!(
        read,
        exsited_core::Connection {
            status: ConnectionStatus::Inactive,
            ..kept.clone()
        },
        "every field, secrets included, reads back"
    );
    assert_eq!(repo.get_automation(kept.id, rule.id).await.unwrap(), rule);
    assert_eq!(
        repo.get_partner_function(kept.id, function.id)
            .await
            .unwrap(),
        function
    );
    let ids: Vec<ConnectionId> = repo
        .list(&ListQuery::default())
        .await
        .unwrap()
        .items
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(ids, vec![kept.id, doomed.id], "creation order survives");

    repo.delete(doomed.id).await.unwrap();
    drop((repo, store));

    let store = SqliteStore::open(&path).unwrap();
    let repo = store.repository(tenant());
    assert!(repo.get(doomed.id).await.unwrap_err().is_not_found());
    assert!(repo.get(kept.id).await.is_ok());
    assert_eq!(store.sync_configuration_count().await.unwrap(), 2);
    let later = repo.create(new_connection("later", "s")).await.unwrap();
    let ids: Vec<ConnectionId> = repo
        .list(&ListQuery::default())
        .await
        .unwrap()
        .items
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(
        ids,
        vec![kept.id, later.id],
        "new connections sort after old ones"
    );
    assert_eq!(store.delete_audit().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deleted_connections_secrets_are_gone_from_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let store = SqliteStore::open(&path).unwrap();
    let repo = store.repository(tenant());
    let canary = format!("CANARY-{}", ConnectionId::random());
    // Created under an idempotency key, as the server does for a keyed request: the key's
    // record must not keep a copy of the secrets.
    let key = IdempotencyKey::new("idem-1", "fingerprint", 1, 3_600).unwrap();
    let conn = store
        .repository(tenant())
        .create_keyed(&key, new_connection("r", &canary))
        .await
        .unwrap()
        .into_resource()
        .unwrap();
    repo.create_automation(conn.id, automation()).await.unwrap();
    let kept = repo
        .create(new_connection("k", "KEPT-SECRET-VALUE"))
        .await
        .unwrap();
    let secrets = [
        canary.clone(),
        format!("{canary}-access"),
        format!("{canary}-refresh"),
    ];

    store.checkpoint().await.unwrap();
    let (main, wal) = disk_bytes(&path);
    assert!(wal.is_empty(), "a truncating checkpoint empties the WAL");
    for secret in &secrets {
        assert!(
            !contains(&main, secret.as_bytes()),
            "partner secrets are never in the file in clear"
        );
        assert!(store.stored_secrets_contain(secret).await.unwrap());
    }
    // What is in the file is their sealed bytes: those must go with the delete.
    let sealed = sealed_of(&path, conn.id);
    for bytes in &sealed {
        assert!(
            contains(&main, bytes),
            "before the delete the sealed secret is in the file, or this test proves nothing"
        );
    }

    repo.delete(conn.id).await.unwrap();
    store.checkpoint().await.unwrap();
    let (main, wal) = disk_bytes(&path);
    for bytes in &sealed {
        assert!(
            !contains(&main, bytes),
            "sealed secret left in the main file"
        );
        assert!(!contains(&wal, bytes), "sealed secret left in the WAL");
    }
    for secret in &secrets {
        assert!(!store.stored_secrets_contain(secret).await.unwrap());
    }
    assert!(
        store
            .stored_secrets_contain("KEPT-SECRET-VALUE")
            .await
            .unwrap(),
        "the other connection's secret is still there"
    );
    assert_eq!(repo.get(kept.id).await.unwrap(), kept);

    drop((repo, store));
    let (main, wal) = disk_bytes(&path);
    for bytes in &sealed {
        assert!(!contains(&main, bytes) && !contains(&wal, bytes));
    }
    for secret in &secrets {
        assert!(!contains(&main, secret.as_bytes()) && !contains(&wal, secret.as_bytes()));
    }
}

/// The sealed bytes of a connection's three secrets, read straight from the file.
fn sealed_of(path: &Path, id: ConnectionId) -> Vec<Vec<u8>> {
    let db =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    db.query_row(
        "SELECT client_secret, access_token, refresh_token FROM connections WHERE uuid = ?1",
        [id.to_string()],
        |r| Ok(vec![r.get(0)?, r.get(1)?, r.get(2)?]),
    )
    .unwrap()
}

/// A little deterministic noise (xorshift), so the test needs no random-number crate.
fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

/// Opens `path`, expects a refusal, and checks the file was not changed nor joined by a WAL.
fn refused(path: &Path) -> OpenError {
    let before = std::fs::read(path).unwrap();
    let error = SqliteStore::open(path).expect_err("the file must be refused");
    assert_eq!(
        std::fs::read(path).unwrap(),
        before,
        "a refused file is left untouched"
    );
    assert!(
        !wal_of(path).exists(),
        "no WAL is created beside a refused file"
    );
    error
}

/// A real store file with some data in it, closed.
async fn real_database(path: &Path) {
    let store = SqliteStore::open(path).unwrap();
    let repo = store.repository(tenant());
    for i in 0..40 {
        let conn = repo
            .create(new_connection(&format!("r{i}"), &"s".repeat(300)))
            .await
            .unwrap();
        repo.create_automation(conn.id, automation()).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_that_are_not_databases_are_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();

    let random = dir.path().join("random.db");
    std::fs::write(&random, noise(16 * 1024)).unwrap();
    assert!(matches!(refused(&random), OpenError::Corrupt { .. }));

    let short = dir.path().join("short.db");
    std::fs::write(&short, b"not a database").unwrap();
    assert!(matches!(refused(&short), OpenError::Corrupt { .. }));

    let truncated = dir.path().join("truncated.db");
    real_database(&truncated).await;
    let bytes = std::fs::read(&truncated).unwrap();
    assert!(bytes.len() > 8 * 4096, "the database spans many pages");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    match refused(&truncated) {
        OpenError::Corrupt { path, reason } => {
            assert_eq!(path, truncated);
            assert!(!reason.is_empty());
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }

    // Cut in the middle of a page too, not only on a page boundary.
    let ragged = dir.path().join("ragged.db");
    std::fs::write(&ragged, &bytes[..bytes.len() / 2 + 1000]).unwrap();
    // With its key, as a copy of a store would be: the refusal must be for the damage.
    std::fs::copy(
        dir.path().join("truncated.db.key"),
        dir.path().join("ragged.db.key"),
    )
    .unwrap();
    match refused(&ragged) {
        OpenError::Corrupt { .. } => {}
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_newer_schema_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    real_database(&path).await;
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    match refused(&path) {
        OpenError::NewerSchema {
            found, supported, ..
        } => assert_eq!((found, supported), (SCHEMA_VERSION + 1, SCHEMA_VERSION)),
        other => panic!("expected NewerSchema, got {other:?}"),
    }
    let message = SqliteStore::open(&path).unwrap_err().to_string();
    assert!(message.contains("schema version"), "{message}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_applications_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('x');")
            .unwrap();
    }
    assert!(matches!(refused(&path), OpenError::Foreign { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_file_becomes_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    std::fs::write(&path, b"").unwrap();
    let store = SqliteStore::open(&path).unwrap();
    let repo = store.repository(tenant());
    let conn = repo.create(new_connection("r", "s")).await.unwrap();
    drop((repo, store));
    let store = SqliteStore::open(&path).unwrap();
    assert!(store.repository(tenant()).get(conn.id).await.is_ok());
}
