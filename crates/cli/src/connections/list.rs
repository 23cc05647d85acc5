//! `exsited connections list`: connections page by page, filtered here by partner and status
//! (the API has no such filters), printed as rows arrive.

use std::io::Write;

use exsited_core::{ConnectionStatus, ListQuery, MAX_LIMIT, Partner, RepositoryExt};
use futures_util::StreamExt;

use super::api::ApiArgs;
use super::failure::{api, failed, usage};
use crate::failure::Failure;
use crate::output::{ConnectionTable, redacted_connection};

/// Flags of `exsited connections list`.
#[derive(Debug, clap::Args)]
pub(crate) struct ListArgs {
    /// Every connection, walking all pages.
    #[arg(long, conflicts_with = "limit")]
    pub(crate) all: bool,
    /// Print at most N connections (those that pass the filters).
    #[arg(long, default_value_t = 20, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) limit: u64,
    /// Only connections to this partner (XERO, QUICKBOOKS, ...; any case).
    #[arg(long, value_name = "PARTNER")]
    pub(crate) partner: Option<String>,
    /// Only connections with this status (ACTIVE, INACTIVE, DISCONNECTED; any case).
    #[arg(long, value_name = "STATUS")]
    pub(crate) status: Option<String>,
}

/// Runs the command.
pub(crate) async fn run(args: ListArgs, api_args: &ApiArgs, json: bool) -> Result<(), Failure> {
    let partner = match &args.partner {
        Some(p) => Some(Partner::new(p).map_err(|e| usage(format!("--partner: {e}")))?),
        None => None,
    };
    let status = args.status.as_deref().map(ConnectionStatus::parse);
    let limit = if args.all { u64::MAX } else { args.limit };
    let filtered = partner.is_some() || status.is_some();
    // Without filters a short listing needs one small page; with them, large pages.
    let page_size = if filtered {
        MAX_LIMIT
    } else {
        limit.min(u64::from(MAX_LIMIT)) as u32
    };
    let query = ListQuery::new(i64::from(page_size), 0).map_err(api)?;
    let client = api_args.client()?;

    let mut connections = client.list_all(query);
    let mut out = std::io::stdout().lock();
    let mut shown = 0u64;
    let print_error = |e: std::io::Error| failed("cannot print", e);
    if json {
        out.write_all(b"[").map_err(print_error)?;
    }
    while shown < limit {
        let Some(next) = connections.next().await else {
            break;
        };
        let connection = next.map_err(api)?;
        if partner.as_ref().is_some_and(|p| *p != connection.partner)
            || status.as_ref().is_some_and(|s| *s != connection.status)
        {
            continue;
        }
        if json {
            let record = serde_json::to_string(&redacted_connection(&connection))
                .map_err(|e| failed("cannot encode", e))?;
            let sep = if shown == 0 { "\n" } else { ",\n" };
            write!(out, "{sep}{record}").map_err(print_error)?;
        } else {
            if shown == 0 {
                writeln!(out, "{}", ConnectionTable::header()).map_err(print_error)?;
            }
            writeln!(out, "{}", ConnectionTable::row(&connection)).map_err(print_error)?;
        }
        shown += 1;
    }
    if json {
        out.write_all(if shown == 0 { b"]\n" } else { b"\n]\n" })
            .map_err(print_error)?;
    } else if shown == 0 {
        eprintln!("no connections found");
    }
    out.flush().map_err(print_error)
}
