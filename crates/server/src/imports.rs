//! A check that the files of this crate import one way (`docs/ARCHITECTURE.md`): no file
//! reaches itself through the `crate::` and `super::` paths of the others.
//!
//! The paths are read from the source text, tests and comments left out; a path names the
//! deepest file it reaches (`crate::handlers::meta::health` is `handlers/meta.rs`), and a
//! module names its children without a prefix (`connections::list`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every `.rs` file under `dir` as its module path (`handlers/ctx`; `handlers` for
/// `handlers/mod.rs`) and its text without comments and test modules.
fn sources(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            sources(&path, &format!("{prefix}{name}/"), out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let module = match name.as_str() {
                "mod" => prefix.trim_end_matches('/').to_owned(),
                "lib" => continue,
                _ => format!("{prefix}{name}"),
            };
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let code: String = code
                .lines()
                .map(|l| l.split("//").next().unwrap_or_default())
                .collect::<Vec<_>>()
                .join("\n");
            out.insert(module, code);
        }
    }
}

/// The paths after each `crate::` or `super::` in `code`, braces expanded one level deep at
/// a time (`crate::{a, b::{c}}` gives `a` and `b::c`).
fn paths(code: &str, root: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(root) {
        rest = &rest[at + root.len()..];
        found.extend(expand(rest));
    }
    found
}

fn expand(text: &str) -> Vec<String> {
    let head: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect();
    let after = &text[head.len()..];
    if !after.starts_with('{') {
        return vec![head.trim_end_matches(':').to_owned()];
    }
    let mut depth = 0;
    let mut items = Vec::new();
    let mut start = 1;
    for (i, c) in after.char_indices() {
        match c {
            '{' => depth += 1,
            '}' | ',' if depth == 1 => {
                items.push(&after[start..i]);
                start = i + 1;
                if c == '}' {
                    break;
                }
            }
            '}' => depth -= 1,
            _ => {}
        }
    }
    items
        .into_iter()
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .flat_map(|item| expand(item).into_iter().map(|p| format!("{head}{p}")))
        .collect()
}

/// The file `path` (`a::b::c`) reaches: the longest prefix that is a module of `files`.
fn file_of(path: &str, files: &BTreeMap<String, String>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").filter(|p| *p != "self").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("/"))
        .find(|candidate| files.contains_key(candidate))
}

#[test]
fn no_file_imports_itself_through_others() {
    let mut files = BTreeMap::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        "",
        &mut files,
    );
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, code) in &files {
        let parent = module.rsplit_once('/').map_or("", |(p, _)| p);
        let mut targets: Vec<String> = paths(code, "crate::");
        targets.extend(
            paths(code, "super::")
                .into_iter()
                .map(|p| format!("{}::{p}", parent.replace('/', "::"))),
        );
        let mut reached: BTreeSet<String> = targets
            .iter()
            .filter_map(|p| file_of(p, &files))
            .filter(|target| target != module)
            .collect();
        // A module's own children are named without a prefix (`connections::list`).
        let children = files.keys().filter(|f| {
            f.strip_prefix(&format!("{module}/"))
                .is_some_and(|child| !child.contains('/'))
        });
        for child in children {
            let name = child.rsplit('/').next().unwrap_or_default();
            let named = code.match_indices(&format!("{name}::")).any(|(at, _)| {
                !code[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
            });
            if named {
                reached.insert(child.clone());
            }
        }
        edges.insert(module.clone(), reached);
    }
    assert!(
        edges["handlers/ctx"].contains("body") && edges["handlers"].contains("handlers/ctx"),
        "the reader sees imports: {edges:?}"
    );
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut stack = vec![vec![start.clone()]];
        while let Some(trail) = stack.pop() {
            for next in &edges[trail.last().unwrap()] {
                assert!(
                    next != start,
                    "import cycle: {} -> {start}",
                    trail.join(" -> ")
                );
                if seen.insert(next.clone()) {
                    let mut longer = trail.clone();
                    longer.push(next.clone());
                    stack.push(longer);
                }
            }
        }
    }
}
