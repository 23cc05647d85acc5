//! `cargo xtask bench [--quick]`: builds the command line and the harness in release and runs
//! every figure on loopback, writing `target/bench/report.md` and `report.json`.

use std::process::Command;

/// Builds, then runs `exsited-bench run`.
pub(crate) fn run(quick: bool) -> Result<(), String> {
    let root = crate::workspace_root();
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            "exsited-cli",
            "-p",
            "exsited-bench",
        ])
        .current_dir(&root)
        .status()
        .map_err(|e| format!("could not start cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the release build failed ({status})"));
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), Into::into);
    let release = target.join("release");
    let out = target.join("bench");
    let mut bench = Command::new(release.join("exsited-bench"));
    bench
        .arg("run")
        .arg("--exsited")
        .arg(release.join("exsited"))
        .arg("--out")
        .arg(&out);
    if quick {
        bench.arg("--quick");
    }
    let status = bench
        .current_dir(&root)
        .status()
        .map_err(|e| format!("could not start exsited-bench: {e}"))?;
    if !status.success() {
        return Err(format!("the benchmark failed ({status})"));
    }
    Ok(())
}
