//! `exsited connections enable` and `disable`: start or stop a connection's data flows.

use exsited_core::{ConnectionRepository, ConnectionStatus};
use serde::Serialize;

use super::api::ApiArgs;
use super::failure::{api, failed};
use super::get::IdArgs;
use crate::failure::Failure;
use crate::output::print_json;

/// The JSON answer: the id and the status it now has.
#[derive(Serialize)]
struct Changed {
    uuid: String,
    status: &'static str,
}

/// Runs `enable` (`enable = true`) or `disable`.
pub(crate) async fn run(
    args: IdArgs,
    api_args: &ApiArgs,
    json: bool,
    enable: bool,
) -> Result<(), Failure> {
    let id = args.parse()?;
    let client = api_args.client()?;
    let status = if enable {
        client.enable(id).await.map_err(api)?;
        ConnectionStatus::Active
    } else {
        client.disable(id).await.map_err(api)?;
        ConnectionStatus::Inactive
    };
    if json {
        let status = if enable { "ACTIVE" } else { "INACTIVE" };
        print_json(&Changed {
            uuid: id.to_string(),
            status,
        })
        .map_err(|e| failed("cannot print", e))
    } else {
        let verb = if enable { "enabled" } else { "disabled" };
        println!("{verb} {id} (status {status})");
        Ok(())
    }
}
