//! `paths.rs`: one `Operation` constant per operation of the document, and `ALL`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_yaml_ng::Value;

use super::{doc_comment, screaming_snake, str_of};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The fixed part of `paths.rs`: the `Operation` type, its `path` method and their tests.
const PRELUDE: &str = r#"//! The operations of `openapi.yaml`: method and path template of each, by `operationId`.
//!
//! Templates are exactly as in the document, placeholders included
//! (`/api/v3/integration/{uuid}`); [`Operation::path`] fills them in.

/// One operation of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The `operationId`, unique in the document.
    pub id: &'static str,
    /// The HTTP method, upper case (`GET`, `POST`, `PATCH`, `DELETE`).
    pub method: &'static str,
    /// The path template, with `{name}` placeholders.
    pub template: &'static str,
}

impl Operation {
    /// The path with each `{...}` placeholder replaced by the next of `params`, in order.
    ///
    /// Values are inserted verbatim: callers pass ids they have validated (UUIDs need no
    /// escaping).
    ///
    /// # Panics
    ///
    /// When the number of `params` differs from the number of placeholders, a programming error.
    pub fn path(&self, params: &[&str]) -> String {
        let mut out = String::with_capacity(self.template.len() + 36 * params.len());
        let mut rest = self.template;
        let mut values = params.iter();
        while let Some(open) = rest.find('{') {
            let close = open + rest[open..].find('}').expect("placeholder is closed");
            let value = values.next().unwrap_or_else(|| {
                panic!("{} needs more than {} path parameters", self.id, params.len())
            });
            out.push_str(&rest[..open]);
            out.push_str(value);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        assert!(
            values.next().is_none(),
            "{} takes fewer than {} path parameters",
            self.id,
            params.len()
        );
        out
    }
}
"#;

/// The tests of `Operation::path`, placed last in the file.
const TESTS: &str = r#"
#[cfg(test)]
mod tests {
    use super::Operation;

    const OP: Operation = Operation { id: "t", method: "GET", template: "/a/{x}/b/{y}/" };

    #[test]
    fn path_fills_placeholders_in_order() {
        assert_eq!(OP.path(&["1", "2"]), "/a/1/b/2/");
        let plain = Operation { template: "/healthz", ..OP };
        assert_eq!(plain.path(&[]), "/healthz");
    }

    #[test]
    #[should_panic(expected = "needs more")]
    fn path_panics_on_missing_params() {
        let _ = OP.path(&["1"]);
    }

    #[test]
    #[should_panic(expected = "fewer")]
    fn path_panics_on_extra_params() {
        let _ = OP.path(&["1", "2", "3"]);
    }
}
"#;

pub(super) fn generate(doc: &Value) -> Result<String, String> {
    let paths = doc
        .get("paths")
        .and_then(Value::as_mapping)
        .ok_or("the document has no `paths`")?;
    let mut out = String::from(PRELUDE);
    let mut consts = Vec::new();
    let mut seen = BTreeSet::new();
    for (template, item) in paths {
        let template = template.as_str().ok_or("a path key is not a string")?;
        let item = item
            .as_mapping()
            .ok_or_else(|| format!("path {template} is not a mapping"))?;
        for (method, op) in item {
            let Some(method) = method.as_str().filter(|m| METHODS.contains(m)) else {
                continue;
            };
            let id = str_of(op, "operationId").ok_or_else(|| {
                format!("{} {template} has no operationId", method.to_uppercase())
            })?;
            if !seen.insert(id.to_owned()) {
                return Err(format!("operationId `{id}` is used twice"));
            }
            let name = screaming_snake(id);
            let summary = str_of(op, "summary").unwrap_or(id);
            out.push('\n');
            out.push_str(&doc_comment(&format!("`{id}`: {summary}."), ""));
            writeln!(
                out,
                "pub const {name}: Operation = Operation {{ id: {id:?}, method: {:?}, template: {template:?} }};",
                method.to_uppercase()
            )
            .expect("writing to a String");
            consts.push(name);
        }
    }
    out.push_str("\n/// Every operation, in document order.\npub const ALL: &[Operation] = &[\n");
    for name in &consts {
        writeln!(out, "    {name},").expect("writing to a String");
    }
    out.push_str("];\n");
    out.push_str(TESTS);
    Ok(out)
}
