//! Named profiles of the config file (`$EXSITED_CONFIG`, else
//! `$XDG_CONFIG_HOME/exsited/config.toml`, else `~/.config/exsited/config.toml`): where an API
//! is, who we are to it, and where the secret comes from, so that `--profile staging` replaces
//! four flags.
//!
//! ```toml
//! [profiles.staging]
//! base_url = "https://api-stage.exsited.com"
//! client_id = "ops-staging"
//! client_secret_env = "EXSITED_STAGING_SECRET"   # or client_secret_file = "staging.secret"
//! ca_file = "/etc/ssl/company-proxy.pem"
//! ```
//!
//! The secret is never required to sit in the file: it comes from an environment variable
//! (`client_secret_env`) or from a file only its owner can read (`client_secret_file`, mode
//! 0600); `client_secret` inline is accepted only when the config file itself is mode 0600.
//! Relative paths are relative to the config file's directory; `~/` is the home directory.
//! Every problem is a [`ProfileError`] naming the file (and, for a malformed file, the line and
//! column), and never a secret.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};

use exsited_core::SecretString;
use serde::Deserialize;

/// The config file, when set.
pub(crate) const CONFIG_ENV: &str = "EXSITED_CONFIG";
/// The profile, when `--profile` is not given.
pub(crate) const PROFILE_ENV: &str = "EXSITED_PROFILE";
/// The profile used when none is named, if the file has it.
pub(crate) const DEFAULT_PROFILE: &str = "default";

/// Why a profile could not be used. Every case is a usage error (exit 2).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum ProfileError {
    #[error("cannot read the config file {path}: {source}")]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Malformed {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "profile {name} is asked for, but there is no config file at {path} (set {CONFIG_ENV} to use another file)"
    )]
    NoConfigFile { name: String, path: PathBuf },
    #[error("no profile {name} in {path} (profiles: {known})")]
    NoSuchProfile {
        name: String,
        path: PathBuf,
        known: String,
    },
    #[error(
        "profile {profile} in {path}: give one of client_secret_env, client_secret_file, client_secret, not several"
    )]
    TwoSecretSources { profile: String, path: PathBuf },
    #[error("profile {profile} reads its client secret from {variable}, which is not set")]
    SecretVariableUnset { profile: String, variable: String },
    #[error("profile {profile}: cannot read the client secret file {path}: {source}")]
    SecretFileUnreadable {
        profile: String,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "profile {profile}: the client secret file {path} has mode {mode:04o}; it must be readable by its owner only (chmod 600 {path})"
    )]
    SecretFileExposed {
        profile: String,
        path: PathBuf,
        mode: u32,
    },
    #[error(
        "profile {profile} holds its client secret inline, but {path} has mode {mode:04o}; make the file readable by its owner only (chmod 600 {path}) or use client_secret_env or client_secret_file"
    )]
    InlineSecretExposed {
        profile: String,
        path: PathBuf,
        mode: u32,
    },
    #[error("no config file location: set {CONFIG_ENV} or HOME")]
    NoLocation,
}

/// The file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileContents {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// One `[profiles.NAME]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    pub(crate) base_url: Option<String>,
    pub(crate) client_id: Option<String>,
    client_secret_env: Option<String>,
    client_secret_file: Option<PathBuf>,
    client_secret: Option<InlineSecret>,
    ca_file: Option<PathBuf>,
}

/// A secret written in the file, never printed.
#[derive(Clone, Deserialize)]
#[serde(from = "String")]
struct InlineSecret(SecretString);

impl From<String> for InlineSecret {
    fn from(value: String) -> Self {
        Self(SecretString::new(value))
    }
}

impl fmt::Debug for InlineSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Where a profile's client secret comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SecretSource {
    None,
    Variable(String),
    File(PathBuf),
    Inline,
}

/// A config file, read and parsed.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) path: PathBuf,
    /// The file's permission bits (group and other bits matter for an inline secret).
    mode: u32,
    profiles: BTreeMap<String, Profile>,
}

/// The environment a profile is read in: variables by name (tests pass their own).
pub(crate) type Env<'e> = &'e dyn Fn(&str) -> Option<OsString>;

/// The config file's location in `env`.
pub(crate) fn location(env: Env<'_>) -> Result<PathBuf, ProfileError> {
    let set = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(path) = set(CONFIG_ENV) {
        return Ok(path);
    }
    if let Some(dir) = set("XDG_CONFIG_HOME") {
        return Ok(dir.join("exsited/config.toml"));
    }
    set("HOME")
        .map(|home| home.join(".config/exsited/config.toml"))
        .ok_or(ProfileError::NoLocation)
}

impl Config {
    /// Reads the file at `path`; `None` when there is none.
    pub(crate) fn load(path: &Path) -> Result<Option<Self>, ProfileError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(ProfileError::Unreadable {
                    path: path.to_owned(),
                    source,
                });
            }
        };
        let contents: FileContents = toml::from_str(&text).map_err(|e| {
            let (line, column) = line_and_column(&text, e.span().map_or(0, |s| s.start));
            ProfileError::Malformed {
                path: path.to_owned(),
                line,
                column,
                message: unquoted(e.message()),
            }
        })?;
        for (name, profile) in &contents.profiles {
            let sources = [
                profile.client_secret_env.is_some(),
                profile.client_secret_file.is_some(),
                profile.client_secret.is_some(),
            ];
            if sources.iter().filter(|set| **set).count() > 1 {
                return Err(ProfileError::TwoSecretSources {
                    profile: name.clone(),
                    path: path.to_owned(),
                });
            }
        }
        Ok(Some(Self {
            path: path.to_owned(),
            mode: mode(path).unwrap_or(0),
            profiles: contents.profiles,
        }))
    }

    /// The profiles' names, in order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    /// The profile `name`.
    pub(crate) fn get(&self, name: &str) -> Result<Selected<'_>, ProfileError> {
        let profile = self
            .profiles
            .get(name)
            .ok_or_else(|| ProfileError::NoSuchProfile {
                name: name.to_owned(),
                path: self.path.clone(),
                known: if self.profiles.is_empty() {
                    "none".to_owned()
                } else {
                    self.names().collect::<Vec<_>>().join(", ")
                },
            })?;
        Ok(Selected {
            name: name.to_owned(),
            profile,
            config: self,
        })
    }
}

/// The profile a command uses: `flag` (`--profile`), else `EXSITED_PROFILE`, else `default`
/// when the file has one; `None` when no profile applies. A profile named by flag or variable
/// must exist.
pub(crate) fn choose(
    flag: Option<&str>,
    env: Env<'_>,
    config: Option<&Config>,
) -> Result<Option<String>, ProfileError> {
    let named = flag.map(str::to_owned).or_else(|| {
        env(PROFILE_ENV)
            .filter(|v| !v.is_empty())
            .map(|v| v.to_string_lossy().into_owned())
    });
    match (named, config) {
        (Some(name), Some(config)) => config.get(&name).map(|_| Some(name)),
        (Some(name), None) => Err(ProfileError::NoConfigFile {
            name,
            path: location(env)?,
        }),
        (None, Some(config)) if config.profiles.contains_key(DEFAULT_PROFILE) => {
            Ok(Some(DEFAULT_PROFILE.to_owned()))
        }
        (None, _) => Ok(None),
    }
}

/// A profile of a config file.
#[derive(Debug)]
pub(crate) struct Selected<'c> {
    pub(crate) name: String,
    pub(crate) profile: &'c Profile,
    config: &'c Config,
}

impl Selected<'_> {
    /// Where the client secret comes from.
    pub(crate) fn secret_source(&self) -> SecretSource {
        let p = self.profile;
        if let Some(variable) = &p.client_secret_env {
            SecretSource::Variable(variable.clone())
        } else if let Some(path) = &p.client_secret_file {
            SecretSource::File(self.resolve(path))
        } else if p.client_secret.is_some() {
            SecretSource::Inline
        } else {
            SecretSource::None
        }
    }

    /// The client secret, read from its source now; `None` when the profile has none.
    pub(crate) fn secret(&self, env: Env<'_>) -> Result<Option<SecretString>, ProfileError> {
        let profile = || self.name.clone();
        match self.secret_source() {
            SecretSource::None => Ok(None),
            SecretSource::Variable(variable) => env(&variable)
                .filter(|v| !v.is_empty())
                .map(|v| Some(SecretString::new(v.to_string_lossy())))
                .ok_or(ProfileError::SecretVariableUnset {
                    profile: profile(),
                    variable,
                }),
            SecretSource::File(path) => {
                let unreadable = |source| ProfileError::SecretFileUnreadable {
                    profile: profile(),
                    path: path.clone(),
                    source,
                };
                let bits = mode(&path).map_err(unreadable)?;
                if bits & 0o077 != 0 {
                    return Err(ProfileError::SecretFileExposed {
                        profile: profile(),
                        path,
                        mode: bits,
                    });
                }
                let text = std::fs::read_to_string(&path).map_err(unreadable)?;
                Ok(Some(SecretString::new(text.trim_end_matches(['\n', '\r']))))
            }
            SecretSource::Inline => {
                if self.config.mode & 0o077 != 0 {
                    return Err(ProfileError::InlineSecretExposed {
                        profile: profile(),
                        path: self.config.path.clone(),
                        mode: self.config.mode,
                    });
                }
                Ok(self.profile.client_secret.as_ref().map(|s| s.0.clone()))
            }
        }
    }

    /// The CA file, resolved.
    pub(crate) fn ca_file(&self) -> Option<PathBuf> {
        self.profile.ca_file.as_deref().map(|p| self.resolve(p))
    }

    /// `~/` is the home directory; a relative path is relative to the config file's directory.
    fn resolve(&self, path: &Path) -> PathBuf {
        if let (Ok(rest), Some(home)) = (path.strip_prefix("~"), std::env::var_os("HOME")) {
            return PathBuf::from(home).join(rest);
        }
        match self.config.path.parent() {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path.to_owned(),
        }
    }
}

/// The permission bits of `path`.
fn mode(path: &Path) -> std::io::Result<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Ok(std::fs::metadata(path)?.permissions().mode() & 0o7777)
    }
    #[cfg(not(unix))]
    {
        std::fs::metadata(path).map(|_| 0o600)
    }
}

/// The 1-based line and column of byte `offset` of `text`.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The parser's message without what it quotes of the file's values (a misplaced string may
/// be a secret); names in backticks, which are keys, stay.
fn unquoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut quoted = false;
    for c in message.trim().chars() {
        if c == '"' {
            if !quoted {
                out.push_str("\"...\"");
            }
            quoted = !quoted;
        } else if !quoted {
            out.push(c);
        }
    }
    out.replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters_from_one() {
        assert_eq!(line_and_column("a\nbc\nd", 3), (2, 2));
        assert_eq!(line_and_column("x", 0), (1, 1));
    }

    #[test]
    fn quoted_values_are_cut_from_messages() {
        assert_eq!(
            unquoted("invalid type: string \"hunter2\", expected struct Profile"),
            "invalid type: string \"...\", expected struct Profile"
        );
        assert_eq!(unquoted("unknown field `nme`"), "unknown field `nme`");
    }
}
