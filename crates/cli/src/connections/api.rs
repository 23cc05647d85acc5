//! Where the API is and who we are to it: the `--base-url`, `--client-id`, `--client-secret`,
//! `--token` and `--ca-file` flags over the `EXSITED_*` environment variables over the
//! `--profile` of the config file (see [`crate::profile`]), turned into a transport [`Client`].
//!
//! Each flag overrides its variable, and each variable the profile. Credentials come as a pair (client id and secret) or as a
//! bearer token; a credential given by flag hides the other kind from the environment, so that
//! `--token` works in a shell that also exports a client id. Secrets are best left in the
//! environment: a flag's value is visible to every user of the machine in the process list.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use exsited_core::SecretString;
use exsited_transport::{Client, ClientConfig, ClientConfigBuilder, ConfigError, Exchange};

use super::failure::usage;
use crate::failure::Failure;
use crate::profile::{self, Config, Env};

/// The API connection flags, shared by every `connections` subcommand.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct ApiArgs {
    /// The API's base URL [env: EXSITED_BASE_URL; default: https://dev-api.exsited.com].
    #[arg(long, global = true, value_name = "URL")]
    pub(crate) base_url: Option<String>,
    /// The API client id [env: EXSITED_CLIENT_ID].
    #[arg(long, global = true, value_name = "ID")]
    pub(crate) client_id: Option<String>,
    /// The API client secret [env: EXSITED_CLIENT_SECRET]. Prefer the variable: a flag's value
    /// shows in the process list.
    #[arg(long, global = true, value_name = "SECRET", value_parser = secret)]
    pub(crate) client_secret: Option<SecretString>,
    /// A bearer token instead of client credentials [env: EXSITED_TOKEN]. Prefer the variable.
    #[arg(long, global = true, value_name = "TOKEN", value_parser = secret)]
    pub(crate) token: Option<SecretString>,
    /// A PEM file of CA certificates to trust besides the built-in roots: a company proxy's
    /// that intercepts TLS, a private CA's [env: EXSITED_CA_FILE].
    #[arg(long, global = true, value_name = "PATH")]
    pub(crate) ca_file: Option<PathBuf>,
    /// Print every HTTP exchange (method, path, status, time, request id) on stderr.
    #[arg(long, short = 'v', global = true)]
    pub(crate) verbose: bool,
    /// A profile of the config file: base URL, client id, where the secret comes from, CA
    /// file [env: EXSITED_PROFILE; default: the profile named `default`, if any]. Flags and
    /// variables override it.
    #[arg(long, global = true, value_name = "NAME")]
    pub(crate) profile: Option<String>,
}

/// What the chosen profile contributes: each setting is used only when neither its flag nor
/// its variable is given.
#[derive(Debug, Default)]
struct ProfileSettings {
    base_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    ca_file: Option<PathBuf>,
}

/// Parses a secret flag straight into a type that never prints.
fn secret(value: &str) -> Result<SecretString, String> {
    Ok(SecretString::new(value))
}

impl ApiArgs {
    /// The client, printing exchanges on stderr with `--verbose`.
    pub(crate) fn client(&self) -> Result<Client, Failure> {
        let profile = self.profile_settings(&|name| std::env::var_os(name))?;
        self.client_with(
            |name| std::env::var(name).ok(),
            std::env::var_os("EXSITED_CA_FILE"),
            profile,
        )
    }

    /// The settings of the profile chosen by `--profile`, `EXSITED_PROFILE` or the file's
    /// `default`. The client secret is read from its source only when no flag or variable
    /// gives a credential that would override it, so an unused secret file is not required.
    fn profile_settings(&self, env: Env<'_>) -> Result<ProfileSettings, Failure> {
        let named = self.profile.is_some() || env(profile::PROFILE_ENV).is_some();
        let path = match profile::location(env) {
            Ok(path) => path,
            Err(_) if !named => return Ok(ProfileSettings::default()),
            Err(e) => return Err(usage(e.to_string())),
        };
        let config = Config::load(&path).map_err(|e| usage(e.to_string()))?;
        let chosen = profile::choose(self.profile.as_deref(), env, config.as_ref())
            .map_err(|e| usage(e.to_string()))?;
        let (Some(name), Some(config)) = (chosen, config.as_ref()) else {
            return Ok(ProfileSettings::default());
        };
        let selected = config.get(&name).map_err(|e| usage(e.to_string()))?;
        let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
        let pair_by_flag = self.client_id.is_some() || self.client_secret.is_some();
        // A token (by flag, or by variable unless the pair came by flag) replaces the pair.
        let token = self.token.is_some() || (!pair_by_flag && set("EXSITED_TOKEN"));
        let secret_given =
            self.client_secret.is_some() || (self.token.is_none() && set("EXSITED_CLIENT_SECRET"));
        let client_secret = if token || secret_given {
            None
        } else {
            selected.secret(env).map_err(|e| usage(e.to_string()))?
        };
        Ok(ProfileSettings {
            base_url: selected.profile.base_url.clone(),
            client_id: (!token)
                .then(|| selected.profile.client_id.clone())
                .flatten(),
            client_secret,
            ca_file: selected.ca_file(),
        })
    }

    /// [`client`](Self::client) over another environment (for tests); the CA file variable is
    /// apart because a path need not be UTF-8.
    fn client_with(
        &self,
        env: impl Fn(&str) -> Option<String>,
        ca_file_env: Option<OsString>,
        profile: ProfileSettings,
    ) -> Result<Client, Failure> {
        let ca_file = self
            .ca_file
            .clone()
            .or_else(|| ca_file_env.filter(|v| !v.is_empty()).map(PathBuf::from))
            .or_else(|| profile.ca_file.clone());
        let mut builder = self.builder_with(env, &profile);
        if let Some(path) = &ca_file {
            let pem = std::fs::read(path)
                .map_err(|e| usage(format!("cannot read the CA file {}: {e}", path.display())))?;
            builder = builder.add_root_certificate_pem(pem);
        }
        if self.verbose {
            builder = builder.observer(|exchange: &Exchange| eprintln!("{exchange}"));
        }
        build(builder, ca_file.as_deref())
    }

    /// The transport's configuration builder: flags over the environment over the profile.
    fn builder_with(
        &self,
        env: impl Fn(&str) -> Option<String>,
        profile: &ProfileSettings,
    ) -> ClientConfigBuilder {
        let pair_by_flag = self.client_id.is_some() || self.client_secret.is_some();
        let token_by_flag = self.token.is_some();
        ClientConfig::from_lookup(|name| match name {
            "EXSITED_BASE_URL" => self
                .base_url
                .clone()
                .or_else(|| env(name))
                .or_else(|| profile.base_url.clone()),
            "EXSITED_CLIENT_ID" => self
                .client_id
                .clone()
                .or_else(|| (!token_by_flag).then(|| env(name)).flatten())
                .or_else(|| profile.client_id.clone()),
            "EXSITED_CLIENT_SECRET" => self
                .client_secret
                .as_ref()
                .map(|s| s.expose().to_owned())
                .or_else(|| (!token_by_flag).then(|| env(name)).flatten())
                .or_else(|| {
                    profile
                        .client_secret
                        .as_ref()
                        .map(|s| s.expose().to_owned())
                }),
            "EXSITED_TOKEN" => self
                .token
                .as_ref()
                .map(|s| s.expose().to_owned())
                .or_else(|| (!pair_by_flag).then(|| env(name)).flatten()),
            _ => env(name),
        })
    }
}

/// Builds the client; a refused setting is a usage error (exit 2) naming the variables, or the
/// CA file when it is the file that was refused.
fn build(builder: ClientConfigBuilder, ca_file: Option<&Path>) -> Result<Client, Failure> {
    builder.build().map_err(|e| match (e, ca_file) {
        (ConfigError::InvalidRootCertificate { reason }, Some(path)) => usage(format!(
            "the CA file {} is not a PEM certificate file: {reason}",
            path.display()
        )),
        (e, _) => usage(format!(
            "{e} (configure with --base-url, --client-id, --client-secret, --token or \
             EXSITED_BASE_URL, EXSITED_CLIENT_ID, EXSITED_CLIENT_SECRET, EXSITED_TOKEN)"
        )),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "EXSITED_CLIENT_ID" => Some("env-id".into()),
            "EXSITED_CLIENT_SECRET" => Some("env-secret".into()),
            "EXSITED_BASE_URL" => Some("http://127.0.0.1:1".into()),
            _ => None,
        }
    }

    #[test]
    fn flags_override_variables_and_a_token_flag_hides_the_pair() {
        let args = ApiArgs {
            token: Some(SecretString::new("flag-token")),
            ..ApiArgs::default()
        };
        let client = args
            .builder_with(env, &ProfileSettings::default())
            .build()
            .unwrap();
        let shown = format!("{client:?}");
        assert!(
            shown.contains("Bearer") && !shown.contains("flag-token"),
            "{shown}"
        );

        let args = ApiArgs {
            client_id: Some("flag-id".into()),
            ..ApiArgs::default()
        };
        let shown = format!(
            "{:?}",
            args.builder_with(env, &ProfileSettings::default())
                .build()
                .unwrap()
        );
        assert!(
            shown.contains("flag-id") && !shown.contains("env-secret"),
            "{shown}"
        );
    }

    #[test]
    fn missing_credentials_are_a_usage_error() {
        let err = build(
            ApiArgs::default().builder_with(|_| None, &ProfileSettings::default()),
            None,
        )
        .unwrap_err();
        assert!(
            matches!(err, Failure::Usage(ref m) if m.contains("EXSITED_CLIENT_ID")),
            "{err:?}"
        );
    }

    /// A certificate rustls accepts as a root, as PEM.
    fn ca_pem() -> String {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().pem()
    }

    #[test]
    fn the_ca_file_comes_from_the_flag_over_the_variable() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, ca_pem()).unwrap();
        let missing = dir.path().join("missing.pem");

        let by_variable = ApiArgs::default()
            .client_with(env, Some(ca.clone().into()), ProfileSettings::default())
            .unwrap();
        assert!(
            format!("{by_variable:?}").contains("root_certificates: 1"),
            "{by_variable:?}"
        );
        let by_flag = ApiArgs {
            ca_file: Some(ca.clone()),
            ..ApiArgs::default()
        }
        .client_with(env, Some(missing.into()), ProfileSettings::default())
        .unwrap();
        assert!(format!("{by_flag:?}").contains("root_certificates: 1"));
        let none = ApiArgs::default()
            .client_with(env, Some("".into()), ProfileSettings::default())
            .unwrap();
        assert!(format!("{none:?}").contains("root_certificates: 0"));
    }

    #[test]
    fn a_missing_or_non_pem_ca_file_is_a_one_line_usage_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let not_pem = dir.path().join("notes.txt");
        std::fs::write(&not_pem, "not a certificate\n").unwrap();
        for (path, says) in [(missing, "cannot read"), (not_pem, "not a PEM certificate")] {
            let args = ApiArgs {
                ca_file: Some(path.clone()),
                ..ApiArgs::default()
            };
            let err = args
                .client_with(env, None, ProfileSettings::default())
                .unwrap_err();
            let Failure::Usage(message) = err else {
                panic!("a usage error: {err:?}");
            };
            assert!(message.contains(&path.display().to_string()), "{message}");
            assert!(message.contains(says), "{message}");
            assert!(!message.contains('\n'), "one line: {message}");
        }
    }
}
