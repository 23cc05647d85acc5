//! `exsited demo`: the whole story in a few seconds, offline. It starts the reference server
//! in-process on a free loopback port over a temporary SQLite file, registers an API client,
//! seeds connections with their sync configurations, and then, through the real HTTP client,
//! lists them, deletes one, shows that it is gone together with its automations, and shows
//! what a repeated delete and a malformed id get. Every HTTP exchange is printed; no secret is.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use exsited_core::access::{AccessStore, Scope};
use exsited_core::{
    AutomationDetails, ConnectionId, ConnectionRepository, Error, ListQuery, Name, NewConnection,
    Partner, PartnerCredentials, PartnerFunctionDetails, SecretString, TenantId,
};
use exsited_server::{Server, ServerConfig, clients};
use exsited_transport::{Client, ClientConfig, Exchange};

use crate::failure::Failure;
use crate::output::ConnectionTable;
use crate::store;

/// `exsited demo` takes no options.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// What the demo seeds: partner, remote instance, automations, partner functions.
const SEED: [(&str, &str, &[&str], &[&str]); 3] = [
    (
        "XERO",
        "acme-xero-org",
        &["Sync invoices", "Sync payments"],
        &["Map invoices"],
    ),
    (
        "QUICKBOOKS",
        "acme-realm-42",
        &["Sync customers"],
        &["Map customers"],
    ),
    ("HUBSPOT", "acme-hub-7", &["Sync deals"], &[]),
];

/// Runs the demo.
pub(crate) async fn run(_args: Args) -> Result<(), Failure> {
    let fail = |what: &str| {
        let what = what.to_owned();
        move |e: Error| Failure::Failed(format!("{what}: {e}"))
    };
    let dir = tempfile::tempdir()
        .map_err(|e| Failure::Failed(format!("cannot create a temporary directory: {e}")))?;
    let db = dir.path().join("demo.db");
    let sqlite = store::open_sqlite(&db, None, exsited_core::observe::StoreHook::default()).await?;
    let tenant = TenantId::new("demo").map_err(fail("tenant"))?;
    let (api_client, credentials) = clients::generate(tenant.clone(), Scope::Write);
    sqlite
        .add_client(api_client)
        .await
        .map_err(fail("registering the API client"))?;
    let server = Server::builder()
        .store(Arc::clone(&sqlite))
        .config(ServerConfig::default())
        .bind(([127, 0, 0, 1], 0).into())
        .await
        .map_err(|e| Failure::Failed(format!("cannot start the server: {e}")))?;
    let base_url = format!("http://{}", server.local_addr());
    println!("== The reference server");
    println!("listening on {base_url}, store {}", db.display());
    println!("API page: {base_url}/docs (while the demo runs)");
    println!(
        "API client {} registered (write scope; its secret stays in this process)",
        credentials.client_id
    );

    println!("\n== Seeding, directly in the store");
    let seeded = seed(&sqlite.repository(tenant))
        .await
        .map_err(fail("seeding"))?;

    let exchanges = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&exchanges);
    let client = ClientConfig::builder()
        .base_url(&base_url)
        .credentials(
            credentials.client_id.clone(),
            credentials.client_secret.clone(),
        )
        .observer(move |exchange: &Exchange| {
            counter.fetch_add(1, Ordering::Relaxed);
            println!(
                "    {:<6} {:<52} -> {} ({:.1} ms)",
                exchange.method,
                exchange.path,
                exchange.outcome,
                exchange.elapsed.as_secs_f64() * 1000.0
            );
        })
        .build()
        .map_err(|e| Failure::Failed(format!("cannot configure the client: {e}")))?;

    let result = story(&client, &seeded, &exchanges).await;
    drop(client);
    server.shutdown();
    let stopped = server.wait().await;
    // The store closes its file when its last handle goes; that waits for the writer thread.
    let _ = tokio::task::spawn_blocking(move || drop(sqlite)).await;
    drop(dir);
    result?;
    stopped.map_err(|e| Failure::Failed(format!("the server stopped badly: {e}")))?;
    println!("\nDone: the temporary store is deleted.");
    Ok(())
}

/// Creates the seed connections, each with fake partner credentials; returns their ids.
async fn seed(repo: &exsited_store_sqlite::SqliteRepository) -> Result<Vec<ConnectionId>, Error> {
    let mut ids = Vec::new();
    for (partner, remote, automations, functions) in SEED {
        let credentials = PartnerCredentials {
            client_id: format!("{}-client", partner.to_ascii_lowercase()),
            client_secret: SecretString::new(format!("demo-secret-{}", ConnectionId::random())),
            access_token: SecretString::new(format!("demo-token-{}", ConnectionId::random())),
            refresh_token: SecretString::default(),
        };
        let new = NewConnection::new(Partner::new(partner)?, remote)?
            .with_remote_instance_name("Acme Ltd")?
            .with_credentials(credentials)?;
        let connection = repo.create(new).await?;
        for name in automations {
            let details = AutomationDetails::new(Name::new("name", name)?);
            repo.create_automation(connection.id, details).await?;
        }
        for name in functions {
            let details = PartnerFunctionDetails::new(Name::new("name", name)?);
            repo.create_partner_function(connection.id, details).await?;
        }
        println!(
            "{partner:<10} {}  {} automations, {} partner functions",
            connection.id,
            automations.len(),
            functions.len()
        );
        ids.push(connection.id);
    }
    Ok(ids)
}

/// The part that goes through HTTP.
async fn story(
    client: &Client,
    seeded: &[ConnectionId],
    exchanges: &AtomicU64,
) -> Result<(), Failure> {
    let fail = |e: Error| Failure::Failed(format!("the demo failed: {e}"));
    let victim = seeded[0];

    println!("\n== List the connections (the first call also fetches a token)");
    let page = client.list(&ListQuery::default()).await.map_err(fail)?;
    println!("{}", ConnectionTable::header());
    for connection in &page.items {
        println!("{}", ConnectionTable::row(connection));
    }

    println!("\n== Delete {victim} (XERO, with 2 automations and 1 partner function)");
    let outcome = client.delete(victim).await.map_err(fail)?;
    println!("result: {outcome:?}");

    println!("\n== It is gone, and so are its sync configurations");
    report(client.get(victim).await.map(drop));
    report(
        client
            .list_automations(victim, &ListQuery::default())
            .await
            .map(drop),
    );

    println!("\n== Deleting it again: 404, a repeated delete is NotFound");
    report(client.delete(victim).await.map(drop));

    println!("\n== A malformed id is rejected before any request");
    let before = exchanges.load(Ordering::Relaxed);
    match ConnectionId::parse("3f0c8a52-9a4e-4d8e-9d53-XYZ") {
        Ok(_) => return Err(Failure::Failed("the malformed id was accepted".into())),
        Err(e) => println!("error: {e}"),
    }
    let sent = exchanges.load(Ordering::Relaxed) - before;
    println!("requests sent for it: {sent}");

    println!("\n== The others are untouched");
    let page = client.list(&ListQuery::default()).await.map_err(fail)?;
    for connection in &page.items {
        println!("{}", ConnectionTable::row(connection));
    }
    Ok(())
}

/// Prints the error a step is expected to get.
fn report(result: Result<(), Error>) {
    match result {
        Ok(()) => println!("unexpectedly succeeded"),
        Err(e) => println!("error: {e}"),
    }
}
