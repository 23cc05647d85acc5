//! Repository hygiene, as ordinary tests so that `cargo test` enforces it.

mod source;
mod wire_names;

use std::fs;
use std::path::{Path, PathBuf};

/// Every `.rs` file of the workspace's crates, of xtask and of the fuzz targets, skipping build
/// output.
fn rust_files(root: &Path) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != "target" && !name.to_string_lossy().starts_with('.') {
                    walk(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root.join("crates"), &mut out);
    walk(&root.join("xtask"), &mut out);
    walk(&root.join("fuzz"), &mut out);
    out.sort();
    out
}

fn crate_manifests(root: &Path) -> Vec<PathBuf> {
    let mut manifests: Vec<PathBuf> = fs::read_dir(root.join("crates"))
        .expect("crates/ exists")
        .flatten()
        .map(|e| e.path().join("Cargo.toml"))
        .filter(|p| p.exists())
        .collect();
    manifests.push(root.join("xtask/Cargo.toml"));
    manifests.sort();
    manifests
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        crate::workspace_root()
    }

    fn relative(path: &Path) -> String {
        path.strip_prefix(root())
            .unwrap_or(path)
            .display()
            .to_string()
    }

    /// A newcomer opening any file learns first what it is for.
    #[test]
    fn every_rust_file_starts_with_module_docs() {
        let missing: Vec<String> = rust_files(&root())
            .into_iter()
            .filter(|path| {
                let text = fs::read_to_string(path).unwrap_or_default();
                let first = text
                    .lines()
                    .find(|l| !l.trim().is_empty() && !l.starts_with("// @generated"))
                    .unwrap_or("");
                !first.starts_with("//!")
            })
            .map(|p| relative(&p))
            .collect();
        assert!(
            missing.is_empty(),
            "files without `//!` module docs at the top: {missing:#?}"
        );
    }

    /// Trailing whitespace and tabs make noisy diffs.
    #[test]
    fn no_trailing_whitespace_or_tabs() {
        let mut offenders = Vec::new();
        for path in rust_files(&root()) {
            let text = fs::read_to_string(&path).unwrap_or_default();
            for (i, line) in text.lines().enumerate() {
                if line.ends_with(' ') || line.contains('\t') {
                    offenders.push(format!("{}:{}", relative(&path), i + 1));
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "trailing whitespace or tabs: {offenders:#?}"
        );
    }

    /// Placeholders are paths a user can reach that do nothing.
    #[test]
    fn no_placeholders_outside_tests() {
        // Spelled from parts, so that this file does not contain what it looks for.
        let placeholders = ["todo", "unimplemented", "dbg"].map(|name| format!("{name}!("));
        let mut offenders = Vec::new();
        for path in rust_files(&root()) {
            let rel = relative(&path);
            if rel.contains("/tests/") {
                continue;
            }
            let text = fs::read_to_string(&path).unwrap_or_default();
            for (i, line) in text.lines().enumerate() {
                if placeholders.iter().any(|p| line.contains(p.as_str())) {
                    offenders.push(format!("{rel}:{}", i + 1));
                }
            }
        }
        assert!(offenders.is_empty(), "placeholders: {offenders:#?}");
    }

    /// A `should_panic` test passes when the code panics for the wrong reason; tests assert on
    /// the returned error instead (`docs/style.md`).
    #[test]
    fn no_should_panic_tests() {
        // Spelled from parts, so that this file does not contain what it looks for.
        let attribute = format!("#[{}_panic", "should");
        let mut offenders = Vec::new();
        for path in rust_files(&root()) {
            let text = fs::read_to_string(&path).unwrap_or_default();
            for (i, line) in text.lines().enumerate() {
                if line.contains(&attribute) {
                    offenders.push(format!("{}:{}", relative(&path), i + 1));
                }
            }
        }
        assert!(offenders.is_empty(), "should_panic tests: {offenders:#?}");
    }

    /// Shared lints and naming: `exsited-` packages (never one called `core`), workspace lints.
    #[test]
    fn manifests_follow_the_workspace_rules() {
        let mut problems = Vec::new();
        for manifest in crate_manifests(&root()) {
            let text = fs::read_to_string(&manifest).unwrap_or_default();
            let rel = relative(&manifest);
            if !text.contains("[lints]\nworkspace = true") {
                problems.push(format!("{rel}: needs `[lints] workspace = true`"));
            }
            let name = text
                .lines()
                .find_map(|l| l.strip_prefix("name = "))
                .map(|n| n.trim_matches('"'))
                .unwrap_or("");
            if name != "xtask" && !name.starts_with("exsited-") {
                problems.push(format!(
                    "{rel}: package `{name}` must be named `exsited-<role>`"
                ));
            }
            for field in ["edition.workspace = true", "rust-version.workspace = true"] {
                if !text.contains(field) {
                    problems.push(format!("{rel}: needs `{field}`"));
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
