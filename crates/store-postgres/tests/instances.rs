//! Two stores on one database, as two server instances behind a load balancer see it: what one
//! does, the other sees at once.

mod support;

use std::collections::HashSet;
use std::sync::Arc;

use exsited_core::access::{AccessStore, ApiClient, IssuedTokens, Scope};
use exsited_core::idempotency::{IdempotencyKey, Keyed};
use exsited_core::{
    ConnectionRepository, Error, NewConnection, Partner, Principal, RepositoryProvider, TenantId,
};
use exsited_secrets::SecretKey;
use exsited_store_postgres::PostgresStore;

/// Two instances on one new database, sharing one key.
async fn two_instances(cluster: &exsited_test_postgres::Cluster) -> (PostgresStore, PostgresStore) {
    let db = cluster.create_database();
    let key = SecretKey::generate();
    let one = support::open(cluster, &db, &key).await;
    let two = support::open(cluster, &db, &key).await;
    (one, two)
}

fn grant(n: u32) -> IssuedTokens {
    IssuedTokens {
        client_id: "c".into(),
        access_hash: format!("access-{n}"),
        access_expires_at: 10_000,
        refresh_hash: format!("refresh-{n}"),
        refresh_expires_at: 20_000,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_grant_on_one_instance_revokes_the_token_on_the_other_at_once() {
    let cluster = support::cluster();
    let (one, two) = two_instances(&cluster).await;
    let (one, two) = (one.access(), two.access());
    assert!(!one.grants_are_local(), "no instance may cache tokens");
    one.add_client(ApiClient {
        client_id: "c".into(),
        tenant: TenantId::new("t").unwrap(),
        scope: Scope::Write,
        secret_hash: "h".into(),
    })
    .await
    .unwrap();
    one.replace_tokens(grant(1), None).await.unwrap();
    assert!(two.find_token_client("access-1").await.unwrap().is_some());
    two.replace_tokens(grant(2), None).await.unwrap();
    assert_eq!(one.find_token_client("access-1").await.unwrap(), None);
    assert!(one.find_token_client("access-2").await.unwrap().is_some());

    // One refresh token, redeemed on both instances at once: exactly one rotation wins.
    let (a, b) = tokio::join!(
        one.replace_tokens(grant(3), Some("refresh-2")),
        two.replace_tokens(grant(4), Some("refresh-2")),
    );
    assert_eq!(
        [a.unwrap(), b.unwrap()].iter().filter(|won| **won).count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_key_retried_on_both_instances_creates_once() {
    let cluster = support::cluster();
    let (one, two) = two_instances(&cluster).await;
    let who = Principal::new(TenantId::new("t").unwrap(), "client");
    for round in 0..3 {
        let key =
            IdempotencyKey::new(&format!("burst-{round}"), "fp", 1_800_000_000, 3_600).unwrap();
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                let keyed = if i % 2 == 0 {
                    one.keyed_creates(&who)
                } else {
                    two.keyed_creates(&who)
                };
                let key = key.clone();
                tokio::spawn(async move {
                    let new = NewConnection::new(Partner::new("xero").unwrap(), "r").unwrap();
                    keyed.create_keyed(&key, new).await
                })
            })
            .collect();
        let (mut created, mut ids) = (0, HashSet::new());
        for task in tasks {
            match task.await.unwrap() {
                Ok(Keyed::Created(c)) => {
                    created += 1;
                    ids.insert(c.id);
                }
                Ok(Keyed::Replayed(c)) => {
                    ids.insert(c.id);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!((created, ids.len()), (1, 1), "round {round}");
    }
    let listed = one
        .repository(TenantId::new("t").unwrap())
        .list(&Default::default())
        .await
        .unwrap();
    assert_eq!(listed.total, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deletes_and_clients_are_decided_once_across_instances() {
    let cluster = support::cluster();
    let (one, two) = two_instances(&cluster).await;
    let tenant = TenantId::new("t").unwrap();
    let (r1, r2) = (
        Arc::new(one.repository(tenant.clone())),
        Arc::new(two.repository(tenant)),
    );
    let conn = r1
        .create(NewConnection::new(Partner::new("xero").unwrap(), "r").unwrap())
        .await
        .unwrap();
    let (a, b) = tokio::join!(r1.delete(conn.id), r2.delete(conn.id));
    let outcomes = [a.is_ok(), b.is_ok()];
    assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{outcomes:?}");
    assert!(matches!(r2.get(conn.id).await, Err(Error::NotFound { .. })));
    assert_eq!(one.access().delete_audit().await.unwrap().len(), 1);

    let client = |hash: &str| ApiClient {
        client_id: "same".into(),
        tenant: TenantId::new("t").unwrap(),
        scope: Scope::Read,
        secret_hash: hash.into(),
    };
    let (access_one, access_two) = (one.access(), two.access());
    let (x, y) = tokio::join!(
        access_one.add_client(client("one")),
        access_two.add_client(client("two")),
    );
    let conflicts = [&x, &y]
        .iter()
        .filter(|r| matches!(r, Err(Error::Conflict { .. })))
        .count();
    assert_eq!((conflicts, x.is_ok() || y.is_ok()), (1, true));
    assert_eq!(two.access().client_count().await.unwrap(), 1);
}
