//! `exsited connections get`: one connection, its credentials shown only as set or not set,
//! with how many automations and partner functions it has and whether its configuration is set.

use exsited_core::configuration::Section;
use exsited_core::{ConnectionId, ConnectionRepository, ListQuery};
use serde::Serialize;

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

/// `get --json`: the API's record (secrets redacted) and what hangs from it.
#[derive(Serialize)]
struct Shown {
    #[serde(flatten)]
    connection: exsited_spec::Connection,
    automation_count: u64,
    partner_function_count: u64,
    configuration_set: bool,
    /// The sections of the configuration that are set, in the API's order.
    configured_sections: Vec<&'static str>,
}

/// Runs `get`: the record, then one short page of each list for its total, then the
/// configuration.
pub(crate) async fn run(args: IdArgs, api_args: &ApiArgs, json: bool) -> Result<(), Failure> {
    let id = args.parse()?;
    let client = api_args.client()?;
    let connection = client.get(id).await.map_err(api)?;
    let one = ListQuery::new(1, 0).map_err(api)?;
    let automations = client.list_automations(id, &one).await.map_err(api)?.total;
    let functions = client
        .list_partner_functions(id, &one)
        .await
        .map_err(api)?
        .total;
    let configuration = client.get_configuration(id).await.map_err(api)?;
    let sections: Vec<&'static str> = Section::ALL
        .into_iter()
        .filter(|s| !configuration.section(*s).is_empty())
        .map(Section::as_str)
        .collect();
    if json {
        let shown = Shown {
            connection: redacted_connection(&connection),
            automation_count: automations,
            partner_function_count: functions,
            configuration_set: !configuration.is_empty(),
            configured_sections: sections,
        };
        print_json(&shown).map_err(|e| failed("cannot print", e))
    } else {
        let configured = if sections.is_empty() {
            "not set".to_owned()
        } else {
            format!("set ({})", sections.join(", "))
        };
        println!(
            "{}\nautomations:          {automations}\npartner functions:    {functions}\nconfiguration:        {configured}",
            connection_details(&connection)
        );
        Ok(())
    }
}
