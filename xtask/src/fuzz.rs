//! `cargo xtask fuzz [--seconds N] [--merge] [TARGET]`: runs the fuzz targets of `fuzz/` (all of
//! them, or one) for a bounded time each, through cargo-fuzz and libFuzzer.
//!
//! With a nightly toolchain installed the targets are built with AddressSanitizer; without one,
//! on stable with `-s none` (coverage-guided all the same, no sanitizer). Each run starts from the
//! committed corpus (`fuzz/corpus/<target>/`) and writes what it finds to a scratch corpus under
//! `target/fuzz/corpus/`, so that the committed one does not grow by itself; `--merge` then adds
//! to the committed corpus a small set of inputs that cover the edges it does not (libFuzzer's
//! set-cover merge on edge coverage, without hit counts). A failing input is written to
//! `fuzz/artifacts/<target>/` and stops the task. The last lines are a summary: runs, runs per
//! second and coverage of each target, for `docs/fuzzing.md`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What to run.
#[derive(Debug)]
pub(crate) struct Options {
    /// How long each target runs.
    pub(crate) seconds: u64,
    /// Whether new-coverage inputs are merged into the committed corpus.
    pub(crate) merge: bool,
    /// Only this target; all when `None`.
    pub(crate) target: Option<String>,
}

impl Options {
    /// Reads the arguments after `fuzz`.
    pub(crate) fn parse(args: &[&str]) -> Result<Self, String> {
        let mut options = Options {
            seconds: 60,
            merge: false,
            target: None,
        };
        let mut args = args.iter();
        while let Some(arg) = args.next() {
            match *arg {
                "--seconds" => {
                    let value = args.next().ok_or("--seconds needs a number")?;
                    options.seconds = value
                        .parse()
                        .ok()
                        .filter(|s| *s > 0)
                        .ok_or_else(|| format!("--seconds {value}: not a positive number"))?;
                }
                "--merge" => options.merge = true,
                flag if flag.starts_with('-') => return Err(format!("unknown flag {flag}")),
                target if options.target.is_none() => options.target = Some(target.to_owned()),
                extra => return Err(format!("one target at most (also got {extra})")),
            }
        }
        Ok(options)
    }
}

/// What one run reached, from libFuzzer's last status line and final statistics.
#[derive(Debug, Default)]
struct Summary {
    runs: String,
    exec_per_sec: String,
    coverage: String,
    features: String,
    corpus: String,
}

/// Runs the targets one after the other.
pub(crate) fn run(options: &Options) -> Result<(), String> {
    let root = crate::workspace_root();
    let fuzz_dir = root.join("fuzz");
    let all = targets(&fuzz_dir)?;
    let chosen: Vec<String> = match &options.target {
        Some(target) if all.contains(target) => vec![target.clone()],
        Some(target) => {
            return Err(format!(
                "no fuzz target {target}; the targets are: {}",
                all.join(", ")
            ));
        }
        None => all,
    };
    let toolchain = Toolchain::detect();
    toolchain.check_cargo_fuzz()?;
    eprintln!(
        "==> fuzzing {} for {} s each, {}",
        chosen.join(", "),
        options.seconds,
        toolchain.describe()
    );
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("fuzz");
    let mut summaries = Vec::new();
    for target in &chosen {
        let committed = fuzz_dir.join("corpus").join(target);
        let scratch = target_dir.join("corpus").join(target);
        std::fs::create_dir_all(&scratch)
            .map_err(|e| format!("cannot create {}: {e}", scratch.display()))?;
        let libfuzzer = [
            format!("-dict={}", fuzz_dir.join("wire.dict").display()),
            format!("-max_total_time={}", options.seconds),
            "-print_final_stats=1".to_owned(),
        ];
        let summary = toolchain.fuzz(
            &root,
            &target_dir,
            target,
            &[&scratch, &committed],
            &libfuzzer,
        )?;
        if options.merge {
            toolchain.fuzz(
                &root,
                &target_dir,
                target,
                &[&committed, &scratch],
                &[
                    "-set_cover_merge=1".to_owned(),
                    "-use_counters=0".to_owned(),
                ],
            )?;
        }
        summaries.push((target.clone(), summary));
    }
    eprintln!(
        "==> summary ({} s per target, {})",
        options.seconds,
        toolchain.describe()
    );
    eprintln!("target           runs        exec/s  cov     ft      corpus");
    for (target, s) in &summaries {
        eprintln!(
            "{target:<16} {:<11} {:<7} {:<7} {:<7} {}",
            s.runs, s.exec_per_sec, s.coverage, s.features, s.corpus
        );
    }
    Ok(())
}

/// The targets: the files of `fuzz/fuzz_targets/`.
fn targets(fuzz_dir: &Path) -> Result<Vec<String>, String> {
    let dir = fuzz_dir.join("fuzz_targets");
    let entries =
        std::fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries
        .flatten()
        .filter_map(|entry| {
            let path = entry.path();
            (path.extension()? == "rs").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    names.sort();
    Ok(names)
}

/// The toolchain the targets are built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Toolchain {
    /// `rustup run nightly cargo fuzz`, with AddressSanitizer.
    Nightly,
    /// This cargo's toolchain, with `-s none`.
    Stable,
}

impl Toolchain {
    fn detect() -> Self {
        let listed = Command::new("rustup")
            .args(["toolchain", "list"])
            .stderr(Stdio::null())
            .output();
        match listed {
            Ok(out)
                if String::from_utf8_lossy(&out.stdout)
                    .lines()
                    .any(|l| l.starts_with("nightly")) =>
            {
                Toolchain::Nightly
            }
            _ => Toolchain::Stable,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Toolchain::Nightly => "nightly with AddressSanitizer",
            Toolchain::Stable => "stable without a sanitizer (-s none)",
        }
    }

    /// `cargo fuzz ARGS` on this toolchain.
    fn cargo_fuzz(self) -> Command {
        let mut command = match self {
            Toolchain::Nightly => {
                let mut c = Command::new("rustup");
                c.args(["run", "nightly", "cargo"]);
                c
            }
            Toolchain::Stable => Command::new(env!("CARGO")),
        };
        command.arg("fuzz");
        command
    }

    fn check_cargo_fuzz(self) -> Result<(), String> {
        let found = self
            .cargo_fuzz()
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if found {
            Ok(())
        } else {
            Err("cargo-fuzz is not installed: install it with `cargo install cargo-fuzz --locked`, \
                 then run `cargo xtask fuzz` again"
                .to_owned())
        }
    }

    /// `cargo fuzz run TARGET CORPORA -- LIBFUZZER`, its output passed through and its summary
    /// read from it.
    fn fuzz(
        self,
        root: &Path,
        target_dir: &Path,
        target: &str,
        corpora: &[&Path],
        libfuzzer: &[String],
    ) -> Result<Summary, String> {
        let mut command = self.cargo_fuzz();
        command.arg("run");
        if self == Toolchain::Stable {
            command.args(["--sanitizer", "none"]);
        }
        command
            .arg("--target-dir")
            .arg(target_dir)
            .arg(target)
            .args(corpora)
            .arg("--")
            .args(libfuzzer)
            .current_dir(root)
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(|e| format!("could not start cargo fuzz: {e}"))?;
        let mut summary = Summary::default();
        if let Some(stderr) = child.stderr.take() {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("{line}");
                summary.read(&line);
            }
        }
        let status = child
            .wait()
            .map_err(|e| format!("cargo fuzz did not finish: {e}"))?;
        if !status.success() {
            return Err(format!(
                "fuzz target {target} failed ({status}): the failing input is in fuzz/artifacts/{target}/; \
                 once fixed, add it to fuzz/corpus/{target}/ so that `cargo test` replays it"
            ));
        }
        Ok(summary)
    }
}

impl Summary {
    /// Takes what it needs from one line of libFuzzer's output.
    fn read(&mut self, line: &str) {
        if let Some(runs) = line.strip_prefix("stat::number_of_executed_units:") {
            self.runs = runs.trim().to_owned();
        } else if let Some(rate) = line.strip_prefix("stat::average_exec_per_sec:") {
            self.exec_per_sec = rate.trim().to_owned();
        } else if line.starts_with('#') {
            let mut words = line.split_whitespace();
            while let Some(word) = words.next() {
                let slot = match word {
                    "cov:" => &mut self.coverage,
                    "ft:" => &mut self.features,
                    "corp:" => &mut self.corpus,
                    _ => continue,
                };
                if let Some(value) = words.next() {
                    *slot = value.to_owned();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments() {
        let options = Options::parse(&["--seconds", "30", "path_id", "--merge"]).unwrap();
        assert_eq!(
            (options.seconds, options.merge, options.target.as_deref()),
            (30, true, Some("path_id"))
        );
        let default = Options::parse(&[]).unwrap();
        assert_eq!(
            (default.seconds, default.merge, default.target),
            (60, false, None)
        );
        for bad in [
            &["--seconds"][..],
            &["--seconds", "0"],
            &["--fast"],
            &["a", "b"],
        ] {
            assert!(Options::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_summary_is_read_from_libfuzzers_output() {
        let mut summary = Summary::default();
        for line in [
            "#203342\tDONE   cov: 2542 ft: 6898 corp: 942/58Kb lim: 216 exec/s: 3333 rss: 470Mb",
            "stat::number_of_executed_units: 203342",
            "stat::average_exec_per_sec:     3333",
        ] {
            summary.read(line);
        }
        assert_eq!(
            (
                summary.runs.as_str(),
                summary.exec_per_sec.as_str(),
                summary.coverage.as_str(),
                summary.features.as_str(),
                summary.corpus.as_str()
            ),
            ("203342", "3333", "2542", "6898", "942/58Kb")
        );
    }

    #[test]
    fn the_targets_are_the_files_of_fuzz_targets() {
        let names = targets(&crate::workspace_root().join("fuzz")).unwrap();
        assert!(names.contains(&"path_id".to_owned()), "{names:?}");
    }
}
