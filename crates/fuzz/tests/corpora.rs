//! The committed corpora, replayed: every file of `fuzz/corpus/<target>/` (the seeds from the
//! contract and every regression a fuzzer found) goes through its target, so that a plain
//! `cargo test` checks them in seconds. Also keeps the targets, the cargo-fuzz crate, the
//! corpus directories and the document's request bodies in step.

use std::collections::BTreeSet;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use exsited_fuzz::{REQUEST_BODIES, TARGETS};
use exsited_spec::OPENAPI_YAML;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The names of the entries of `dir` (files or directories), sorted.
fn names(dir: &Path, extension: Option<&str>) -> BTreeSet<String> {
    fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter_map(|path| match extension {
            Some(ext) => (path.extension()? == ext)
                .then(|| path.file_stem())
                .flatten()
                .map(|s| s.to_string_lossy().into_owned()),
            None => path.file_name().map(|s| s.to_string_lossy().into_owned()),
        })
        .collect()
}

#[test]
fn every_corpus_file_passes_its_target() {
    let mut failed = Vec::new();
    let mut replayed = 0;
    for target in TARGETS {
        let dir = fuzz_dir().join("corpus").join(target.name);
        let files = names(&dir, None);
        assert!(!files.is_empty(), "{} has no corpus", target.name);
        for file in files {
            let path = dir.join(&file);
            let data = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // Every failing file is listed, not only the first (each panic also prints why).
            if catch_unwind(AssertUnwindSafe(|| (target.run)(&data))).is_err() {
                failed.push(format!("{}/{file}", target.name));
            }
            replayed += 1;
        }
    }
    assert!(failed.is_empty(), "corpus files that fail: {failed:#?}");
    assert!(replayed > TARGETS.len());
}

#[test]
fn the_targets_the_fuzz_crate_and_the_corpora_agree() {
    let targets: BTreeSet<String> = TARGETS.iter().map(|t| t.name.to_owned()).collect();
    assert_eq!(
        names(&fuzz_dir().join("fuzz_targets"), Some("rs")),
        targets,
        "fuzz/fuzz_targets/*.rs"
    );
    assert_eq!(
        names(&fuzz_dir().join("corpus"), None),
        targets,
        "fuzz/corpus/*"
    );
    let manifest = fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    for target in &targets {
        let bin = format!("[[bin]]\nname = \"{target}\"\npath = \"fuzz_targets/{target}.rs\"");
        assert!(manifest.contains(&bin), "fuzz/Cargo.toml lacks {bin}");
    }
}

/// Every request body of the document is fuzzed: the token request by its own target, the
/// others by `request_body`.
#[test]
fn every_request_body_of_the_document_is_fuzzed() {
    let doc: serde_yaml_ng::Value = serde_yaml_ng::from_str(OPENAPI_YAML).expect("parses");
    let mut bodies = BTreeSet::new();
    for (_, item) in doc["paths"].as_mapping().expect("paths") {
        for (_, operation) in item.as_mapping().expect("path item") {
            let schema = &operation["requestBody"]["content"]["application/json"]["schema"];
            if let Some(reference) = schema["$ref"].as_str() {
                let name = reference.rsplit('/').next().expect("a reference");
                bodies.insert(name.to_owned());
            }
        }
    }
    let mut fuzzed: BTreeSet<String> = REQUEST_BODIES.iter().map(|b| b.schema.to_owned()).collect();
    fuzzed.insert("TokenRequest".to_owned());
    assert_eq!(fuzzed, bodies);
}

/// The dictionary the fuzzers get holds every name of the document a body or a query uses.
#[test]
fn the_dictionary_has_every_name_of_the_document() {
    let dictionary = fs::read_to_string(fuzz_dir().join("wire.dict")).expect("fuzz/wire.dict");
    let mut missing = Vec::new();
    for schema in exsited_spec::schemas::ALL {
        let Some(object) = schema.object() else {
            continue;
        };
        for name in object.names() {
            if !dictionary.contains(&format!("\"\\\"{name}\\\"\"")) {
                missing.push(name);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "names missing from fuzz/wire.dict: {missing:?}"
    );
}
