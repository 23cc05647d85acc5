//! Maintainer tasks, run as `cargo xtask <task>` (the alias lives in `.cargo/config.toml`).
//!
//! - `cargo xtask codegen [--check]`: regenerate the wire types and path templates from
//!   `crates/spec/openapi.yaml`; `--check` fails when the checked-in output is stale.
//! - `cargo xtask ci`: the whole gate, in the order a reviewer cares about.
//! - `cargo xtask bench [--quick]`: every performance figure, side by side with its baseline,
//!   in `target/bench/report.md` (see `docs/performance.md`).
//! - `cargo xtask fuzz [--seconds N] [--merge] [TARGET]`: the fuzz targets of `fuzz/`, each for a
//!   bounded time (see `docs/fuzzing.md`).

mod bench;
mod ci;
mod codegen;
mod fuzz;
#[cfg(test)]
mod tidy;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["codegen"] => codegen::run(codegen::Mode::Write),
        ["codegen", "--check"] => codegen::run(codegen::Mode::Check),
        ["ci"] => ci::run(),
        ["bench"] => bench::run(false),
        ["bench", "--quick"] => bench::run(true),
        ["fuzz", rest @ ..] => fuzz::Options::parse(rest).and_then(|options| fuzz::run(&options)),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  codegen [--check]   regenerate crates/spec/src/generated from crates/spec/openapi.yaml
  ci                  fmt check, clippy -D warnings, codegen check, tests, rustdoc -D warnings
  bench [--quick]     release build, then every benchmark figure into target/bench/report.md
  fuzz [--seconds N] [--merge] [TARGET]
                      each fuzz target of fuzz/ (or TARGET) for N seconds (default 60);
                      --merge adds the inputs that reach new coverage to fuzz/corpus/";

/// The workspace root, whatever directory the task was started from.
fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}
