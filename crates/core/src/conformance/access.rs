//! The checks of what a backend keeps for the reference server: API clients, grants (one live
//! grant per client, revocation, one-time refresh tokens), creates under idempotency keys
//! ([`KeyedCreates`](crate::idempotency::KeyedCreates): once per key, atomically, across
//! concurrent callers), and the delete audit.
//!
//! A backend that serves the reference server runs [`run_access`] from its tests, next to
//! [`run_all`](super::run_all):
//!
//! ```
//! use exsited_core::conformance::{self, AccessFixture};
//! use exsited_core::MemoryStore;
//! use std::sync::Arc;
//!
//! #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
//! async fn memory_access_store_conforms() {
//!     conformance::run_access(&|| async {
//!         let store = Arc::new(MemoryStore::new());
//!         AccessFixture { access: store.clone(), provider: store }
//!     })
//!     .await;
//! }
//! # fn main() {}
//! ```

use std::future::Future;
use std::sync::Arc;

use async_trait::async_trait;

use super::fixture::{Check, run_checks};
use super::support::{automation, new_connection, partner_function};
use crate::access::{AccessStore, ApiClient, IssuedTokens, Scope};
use crate::idempotency::{IdempotencyKey, Keyed};
use crate::{
    ConnectionId, ConnectionRepository, Error, ListQuery, Principal, RepositoryProvider, Resource,
    TenantId,
};

/// A fresh, empty backend seen as the reference server sees it.
pub struct AccessFixture {
    /// Its clients, grants and audit.
    pub access: Arc<dyn AccessStore>,
    /// Its repositories and keyed creates, per caller.
    pub provider: Arc<dyn RepositoryProvider>,
}

/// Makes a new [`AccessFixture`] for each check. Any `Fn() -> impl Future<Output =
/// AccessFixture>` is one.
#[async_trait]
pub trait AccessFactory: Send + Sync {
    /// A fresh, empty backend.
    async fn fixture(&self) -> AccessFixture;
}

#[async_trait]
impl<F, Fut> AccessFactory for F
where
    F: Fn() -> Fut + Send + Sync,
    Fut: Future<Output = AccessFixture> + Send,
{
    async fn fixture(&self) -> AccessFixture {
        self().await
    }
}

macro_rules! access_checks {
    ($($name:ident),* $(,)?) => {
        /// Every access check, in the order [`run_access`] runs them.
        pub const ACCESS_CHECKS: &[Check<AccessFixture>] = &[
            $(Check { name: stringify!($name), run: |fixture| Box::pin($name(fixture)) },)*
        ];
    };
}

access_checks!(
    clients_are_unique_and_found_by_id,
    a_new_grant_revokes_the_previous_tokens,
    a_refresh_token_is_redeemed_once,
    a_token_resolves_to_its_client,
    a_keyed_create_happens_once_and_replays,
    a_key_reused_with_another_request_creates_nothing,
    concurrent_keyed_creates_make_one_resource,
    keys_are_per_tenant,
    an_expired_key_may_be_used_afresh,
    deleting_a_connection_forgets_its_keys,
    deleting_a_partner_function_forgets_its_key,
    keyed_sync_creates_happen_once,
    a_failed_keyed_create_records_nothing,
    deletes_are_audited_without_secrets,
);

/// Runs every check in [`ACCESS_CHECKS`], each on its own fresh fixture, printing each name.
///
/// # Panics
///
/// When a check fails, with the check's name and what was broken.
pub async fn run_access(factory: &dyn AccessFactory) {
    run_checks(ACCESS_CHECKS, || factory.fixture()).await;
}

fn tenant(name: &str) -> TenantId {
    TenantId::new(name).expect("a valid tenant")
}

fn principal(tenant_name: &str) -> Principal {
    Principal::new(tenant(tenant_name), format!("client-of-{tenant_name}"))
}

fn client(id: &str, tenant_name: &str) -> ApiClient {
    ApiClient {
        client_id: id.to_owned(),
        tenant: tenant(tenant_name),
        scope: Scope::Write,
        secret_hash: format!("hash-of-{id}"),
    }
}

fn grant(client_id: &str, n: u32) -> IssuedTokens {
    IssuedTokens {
        client_id: client_id.to_owned(),
        access_hash: format!("access-{client_id}-{n}"),
        access_expires_at: 1_000 + u64::from(n),
        refresh_hash: format!("refresh-{client_id}-{n}"),
        refresh_expires_at: 2_000 + u64::from(n),
    }
}

/// A key made at `now`, honoured for an hour.
fn key(name: &str, fingerprint: &str, now: u64) -> IdempotencyKey {
    IdempotencyKey::new(name, fingerprint, now, 3_600).expect("a valid key")
}

const NOW: u64 = 1_800_000_000;

#[track_caller]
fn created<T: std::fmt::Debug>(outcome: crate::Result<Keyed<T>>, context: &str) -> T {
    match outcome {
        Ok(Keyed::Created(value)) => value,
        other => panic!("{context}: expected Created, got {other:?}"),
    }
}

#[track_caller]
fn replayed<T: std::fmt::Debug>(outcome: crate::Result<Keyed<T>>, context: &str) -> T {
    match outcome {
        Ok(Keyed::Replayed(value)) => value,
        other => panic!("{context}: expected Replayed, got {other:?}"),
    }
}

async fn total(repo: &dyn ConnectionRepository) -> u64 {
    repo.list(&ListQuery::default())
        .await
        .expect("list connections")
        .total
}

/// `add_client` stores a client once; the same id again is a `Conflict`.
pub async fn clients_are_unique_and_found_by_id(f: AccessFixture) {
    assert_eq!(f.access.client_count().await.unwrap(), 0);
    f.access.add_client(client("c1", "t")).await.unwrap();
    assert!(matches!(
        f.access.add_client(client("c1", "other")).await,
        Err(Error::Conflict { .. })
    ));
    assert_eq!(
        f.access.find_client("c1").await.unwrap(),
        Some(client("c1", "t")),
        "the first registration stands"
    );
    assert_eq!(f.access.find_client("nobody").await.unwrap(), None);
    assert_eq!(f.access.client_count().await.unwrap(), 1);
}

/// A new grant of a client revokes its previous access and refresh tokens.
pub async fn a_new_grant_revokes_the_previous_tokens(f: AccessFixture) {
    f.access.add_client(client("c", "t")).await.unwrap();
    assert!(f.access.replace_tokens(grant("c", 1), None).await.unwrap());
    assert!(f.access.replace_tokens(grant("c", 2), None).await.unwrap());
    let first = grant("c", 1);
    assert_eq!(
        f.access
            .find_access_token(&first.access_hash)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        f.access
            .find_refresh_token(&first.refresh_hash)
            .await
            .unwrap(),
        None
    );
    let second = grant("c", 2);
    let owner = f
        .access
        .find_access_token(&second.access_hash)
        .await
        .unwrap()
        .expect("the live grant's access token");
    assert_eq!((owner.client_id.as_str(), owner.expires_at), ("c", 1_002));
}

/// A refresh (rotating) grant happens only while the given refresh token is the client's
/// current one, so a refresh token works once.
pub async fn a_refresh_token_is_redeemed_once(f: AccessFixture) {
    f.access.add_client(client("c", "t")).await.unwrap();
    f.access.replace_tokens(grant("c", 1), None).await.unwrap();
    let old = grant("c", 1).refresh_hash;
    assert!(
        f.access
            .replace_tokens(grant("c", 2), Some(&old))
            .await
            .unwrap()
    );
    assert!(
        !f.access
            .replace_tokens(grant("c", 3), Some(&old))
            .await
            .unwrap(),
        "a refresh token works once"
    );
    let live = grant("c", 2);
    assert!(
        f.access
            .find_access_token(&live.access_hash)
            .await
            .unwrap()
            .is_some(),
        "a refused rotation changes nothing"
    );
}

/// `find_token_client` resolves a live token to its client and expiry, and nothing once
/// revoked.
pub async fn a_token_resolves_to_its_client(f: AccessFixture) {
    f.access.add_client(client("c", "t")).await.unwrap();
    f.access.replace_tokens(grant("c", 1), None).await.unwrap();
    let hash = grant("c", 1).access_hash;
    let (found, expires_at) = f
        .access
        .find_token_client(&hash)
        .await
        .unwrap()
        .expect("the token's client");
    assert_eq!((found, expires_at), (client("c", "t"), 1_001));
    f.access.replace_tokens(grant("c", 2), None).await.unwrap();
    assert_eq!(f.access.find_token_client(&hash).await.unwrap(), None);
    assert_eq!(f.access.find_token_client("unknown").await.unwrap(), None);
}

/// The same key and fingerprint twice: one create, then a replay of the same resource.
pub async fn a_keyed_create_happens_once_and_replays(f: AccessFixture) {
    let who = principal("t");
    let keyed = f.provider.keyed_creates(&who);
    let repo = f.provider.repository(&who);
    let k = key("create-1", "fp", NOW);
    let first = created(
        keyed.create_keyed(&k, new_connection("keyed")).await,
        "first",
    );
    let again = replayed(
        keyed.create_keyed(&k, new_connection("keyed")).await,
        "second",
    );
    assert_eq!(again.id, first.id, "a replay answers with what was created");
    assert_eq!(total(repo.as_ref()).await, 1, "exactly one connection");
    repo.disable(first.id).await.unwrap();
    let later = replayed(
        keyed.create_keyed(&k, new_connection("keyed")).await,
        "third",
    );
    assert_eq!(
        later.status,
        crate::ConnectionStatus::Inactive,
        "a replay reads the resource as it is now"
    );
}

/// A key used with another fingerprint is `Reused`, and nothing is created.
pub async fn a_key_reused_with_another_request_creates_nothing(f: AccessFixture) {
    let who = principal("t");
    let keyed = f.provider.keyed_creates(&who);
    let k = key("create-1", "fp-a", NOW);
    created(keyed.create_keyed(&k, new_connection("a")).await, "first");
    let other = key("create-1", "fp-b", NOW);
    match keyed.create_keyed(&other, new_connection("b")).await {
        Ok(Keyed::Reused) => {}
        other => panic!("expected Reused, got {other:?}"),
    }
    assert_eq!(total(f.provider.repository(&who).as_ref()).await, 1);
}

/// Of many concurrent keyed creates with one key, exactly one creates and every other replays
/// the same resource.
pub async fn concurrent_keyed_creates_make_one_resource(f: AccessFixture) {
    let who = principal("t");
    let keyed = f.provider.keyed_creates(&who);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let keyed = Arc::clone(&keyed);
        tasks.push(tokio::spawn(async move {
            keyed
                .create_keyed(&key("burst", "fp", NOW), new_connection("burst"))
                .await
        }));
    }
    let (mut fresh, mut ids) = (0, std::collections::HashSet::new());
    for task in tasks {
        match task.await.expect("the task ran") {
            Ok(Keyed::Created(c)) => {
                fresh += 1;
                ids.insert(c.id);
            }
            Ok(Keyed::Replayed(c)) => {
                ids.insert(c.id);
            }
            other => panic!("expected Created or Replayed, got {other:?}"),
        }
    }
    assert_eq!(fresh, 1, "exactly one of the concurrent creates creates");
    assert_eq!(ids.len(), 1, "every answer names the one resource");
    assert_eq!(total(f.provider.repository(&who).as_ref()).await, 1);
}

/// Another tenant's record of the same key is invisible.
pub async fn keys_are_per_tenant(f: AccessFixture) {
    let (a, b) = (principal("tenant-a"), principal("tenant-b"));
    let k = key("shared-name", "fp", NOW);
    let in_a = created(
        f.provider
            .keyed_creates(&a)
            .create_keyed(&k, new_connection("a"))
            .await,
        "tenant a",
    );
    let in_b = created(
        f.provider
            .keyed_creates(&b)
            .create_keyed(&k, new_connection("b"))
            .await,
        "tenant b",
    );
    assert_ne!(in_a.id, in_b.id);
}

/// A record older than the key's window binds nothing: the key creates afresh.
pub async fn an_expired_key_may_be_used_afresh(f: AccessFixture) {
    let who = principal("t");
    let keyed = f.provider.keyed_creates(&who);
    let first = created(
        keyed
            .create_keyed(&key("k", "fp", NOW), new_connection("old"))
            .await,
        "first",
    );
    let much_later = key("k", "fp", NOW + 3_601);
    let second = created(
        keyed.create_keyed(&much_later, new_connection("new")).await,
        "after the window",
    );
    assert_ne!(first.id, second.id);
    replayed(
        keyed.create_keyed(&much_later, new_connection("new")).await,
        "the new record binds",
    );
}

/// Deleting a connection forgets the records of everything created under it, in the same step.
pub async fn deleting_a_connection_forgets_its_keys(f: AccessFixture) {
    let who = principal("t");
    let keyed = f.provider.keyed_creates(&who);
    let repo = f.provider.repository(&who);
    let k = key("k", "fp", NOW);
    let conn = created(keyed.create_keyed(&k, new_connection("x")).await, "create");
    let ak = key("k-automation", "fp-a", NOW);
    created(
        keyed
            .create_automation_keyed(&ak, conn.id, automation("a"))
            .await,
        "automation",
    );
    repo.delete(conn.id).await.unwrap();
    let again = created(
        keyed.create_keyed(&k, new_connection("x")).await,
        "after the delete",
    );
    assert_ne!(again.id, conn.id, "the deleted connection never comes back");
    match keyed
        .create_automation_keyed(&ak, conn.id, automation("a"))
        .await
    {
        Err(Error::NotFound { .. }) => {}
        other => panic!("an automation key of a deleted connection: {other:?}"),
    }
}

/// Deleting a partner function forgets the record of its keyed create: the same key creates a
/// new one, and the connection's other keys still replay.
pub async fn deleting_a_partner_function_forgets_its_key(f: AccessFixture) {
    let who = principal("t");
    let keyed = f.provider.keyed_creates(&who);
    let repo = f.provider.repository(&who);
    let conn = repo.create(new_connection("parent")).await.unwrap();
    let pk = key("p", "fp-p", NOW);
    let first = created(
        keyed
            .create_partner_function_keyed(&pk, conn.id, partner_function("p"))
            .await,
        "partner function",
    );
    let ak = key("a", "fp-a", NOW);
    let rule = created(
        keyed
            .create_automation_keyed(&ak, conn.id, automation("a"))
            .await,
        "automation",
    );
    repo.delete_partner_function(conn.id, first.id)
        .await
        .expect("delete the partner function");
    let second = created(
        keyed
            .create_partner_function_keyed(&pk, conn.id, partner_function("p"))
            .await,
        "the same key after the delete",
    );
    assert_ne!(
        second.id, first.id,
        "the deleted partner function never comes back"
    );
    let again = replayed(
        keyed
            .create_automation_keyed(&ak, conn.id, automation("a"))
            .await,
        "the automation's key is untouched",
    );
    assert_eq!(again.id, rule.id);
}

/// Automations and partner functions are created once per key too.
pub async fn keyed_sync_creates_happen_once(f: AccessFixture) {
    let who = principal("t");
    let keyed = f.provider.keyed_creates(&who);
    let repo = f.provider.repository(&who);
    let conn = repo.create(new_connection("parent")).await.unwrap();
    let ak = key("a", "fp-a", NOW);
    let made = created(
        keyed
            .create_automation_keyed(&ak, conn.id, automation("a"))
            .await,
        "automation",
    );
    let again = replayed(
        keyed
            .create_automation_keyed(&ak, conn.id, automation("a"))
            .await,
        "automation again",
    );
    assert_eq!(made.id, again.id);
    let pk = key("p", "fp-p", NOW);
    let made = created(
        keyed
            .create_partner_function_keyed(&pk, conn.id, partner_function("p"))
            .await,
        "partner function",
    );
    let again = replayed(
        keyed
            .create_partner_function_keyed(&pk, conn.id, partner_function("p"))
            .await,
        "partner function again",
    );
    assert_eq!(made.id, again.id);
    let page = repo
        .list_automations(conn.id, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    let page = repo
        .list_partner_functions(conn.id, &ListQuery::default())
        .await
        .unwrap();
    assert_eq!(page.total, 1);
}

/// A keyed create that fails stores no record: the same key later creates.
pub async fn a_failed_keyed_create_records_nothing(f: AccessFixture) {
    let who = principal("t");
    let keyed = f.provider.keyed_creates(&who);
    let k = key("k", "fp", NOW);
    match keyed
        .create_automation_keyed(&k, ConnectionId::random(), automation("a"))
        .await
    {
        Err(Error::NotFound {
            resource: Resource::Connection,
            ..
        }) => {}
        other => panic!("a keyed create under an unknown connection: {other:?}"),
    }
    let conn = f
        .provider
        .repository(&who)
        .create(new_connection("p"))
        .await
        .unwrap();
    created(
        keyed
            .create_automation_keyed(&k, conn.id, automation("a"))
            .await,
        "the key is still free",
    );
}

/// Every delete is audited with who did it, the partner and how many sync configurations went
/// with it; never a secret.
pub async fn deletes_are_audited_without_secrets(f: AccessFixture) {
    let who = principal("t");
    let repo = f.provider.repository(&who);
    let new = new_connection("audited");
    let secret = new.credentials().client_secret.expose().to_owned();
    let conn = repo.create(new).await.unwrap();
    repo.create_automation(conn.id, automation("a"))
        .await
        .unwrap();
    repo.create_partner_function(conn.id, partner_function("p"))
        .await
        .unwrap();
    repo.delete(conn.id).await.unwrap();
    let audit = f.access.delete_audit().await.unwrap();
    assert_eq!(audit.len(), 1, "{audit:?}");
    let record = &audit[0];
    assert_eq!(record.connection_id, conn.id);
    assert_eq!(record.client_id, who.client_id);
    assert_eq!(record.tenant, who.tenant);
    assert_eq!(record.partner, "XERO");
    assert_eq!(record.sync_configurations, 2);
    assert!(!format!("{record:?}").contains(&secret));
}
