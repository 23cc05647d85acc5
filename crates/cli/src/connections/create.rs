//! `exsited connections create`: a new connection from flags, or from the API's flat create
//! body in a JSON file.
//!
//! Partner secrets are never flags (a flag's value shows in the process list and the shell
//! history): they come from the JSON file, or from environment variables named with
//! `--partner-client-secret-env VAR` and its siblings.

use std::io::Read;
use std::path::{Path, PathBuf};

use exsited_core::{
    ConnectionRepository, NewConnection, Partner, PartnerCredentials, SecretString,
};
use exsited_spec::{CreateConnectionRequest, convert};
use zeroize::Zeroize;

use super::api::ApiArgs;
use super::failure::{api, failed, usage};
use crate::failure::Failure;
use crate::output::{connection_details, print_json, redacted_connection};

/// Flags of `exsited connections create`.
#[derive(Debug, clap::Args)]
pub(crate) struct CreateArgs {
    /// The partner system (XERO, QUICKBOOKS, HUBSPOT, ...).
    #[arg(long, value_name = "PARTNER", required_unless_present = "from_json")]
    pub(crate) provider: Option<String>,
    /// The tenant or organisation id on the partner's side.
    #[arg(long, value_name = "ID", required_unless_present = "from_json")]
    pub(crate) remote_instance_id: Option<String>,
    /// Its display name.
    #[arg(long, value_name = "NAME")]
    pub(crate) remote_instance_name: Option<String>,
    /// The OAuth client id at the partner (not a secret).
    #[arg(long, value_name = "ID")]
    pub(crate) partner_client_id: Option<String>,
    /// Read the partner client secret from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub(crate) partner_client_secret_env: Option<String>,
    /// Read the partner access token from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub(crate) partner_access_token_env: Option<String>,
    /// Read the partner refresh token from this environment variable.
    #[arg(long, value_name = "VAR")]
    pub(crate) partner_refresh_token_env: Option<String>,
    /// The API's flat create body as JSON (`-` for standard input), instead of the flags above.
    #[arg(long, value_name = "FILE", conflicts_with_all = [
        "provider", "remote_instance_id", "remote_instance_name", "partner_client_id",
        "partner_client_secret_env", "partner_access_token_env", "partner_refresh_token_env",
    ])]
    pub(crate) from_json: Option<PathBuf>,
    /// Send this X-Idempotency-Key, so that repeating the same command creates one connection.
    #[arg(long, value_name = "KEY")]
    pub(crate) idempotency_key: Option<String>,
}

/// Runs the command.
pub(crate) async fn run(args: CreateArgs, api_args: &ApiArgs, json: bool) -> Result<(), Failure> {
    let new = match &args.from_json {
        Some(path) => from_json(path)?,
        None => from_flags(&args, |name| std::env::var(name).ok())?,
    };
    let client = api_args.client()?;
    let created = match &args.idempotency_key {
        Some(key) => client.create_with_idempotency_key(new, key).await,
        None => client.create(new).await,
    }
    .map_err(api)?;
    if json {
        print_json(&redacted_connection(&created)).map_err(|e| failed("cannot print", e))
    } else {
        println!("created {}\n{}", created.id, connection_details(&created));
        Ok(())
    }
}

/// The new connection described by the flags; `env` reads the named variables.
fn from_flags(
    args: &CreateArgs,
    env: impl Fn(&str) -> Option<String>,
) -> Result<NewConnection, Failure> {
    let secret = |var: &Option<String>| -> Result<SecretString, Failure> {
        match var {
            None => Ok(SecretString::default()),
            Some(name) => env(name)
                .map(SecretString::new)
                .ok_or_else(|| usage(format!("environment variable {name} is not set"))),
        }
    };
    let credentials = PartnerCredentials {
        client_id: args.partner_client_id.clone().unwrap_or_default(),
        client_secret: secret(&args.partner_client_secret_env)?,
        access_token: secret(&args.partner_access_token_env)?,
        refresh_token: secret(&args.partner_refresh_token_env)?,
    };
    let provider = args.provider.as_deref().unwrap_or_default();
    let remote_id = args.remote_instance_id.as_deref().unwrap_or_default();
    let invalid = |e: exsited_core::Error| usage(e);
    NewConnection::new(Partner::new(provider).map_err(invalid)?, remote_id)
        .and_then(|n| {
            n.with_remote_instance_name(args.remote_instance_name.as_deref().unwrap_or(""))
        })
        .and_then(|n| n.with_credentials(credentials))
        .map_err(invalid)
}

/// The new connection in a JSON file of the API's create body.
fn from_json(path: &Path) -> Result<NewConnection, Failure> {
    let mut bytes = Vec::new();
    let read = if path == Path::new("-") {
        std::io::stdin().read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|mut f| f.read_to_end(&mut bytes))
    };
    read.map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
    let parsed = serde_json::from_slice::<CreateConnectionRequest>(&bytes);
    // The file holds partner secrets.
    bytes.zeroize();
    // serde_json's messages can quote a value (a secret): say only where and what kind.
    let body = parsed.map_err(|e| {
        usage(format!(
            "{} is not a create body ({:?} error at line {}, column {})",
            path.display(),
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    convert::new_connection_from_wire(body).map_err(|e| usage(format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn args() -> CreateArgs {
        CreateArgs {
            provider: Some("xero".into()),
            remote_instance_id: Some("org-1".into()),
            remote_instance_name: Some("Acme".into()),
            partner_client_id: Some("cid".into()),
            partner_client_secret_env: Some("SECRET_VAR".into()),
            partner_access_token_env: None,
            partner_refresh_token_env: None,
            from_json: None,
            idempotency_key: None,
        }
    }

    #[test]
    fn secrets_come_from_the_named_variables() {
        let new = from_flags(&args(), |n| (n == "SECRET_VAR").then(|| "s3cr3t".into())).unwrap();
        assert_eq!(new.partner().as_str(), "XERO");
        assert_eq!(new.credentials().client_secret.expose(), "s3cr3t");
        let err = from_flags(&args(), |_| None).unwrap_err();
        assert!(matches!(err, Failure::Usage(m) if m.contains("SECRET_VAR is not set")));
    }

    #[test]
    fn json_bodies_are_read_and_errors_do_not_quote_values() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        write!(
            file,
            r#"{{"provider":"hubspot","remote_instance_id":"hub-7","integration_client_secret":"s3cr3t"}}"#
        )
        .unwrap();
        let new = from_json(file.path()).unwrap();
        assert_eq!(new.partner().as_str(), "HUBSPOT");
        assert_eq!(new.credentials().client_secret.expose(), "s3cr3t");

        let mut bad = tempfile::NamedTempFile::new().unwrap();
        write!(
            bad,
            r#"{{"provider":"x","remote_instance_id":"y","require_authentication":"s3cr3t"}}"#
        )
        .unwrap();
        let err = from_json(bad.path()).unwrap_err();
        assert!(
            matches!(err, Failure::Usage(ref m) if !m.contains("s3cr3t")),
            "{err:?}"
        );
    }
}
