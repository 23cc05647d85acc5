//! Only `exsited-spec` knows the JSON shape (docs/ARCHITECTURE.md): the server and the transport
//! build no JSON by hand and spell no name of the wire. This test backs that invariant.
//!
//! Outside test code (`#[cfg(test)]` items and the test modules they declare; `tests/`
//! directories are not under `src`), `crates/server/src` and `crates/transport/src` may not
//! contain:
//! - `json!`, nor `serde_json::Value`: a body built or read by hand instead of a wire type;
//! - a string literal that is a name of the document: a property of any schema, a path or
//!   query parameter, or a header (in any case). They are spelled once, in `exsited-spec`:
//!   the generated wire types, `paths`, `parameters`, `headers`, `errors::detail`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use serde_yaml_ng::Value;

use super::source::Source;

/// The crates that speak HTTP, whose sources are checked.
const CHECKED: &[&str] = &["crates/server/src", "crates/transport/src"];

/// Literals that are a wire name by coincidence and must stay, each with why.
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "crates/server/src/clients.rs",
        "client_id",
        "names the argument of `clients::with_secret` and `check_client_id` (the registration of \
         an API client from the command line or a deployment), which is no wire body",
    ),
    (
        "crates/server/src/clients.rs",
        "client_secret",
        "names the argument of `clients::with_secret`, as above",
    ),
];

/// Code just before a literal that makes it a Rust name, not a wire one.
const RUST_NAMES: &[(&str, &str)] = &[
    (
        ".field(",
        "a hand-written `Debug` names the Rust struct's fields (every one, redacted where secret)",
    ),
    (
        ".record(",
        "a tracing span's field, declared as an identifier in the span macro",
    ),
];

/// The names of the document that code outside `exsited-spec` must not spell.
pub(super) struct WireNames {
    /// Schema properties and path and query parameters, compared exactly.
    exact: BTreeSet<String>,
    /// Headers, compared in lower case.
    headers: BTreeSet<String>,
}

impl WireNames {
    pub(super) fn of(doc: &Value) -> Self {
        let mut exact = BTreeSet::new();
        let mut headers = BTreeSet::new();
        fn properties(value: &Value, out: &mut BTreeSet<String>) {
            match value {
                Value::Mapping(map) => {
                    if let Some(props) = map.get("properties").and_then(Value::as_mapping) {
                        out.extend(props.keys().filter_map(Value::as_str).map(str::to_owned));
                    }
                    map.values().for_each(|v| properties(v, out));
                }
                Value::Sequence(items) => items.iter().for_each(|v| properties(v, out)),
                _ => {}
            }
        }
        let components = &doc["components"];
        properties(&components["schemas"], &mut exact);
        for name in components["headers"]
            .as_mapping()
            .into_iter()
            .flatten()
            .filter_map(|(k, _)| k.as_str())
        {
            headers.insert(name.to_ascii_lowercase());
        }
        for (_, param) in components["parameters"].as_mapping().into_iter().flatten() {
            let Some(name) = param["name"].as_str() else {
                continue;
            };
            if param["in"].as_str() == Some("header") {
                headers.insert(name.to_ascii_lowercase());
            } else {
                exact.insert(name.to_owned());
            }
        }
        Self { exact, headers }
    }

    fn contains(&self, literal: &str) -> bool {
        self.exact.contains(literal) || self.headers.contains(&literal.to_ascii_lowercase())
    }
}

/// What one file does that it must not: `path:line: why` for each.
pub(super) fn offenders(rel: &str, source: &Source, names: &WireNames) -> Vec<String> {
    let mut found = Vec::new();
    for (i, line) in source.code.lines().enumerate() {
        let compact: String = line.split_whitespace().collect();
        if compact.contains("json!") {
            found.push(format!("{rel}:{}: `json!` builds JSON by hand", i + 1));
        }
        let group = compact.split("serde_json::").skip(1).any(|rest| {
            rest.starts_with("Value") || (rest.starts_with('{') && rest.contains("Value"))
        });
        if group {
            found.push(format!(
                "{rel}:{}: `serde_json::Value` reads JSON by hand",
                i + 1
            ));
        }
    }
    for literal in &source.literals {
        let rust_name = RUST_NAMES
            .iter()
            .any(|(before, _)| literal.before.ends_with(before));
        let allowed = ALLOWED
            .iter()
            .any(|(path, text, _)| *path == rel && *text == literal.text);
        if names.contains(&literal.text) && !rust_name && !allowed {
            found.push(format!(
                "{rel}:{}: {:?} is a name of the document; use exsited-spec's",
                literal.line, literal.text
            ));
        }
    }
    found
}

/// Every `.rs` file under `dir`, but the test modules their parents declare.
fn checked_files(root: &Path, dir: &str) -> Vec<(String, Source)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&root.join(dir), &mut paths);
    paths.sort();
    let read: Vec<(PathBuf, Source)> = paths
        .into_iter()
        .map(|p| {
            let text = fs::read_to_string(&p).unwrap_or_default();
            (p, Source::read(&text))
        })
        .collect();
    // `#[cfg(test)] mod m;` in `a.rs` is `a/m.rs` or `a/m/`; in `mod.rs` or `lib.rs`, beside it.
    let mut test_dirs = Vec::new();
    for (path, source) in &read {
        let parent = path.parent().unwrap_or(root).to_path_buf();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let base = if matches!(stem, "mod" | "lib" | "main") {
            parent
        } else {
            parent.join(stem)
        };
        for module in &source.test_modules {
            test_dirs.push(base.join(module));
        }
    }
    read.into_iter()
        .filter(|(path, _)| {
            !test_dirs
                .iter()
                .any(|dir| path.with_extension("") == *dir || path.starts_with(dir))
        })
        .map(|(path, source)| {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .display()
                .to_string();
            (rel, source)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> WireNames {
        let root = crate::workspace_root();
        let text = fs::read_to_string(root.join("crates/spec/openapi.yaml")).expect("the document");
        WireNames::of(&serde_yaml_ng::from_str(&text).expect("the document parses"))
    }

    #[test]
    fn server_and_transport_spell_no_wire_names() {
        let root = crate::workspace_root();
        let names = names();
        let mut found = Vec::new();
        let mut files = 0;
        for dir in CHECKED {
            for (rel, source) in checked_files(&root, dir) {
                found.extend(offenders(&rel, &source, &names));
                files += 1;
            }
        }
        assert!(files > 20, "only {files} files were read");
        assert!(
            found.is_empty(),
            "wire names outside exsited-spec: {found:#?}"
        );
    }

    #[test]
    fn the_names_are_the_documents() {
        let names = names();
        for name in [
            "integration_connection",
            "client_secret",
            "pagination",
            "limit",
            "pf_uuid",
        ] {
            assert!(names.contains(name), "{name}");
        }
        for header in ["X-Idempotency-Key", "x-request-id", "Idempotent-Replayed"] {
            assert!(names.contains(header), "{header}");
        }
        assert!(!names.contains("Integration") && !names.contains("Bearer"));
    }

    #[test]
    fn hand_built_json_and_quoted_names_are_found() {
        let source = Source::read(
            r#"//! A file.
fn list() {
    let body = serde_json::json!({ "integration_connection": records });
    let status = value.get("status");
    let id = headers.get("X-REQUEST-ID");
    f.debug_struct("C").field("client_id", &self.client_id);
    let v: serde_json::Value = todo();
    use serde_json::{json, Value};
    let fine = "Integration connection not found";
}
#[cfg(test)]
mod tests {
    fn t() { json!({"uuid": 1}); }
}
"#,
        );
        let found = offenders("crates/server/src/x.rs", &source, &names());
        assert_eq!(
            found,
            vec![
                "crates/server/src/x.rs:3: `json!` builds JSON by hand",
                "crates/server/src/x.rs:7: `serde_json::Value` reads JSON by hand",
                "crates/server/src/x.rs:8: `serde_json::Value` reads JSON by hand",
                "crates/server/src/x.rs:3: \"integration_connection\" is a name of the document; use exsited-spec's",
                "crates/server/src/x.rs:4: \"status\" is a name of the document; use exsited-spec's",
                "crates/server/src/x.rs:5: \"X-REQUEST-ID\" is a name of the document; use exsited-spec's",
            ]
        );
    }

    #[test]
    fn every_exception_says_why() {
        for (path, literal, why) in ALLOWED {
            assert!(why.len() > 20, "{path}: {literal}");
            assert!(
                crate::workspace_root().join(path).exists(),
                "{path} is gone"
            );
        }
        assert!(RUST_NAMES.iter().all(|(_, why)| why.len() > 20));
    }
}
