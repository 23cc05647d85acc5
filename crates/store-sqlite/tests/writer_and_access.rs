//! The writer's group commit, the delete audit, and the access data of the reference server.

use std::sync::Arc;

use exsited_core::access::{AccessStore, ApiClient, IssuedTokens, Scope};
use exsited_core::{
    AutomationDetails, AutomationPatch, ConnectionId, ConnectionRepository, Error, ListQuery, Name,
    NewConnection, Partner, PartnerCredentials, PartnerFunctionDetails, Principal,
    RepositoryProvider, SecretString, TenantId,
};
use exsited_store_sqlite::{Options, SqliteStore};
use tokio::sync::Barrier;

fn tenant() -> TenantId {
    TenantId::new("acme").unwrap()
}

fn new_connection(secret: &str) -> NewConnection {
    NewConnection::new(Partner::new("quickbooks").unwrap(), "realm-1")
        .unwrap()
        .with_credentials(PartnerCredentials {
            client_id: "partner-client".into(),
            client_secret: SecretString::new(secret),
            access_token: SecretString::new(format!("{secret}-access")),
            refresh_token: SecretString::new(format!("{secret}-refresh")),
        })
        .unwrap()
}

fn automation(name: &str) -> AutomationDetails {
    AutomationDetails::new(Name::new("name", name).unwrap())
}

fn store_in(dir: &tempfile::TempDir) -> SqliteStore {
    SqliteStore::open(dir.path().join("store.db")).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writes_share_commits() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let repo = Arc::new(store.repository(tenant()));
    let before = store.stats();

    const TASKS: usize = 64;
    let barrier = Arc::new(Barrier::new(TASKS));
    let tasks: Vec<_> = (0..TASKS)
        .map(|i| {
            let (repo, barrier) = (repo.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let conn = repo.create(new_connection(&format!("s{i}"))).await.unwrap();
                repo.create_automation(conn.id, automation("a"))
                    .await
                    .unwrap();
                // A failing write in the same batches: it rolls back only itself.
                assert!(
                    repo.delete(ConnectionId::random())
                        .await
                        .unwrap_err()
                        .is_not_found()
                );
                if i % 2 == 0 {
                    repo.delete(conn.id).await.unwrap();
                }
                conn.id
            })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap());
    }

    let stats = store.stats();
    let (commits, writes) = (stats.commits - before.commits, stats.writes - before.writes);
    eprintln!("group commit: {commits} commits for {writes} writes");
    assert_eq!(
        writes,
        (TASKS * 3 + TASKS / 2) as u64,
        "every write is counted"
    );
    assert!(
        commits < writes,
        "group commit: {commits} commits for {writes} writes"
    );

    let page = repo.list(&ListQuery::new(100, 0).unwrap()).await.unwrap();
    assert_eq!(page.total, (TASKS / 2) as u64);
    assert_eq!(
        store.sync_configuration_count().await.unwrap(),
        (TASKS / 2) as u64
    );
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(repo.get(*id).await.is_ok(), i % 2 == 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn batches_of_one_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_with(
        dir.path().join("store.db"),
        Options::default().with_max_batch(1),
    )
    .unwrap();
    let repo = store.repository(tenant());
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let repo = repo.clone();
            tokio::spawn(async move { repo.create(new_connection(&format!("s{i}"))).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    let stats = store.stats();
    assert_eq!(stats.commits, stats.writes, "one write per commit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rejected_write_in_a_batch_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let repo = store.repository(tenant());
    let conn = repo.create(new_connection("s")).await.unwrap();
    let made = repo
        .create_automation(conn.id, automation("before"))
        .await
        .unwrap();
    let bad = AutomationPatch {
        name: Some(Name::new("name", "after").unwrap()),
        ..Default::default()
    };
    let good = AutomationPatch {
        description: Some(exsited_core::Text::new("description", "nightly").unwrap()),
        ..Default::default()
    };
    let (rejected, accepted) = tokio::join!(
        repo.update_automation(conn.id, exsited_core::AutomationId::random(), bad),
        repo.update_automation(conn.id, made.id, good),
    );
    assert!(matches!(rejected, Err(Error::NotFound { .. })));
    let accepted = accepted.unwrap();
    let read = repo.get_automation(conn.id, made.id).await.unwrap();
    assert_eq!(read, accepted);
    assert_eq!(read.details.name.as_str(), "before");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deletes_are_audited_with_the_client_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let principal = Principal::new(tenant(), "client-7");
    let repo = RepositoryProvider::repository(&store, &principal);
    let secret = format!("AUDIT-SECRET-{}", ConnectionId::random());
    let conn = repo.create(new_connection(&secret)).await.unwrap();
    repo.create_automation(conn.id, automation("a1"))
        .await
        .unwrap();
    repo.create_automation(conn.id, automation("a2"))
        .await
        .unwrap();
    repo.create_partner_function(
        conn.id,
        PartnerFunctionDetails::new(Name::new("name", "p").unwrap()),
    )
    .await
    .unwrap();
    let untouched = repo.create(new_connection("other")).await.unwrap();

    // Another tenant's attempt is NotFound and leaves no audit record.
    let intruder = RepositoryProvider::repository(
        &store,
        &Principal::new(TenantId::new("globex").unwrap(), "client-x"),
    );
    assert!(intruder.delete(conn.id).await.unwrap_err().is_not_found());
    assert!(store.delete_audit().await.unwrap().is_empty());

    repo.delete(conn.id).await.unwrap();
    let audit = store.delete_audit().await.unwrap();
    assert_eq!(audit.len(), 1);
    let record = &audit[0];
    assert_eq!(record.client_id, "client-7");
    assert_eq!(record.tenant, tenant());
    assert_eq!(record.connection_id, conn.id);
    assert_eq!(record.partner, "QUICKBOOKS");
    assert_eq!(record.sync_configurations, 3);
    assert!(
        record.at.len() == 20 && record.at.ends_with('Z') && record.at.as_bytes()[10] == b'T',
        "RFC 3339 UTC: {}",
        record.at
    );
    assert!(!format!("{audit:?}").contains(&secret));

    // The audit survives a restart, in order.
    repo.delete(untouched.id).await.unwrap();
    let path = store.path().to_owned();
    drop((repo, intruder, store));
    let store = SqliteStore::open(&path).unwrap();
    let audit = store.delete_audit().await.unwrap();
    assert_eq!(
        audit.iter().map(|a| a.connection_id).collect::<Vec<_>>(),
        vec![conn.id, untouched.id]
    );
    let raw = std::fs::read(&path).unwrap();
    assert!(
        !raw.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "the audit holds no secret"
    );
}

fn grant(client: &str, n: u32) -> IssuedTokens {
    IssuedTokens {
        client_id: client.into(),
        access_hash: format!("{client}-a{n}"),
        access_expires_at: 100 + u64::from(n),
        refresh_hash: format!("{client}-r{n}"),
        refresh_expires_at: 200 + u64::from(n),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clients_are_unique_and_persist() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    assert_eq!(store.client_count().await.unwrap(), 0);
    let client = ApiClient {
        client_id: "id-1".into(),
        tenant: tenant(),
        scope: Scope::Read,
        secret_hash: "hash".into(),
    };
    store.add_client(client.clone()).await.unwrap();
    assert!(matches!(
        store.add_client(client.clone()).await,
        Err(Error::Conflict { .. })
    ));
    assert_eq!(store.client_count().await.unwrap(), 1);
    assert_eq!(
        store.find_client("id-1").await.unwrap(),
        Some(client.clone())
    );
    assert_eq!(store.find_client("nobody").await.unwrap(), None);

    let path = store.path().to_owned();
    drop(store);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.client_count().await.unwrap(), 1);
    assert!(matches!(
        store.add_client(client).await,
        Err(Error::Conflict { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_new_grant_revokes_and_refresh_tokens_rotate_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    assert!(store.replace_tokens(grant("c", 1), None).await.unwrap());
    assert!(store.replace_tokens(grant("other", 1), None).await.unwrap());
    assert!(store.replace_tokens(grant("c", 2), None).await.unwrap());
    assert_eq!(
        store.find_access_token("c-a1").await.unwrap(),
        None,
        "revoked"
    );
    assert_eq!(
        store.find_refresh_token("c-r1").await.unwrap(),
        None,
        "revoked"
    );
    let owner = store.find_access_token("c-a2").await.unwrap().unwrap();
    assert_eq!((owner.client_id.as_str(), owner.expires_at), ("c", 102));
    let owner = store.find_refresh_token("c-r2").await.unwrap().unwrap();
    assert_eq!(owner.expires_at, 202);
    assert!(
        store.find_access_token("other-a1").await.unwrap().is_some(),
        "another client's grant stays"
    );

    assert!(
        !store
            .replace_tokens(grant("c", 3), Some("c-r1"))
            .await
            .unwrap()
    );
    assert!(store.find_access_token("c-a3").await.unwrap().is_none());

    // Concurrent redemptions of one refresh token: exactly one wins.
    let attempts: Vec<_> = (10..18)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move { store.replace_tokens(grant("c", n), Some("c-r2")).await })
        })
        .collect();
    let mut wins = 0;
    for attempt in attempts {
        wins += usize::from(attempt.await.unwrap().unwrap());
    }
    assert_eq!(wins, 1, "a refresh token is redeemed once");
    assert!(store.find_access_token("c-a2").await.unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_resolves_to_its_client_in_one_lookup_until_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    let client = ApiClient {
        client_id: "c".into(),
        tenant: tenant(),
        scope: Scope::Write,
        secret_hash: "hash".into(),
    };
    store.add_client(client.clone()).await.unwrap();
    store.replace_tokens(grant("c", 1), None).await.unwrap();
    assert_eq!(
        store.find_token_client("c-a1").await.unwrap(),
        Some((client.clone(), 101))
    );
    store.replace_tokens(grant("c", 2), None).await.unwrap();
    assert_eq!(
        store.find_token_client("c-a1").await.unwrap(),
        None,
        "revoked"
    );
    assert_eq!(
        store.find_token_client("c-a2").await.unwrap(),
        Some((client, 102))
    );
    assert_eq!(store.find_token_client("unknown").await.unwrap(), None);
}
