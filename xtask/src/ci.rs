//! `cargo xtask ci`: every check CI makes, runnable locally with one command.

use std::process::Command;

/// A step: its name, cargo's arguments, extra environment.
type Step<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, &'a str)]);

/// Runs each step in turn and stops at the first failure, naming it.
pub(crate) fn run() -> Result<(), String> {
    let steps: &[Step<'_>] = &[
        ("format", &["fmt", "--all", "--", "--check"], &[]),
        (
            "clippy",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--all-features",
                "--locked",
                "--",
                "-D",
                "warnings",
            ],
            &[],
        ),
        ("codegen", &["xtask", "codegen", "--check"], &[]),
        ("tests", &["test", "--workspace", "--locked"], &[]),
        (
            "rustdoc",
            &[
                "doc",
                "--workspace",
                "--no-deps",
                "--all-features",
                "--locked",
            ],
            &[("RUSTDOCFLAGS", "-D warnings")],
        ),
    ];
    let root = crate::workspace_root();
    for (name, args, env) in steps {
        eprintln!("==> {name}: cargo {}", args.join(" "));
        let status = Command::new(env!("CARGO"))
            .args(*args)
            .envs(env.iter().copied())
            .current_dir(&root)
            .status()
            .map_err(|e| format!("{name}: could not start cargo: {e}"))?;
        if !status.success() {
            return Err(format!("step `{name}` failed ({status})"));
        }
    }
    eprintln!("==> all checks passed");
    Ok(())
}
