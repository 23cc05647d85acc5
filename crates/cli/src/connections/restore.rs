//! `exsited connections restore`: creates again the connections of a backup file (written by
//! `delete --backup`), with their automations and partner functions, under new ids, and gives
//! each back its state: the connection's status, each automation's status, each partner
//! function's `enabled`, and the configuration document.
//!
//! Every create carries an idempotency key derived from the backup (SHA-256 of the old
//! connection id, the kind and the position), so a restore that is run again, after a crash or
//! on purpose, gets the same connections back instead of duplicates, as long as the API still
//! remembers the keys (the reference server: 24 hours) and the restored connection was not
//! deleted since. The state is then set from what the API answers: a create (or its replay)
//! reads the record as it is now, so only what differs from the backup is changed, and the
//! configuration gets the patch that turns what the connection has into what the backup holds.
//! A run that stopped half-way is finished by the next, and a second complete run changes
//! nothing. A connection that was INACTIVE or DISCONNECTED is restored disabled (the API cannot
//! set DISCONNECTED).

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;

use exsited_core::configuration::ConfigurationPatch;
use exsited_core::{AutomationStatus, ConnectionId, ConnectionRepository, ConnectionStatus, Error};
use exsited_transport::Client;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::api::ApiArgs;
use super::backup_file::{BackupRecord, FullConnection, invalid_line};
use super::failure::{describe, failed, usage};
use crate::failure::Failure;
use crate::output::print_json;

/// Flags of `exsited connections restore`.
#[derive(Debug, clap::Args)]
pub(crate) struct RestoreArgs {
    /// The backup file written by `delete --backup`.
    #[arg(value_name = "PATH")]
    pub(crate) path: PathBuf,
}

/// An old id and the new one, in the JSON output.
#[derive(Debug, Serialize)]
struct Mapped {
    old_uuid: String,
    new_uuid: String,
}

/// One restored connection, in the JSON output.
#[derive(Debug, Serialize)]
struct Restored {
    old_uuid: String,
    new_uuid: String,
    integration_partner: String,
    automations: Vec<Mapped>,
    partner_functions: Vec<Mapped>,
    /// Whether the backup held a configuration (which the connection now has).
    configuration_set: bool,
}

/// Runs the command: every line in turn; a line that fails is reported and the rest go on.
pub(crate) async fn run(args: RestoreArgs, api_args: &ApiArgs, json: bool) -> Result<(), Failure> {
    let file = File::open(&args.path)
        .map_err(|e| usage(format!("cannot read {}: {e}", args.path.display())))?;
    let client = api_args.client()?;
    let (mut restored, mut failures) = (0u64, 0u64);
    let mut lines = BufReader::new(file);
    let mut line = String::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let read = lines
            .read_line(&mut line)
            .map_err(|e| failed(format!("cannot read {}", args.path.display()), e))?;
        if read == 0 {
            break;
        }
        number += 1;
        if line.trim().is_empty() {
            continue;
        }
        let full = BackupRecord::parse(line.trim())
            .map_err(|reason| invalid_line(number, reason))
            .and_then(BackupRecord::into_full);
        let outcome = match full {
            Ok(full) => restore_one(&client, &full).await,
            Err(e) => Err(e),
        };
        match outcome {
            Ok(done) => {
                restored += 1;
                if json {
                    print_json(&done).map_err(|e| failed("cannot print", e))?;
                } else {
                    println!(
                        "{} -> {}  {} ({} automations, {} partner functions, {})",
                        done.old_uuid,
                        done.new_uuid,
                        done.integration_partner,
                        done.automations.len(),
                        done.partner_functions.len(),
                        if done.configuration_set {
                            "configuration set"
                        } else {
                            "no configuration"
                        }
                    );
                }
            }
            Err(e) => {
                failures += 1;
                eprintln!("line {number}: not restored: {}", describe(&e));
            }
        }
    }
    // Nothing of the backup's content is left in memory longer than needed.
    zeroize::Zeroize::zeroize(&mut line);
    if !json {
        println!("{restored} connections restored, {failures} failed");
    }
    if failures > 0 {
        return Err(Failure::Failed(format!(
            "{failures} backup lines were not restored; run the restore again to retry them (nothing is duplicated)"
        )));
    }
    Ok(())
}

/// Restores one connection and everything attached to it, under stable idempotency keys, then
/// the state the backup recorded wherever the API's answer differs from it.
async fn restore_one(client: &Client, full: &FullConnection) -> Result<Restored, Error> {
    let old = full.connection.id;
    let new = full.new_connection()?;
    let created = client
        .create_with_idempotency_key(new, &key(old, "connection", 0))
        .await?;
    let active = matches!(full.connection.status, ConnectionStatus::Active);
    if active != matches!(created.status, ConnectionStatus::Active) {
        if active {
            client.enable(created.id).await?;
        } else {
            client.disable(created.id).await?;
        }
    }
    let mut automations = Vec::with_capacity(full.automations.len());
    for (i, automation) in full.automations.iter().enumerate() {
        let made = client
            .create_automation_with_idempotency_key(
                created.id,
                automation.details.clone(),
                &key(old, "automation", i),
            )
            .await?;
        if made.status != automation.status {
            match automation.status {
                AutomationStatus::Active => client.enable_automation(created.id, made.id).await?,
                _ => client.disable_automation(created.id, made.id).await?,
            }
        }
        automations.push(Mapped {
            old_uuid: automation.id.to_string(),
            new_uuid: made.id.to_string(),
        });
    }
    let mut partner_functions = Vec::with_capacity(full.partner_functions.len());
    for (i, function) in full.partner_functions.iter().enumerate() {
        let made = client
            .create_partner_function_with_idempotency_key(
                created.id,
                function.details.clone(),
                &key(old, "partner-function", i),
            )
            .await?;
        if made.enabled != function.enabled {
            if function.enabled {
                client.enable_partner_function(created.id, made.id).await?;
            } else {
                client.disable_partner_function(created.id, made.id).await?;
            }
        }
        partner_functions.push(Mapped {
            old_uuid: function.id.to_string(),
            new_uuid: made.id.to_string(),
        });
    }
    let now = client.get_configuration(created.id).await?;
    let patch = ConfigurationPatch::between(&now, &full.configuration);
    if !patch.is_empty() {
        client.update_configuration(created.id, patch).await?;
    }
    Ok(Restored {
        old_uuid: old.to_string(),
        new_uuid: created.id.to_string(),
        integration_partner: full.connection.partner.to_string(),
        automations,
        partner_functions,
        configuration_set: !full.configuration.is_empty(),
    })
}

/// The idempotency key of one create of a restore: the same backup line always gives the same
/// keys, and different lines, kinds or positions never share one.
fn key(old: ConnectionId, kind: &str, index: usize) -> String {
    let digest = Sha256::digest(format!("exsited-restore/v1\n{old}\n{kind}\n{index}"));
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("restore-{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable_distinct_and_valid_headers() {
        let id = ConnectionId::parse("123e4567-e89b-12d3-a456-426614174000").unwrap();
        assert_eq!(key(id, "automation", 1), key(id, "automation", 1));
        assert_ne!(key(id, "automation", 1), key(id, "automation", 2));
        assert_ne!(key(id, "automation", 0), key(id, "partner-function", 0));
        assert_ne!(
            key(id, "connection", 0),
            key(ConnectionId::random(), "connection", 0)
        );
        let k = key(id, "connection", 0);
        assert!(
            k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic()),
            "{k}"
        );
    }
}
