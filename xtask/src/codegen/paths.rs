//! `paths.rs`: for every operation of the document, an `Operation` constant (method and
//! template, for routers) and a function that builds its `Path` from typed ids (for clients),
//! and `ALL`.
//!
//! A path parameter's type is the `x-rust-type` of its component (an id type of
//! `exsited-core`), so a call with a missing, extra or swapped id does not compile. An
//! operation that takes the list parameters (`Limit`, `Offset`, `OrderBy`, `Direction`) takes
//! a `ListQuery`, written into the path by `exsited_spec::query::encode`.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde_yaml_ng::{Mapping, Value};

use super::{doc_comment, screaming_snake, snake, str_of};

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The components of the list query that `exsited_core::ListQuery` carries: an operation takes
/// all of them or none.
const LIST_QUERY: &[&str] = &["Limit", "Offset", "OrderBy", "Direction"];

const PRELUDE: &str =
    "//! The operations of `openapi.yaml`, by `operationId`: one [`Operation`] constant each
//! (method and path template, what a router needs), [`ALL`] of them in document order, and one
//! function each that builds the operation's [`Path`] from typed ids (what a client needs).
//!
//! A path parameter is taken as the id type its component names (`x-rust-type`), so a call with
//! a missing, extra or swapped id does not compile; ids print as canonical UUIDs, which need no
//! escaping. A list takes its [`ListQuery`](exsited_core::ListQuery), written as the document's
//! query parameters by [`crate::query::encode`].

pub use crate::operation::{Operation, Path};
";

/// One operation, as read from the document.
struct Op {
    id: String,
    method: String,
    template: String,
    summary: String,
    /// The path parameters in template order: (name, Rust type).
    params: Vec<(String, String)>,
    /// Whether it takes the list query.
    list: bool,
}

pub(super) fn generate(doc: &Value) -> Result<String, String> {
    let ops = operations(doc)?;
    let mut out = String::from(PRELUDE);
    for op in &ops {
        let name = screaming_snake(&op.id);
        out.push('\n');
        out.push_str(&doc_comment(&format!("`{}`: {}.", op.id, op.summary), ""));
        writeln!(
            out,
            "pub const {name}: Operation = Operation {{ id: {:?}, method: {:?}, template: {:?} }};",
            op.id, op.method, op.template
        )
        .expect("writing to a String");
        out.push('\n');
        out.push_str(&function(op, &name));
    }
    out.push_str("\n/// Every operation, in document order.\npub const ALL: &[Operation] = &[\n");
    for op in &ops {
        writeln!(out, "    {},", screaming_snake(&op.id)).expect("writing to a String");
    }
    out.push_str("];\n");
    Ok(out)
}

/// The path function of one operation.
fn function(op: &Op, constant: &str) -> String {
    let mut args: Vec<String> = op
        .params
        .iter()
        .map(|(name, ty)| format!("{name}: exsited_core::{ty}"))
        .collect();
    let mut path = format!("{:?}", op.template);
    if op.list {
        args.push("query: &exsited_core::ListQuery".to_owned());
        path = format!("{:?}", format!("{}?{{}}", op.template));
    }
    let value = if op.params.is_empty() && !op.list {
        format!("{path}.to_owned()")
    } else if op.list {
        format!("format!({path}, crate::query::encode(query))")
    } else {
        format!("format!({path})")
    };
    let mut docs = format!(
        "The path of [`{constant}`]: `{} {}`",
        op.method, op.template
    );
    if op.list {
        docs.push_str(" and the list query");
    }
    docs.push('.');
    format!(
        "{}pub fn {}({}) -> Path {{\n    Path::new({constant}, {value})\n}}\n",
        doc_comment(&docs, ""),
        snake(&op.id),
        args.join(", ")
    )
}

fn operations(doc: &Value) -> Result<Vec<Op>, String> {
    let paths = doc
        .get("paths")
        .and_then(Value::as_mapping)
        .ok_or("the document has no `paths`")?;
    let components = doc
        .get("components")
        .and_then(|c| c.get("parameters"))
        .and_then(Value::as_mapping);
    let mut ops = Vec::new();
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
            let method = method.to_uppercase();
            let id = str_of(op, "operationId")
                .ok_or_else(|| format!("{method} {template} has no operationId"))?;
            if !seen.insert(id.to_owned()) {
                return Err(format!("operationId `{id}` is used twice"));
            }
            let (params, list) = parameters(id, template, op, components)?;
            ops.push(Op {
                id: id.to_owned(),
                method,
                template: template.to_owned(),
                summary: str_of(op, "summary").unwrap_or(id).to_owned(),
                params,
                list,
            });
        }
    }
    Ok(ops)
}

/// The path parameters of an operation in template order, with their Rust types, and whether
/// it takes the list query.
fn parameters(
    id: &str,
    template: &str,
    op: &Value,
    components: Option<&Mapping>,
) -> Result<(Vec<(String, String)>, bool), String> {
    let mut in_path = Vec::new();
    let mut list_parts = Vec::new();
    for param in op
        .get("parameters")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
    {
        let component = str_of(param, "$ref")
            .and_then(|r| r.strip_prefix("#/components/parameters/"))
            .ok_or_else(|| {
                format!("{id}: parameters must be references to components/parameters")
            })?;
        let value = components
            .and_then(|c| c.get(component))
            .ok_or_else(|| format!("{id}: no parameter component `{component}`"))?;
        if LIST_QUERY.contains(&component) {
            list_parts.push(component);
        }
        if str_of(value, "in") == Some("path") {
            let name = str_of(value, "name")
                .ok_or_else(|| format!("parameter `{component}` has no name"))?;
            let ty = str_of(value, "x-rust-type").ok_or_else(|| {
                format!(
                    "path parameter `{component}` needs `x-rust-type` (an exsited-core id type)"
                )
            })?;
            if !is_identifier(ty) {
                return Err(format!(
                    "`x-rust-type` of `{component}` is not a type name: {ty:?}"
                ));
            }
            in_path.push((name.to_owned(), ty.to_owned()));
        }
    }
    let list = match list_parts.len() {
        0 => false,
        n if n == LIST_QUERY.len() => true,
        _ => {
            return Err(format!(
                "{id}: takes some of the list parameters {LIST_QUERY:?} but not all"
            ));
        }
    };
    let mut ordered = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .map(|c| open + c)
            .ok_or_else(|| format!("{template}: a placeholder is not closed"))?;
        let name = &rest[open + 1..close];
        if !is_identifier(name) || super::is_keyword(name) {
            return Err(format!(
                "{template}: placeholder `{name}` is not a Rust identifier"
            ));
        }
        let param = in_path
            .iter()
            .find(|(n, _)| n == name)
            .ok_or_else(|| format!("{id}: placeholder `{name}` has no path parameter"))?;
        ordered.push(param.clone());
        rest = &rest[close + 1..];
    }
    if ordered.len() != in_path.len() {
        return Err(format!(
            "{id}: a path parameter has no placeholder in {template}"
        ));
    }
    Ok((ordered, list))
}

fn is_identifier(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths_of(yaml: &str) -> Result<String, String> {
        let doc: Value = serde_yaml_ng::from_str(yaml).expect("test YAML parses");
        generate(&doc)
    }

    const COMPONENTS: &str = r#"
components:
  parameters:
    Parent: {name: uuid, in: path, required: true, x-rust-type: ConnectionId}
    Child: {name: child_uuid, in: path, required: true, x-rust-type: AutomationId}
    Untyped: {name: uuid, in: path, required: true}
    Limit: {name: limit, in: query}
    Offset: {name: offset, in: query}
    OrderBy: {name: order_by, in: query}
    Direction: {name: direction, in: query}
"#;

    #[test]
    fn path_functions_take_typed_ids_in_template_order() {
        let out = paths_of(&format!(
            r#"
paths:
  /a/{{uuid}}/b/{{child_uuid}}:
    patch:
      operationId: updateChild
      summary: Update a child
      parameters:
        - $ref: '#/components/parameters/Child'
        - $ref: '#/components/parameters/Parent'
  /a/{{uuid}}/b:
    get:
      operationId: listChildren
      parameters:
        - $ref: '#/components/parameters/Parent'
        - $ref: '#/components/parameters/Limit'
        - $ref: '#/components/parameters/Offset'
        - $ref: '#/components/parameters/OrderBy'
        - $ref: '#/components/parameters/Direction'
  /healthz:
    get:
      operationId: health
{COMPONENTS}"#
        ))
        .expect("generates");
        assert!(
            out.contains(
                "pub fn update_child(uuid: exsited_core::ConnectionId, child_uuid: exsited_core::AutomationId) -> Path {\n    Path::new(UPDATE_CHILD, format!(\"/a/{uuid}/b/{child_uuid}\"))\n}"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "pub fn list_children(uuid: exsited_core::ConnectionId, query: &exsited_core::ListQuery) -> Path {\n    Path::new(LIST_CHILDREN, format!(\"/a/{uuid}/b?{}\", crate::query::encode(query)))\n}"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "pub fn health() -> Path {\n    Path::new(HEALTH, \"/healthz\".to_owned())\n}"
            ),
            "{out}"
        );
        assert!(out.contains("pub const UPDATE_CHILD: Operation = Operation { id: \"updateChild\", method: \"PATCH\", template: \"/a/{uuid}/b/{child_uuid}\" };"), "{out}");
        assert!(
            out.contains("UPDATE_CHILD,\n    LIST_CHILDREN,\n    HEALTH,\n];"),
            "{out}"
        );
    }

    /// A document of one `GET` operation on `path` with `parameters` (component names).
    fn one_operation(path: &str, parameters: &[&str]) -> Result<String, String> {
        let refs: String = parameters
            .iter()
            .map(|p| format!("        - $ref: '#/components/parameters/{p}'\n"))
            .collect();
        paths_of(&format!(
            "paths:\n  '{path}':\n    get:\n      operationId: getA\n      parameters:\n{refs}{COMPONENTS}"
        ))
    }

    #[test]
    fn a_path_parameter_without_a_type_is_an_error() {
        let err = one_operation("/a/{uuid}", &["Untyped"]).unwrap_err();
        assert!(err.contains("x-rust-type"), "{err}");
    }

    #[test]
    fn placeholders_and_parameters_must_match() {
        let missing = one_operation("/a/{uuid}", &[]).unwrap_err();
        assert!(
            missing.contains("placeholder `uuid` has no path parameter"),
            "{missing}"
        );
        let unused = one_operation("/a", &["Parent"]).unwrap_err();
        assert!(unused.contains("has no placeholder"), "{unused}");
        let keyword = one_operation("/a/{type}", &[]).unwrap_err();
        assert!(keyword.contains("not a Rust identifier"), "{keyword}");
    }

    #[test]
    fn part_of_the_list_query_is_an_error() {
        let err = one_operation("/a", &["Limit", "Offset"]).unwrap_err();
        assert!(err.contains("but not all"), "{err}");
    }

    #[test]
    fn an_operation_id_used_twice_is_an_error() {
        let err =
            paths_of("paths: {/a: {get: {operationId: same}}, /b: {get: {operationId: same}}}")
                .unwrap_err();
        assert!(err.contains("used twice"), "{err}");
    }
}
