//! `exsited config list | show NAME`: the profiles of the config file, as the `connections`
//! commands would use them. A client secret is shown only as set or not set, with where it
//! comes from; its value never.

use std::io::Write;

use serde::Serialize;

use crate::failure::Failure;
use crate::output::print_json;
use crate::profile::{self, Config, Env, SecretSource, Selected};

/// `exsited config ...`.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// List the profiles of the config file; `*` marks the one used without --profile.
    List(ListArgs),
    /// Show one profile, its client secret only as set or not set.
    Show(ShowArgs),
}

#[derive(Debug, clap::Args)]
pub(crate) struct ListArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ShowArgs {
    /// The profile.
    name: String,
    /// Print JSON instead of lines.
    #[arg(long)]
    json: bool,
}

/// What is printed of a profile.
#[derive(Debug, Serialize)]
struct Shown {
    name: String,
    /// Whether it is the profile used when none is named.
    active: bool,
    base_url: Option<String>,
    client_id: Option<String>,
    /// `env`, `file`, `inline` or `none`.
    client_secret_source: &'static str,
    /// The variable or the file, for `env` and `file`.
    client_secret_from: Option<String>,
    client_secret_set: bool,
    /// Why a secret that has a source cannot be used, if it cannot.
    client_secret_problem: Option<String>,
    ca_file: Option<String>,
}

impl Shown {
    fn of(selected: &Selected<'_>, active: bool, env: Env<'_>) -> Self {
        let (source, from) = match selected.secret_source() {
            SecretSource::None => ("none", None),
            SecretSource::Variable(variable) => ("env", Some(variable)),
            SecretSource::File(path) => ("file", Some(path.display().to_string())),
            SecretSource::Inline => ("inline", None),
        };
        let (set, problem) = match selected.secret(env) {
            Ok(secret) => (secret.is_some(), None),
            Err(e) => (false, Some(e.to_string())),
        };
        Self {
            name: selected.name.clone(),
            active,
            base_url: selected.profile.base_url.clone(),
            client_id: selected.profile.client_id.clone(),
            client_secret_source: source,
            client_secret_from: from,
            client_secret_set: set,
            client_secret_problem: problem,
            ca_file: selected.ca_file().map(|p| p.display().to_string()),
        }
    }

    /// `set (env EXSITED_X)`, `not set (file PATH: ...)`, `not set`.
    fn secret_summary(&self) -> String {
        let state = if self.client_secret_set {
            "set"
        } else {
            "not set"
        };
        let from = match (self.client_secret_source, &self.client_secret_from) {
            ("none", _) => return state.to_owned(),
            (source, Some(from)) => format!("{source} {from}"),
            (source, None) => source.to_owned(),
        };
        format!("{state} ({from})")
    }
}

/// Runs a `config` subcommand.
pub(crate) fn run(command: Command) -> Result<(), Failure> {
    run_in(command, &|name: &str| std::env::var_os(name))
}

fn run_in(command: Command, env: Env<'_>) -> Result<(), Failure> {
    let usage = |e: profile::ProfileError| Failure::Usage(e.to_string());
    let path = profile::location(env).map_err(usage)?;
    let config = Config::load(&path).map_err(usage)?;
    let active = profile::choose(None, env, config.as_ref()).map_err(usage)?;
    let write = |e: std::io::Error| Failure::Failed(format!("cannot write the output: {e}"));
    match command {
        Command::List(args) => {
            let shown: Vec<Shown> = match &config {
                Some(config) => config
                    .names()
                    .map(|name| {
                        let selected = config.get(name).map_err(usage)?;
                        Ok(Shown::of(&selected, active.as_deref() == Some(name), env))
                    })
                    .collect::<Result<_, Failure>>()?,
                None => {
                    eprintln!(
                        "no config file at {} (set {} to use another)",
                        path.display(),
                        profile::CONFIG_ENV
                    );
                    Vec::new()
                }
            };
            if args.json {
                return print_json(&shown).map_err(write);
            }
            print_table(&shown).map_err(write)
        }
        Command::Show(args) => {
            let config = config.ok_or_else(|| {
                usage(profile::ProfileError::NoConfigFile {
                    name: args.name.clone(),
                    path: path.clone(),
                })
            })?;
            let selected = config.get(&args.name).map_err(usage)?;
            let shown = Shown::of(&selected, active.as_deref() == Some(&args.name), env);
            if args.json {
                return print_json(&shown).map_err(write);
            }
            print_profile(&shown, &config).map_err(write)
        }
    }
}

fn print_table(shown: &[Shown]) -> std::io::Result<()> {
    let rows: Vec<[String; 4]> = shown
        .iter()
        .map(|s| {
            [
                format!("{} {}", if s.active { "*" } else { " " }, s.name),
                s.base_url.clone().unwrap_or_else(|| "-".into()),
                s.client_id.clone().unwrap_or_else(|| "-".into()),
                s.secret_summary(),
            ]
        })
        .collect();
    let header = ["  PROFILE", "BASE URL", "CLIENT ID", "CLIENT SECRET"].map(String::from);
    let widths: Vec<usize> = (0..4)
        .map(|i| {
            std::iter::once(&header)
                .chain(&rows)
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = std::io::stdout().lock();
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        writeln!(out, "{}", line.join("  ").trim_end())?;
    }
    out.flush()
}

fn print_profile(shown: &Shown, config: &Config) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let none = || "-".to_owned();
    writeln!(
        out,
        "profile: {}{}",
        shown.name,
        if shown.active {
            " (used when none is named)"
        } else {
            ""
        }
    )?;
    writeln!(out, "config file: {}", config.path.display())?;
    writeln!(
        out,
        "base_url: {}",
        shown.base_url.clone().unwrap_or_else(none)
    )?;
    writeln!(
        out,
        "client_id: {}",
        shown.client_id.clone().unwrap_or_else(none)
    )?;
    writeln!(out, "client_secret: {}", shown.secret_summary())?;
    if let Some(problem) = &shown.client_secret_problem {
        writeln!(out, "  {problem}")?;
    }
    writeln!(
        out,
        "ca_file: {}",
        shown.ca_file.clone().unwrap_or_else(none)
    )?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::*;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| {
            vars.iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn an_unset_variable_shows_as_not_set_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(
            &path,
            "[profiles.a]\nclient_id = \"id\"\nclient_secret_env = \"A_SECRET\"\n",
        )
        .unwrap();
        let config = Config::load(&path).unwrap().unwrap();
        let selected = config.get("a").unwrap();
        let unset = Shown::of(&selected, false, &env_of(&[]));
        assert_eq!(unset.secret_summary(), "not set (env A_SECRET)");
        let set = Shown::of(&selected, true, &env_of(&[("A_SECRET", "s3cr3t")]));
        assert_eq!(set.secret_summary(), "set (env A_SECRET)");
        assert!(!format!("{set:?}").contains("s3cr3t"));
    }
}
