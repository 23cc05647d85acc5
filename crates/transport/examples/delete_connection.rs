//! Deletes one connection and prints what the API confirmed.
//!
//! ```text
//! EXSITED_CLIENT_ID=... EXSITED_CLIENT_SECRET=... \
//!     cargo run -p exsited-transport --example delete_connection -- <connection-uuid>
//! ```
//!
//! Reads the configuration from the environment (`EXSITED_BASE_URL`, `EXSITED_CLIENT_ID`,
//! `EXSITED_CLIENT_SECRET`, `EXSITED_REDIRECT_URI` or `EXSITED_TOKEN`) and prints each HTTP
//! exchange as it happens.

use std::process::ExitCode;

use exsited_core::{ConnectionId, ConnectionRepository, DeleteOutcome, Error};
use exsited_transport::ClientConfig;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Some(arg) = std::env::args().nth(1) else {
        eprintln!("usage: delete_connection <connection-uuid>");
        return ExitCode::from(2);
    };
    let id = match ConnectionId::parse(&arg) {
        Ok(id) => id,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let client = match ClientConfig::from_env().and_then(|config| {
        config
            .observer(|exchange| eprintln!("  {exchange}"))
            .build()
    }) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("configuration: {e}");
            return ExitCode::from(2);
        }
    };
    match client.delete(id).await {
        Ok(DeleteOutcome::Removed) => {
            println!("{id}: deleted");
            ExitCode::SUCCESS
        }
        Ok(outcome) => {
            // RemovedUnconfirmed: gone, but the answer to the attempt that removed it was lost.
            println!("{id}: gone ({outcome:?})");
            ExitCode::SUCCESS
        }
        Err(Error::NotFound { .. }) => {
            println!("{id}: not found");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("{id}: {e}");
            ExitCode::from(1)
        }
    }
}
