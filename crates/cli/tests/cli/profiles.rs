//! `--profile` and `exsited config`: a profile of the config file reaches a real server;
//! flags beat variables beat the profile; secret files and inline secrets are refused unless
//! only their owner can read them; a malformed file is named with its line; no secret is ever
//! printed.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::support::{self, Served};

const ID: &str = "profile-client";
const SECRET: &str = "PLANTED-profile-secret-d00d";
/// A port nothing listens on: a base URL that fails if it is the one used.
const DEAD: &str = "http://127.0.0.1:9";

fn write(path: &Path, text: &str, mode: u32) {
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

struct Setup {
    _dir: tempfile::TempDir,
    served: Served,
    config: PathBuf,
    secret_file: PathBuf,
}

impl Setup {
    /// A server with one client, and a config file whose profiles are `local` (the secret
    /// from `LOCAL_SECRET`), `dead` (a base URL nothing answers), `filed` (the secret from a
    /// file) and `inline` (the secret in the config file).
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let client = format!("{ID}:{SECRET}");
        let served = Served::start(dir.path(), &["--memory", "--client", &client], &[]);
        let secret_file = dir.path().join("secret.txt");
        write(&secret_file, &format!("{SECRET}\n"), 0o600);
        let config = dir.path().join("config.toml");
        let url = format!("http://{}", served.addr);
        write(
            &config,
            &format!(
                "# profiles for the tests\n\
                 [profiles.local]\nbase_url = \"{url}\"\nclient_id = \"{ID}\"\nclient_secret_env = \"LOCAL_SECRET\"\n\n\
                 [profiles.dead]\nbase_url = \"{DEAD}\"\nclient_id = \"{ID}\"\nclient_secret_env = \"LOCAL_SECRET\"\n\n\
                 [profiles.filed]\nbase_url = \"{url}\"\nclient_id = \"{ID}\"\nclient_secret_file = \"secret.txt\"\n\n\
                 [profiles.inline]\nbase_url = \"{url}\"\nclient_id = \"{ID}\"\nclient_secret = \"{SECRET}\"\n"
            ),
            0o600,
        );
        Self {
            _dir: dir,
            served,
            config,
            secret_file,
        }
    }

    /// Runs `exsited ARGS` with the config file, `LOCAL_SECRET` and `extra` variables, and
    /// none of the `EXSITED_*` credentials of the caller's environment.
    fn run(&self, args: &[&str], extra: &[(&str, &str)]) -> (i32, String, String) {
        let output = std::process::Command::new(support::BIN)
            .args(args)
            .env_remove("EXSITED_BASE_URL")
            .env_remove("EXSITED_CLIENT_ID")
            .env_remove("EXSITED_CLIENT_SECRET")
            .env_remove("EXSITED_TOKEN")
            .env_remove("EXSITED_PROFILE")
            .env_remove("EXSITED_CA_FILE")
            .env("EXSITED_CONFIG", &self.config)
            .env("LOCAL_SECRET", SECRET)
            .envs(extra.iter().copied())
            .output()
            .unwrap();
        let (out, err) = (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        );
        assert!(
            !out.contains(SECRET) && !err.contains(SECRET),
            "a secret was printed: {out}{err}"
        );
        (output.status.code().unwrap_or(-1), out, err)
    }
}

const LIST: &[&str] = &["connections", "list"];

fn with(args: &[&'static str], more: &[&'static str]) -> Vec<&'static str> {
    args.iter().chain(more).copied().collect()
}

#[test]
fn a_profile_reaches_the_server_and_flags_beat_variables_beat_the_profile() {
    let s = Setup::new();
    let url = format!("http://{}", s.served.addr);
    let ok = |(code, out, err): (i32, String, String)| assert_eq!(code, 0, "{out}{err}");
    let unreachable = |(code, out, err): (i32, String, String)| {
        assert_eq!(code, 1, "{out}{err}");
        assert!(
            err.contains("could not connect"),
            "the dead URL was used: {err}"
        );
    };

    ok(s.run(&with(LIST, &["--profile", "local"]), &[]));
    ok(s.run(LIST, &[("EXSITED_PROFILE", "local")]));
    // The flag names the profile over the variable.
    ok(s.run(
        &with(LIST, &["--profile", "local"]),
        &[("EXSITED_PROFILE", "dead")],
    ));
    unreachable(s.run(LIST, &[("EXSITED_PROFILE", "dead")]));
    // The variable over the profile, the flag over the variable.
    ok(s.run(
        &with(LIST, &["--profile", "dead"]),
        &[("EXSITED_BASE_URL", &url)],
    ));
    unreachable(s.run(
        &with(LIST, &["--profile", "local"]),
        &[("EXSITED_BASE_URL", DEAD)],
    ));
    let mut flag: Vec<&str> = with(LIST, &["--profile", "dead", "--base-url"]);
    flag.push(&url);
    ok(s.run(&flag, &[("EXSITED_BASE_URL", DEAD)]));
    // A secret by variable overrides the profile's, whose source is then not even read.
    let (code, _, err) = s.run(
        &with(LIST, &["--profile", "local"]),
        &[("LOCAL_SECRET", ""), ("EXSITED_CLIENT_SECRET", SECRET)],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = s.run(
        &with(LIST, &["--profile", "local"]),
        &[("EXSITED_CLIENT_SECRET", "wrong-secret")],
    );
    assert_eq!(code, 1, "the variable's wrong secret was used: {err}");
    assert!(err.contains("unauthorized"), "{err}");
    // The secret from a file and inline (both files are 0600).
    ok(s.run(&with(LIST, &["--profile", "filed"]), &[]));
    ok(s.run(&with(LIST, &["--profile", "inline"]), &[]));
}

#[test]
fn a_profile_named_but_missing_or_with_an_unset_variable_is_a_usage_error() {
    let s = Setup::new();
    let (code, _, err) = s.run(&with(LIST, &["--profile", "nope"]), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no profile nope") && err.contains("dead, filed, inline, local"),
        "{err}"
    );
    let (code, _, err) = s.run(
        &with(LIST, &["--profile", "local"]),
        &[("LOCAL_SECRET", "")],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("LOCAL_SECRET, which is not set"), "{err}");
    let missing = s.config.with_file_name("missing.toml");
    let (code, _, err) = s.run(
        &with(LIST, &["--profile", "local"]),
        &[("EXSITED_CONFIG", missing.to_str().unwrap())],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no config file at"), "{err}");
}

#[test]
fn secrets_readable_by_others_are_refused() {
    let s = Setup::new();
    std::fs::set_permissions(&s.secret_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, _, err) = s.run(&with(LIST, &["--profile", "filed"]), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("mode 0644") && err.contains("secret.txt"),
        "{err}"
    );

    std::fs::set_permissions(&s.config, std::fs::Permissions::from_mode(0o640)).unwrap();
    let (code, _, err) = s.run(&with(LIST, &["--profile", "inline"]), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("mode 0640") && err.contains("config.toml"),
        "{err}"
    );
    // A profile without an inline secret does not care about the file's mode.
    let (code, _, err) = s.run(&with(LIST, &["--profile", "local"]), &[]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_malformed_file_is_named_with_its_line_and_column() {
    let s = Setup::new();
    let cases = [
        (
            "[profiles.a]\nbase_url = \"x\"\nclient_id = \n",
            3,
            "syntax",
        ),
        (
            "[profiles.a]\n\nclient_idd = \"x\"\n",
            3,
            "unknown field `client_idd`",
        ),
        (
            "[profiles]\na = \"PLANTED-profile-secret-d00d\"\n",
            2,
            "invalid type",
        ),
        (
            "[profiles.a]\nclient_secret_env = \"A\"\nclient_secret_file = \"f\"\n",
            0,
            "not several",
        ),
    ];
    for (text, line, says) in cases {
        write(&s.config, text, 0o600);
        let (code, _, err) = s.run(&with(LIST, &["--profile", "a"]), &[]);
        assert_eq!(code, 2, "{text}: {err}");
        let at = format!("{}:{line}:", s.config.display());
        assert!(line == 0 || err.contains(&at), "{at} in {err}");
        assert!(err.contains(says) || says == "syntax", "{says} in {err}");
        let (code, _, err) = s.run(&["config", "list"], &[]);
        assert_eq!(code, 2, "config list refuses it too: {err}");
    }
}

#[test]
fn config_list_and_show_say_set_or_not_set_and_never_the_secret() {
    let s = Setup::new();
    let (code, out, err) = s.run(&["config", "list"], &[("EXSITED_PROFILE", "filed")]);
    assert_eq!(code, 0, "{err}");
    for expected in [
        "PROFILE",
        "* filed",
        "set (env LOCAL_SECRET)",
        "set (inline)",
        "secret.txt)",
    ] {
        assert!(out.contains(expected), "{expected} in {out}");
    }
    let (code, out, err) = s.run(&["config", "show", "local"], &[("LOCAL_SECRET", "")]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("client_secret: not set (env LOCAL_SECRET)"),
        "{out}"
    );
    assert!(out.contains(&format!("client_id: {ID}")), "{out}");
    let (code, out, _) = s.run(&["config", "show", "inline", "--json"], &[]);
    assert_eq!(code, 0);
    let shown: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(shown["client_secret_set"], true);
    assert_eq!(shown["client_secret_source"], "inline");
    let (code, _, err) = s.run(&["config", "show", "nope"], &[]);
    assert_eq!(code, 2, "{err}");
}
