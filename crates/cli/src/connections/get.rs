//! `exsited connections get`: one connection, its credentials shown only as set or not set.

use exsited_core::{ConnectionId, ConnectionRepository};

use super::api::ApiArgs;
use super::failure::{api, failed};
use crate::failure::Failure;
use crate::output::{connection_details, print_json, redacted_connection};

/// The one argument of `get`, `enable` and `disable`.
#[derive(Debug, clap::Args)]
pub(crate) struct IdArgs {
    /// The connection id.
    #[arg(value_name = "UUID")]
    pub(crate) id: String,
}

impl IdArgs {
    /// The id, checked before any request (a malformed one is a usage error).
    pub(crate) fn parse(&self) -> Result<ConnectionId, Failure> {
        ConnectionId::parse(self.id.trim()).map_err(|e| api(e.into()))
    }
}

/// Runs `get`.
pub(crate) async fn run(args: IdArgs, api_args: &ApiArgs, json: bool) -> Result<(), Failure> {
    let id = args.parse()?;
    let connection = api_args.client()?.get(id).await.map_err(api)?;
    if json {
        print_json(&redacted_connection(&connection)).map_err(|e| failed("cannot print", e))
    } else {
        println!("{}", connection_details(&connection));
        Ok(())
    }
}
