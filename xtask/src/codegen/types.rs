//! `types.rs`: one serde type per schema in `components/schemas`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_yaml_ng::{Mapping, Value};

use super::{doc_comment, is_keyword, str_of};

const PRELUDE: &str =
    "//! The wire types: one per schema in `components/schemas` of `openapi.yaml`.
//!
//! Conventions, from the generator:
//! - a field the document marks `x-secret` is a [`crate::Secret`]: redacted in `Debug`, zeroized
//!   on drop;
//! - an optional string field is a `String` that is `\"\"` when absent, as the API sends `\"\"` for
//!   empty values; other optional fields are `Option`s, left out of the JSON when `None`;
//! - unknown fields are ignored.
";

/// A Rust type for a schema.
#[derive(Clone, PartialEq)]
enum Ty {
    Str,
    Secret,
    I64,
    U64,
    F64,
    Bool,
    /// `type: 'null'`, a member of a `oneOf`: `()`, which serde reads from `null`.
    Unit,
    Any,
    Vec(Box<Ty>),
    Map(Box<Ty>),
    Ref(String),
}

impl Ty {
    fn rust(&self) -> String {
        match self {
            Ty::Str => "String".into(),
            Ty::Secret => "crate::Secret".into(),
            Ty::I64 => "i64".into(),
            Ty::U64 => "u64".into(),
            Ty::F64 => "f64".into(),
            Ty::Bool => "bool".into(),
            Ty::Unit => "()".into(),
            Ty::Any => "serde_json::Value".into(),
            Ty::Vec(item) => format!("Vec<{}>", item.rust()),
            Ty::Map(value) => format!("std::collections::BTreeMap<String, {}>", value.rust()),
            Ty::Ref(name) => name.clone(),
        }
    }

    /// Whether `default` in the document is what `Default::default()` gives for this type, so an
    /// absent field can be the plain type with `#[serde(default)]`.
    fn default_matches(&self, default: &Value) -> bool {
        match (self, default) {
            (Ty::Str, Value::String(s)) => s.is_empty(),
            (Ty::I64 | Ty::U64 | Ty::F64, Value::Number(n)) => n.as_f64() == Some(0.0),
            (Ty::Bool, Value::Bool(b)) => !b,
            (Ty::Vec(_), Value::Sequence(s)) => s.is_empty(),
            (Ty::Map(_), Value::Mapping(m)) => m.is_empty(),
            _ => false,
        }
    }
}

/// The type of a property or item schema, and whether `null` is allowed.
fn resolve(schema: &Value, at: &str) -> Result<(Ty, bool), String> {
    if let Some(target) = str_of(schema, "$ref") {
        let name = target
            .strip_prefix("#/components/schemas/")
            .ok_or_else(|| format!("{at}: only references to components/schemas are supported"))?;
        return Ok((Ty::Ref(name.to_owned()), false));
    }
    let mut nullable = schema
        .get("nullable")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let kind = match schema.get("type") {
        None => None,
        Some(Value::String(kind)) => Some(kind.as_str()),
        Some(Value::Sequence(kinds)) => {
            let mut named = kinds.iter().filter_map(Value::as_str).filter(|k| {
                let null = *k == "null";
                nullable |= null;
                !null
            });
            let kind = named.next();
            if named.next().is_some() {
                return Err(format!(
                    "{at}: a type list may hold one type besides \"null\""
                ));
            }
            kind
        }
        Some(_) => return Err(format!("{at}: `type` must be a string or a list")),
    };
    let secret = schema
        .get("x-secret")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if secret != (kind == Some("string") && str_of(schema, "format") == Some("password")) {
        return Err(format!(
            "{at}: a secret is a string with both `format: password` and `x-secret: true`"
        ));
    }
    if schema.get("oneOf").is_some() {
        return Err(format!(
            "{at}: `oneOf` is supported only as a whole schema in components/schemas"
        ));
    }
    let ty = match kind {
        Some("string") if secret => Ty::Secret,
        Some("string") => Ty::Str,
        Some("integer") => {
            let min = schema.get("minimum").and_then(Value::as_f64);
            if min.is_some_and(|m| m >= 0.0) {
                Ty::U64
            } else {
                Ty::I64
            }
        }
        Some("number") => Ty::F64,
        Some("boolean") => Ty::Bool,
        Some("null") => Ty::Unit,
        Some("array") => {
            let items = schema
                .get("items")
                .ok_or_else(|| format!("{at}: an array needs `items`"))?;
            let (item, item_nullable) = resolve(items, &format!("{at}.items"))?;
            if item_nullable {
                return Err(format!("{at}: nullable array items are not supported"));
            }
            Ty::Vec(Box::new(item))
        }
        Some("object") => {
            if schema.get("properties").is_some() {
                return Err(format!(
                    "{at}: an object with properties must be its own schema in components/schemas"
                ));
            }
            match schema.get("additionalProperties") {
                Some(Value::Mapping(_)) => {
                    let values = &schema["additionalProperties"];
                    let (value, _) = resolve(values, &format!("{at}.additionalProperties"))?;
                    Ty::Map(Box::new(value))
                }
                _ => Ty::Map(Box::new(Ty::Any)),
            }
        }
        None => Ty::Any,
        Some(other) => return Err(format!("{at}: unsupported type `{other}`")),
    };
    Ok((ty, nullable))
}

/// What each named schema became, for deciding which structs can derive `Default`.
enum Shape<'a> {
    Struct,
    Enum,
    Alias(&'a Ty),
}

struct Field {
    /// The JSON name.
    json: String,
    ident: String,
    ty: String,
    attrs: Vec<String>,
    doc: String,
    /// A field type whose `Default` is not known yet (a required reference).
    needs_default: Option<String>,
}

pub(super) fn generate(doc: &Value) -> Result<String, String> {
    let schemas = doc
        .get("components")
        .and_then(|c| c.get("schemas"))
        .and_then(Value::as_mapping)
        .ok_or("the document has no components/schemas")?;
    let lists = super::projected_lists(doc)?;
    let takes_null = null_enums(schemas);
    let mut items: Vec<(String, String, Option<Vec<Field>>)> = Vec::new();
    let mut aliases: BTreeMap<String, Ty> = BTreeMap::new();
    let mut enums = Vec::new();
    for (name, schema) in schemas {
        let name = name.as_str().ok_or("a schema name is not a string")?;
        let doc = doc_comment(str_of(schema, "description").unwrap_or(name), "");
        if let Some(members) = schema.get("allOf") {
            // Only `$ref` plus more `required` names (see `schemas.rs`): the same Rust type,
            // since the required fields of the target are optional there only in the schema.
            let target = members
                .as_sequence()
                .and_then(|m| m.first())
                .and_then(|first| str_of(first, "$ref"))
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
                .ok_or_else(|| format!("{name}: `allOf` must start with a `$ref`"))?;
            items.push((
                name.to_owned(),
                format!("{doc}pub type {name} = {target};\n"),
                None,
            ));
            aliases.insert(name.to_owned(), Ty::Ref(target.to_owned()));
        } else if let Some(members) = schema.get("oneOf") {
            items.push((
                name.to_owned(),
                format!("{doc}{}", untagged_enum(name, members)?),
                None,
            ));
            enums.push(name.to_owned());
        } else if let Some(props) = schema.get("properties").and_then(Value::as_mapping) {
            let mut fields = fields(name, schema, props, &takes_null)?;
            let mut doc = doc;
            if let Some(list) = lists.get(name) {
                generic_records(name, list, &mut fields, &mut doc)?;
            }
            items.push((name.to_owned(), doc, Some(fields)));
        } else {
            let (ty, nullable) = resolve(schema, name)?;
            let rust = if nullable {
                format!("Option<{}>", ty.rust())
            } else {
                ty.rust()
            };
            items.push((
                name.to_owned(),
                format!("{doc}pub type {name} = {rust};\n"),
                None,
            ));
            aliases.insert(name.to_owned(), ty);
        }
    }

    // A struct derives `Default` when every field type has one: all field types do except
    // references to enums, or to structs that do not themselves.
    let shapes: BTreeMap<&str, Shape<'_>> = items
        .iter()
        .map(|(name, _, fields)| {
            let shape = match fields {
                Some(_) => Shape::Struct,
                None if enums.contains(name) => Shape::Enum,
                None => Shape::Alias(&aliases[name]),
            };
            (name.as_str(), shape)
        })
        .collect();
    let by_name: BTreeMap<&str, &Vec<Field>> = items
        .iter()
        .filter_map(|(n, _, f)| f.as_ref().map(|f| (n.as_str(), f)))
        .collect();
    let has_default = |name: &str| defaultable(name, &shapes, &by_name, &mut Vec::new());

    let mut out = String::from(PRELUDE);
    for (name, doc, fields) in &items {
        out.push('\n');
        out.push_str(doc);
        let Some(fields) = fields else { continue };
        let default = if has_default(name) { ", Default" } else { "" };
        let generic = lists
            .get(name.as_str())
            .map(|list| format!("<R = {}>", list.record))
            .unwrap_or_default();
        out.push_str(&format!(
            "#[derive(Debug, Clone, PartialEq{default}, serde::Serialize, serde::Deserialize)]\npub struct {name}{generic} {{\n"
        ));
        for field in fields {
            out.push_str(&field.doc);
            for attr in &field.attrs {
                out.push_str(&format!("    {attr}\n"));
            }
            out.push_str(&format!("    pub {}: {},\n", field.ident, field.ty));
        }
        out.push_str("}\n");
    }
    Ok(out)
}

/// Makes the records of a projected list the type parameter `R`, and says so in its docs.
fn generic_records(
    name: &str,
    list: &super::ProjectedList,
    fields: &mut [Field],
    doc: &mut String,
) -> Result<(), String> {
    let field = fields
        .iter_mut()
        .find(|f| f.json == list.property)
        .filter(|f| f.ty == format!("Vec<{}>", list.record))
        .ok_or_else(|| {
            format!(
                "{name}.{}: the records of a list must be a required array of {}",
                list.property, list.record
            )
        })?;
    field.ty = "Vec<R>".to_owned();
    writeln!(
        doc,
        "///\n/// Generic over its records, so that a server can send them projected by `fields`\n\
         /// ([`crate::query::Projected`]); read, they are [`{}`]s.",
        list.record
    )
    .expect("writing to a String");
    Ok(())
}

fn defaultable(
    name: &str,
    shapes: &BTreeMap<&str, Shape<'_>>,
    structs: &BTreeMap<&str, &Vec<Field>>,
    visiting: &mut Vec<String>,
) -> bool {
    if visiting.iter().any(|v| v == name) {
        return false;
    }
    match shapes.get(name) {
        Some(Shape::Enum) | None => false,
        Some(Shape::Alias(ty)) => match ty {
            Ty::Ref(target) => defaultable(target, shapes, structs, visiting),
            _ => true,
        },
        Some(Shape::Struct) => {
            visiting.push(name.to_owned());
            let ok = structs[name].iter().all(|f| {
                f.needs_default
                    .as_deref()
                    .is_none_or(|t| defaultable(t, shapes, structs, visiting))
            });
            visiting.pop();
            ok
        }
    }
}

/// The `oneOf` schemas with a `type: 'null'` member: their enum reads `null` as a variant of
/// its own (RFC 7396's "remove"), so a field of that type must keep a `null` that was sent
/// apart from a field that was left out.
fn null_enums(schemas: &Mapping) -> BTreeSet<String> {
    schemas
        .iter()
        .filter(|(_, schema)| {
            schema
                .get("oneOf")
                .and_then(Value::as_sequence)
                .is_some_and(|members| members.iter().any(|m| str_of(m, "type") == Some("null")))
        })
        .filter_map(|(name, _)| name.as_str().map(str::to_owned))
        .collect()
}

fn fields(
    name: &str,
    schema: &Value,
    props: &Mapping,
    takes_null: &BTreeSet<String>,
) -> Result<Vec<Field>, String> {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_sequence)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(missing) = required.iter().find(|r| !props.contains_key(**r)) {
        return Err(format!(
            "{name}: required field `{missing}` is not a property"
        ));
    }
    let mut fields = Vec::new();
    for (json, prop) in props {
        let json = json
            .as_str()
            .ok_or_else(|| format!("{name}: a property name is not a string"))?;
        let at = format!("{name}.{json}");
        let (ty, nullable) = resolve(prop, &at)?;
        let is_required = required.contains(&json);
        let mut attrs = Vec::new();
        let rust = ty.rust();
        let mut needs_default = None;
        let ty_text = if nullable {
            if !is_required {
                attrs.push(
                    r#"#[serde(default, skip_serializing_if = "Option::is_none")]"#.to_owned(),
                );
            }
            format!("Option<{rust}>")
        } else if is_required {
            if let Ty::Ref(target) = &ty {
                needs_default = Some(target.clone());
            }
            rust
        } else if matches!(&ty, Ty::Ref(target) if takes_null.contains(target)) {
            // serde reads `null` as `None` for any `Option`; this keeps it as `Some` of the
            // enum's null variant, and an absent field as `None`.
            attrs.push(
                r#"#[serde(default, deserialize_with = "crate::nullable::keep_null", skip_serializing_if = "Option::is_none")]"#
                    .to_owned(),
            );
            format!("Option<{rust}>")
        } else if (ty == Ty::Str && !non_empty(prop))
            || prop.get("default").is_some_and(|d| ty.default_matches(d))
        {
            attrs.push("#[serde(default)]".to_owned());
            rust
        } else {
            attrs.push(r#"#[serde(default, skip_serializing_if = "Option::is_none")]"#.to_owned());
            format!("Option<{rust}>")
        };
        let mut ident: String = json
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        if ident.starts_with(|c: char| c.is_ascii_digit()) {
            ident.insert(0, '_');
        }
        if ident != json {
            attrs.insert(0, format!("#[serde(rename = {json:?})]"));
        }
        if is_keyword(&ident) {
            ident.insert_str(0, "r#");
        }
        let text = match (str_of(prop, "description"), &ty) {
            (Some(text), _) => text.to_owned(),
            (None, Ty::Ref(target)) => format!("See [`{target}`]."),
            (None, Ty::Vec(item)) if matches!(**item, Ty::Ref(_)) => {
                format!("The records, each a [`{}`].", item.rust())
            }
            (None, _) => format!("The `{json}` field."),
        };
        fields.push(Field {
            json: json.to_owned(),
            ident,
            ty: ty_text,
            attrs,
            doc: doc_comment(&text, "    "),
            needs_default,
        });
    }
    Ok(fields)
}

/// Whether a string may not be empty (`minLength` of 1 or more): then `""` cannot stand for
/// "absent", and an optional one is an `Option<String>`.
fn non_empty(prop: &Value) -> bool {
    prop.get("minLength")
        .and_then(Value::as_u64)
        .is_some_and(|min| min > 0)
}

fn untagged_enum(name: &str, members: &Value) -> Result<String, String> {
    let members = members
        .as_sequence()
        .ok_or_else(|| format!("{name}: `oneOf` must be a list"))?;
    let mut out = format!(
        "#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]\n#[serde(untagged)]\npub enum {name} {{\n"
    );
    for (i, member) in members.iter().enumerate() {
        let at = format!("{name}.oneOf[{i}]");
        let (ty, nullable) = resolve(member, &at)?;
        if nullable {
            return Err(format!("{at}: a nullable variant is not supported"));
        }
        let variant = match (str_of(member, "title"), &ty) {
            (Some(title), _) => title.to_owned(),
            (None, Ty::Ref(target)) => target.clone(),
            (None, _) => return Err(format!("{at}: a variant needs a `title` for its name")),
        };
        let text = str_of(member, "description").map_or_else(
            || {
                format!(
                    "The {} form.",
                    str_of(member, "type").unwrap_or("referenced")
                )
            },
            str::to_owned,
        );
        out.push_str(&doc_comment(&text, "    "));
        out.push_str(&format!("    {variant}({}),\n", ty.rust()));
    }
    out.push_str("}\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn types_of(yaml: &str) -> String {
        let doc: Value = serde_yaml_ng::from_str(yaml).expect("test YAML parses");
        generate(&doc).expect("generates")
    }

    #[test]
    fn field_shapes_follow_required_nullable_and_secret() {
        let out = types_of(
            r#"
components:
  schemas:
    Rec:
      type: object
      required: [id]
      properties:
        id: {type: string}
        name: {type: string}
        key: {type: string, format: password, x-secret: true}
        count: {type: integer, minimum: 0, default: 0}
        link: {type: [string, "null"]}
        label: {type: string, minLength: 1}
        tags: {type: array, items: {type: string}}
        extra: {type: object, additionalProperties: {type: string}}
    Code:
      oneOf:
        - {title: Number, type: integer}
        - {title: Text, type: string}
    Strict:
      allOf:
        - $ref: '#/components/schemas/Rec'
        - required: [name]
"#,
        );
        assert!(out.contains("pub id: String,"), "{out}");
        assert!(
            out.contains("#[serde(default)]\n    pub name: String,"),
            "{out}"
        );
        assert!(out.contains("pub key: Option<crate::Secret>,"), "{out}");
        assert!(
            out.contains("#[serde(default)]\n    pub count: u64,"),
            "{out}"
        );
        assert!(out.contains("pub link: Option<String>,"), "{out}");
        assert!(out.contains("pub label: Option<String>,"), "{out}");
        assert!(out.contains("pub type Strict = Rec;"), "{out}");
        assert!(out.contains("pub tags: Option<Vec<String>>,"), "{out}");
        assert!(
            out.contains("pub extra: Option<std::collections::BTreeMap<String, String>>,"),
            "{out}"
        );
        assert!(
            out.contains("PartialEq, Default, serde::Serialize"),
            "{out}"
        );
        assert!(out.contains("#[serde(untagged)]\npub enum Code {"), "{out}");
        assert!(
            out.contains("Number(i64),") && out.contains("Text(String),"),
            "{out}"
        );
        assert!(!out.contains("deny_unknown_fields"));
    }

    #[test]
    fn a_sent_null_of_a_type_that_takes_null_is_kept() {
        let out = types_of(
            r#"
components:
  schemas:
    Change:
      oneOf:
        - {title: Set, type: string}
        - {title: Remove, type: 'null'}
    Request:
      type: object
      properties:
        change: {$ref: '#/components/schemas/Change'}
        label: {type: [string, "null"]}
"#,
        );
        assert!(out.contains("Remove(()),"), "{out}");
        assert!(
            out.contains(
                "#[serde(default, deserialize_with = \"crate::nullable::keep_null\", skip_serializing_if = \"Option::is_none\")]\n    pub change: Option<Change>,"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "#[serde(default, skip_serializing_if = \"Option::is_none\")]\n    pub label: Option<String>,"
            ),
            "{out}"
        );
    }

    #[test]
    fn the_records_of_a_list_that_takes_fields_are_generic() {
        let out = types_of(
            r#"
paths:
  /things:
    get:
      operationId: listThings
      parameters: [{$ref: '#/components/parameters/Fields'}]
      responses: {'200': {content: {application/json: {schema: {$ref: '#/components/schemas/ThingList'}}}}}
components:
  parameters:
    Fields: {name: fields, in: query}
  schemas:
    Thing: {type: object, required: [uuid], properties: {uuid: {type: string}}}
    ThingList:
      type: object
      required: [things]
      properties:
        things: {type: array, items: {$ref: '#/components/schemas/Thing'}}
    Group:
      type: object
      required: [things]
      properties:
        things: {type: array, items: {$ref: '#/components/schemas/Thing'}}
"#,
        );
        assert!(out.contains("pub struct ThingList<R = Thing> {"), "{out}");
        assert!(out.contains("pub things: Vec<R>,"), "{out}");
        assert!(out.contains("[`crate::query::Projected`]"), "{out}");
        assert!(out.contains("pub struct Group {"), "{out}");
        assert!(out.contains("pub things: Vec<Thing>,"), "{out}");
    }

    #[test]
    fn a_password_without_x_secret_is_an_error() {
        let doc: Value = serde_yaml_ng::from_str(
            "components: {schemas: {A: {type: object, properties: {p: {type: string, format: password}}}}}",
        )
        .expect("test YAML parses");
        assert!(generate(&doc).unwrap_err().contains("x-secret"));
    }
}
