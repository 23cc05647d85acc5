//! `parameters.rs`: the name of every path and query parameter of `components/parameters`, one
//! constant per name (three components may share `fields`).

use std::fmt::Write as _;

use serde_yaml_ng::Value;

use super::{doc_comment, str_of};

const PRELUDE: &str = "//! The path and query parameters of `openapi.yaml`, by name: one constant per distinct name in
//! `components/parameters` (`in: path` or `in: query`), named after it (`order_by` is
//! [`ORDER_BY`]). Headers are in [`crate::headers`].
";

/// One name: where it goes, the components that use it, and their description.
struct Entry {
    name: String,
    location: String,
    components: Vec<String>,
    description: String,
}

pub(super) fn generate(doc: &Value) -> Result<String, String> {
    let mut entries: Vec<Entry> = Vec::new();
    for (component, param) in doc
        .get("components")
        .and_then(|c| c.get("parameters"))
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
    {
        let component = component
            .as_str()
            .ok_or("a parameter key is not a string")?;
        let location =
            str_of(param, "in").ok_or_else(|| format!("parameter `{component}` has no `in`"))?;
        if location == "header" {
            continue;
        }
        if location != "path" && location != "query" {
            return Err(format!(
                "parameter `{component}`: `in: {location}` is not supported"
            ));
        }
        let name = str_of(param, "name")
            .filter(|n| {
                n.starts_with(|c: char| c.is_ascii_lowercase())
                    && n.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            })
            .ok_or_else(|| {
                format!(
                    "parameter `{component}` needs a `name` of lower-case letters, digits and `_`"
                )
            })?;
        match entries.iter_mut().find(|e| e.name == name) {
            Some(entry) if entry.location == location => {
                entry.components.push(component.to_owned())
            }
            Some(entry) => {
                return Err(format!(
                    "parameter `{name}` is used in the {} and in the {location}",
                    entry.location
                ));
            }
            None => entries.push(Entry {
                name: name.to_owned(),
                location: location.to_owned(),
                components: vec![component.to_owned()],
                description: str_of(param, "description").unwrap_or("").trim().to_owned(),
            }),
        }
    }
    let mut out = String::from(PRELUDE);
    for entry in &entries {
        let mut text = format!("`{}`, in the {}", entry.name, entry.location);
        if let [component] = entry.components.as_slice() {
            write!(text, " (`{component}`).").expect("writing to a String");
        } else {
            // Components that share a name describe it each for its own operations.
            text.push_str(", described for its operations by each of:\n");
            for component in &entry.components {
                writeln!(text, "- `{component}`").expect("writing to a String");
            }
        }
        if entry.components.len() == 1 && !entry.description.is_empty() {
            write!(text, "\n\n{}", entry.description).expect("writing to a String");
        }
        out.push('\n');
        out.push_str(&doc_comment(&text, ""));
        writeln!(
            out,
            "pub const {}: &str = {:?};",
            entry.name.to_ascii_uppercase(),
            entry.name
        )
        .expect("writing to a String");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parameters_of(yaml: &str) -> Result<String, String> {
        let doc: Value = serde_yaml_ng::from_str(yaml).expect("test YAML parses");
        generate(&doc)
    }

    #[test]
    fn one_constant_per_name_and_no_headers() {
        let out = parameters_of(
            r#"
components:
  parameters:
    AFields: {name: fields, in: query, description: The fields of A.}
    BFields: {name: fields, in: query, description: The fields of B.}
    Parent: {name: uuid, in: path}
    RequestId: {name: X-Request-Id, in: header}
"#,
        )
        .expect("generates");
        assert!(
            out.contains("/// `fields`, in the query, described for its operations by each of:\n/// - `AFields`\n/// - `BFields`\npub const FIELDS: &str = \"fields\";"),
            "{out}"
        );
        assert!(out.contains("pub const UUID: &str = \"uuid\";"), "{out}");
        assert!(!out.contains("X-Request-Id"), "{out}");
    }

    #[test]
    fn one_name_in_two_places_is_an_error() {
        let err = parameters_of(
            "components: {parameters: {A: {name: id, in: path}, B: {name: id, in: query}}}",
        )
        .unwrap_err();
        assert!(err.contains("in the path and in the query"), "{err}");
    }
}
