//! `exsited completions SHELL`: a script for each shell, that bash accepts and that names the
//! subcommands and flags of this build.

use std::process::Command;

use crate::support::BIN;

fn completions(shell: &str) -> std::process::Output {
    Command::new(BIN)
        .args(["completions", shell])
        .output()
        .unwrap()
}

#[test]
fn every_shell_gets_a_script_naming_the_subcommands_and_flags() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = completions(shell);
        assert!(out.status.success(), "{shell}: {out:?}");
        let script = String::from_utf8(out.stdout).unwrap();
        for word in [
            "serve",
            "connections",
            "completions",
            "ignore-not-found",
            "ca-file",
        ] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
        assert!(
            out.stderr.is_empty(),
            "{shell}: nothing but the script is printed"
        );
    }
}

#[test]
fn bash_loads_the_script_and_registers_the_completion() {
    let out = completions("bash");
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("exsited.bash");
    std::fs::write(&script, &out.stdout).unwrap();
    let loaded = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "source {} && complete -p exsited",
            script.display()
        ))
        .output()
        .unwrap();
    assert!(loaded.status.success(), "{loaded:?}");
    assert!(
        String::from_utf8_lossy(&loaded.stdout).contains("exsited"),
        "{loaded:?}"
    );
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let out = completions("tcsh");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty());
}
