//! `schemas.rs`: one `exsited_spec::schema::Schema` static per schema in `components/schemas`,
//! the data `exsited_spec::validate` checks bodies against, and the `Described` impl that ties
//! each generated wire type to its schema.

use std::fmt::Write as _;

use serde_yaml_ng::{Mapping, Value};

use super::{doc_comment, screaming_snake, str_of};

const PRELUDE: &str =
    "//! The schemas of `components/schemas` in `openapi.yaml`, as data for [`crate::validate`]:
//! one static per schema, named after it (`TokenRequest` is [`TOKEN_REQUEST`]), every `$ref`
//! a reference to another of them, and the [`Described`] impl of each generated wire type.

#[allow(unused_imports)]
use crate::schema::{Described, Kind, Object, Pattern, Property, Range, Schema, Text};
";

/// Keywords that only annotate: they change nothing in what a value may be.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "format",
    "default",
    "example",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "contentMediaType",
    "x-secret",
];

/// Keywords the validator implements.
const CHECKED: &[&str] = &[
    "type",
    "nullable",
    "enum",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "items",
    "properties",
    "required",
    "additionalProperties",
    "oneOf",
    "allOf",
    "$ref",
];

pub(super) fn generate(doc: &Value) -> Result<String, String> {
    let schemas = doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping)
        .ok_or("the document has no components/schemas")?;
    let mut out = String::from(PRELUDE);
    let mut statics = Vec::new();
    let mut impls = String::new();
    for (name, schema) in schemas {
        let name = name.as_str().ok_or("a schema name is not a string")?;
        let ident = screaming_snake(name);
        let text = str_of(schema, "description").unwrap_or(name);
        out.push('\n');
        out.push_str(&doc_comment(&format!("`{name}`: {text}"), ""));
        let value = describe_component(name, schema, schemas)?;
        writeln!(out, "pub static {ident}: Schema = {value};").expect("writing to a String");
        // The same rule as `types.rs`: a struct or an enum is generated for these, an alias
        // for the others (which therefore share their target's impl).
        if schema.get("properties").is_some() || schema.get("oneOf").is_some() {
            write!(
                impls,
                "\nimpl Described for super::types::{name} {{\n    fn schema() -> &'static Schema {{\n        &{ident}\n    }}\n}}\n"
            )
            .expect("writing to a String");
        }
        statics.push(ident);
    }
    out.push_str(&impls);
    out.push_str("\n/// Every schema, in document order.\npub static ALL: &[&Schema] = &[\n");
    for ident in &statics {
        writeln!(out, "    &{ident},").expect("writing to a String");
    }
    out.push_str("];\n");
    Ok(out)
}

/// A component: like any schema, except that it carries its name and may be an `allOf`.
fn describe_component(name: &str, schema: &Value, schemas: &Mapping) -> Result<String, String> {
    match schema.get("allOf") {
        Some(members) => describe_all_of(name, members, schemas),
        None => describe(schema, name, name),
    }
}

/// `allOf: [{$ref: X}, {required: [...]}]`: X with more required properties. This is the one
/// form the document needs (a create body that requires what an update body leaves optional),
/// so it is the one form supported.
fn describe_all_of(name: &str, members: &Value, schemas: &Mapping) -> Result<String, String> {
    let unsupported =
        || format!("{name}: `allOf` is supported as a `$ref` and then `required` names");
    let members = members.as_sequence().ok_or_else(unsupported)?;
    let (first, rest) = members.split_first().ok_or_else(unsupported)?;
    let target = reference(first, name)?.ok_or_else(unsupported)?;
    let base = schemas
        .get(target)
        .ok_or_else(|| format!("{name}: no schema {target}"))?;
    if base.get("properties").is_none() {
        return Err(format!("{name}: `allOf` needs an object with properties"));
    }
    let mut required = names(base.get("required"));
    for extra in rest {
        let keys: Vec<&str> = extra
            .as_mapping()
            .ok_or_else(unsupported)?
            .keys()
            .filter_map(Value::as_str)
            .collect();
        if keys.iter().any(|k| *k != "required" && *k != "description") {
            return Err(unsupported());
        }
        required.extend(names(extra.get("required")));
    }
    let mut merged = base.clone();
    let list = required.into_iter().map(Value::from).collect();
    if let Some(map) = merged.as_mapping_mut() {
        map.insert(Value::from("required"), Value::Sequence(list));
    }
    describe(&merged, name, name)
}

fn names(list: Option<&Value>) -> Vec<String> {
    list.and_then(Value::as_sequence)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The target of a `$ref` to `components/schemas`, if the schema is one.
fn reference<'a>(schema: &'a Value, at: &str) -> Result<Option<&'a str>, String> {
    let Some(target) = str_of(schema, "$ref") else {
        return Ok(None);
    };
    let name = target
        .strip_prefix("#/components/schemas/")
        .ok_or_else(|| format!("{at}: only references to components/schemas are supported"))?;
    if schema.as_mapping().is_some_and(|m| m.len() > 1) {
        return Err(format!("{at}: a `$ref` takes no other keywords"));
    }
    Ok(Some(name))
}

/// A `&'static Schema` expression: the component's static for a `$ref`, an inline value
/// otherwise.
fn schema_ref(schema: &Value, at: &str) -> Result<String, String> {
    match reference(schema, at)? {
        Some(target) => Ok(format!("&{}", screaming_snake(target))),
        None => Ok(format!("&{}", describe(schema, "", at)?)),
    }
}

/// A `Schema { .. }` expression for `schema`, named `name` (empty when inline).
fn describe(schema: &Value, name: &str, at: &str) -> Result<String, String> {
    let map = schema
        .as_mapping()
        .ok_or_else(|| format!("{at}: a schema must be a mapping"))?;
    for key in map.keys() {
        let key = key.as_str().unwrap_or_default();
        if !ANNOTATIONS.contains(&key) && !CHECKED.contains(&key) {
            return Err(format!(
                "{at}: `{key}` is a keyword the validator (exsited_spec::validate) does not implement"
            ));
        }
    }
    if schema.get("$ref").is_some() {
        return Err(format!(
            "{at}: a `$ref` is supported only as a property or item"
        ));
    }
    if schema.get("allOf").is_some() {
        return Err(format!(
            "{at}: `allOf` is supported only as a whole schema in components/schemas"
        ));
    }
    let (kind, nullable) = type_of(schema, at)?;
    let expression = match kind {
        None if schema.get("oneOf").is_some() => {
            let members = schema["oneOf"]
                .as_sequence()
                .ok_or_else(|| format!("{at}: `oneOf` must be a list"))?;
            let refs = members
                .iter()
                .enumerate()
                .map(|(i, m)| schema_ref(m, &format!("{at}.oneOf[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            format!("Kind::OneOf(&[{}])", refs.join(", "))
        }
        None if schema.get("properties").is_some() => object(schema, at)?,
        None => "Kind::Any".to_owned(),
        Some("string") => text(schema, at)?,
        Some("integer") => format!(
            "Kind::Integer(Range {{ minimum: {}, maximum: {} }})",
            bound(schema, "minimum", at)?,
            bound(schema, "maximum", at)?
        ),
        Some("number") => {
            if schema.get("minimum").is_some() || schema.get("maximum").is_some() {
                return Err(format!("{at}: bounds are supported on integers only"));
            }
            "Kind::Number".to_owned()
        }
        Some("boolean") => "Kind::Boolean".to_owned(),
        Some("null") => "Kind::Null".to_owned(),
        Some("array") => {
            let items = schema
                .get("items")
                .ok_or_else(|| format!("{at}: an array needs `items`"))?;
            format!("Kind::Array({})", schema_ref(items, &format!("{at}[]"))?)
        }
        Some("object") => object(schema, at)?,
        Some(other) => return Err(format!("{at}: unsupported type `{other}`")),
    };
    let string_only = ["enum", "minLength", "maxLength", "pattern"];
    if let Some(key) = string_only
        .iter()
        .find(|k| kind != Some("string") && schema.get(**k).is_some())
    {
        return Err(format!("{at}: `{key}` is supported on strings only"));
    }
    Ok(format!(
        "Schema {{ name: {name:?}, nullable: {nullable}, kind: {expression} }}"
    ))
}

/// The `type` (without `null`) and whether `null` is allowed.
fn type_of<'a>(schema: &'a Value, at: &str) -> Result<(Option<&'a str>, bool), String> {
    let mut nullable = schema
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let kind = match schema.get("type") {
        None => None,
        Some(Value::String(kind)) => Some(kind.as_str()),
        Some(Value::Sequence(kinds)) => {
            let mut named = Vec::new();
            for kind in kinds {
                match kind.as_str() {
                    Some("null") => nullable = true,
                    Some(kind) => named.push(kind),
                    None => return Err(format!("{at}: a type list holds strings")),
                }
            }
            if named.len() > 1 {
                return Err(format!(
                    "{at}: a type list may hold one type besides \"null\""
                ));
            }
            named.first().copied()
        }
        Some(_) => return Err(format!("{at}: `type` must be a string or a list")),
    };
    Ok((kind, nullable))
}

fn text(schema: &Value, at: &str) -> Result<String, String> {
    let length = |key: &str| -> Result<String, String> {
        match schema.get(key) {
            None => Ok("None".to_owned()),
            Some(n) => n
                .as_u64()
                .map(|n| format!("Some({n})"))
                .ok_or_else(|| format!("{at}: `{key}` must be a whole number")),
        }
    };
    let allowed = match schema.get("enum") {
        None => Vec::new(),
        Some(values) => values
            .as_sequence()
            .ok_or_else(|| format!("{at}: `enum` must be a list"))?
            .iter()
            .map(|v| {
                v.as_str()
                    .map(|s| format!("{s:?}"))
                    .ok_or_else(|| format!("{at}: `enum` values must be strings"))
            })
            .collect::<Result<_, _>>()?,
    };
    let pattern = match schema.get("pattern") {
        None => "None".to_owned(),
        Some(p) => {
            let p = p
                .as_str()
                .ok_or_else(|| format!("{at}: `pattern` must be a string"))?;
            format!("Some(Pattern::known({p:?}))")
        }
    };
    let secret = schema
        .get("x-secret")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(format!(
        "Kind::String(Text {{ min_length: {}, max_length: {}, allowed: &[{}], pattern: {pattern}, secret: {secret} }})",
        length("minLength")?,
        length("maxLength")?,
        allowed.join(", ")
    ))
}

fn bound(schema: &Value, key: &str, at: &str) -> Result<String, String> {
    match schema.get(key) {
        None => Ok("None".to_owned()),
        Some(n) => n
            .as_i64()
            .map(|n| format!("Some({n})"))
            .ok_or_else(|| format!("{at}: `{key}` must be an integer")),
    }
}

fn object(schema: &Value, at: &str) -> Result<String, String> {
    let required = names(schema.get("required"));
    let properties = schema.get("properties").and_then(Value::as_mapping);
    let mut listed = Vec::new();
    for (key, prop) in properties.into_iter().flatten() {
        let key = key
            .as_str()
            .ok_or_else(|| format!("{at}: a property name is not a string"))?;
        let value = schema_ref(prop, &format!("{at}.{key}"))?;
        listed.push(format!(
            "Property {{ name: {key:?}, required: {}, schema: {value} }}",
            required.iter().any(|r| r == key)
        ));
    }
    if let Some(missing) = required
        .iter()
        .find(|r| !properties.is_some_and(|p| p.contains_key(r.as_str())))
    {
        return Err(format!(
            "{at}: required field `{missing}` is not a property"
        ));
    }
    // Unknown properties are allowed (the contract ignores them) unless the object says
    // `additionalProperties: false`, as the configuration request does for its sections.
    let (additional, closed) = match schema.get("additionalProperties") {
        None | Some(Value::Bool(true)) => ("None".to_owned(), false),
        Some(Value::Bool(false)) if properties.is_some() => ("None".to_owned(), true),
        Some(extra @ Value::Mapping(_)) if properties.is_none() => (
            format!("Some({})", schema_ref(extra, &format!("{at}.*"))?),
            false,
        ),
        Some(_) => {
            return Err(format!(
                "{at}: `additionalProperties` may give the value schema of a map (an object \
                 without properties) or be `false` on an object with properties"
            ));
        }
    };
    Ok(format!(
        "Kind::Object(Object {{ properties: &[{}], additional: {additional}, closed: {closed} }})",
        listed.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schemas_of(yaml: &str) -> Result<String, String> {
        let doc: Value = serde_yaml_ng::from_str(yaml).expect("test YAML parses");
        generate(&doc)
    }

    #[test]
    fn every_keyword_is_described() {
        let out = schemas_of(
            r#"
components:
  schemas:
    Rec:
      type: object
      required: [id]
      properties:
        id: {type: string, minLength: 1, maxLength: 9, pattern: '^[A-Za-z0-9_-]+$'}
        key: {type: string, format: password, x-secret: true}
        kind: {type: [string, "null"], enum: [a, b]}
        count: {type: integer, minimum: 1, maximum: 100}
        tags: {type: array, items: {$ref: '#/components/schemas/Code'}}
        extra: {type: object, additionalProperties: {type: string}}
    Code:
      oneOf:
        - {title: Number, type: integer}
        - {title: Text, type: string}
    Strict:
      allOf:
        - $ref: '#/components/schemas/Rec'
        - required: [key]
"#,
        )
        .expect("generates");
        for expected in [
            r#"Property { name: "id", required: true, schema: &Schema { name: "", nullable: false, kind: Kind::String(Text { min_length: Some(1), max_length: Some(9), allowed: &[], pattern: Some(Pattern::known("^[A-Za-z0-9_-]+$")), secret: false }) } }"#,
            "secret: true",
            r#"nullable: true, kind: Kind::String(Text { min_length: None, max_length: None, allowed: &["a", "b"]"#,
            "Kind::Integer(Range { minimum: Some(1), maximum: Some(100) })",
            "Kind::Array(&CODE)",
            "additional: Some(&Schema {",
            "Kind::OneOf(&[&Schema {",
            "impl Described for super::types::Rec",
            "impl Described for super::types::Code",
            "pub static ALL: &[&Schema] = &[\n    &REC,\n    &CODE,\n    &STRICT,\n];",
        ] {
            assert!(out.contains(expected), "{expected}\n---\n{out}");
        }
        // The `allOf` is Rec with `key` required too, and gets no impl: its type is an alias.
        let strict = &out[out.find("pub static STRICT").unwrap()..];
        assert!(
            strict.contains(r#"Property { name: "key", required: true"#),
            "{strict}"
        );
        assert!(!out.contains("impl Described for super::types::Strict"));
    }

    #[test]
    fn null_members_closed_objects_and_recursion() {
        let out = schemas_of(
            r#"
components:
  schemas:
    Tree:
      oneOf:
        - {title: Leaf, type: string}
        - {title: Nodes, type: object, additionalProperties: {$ref: '#/components/schemas/Tree'}}
        - {title: Remove, type: 'null'}
    Request:
      type: object
      additionalProperties: false
      properties:
        tree: {$ref: '#/components/schemas/Tree'}
"#,
        )
        .expect("generates");
        for expected in [
            "kind: Kind::Object(Object { properties: &[], additional: Some(&TREE), closed: false })",
            "kind: Kind::Null",
            "additional: None, closed: true",
        ] {
            assert!(out.contains(expected), "{expected}\n---\n{out}");
        }
    }

    #[test]
    fn unsupported_keywords_are_errors() {
        for (schema, complaint) in [
            ("{type: string, const: x}", "`const`"),
            (
                "{type: array, items: {type: string}, minItems: 1}",
                "`minItems`",
            ),
            ("{type: integer, enum: [a]}", "strings only"),
            ("{type: number, minimum: 1}", "integers only"),
            (
                "{type: object, properties: {a: {type: string}}, additionalProperties: {type: string}}",
                "`additionalProperties`",
            ),
            (
                "{type: object, additionalProperties: false}",
                "`additionalProperties`",
            ),
            ("{allOf: [{type: string}]}", "`allOf`"),
        ] {
            let err = schemas_of(&format!("components: {{schemas: {{A: {schema}}}}}")).unwrap_err();
            assert!(err.contains(complaint), "{schema}: {err}");
        }
    }
}
