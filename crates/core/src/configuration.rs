//! A connection's configuration document: the partner-side mapping of one connection (for Xero:
//! which objects sync in which direction, account and tax mappings), in four sections.
//!
//! Project choice (the contract leaves it to us): a connection has exactly one document, every
//! section empty until set; an update is a JSON merge patch (RFC 7396) of the sections it names;
//! values are objects, arrays, strings and booleans as sent (numbers and `null` values are not
//! stored: `null` in a patch removes a key); a document is at most [`MAX_DOCUMENT_BYTES`] in its
//! compact JSON encoding and at most [`MAX_DEPTH`] levels deep. The document is deleted with its
//! connection, in the delete's atomic step.
//!
//! Core knows no JSON library: [`Value`] is the document's own small value type, and
//! [`Configuration::encoded_len`] counts the bytes of the compact encoding that the wire and the
//! stores write (`exsited-spec` tests that the two agree).

use std::collections::BTreeMap;
use std::fmt;

use crate::error::{Error, Result, key_path};

/// The largest document, in bytes of its compact JSON encoding (`{"account":{...},...}`).
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// The deepest nesting of objects and arrays inside a section (a section's own object is
/// level 1). Real documents have three or four levels; the bound keeps a hostile document from
/// exhausting the stack of whoever walks it.
pub const MAX_DEPTH: usize = 16;

/// The longest key of an object in the document.
pub const MAX_KEY_CHARS: usize = 255;

/// One section of the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// Chart of accounts: mappings and sync flags.
    Account,
    /// Items and products.
    Item,
    /// Sales transactions: invoices, payments, credit notes, refunds.
    Transaction,
    /// Purchases: orders, bills, payments.
    Purchase,
}

impl Section {
    /// Every section, in the order the API writes them.
    pub const ALL: [Section; 4] = [
        Section::Account,
        Section::Item,
        Section::Transaction,
        Section::Purchase,
    ];

    /// The API's name (`account`, `item`, `transaction`, `purchase`).
    pub fn as_str(self) -> &'static str {
        match self {
            Section::Account => "account",
            Section::Item => "item",
            Section::Transaction => "transaction",
            Section::Purchase => "purchase",
        }
    }
}

impl fmt::Display for Section {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A string (the vendor's flags are strings such as `"true"`).
    Text(String),
    /// A boolean, as sent.
    Bool(bool),
    /// An array.
    List(Vec<Value>),
    /// An object, keys in order.
    Map(BTreeMap<String, Value>),
}

/// An object of the document: a section's content, or a nested object.
pub type Map = BTreeMap<String, Value>;

/// A value of a merge patch: like [`Value`], plus [`Remove`](Self::Remove) (`null`), and objects
/// that merge instead of replacing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchValue {
    /// `null`: remove the key (or reset a section to empty).
    Remove,
    /// Replace with a string.
    Text(String),
    /// Replace with a boolean.
    Bool(bool),
    /// Replace with an array (arrays are never merged).
    List(Vec<Value>),
    /// Merge into the object there (or create it), key by key.
    Map(BTreeMap<String, PatchValue>),
}

/// A connection's configuration document. Every section is present, empty until set.
///
/// ```
/// use std::collections::BTreeMap;
/// use exsited_core::configuration::{Configuration, ConfigurationPatch, PatchValue, Section, Value};
///
/// let patch = ConfigurationPatch::new([(
///     Section::Account,
///     PatchValue::Map(BTreeMap::from([(
///         "export".to_owned(),
///         PatchValue::Map(BTreeMap::from([("enabled".to_owned(), PatchValue::Text("true".into()))])),
///     )])),
/// )])?;
/// let document = patch.apply(&Configuration::default())?;
/// assert!(!document.is_empty());
/// assert_eq!(
///     document.section(Section::Account)["export"],
///     Value::Map(BTreeMap::from([("enabled".to_owned(), Value::Text("true".into()))]))
/// );
/// assert_eq!(document.encoded_len(), r#"{"account":{"export":{"enabled":"true"}},"item":{},"transaction":{},"purchase":{}}"#.len());
/// # Ok::<(), exsited_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Configuration {
    sections: BTreeMap<Section, Map>,
}

static EMPTY: Map = BTreeMap::new();

impl Configuration {
    /// A document from its sections (absent ones are empty), checked against the bounds: what a
    /// store reads back, or a client reads from the API.
    pub fn new(sections: impl IntoIterator<Item = (Section, Map)>) -> Result<Self> {
        let document = Self {
            sections: sections
                .into_iter()
                .filter(|(_, map)| !map.is_empty())
                .collect(),
        };
        document.check()?;
        Ok(document)
    }

    /// The content of `section` (empty until set).
    pub fn section(&self, section: Section) -> &Map {
        self.sections.get(&section).unwrap_or(&EMPTY)
    }

    /// Every section with its content, in the API's order, empty ones included.
    pub fn sections(&self) -> impl Iterator<Item = (Section, &Map)> {
        Section::ALL.into_iter().map(|s| (s, self.section(s)))
    }

    /// Whether every section is empty: no configuration has been set.
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    /// The length in bytes of the document's compact JSON encoding, every section written
    /// (`{"account":{},"item":{},"transaction":{},"purchase":{}}` when empty).
    pub fn encoded_len(&self) -> usize {
        let mut len = 2; // {}
        for (i, (section, map)) in self.sections().enumerate() {
            len += usize::from(i > 0) + string_len(section.as_str()) + 1 + map_len(map);
        }
        len
    }

    fn check(&self) -> Result<()> {
        for (section, map) in &self.sections {
            check_map(map, section.as_str(), 1)?;
        }
        if self.encoded_len() > MAX_DOCUMENT_BYTES {
            return Err(Error::invalid_input(
                "configuration",
                format!("larger than {MAX_DOCUMENT_BYTES} bytes once encoded"),
            ));
        }
        Ok(())
    }
}

/// A merge patch of named sections (RFC 7396): each section's patch is an object that merges
/// into the section, or `null` ([`PatchValue::Remove`]) that empties it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigurationPatch {
    sections: BTreeMap<Section, PatchValue>,
}

impl ConfigurationPatch {
    /// A patch of these sections. A section's patch must be an object or `Remove`; keys and
    /// nesting are checked against the document's bounds. Errors name the path of the field.
    pub fn new(sections: impl IntoIterator<Item = (Section, PatchValue)>) -> Result<Self> {
        let sections: BTreeMap<Section, PatchValue> = sections.into_iter().collect();
        for (section, patch) in &sections {
            match patch {
                PatchValue::Remove => {}
                PatchValue::Map(map) => check_patch_map(map, section.as_str(), 1)?,
                _ => {
                    return Err(Error::invalid_input(
                        section.as_str(),
                        "must be an object (or null to empty the section)",
                    ));
                }
            }
        }
        Ok(Self { sections })
    }

    /// The sections it names, with their patches.
    pub fn sections(&self) -> impl Iterator<Item = (Section, &PatchValue)> {
        self.sections.iter().map(|(s, p)| (*s, p))
    }

    /// Whether it names no section (it changes nothing).
    pub fn is_empty(&self) -> bool {
        self.sections.is_empty()
    }

    /// The patch that turns `from` into `to` (RFC 7396 has no "replace": a key `to` lacks is
    /// removed with `null`, an object is patched key by key, anything else is set), so that
    /// `between(from, to).apply(from) == to`; empty when they are equal. A restore uses it to
    /// give a connection back exactly the document it had, however often it runs.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use exsited_core::configuration::{Configuration, ConfigurationPatch, Section, Value};
    ///
    /// let set = |k: &str| BTreeMap::from([(k.to_owned(), Value::Bool(true))]);
    /// let from = Configuration::new([(Section::Item, set("old")), (Section::Account, set("a"))])?;
    /// let to = Configuration::new([(Section::Item, set("new")), (Section::Account, set("a"))])?;
    /// let patch = ConfigurationPatch::between(&from, &to);
    /// assert_eq!(patch.sections().count(), 1, "the account section is already right");
    /// assert_eq!(patch.apply(&from)?, to);
    /// assert!(ConfigurationPatch::between(&to, &to).is_empty());
    /// # Ok::<(), exsited_core::Error>(())
    /// ```
    pub fn between(from: &Configuration, to: &Configuration) -> Self {
        let sections = Section::ALL
            .into_iter()
            .filter_map(|section| {
                let (old, new) = (from.section(section), to.section(section));
                if old == new {
                    None
                } else if new.is_empty() {
                    Some((section, PatchValue::Remove))
                } else {
                    Some((section, PatchValue::Map(map_diff(old, new))))
                }
            })
            .collect();
        // Made of the keys and values of two valid documents: within every bound.
        Self { sections }
    }

    /// `document` with the patch merged in. Fails, changing nothing, when the result would be
    /// larger than [`MAX_DOCUMENT_BYTES`].
    pub fn apply(&self, document: &Configuration) -> Result<Configuration> {
        let mut next = document.clone();
        for (section, patch) in &self.sections {
            match patch {
                PatchValue::Map(changes) => {
                    let map = next.sections.entry(*section).or_default();
                    merge_map(map, changes);
                    if map.is_empty() {
                        next.sections.remove(section);
                    }
                }
                _ => {
                    next.sections.remove(section);
                }
            }
        }
        next.check()?;
        Ok(next)
    }
}

/// The merge patch of one object into another: `null` for what `to` lacks, a nested patch
/// where both hold an object, the new value wherever it differs.
fn map_diff(from: &Map, to: &Map) -> BTreeMap<String, PatchValue> {
    let removed = from
        .keys()
        .filter(|key| !to.contains_key(*key))
        .map(|key| (key.clone(), PatchValue::Remove));
    let changed = to.iter().filter_map(|(key, new)| {
        let change = match (from.get(key), new) {
            (Some(old), new) if old == new => return None,
            (Some(Value::Map(old)), Value::Map(new)) => PatchValue::Map(map_diff(old, new)),
            (_, new) => set(new),
        };
        Some((key.clone(), change))
    });
    removed.chain(changed).collect()
}

/// The patch value that sets `value` where anything else (or nothing) was.
fn set(value: &Value) -> PatchValue {
    match value {
        Value::Text(text) => PatchValue::Text(text.clone()),
        Value::Bool(flag) => PatchValue::Bool(*flag),
        Value::List(list) => PatchValue::List(list.clone()),
        // Merged into a non-object, a patch object starts from `{}` (RFC 7396).
        Value::Map(map) => PatchValue::Map(map.iter().map(|(k, v)| (k.clone(), set(v))).collect()),
    }
}

/// RFC 7396 on an object: `Remove` deletes, objects merge, everything else replaces.
fn merge_map(target: &mut Map, changes: &BTreeMap<String, PatchValue>) {
    for (key, change) in changes {
        match change {
            PatchValue::Remove => {
                target.remove(key);
            }
            PatchValue::Map(inner) => {
                let slot = target
                    .entry(key.clone())
                    .or_insert_with(|| Value::Map(Map::new()));
                if !matches!(slot, Value::Map(_)) {
                    *slot = Value::Map(Map::new());
                }
                if let Value::Map(map) = slot {
                    merge_map(map, inner);
                }
            }
            PatchValue::Text(text) => {
                target.insert(key.clone(), Value::Text(text.clone()));
            }
            PatchValue::Bool(flag) => {
                target.insert(key.clone(), Value::Bool(*flag));
            }
            PatchValue::List(list) => {
                target.insert(key.clone(), Value::List(list.clone()));
            }
        }
    }
}

fn check_key(key: &str, path: &str) -> Result<()> {
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS || key.chars().any(char::is_control) {
        return Err(Error::invalid_input(
            path,
            format!(
                "has a key that is empty, longer than {MAX_KEY_CHARS} characters or holds control characters"
            ),
        ));
    }
    Ok(())
}

fn too_deep(path: &str) -> Error {
    Error::invalid_input(path, format!("nests deeper than {MAX_DEPTH} levels"))
}

fn check_map(map: &Map, path: &str, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(too_deep(path));
    }
    for (key, value) in map {
        check_key(key, path)?;
        check_value(value, &key_path(path, key), depth)?;
    }
    Ok(())
}

fn check_value(value: &Value, path: &str, depth: usize) -> Result<()> {
    match value {
        Value::Map(map) => check_map(map, path, depth + 1),
        Value::List(list) => {
            if depth + 1 > MAX_DEPTH {
                return Err(too_deep(path));
            }
            for (i, item) in list.iter().enumerate() {
                check_value(item, &format!("{path}[{i}]"), depth + 1)?;
            }
            Ok(())
        }
        Value::Text(_) | Value::Bool(_) => Ok(()),
    }
}

fn check_patch_map(map: &BTreeMap<String, PatchValue>, path: &str, depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(too_deep(path));
    }
    for (key, value) in map {
        check_key(key, path)?;
        let at = key_path(path, key);
        match value {
            PatchValue::Map(inner) => check_patch_map(inner, &at, depth + 1)?,
            PatchValue::List(list) => check_value(&Value::List(list.clone()), &at, depth)?,
            PatchValue::Remove | PatchValue::Text(_) | PatchValue::Bool(_) => {}
        }
    }
    Ok(())
}

/// The bytes of `text` as a JSON string, quotes and escapes included (as serde_json writes it).
fn string_len(text: &str) -> usize {
    2 + text
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if (c as u32) < 0x20 => 6,
            c => c.len_utf8(),
        })
        .sum::<usize>()
}

fn map_len(map: &Map) -> usize {
    2 + map
        .iter()
        .enumerate()
        .map(|(i, (k, v))| usize::from(i > 0) + string_len(k) + 1 + value_len(v))
        .sum::<usize>()
}

fn value_len(value: &Value) -> usize {
    match value {
        Value::Text(text) => string_len(text),
        Value::Bool(true) => 4,
        Value::Bool(false) => 5,
        Value::List(list) => {
            2 + list
                .iter()
                .enumerate()
                .map(|(i, v)| usize::from(i > 0) + value_len(v))
                .sum::<usize>()
        }
        Value::Map(map) => map_len(map),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> PatchValue {
        PatchValue::Text(s.into())
    }

    fn map<V>(entries: &[(&str, V)]) -> BTreeMap<String, V>
    where
        V: Clone,
    {
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn merge_patch_adds_replaces_removes_and_merges_nested_objects() {
        let first = ConfigurationPatch::new([(
            Section::Account,
            PatchValue::Map(map(&[
                ("export", PatchValue::Map(map(&[("enabled", text("true"))]))),
                ("default_tax", text("GST")),
            ])),
        )])
        .unwrap();
        let document = first.apply(&Configuration::default()).unwrap();
        let second = ConfigurationPatch::new([
            (
                Section::Account,
                PatchValue::Map(map(&[
                    (
                        "export",
                        PatchValue::Map(map(&[("mappings", PatchValue::List(vec![]))])),
                    ),
                    ("default_tax", PatchValue::Remove),
                ])),
            ),
            (
                Section::Item,
                PatchValue::Map(map(&[("sync", PatchValue::Bool(true))])),
            ),
        ])
        .unwrap();
        let document = second.apply(&document).unwrap();
        let account = document.section(Section::Account);
        assert_eq!(account.len(), 1, "default_tax removed: {account:?}");
        assert_eq!(
            account["export"],
            Value::Map(map(&[
                ("enabled", Value::Text("true".into())),
                ("mappings", Value::List(vec![]))
            ])),
            "nested objects merge"
        );
        assert_eq!(document.section(Section::Item)["sync"], Value::Bool(true));
        let emptied = ConfigurationPatch::new([(Section::Account, PatchValue::Remove)])
            .unwrap()
            .apply(&document)
            .unwrap();
        assert!(emptied.section(Section::Account).is_empty());
        assert!(!emptied.is_empty(), "item is still set");
    }

    #[test]
    fn bounds_are_checked_and_name_the_path() {
        assert!(matches!(
            ConfigurationPatch::new([(Section::Item, text("x"))]),
            Err(Error::InvalidInput { ref field, .. }) if field == "item"
        ));
        let mut deep = PatchValue::Text("bottom".into());
        for _ in 0..MAX_DEPTH {
            deep = PatchValue::Map(map(&[("k", deep)]));
        }
        assert!(ConfigurationPatch::new([(Section::Item, deep.clone())]).is_ok());
        let deeper = PatchValue::Map(map(&[("k", deep)]));
        assert!(matches!(
            ConfigurationPatch::new([(Section::Item, deeper)]),
            Err(Error::InvalidInput { .. })
        ));
        let big = ConfigurationPatch::new([(
            Section::Purchase,
            PatchValue::Map(map(&[("blob", text(&"x".repeat(MAX_DOCUMENT_BYTES)))])),
        )])
        .unwrap();
        assert!(matches!(
            big.apply(&Configuration::default()),
            Err(Error::InvalidInput { ref field, .. }) if field == "configuration"
        ));
    }

    #[test]
    fn between_gives_the_patch_from_one_document_to_another() {
        let doc = |entries: &[(Section, &[(&str, Value)])]| {
            Configuration::new(
                entries
                    .iter()
                    .map(|(s, kv)| (*s, map(kv)))
                    .collect::<Vec<_>>(),
            )
            .unwrap()
        };
        let nested = |kv: &[(&str, Value)]| Value::Map(map(kv));
        let from = doc(&[
            (
                Section::Account,
                &[
                    ("keep", Value::Text("x".into())),
                    ("gone", Value::Bool(true)),
                    (
                        "obj",
                        nested(&[("a", Value::Text("1".into())), ("b", Value::Bool(false))]),
                    ),
                    ("was_text", Value::Text("t".into())),
                ],
            ),
            (Section::Item, &[("only", Value::Bool(true))]),
        ]);
        let to = doc(&[
            (
                Section::Account,
                &[
                    ("keep", Value::Text("x".into())),
                    ("obj", nested(&[("a", Value::Text("2".into()))])),
                    (
                        "was_text",
                        nested(&[("now", Value::List(vec![Value::Bool(true)]))]),
                    ),
                    ("new", Value::List(vec![])),
                ],
            ),
            (Section::Purchase, &[("p", Value::Text("q".into()))]),
        ]);
        for (a, b) in [(&from, &to), (&to, &from), (&Configuration::default(), &to)] {
            let patch = ConfigurationPatch::between(a, b);
            assert_eq!(patch.apply(a).unwrap(), *b);
            assert!(ConfigurationPatch::between(b, b).is_empty());
        }
        let patch = ConfigurationPatch::between(&from, &to);
        let touched: Vec<Section> = patch.sections().map(|(s, _)| s).collect();
        assert_eq!(
            touched,
            [Section::Account, Section::Item, Section::Purchase]
        );
        assert_eq!(
            ConfigurationPatch::between(&to, &Configuration::default())
                .sections()
                .map(|(_, p)| p.clone())
                .collect::<Vec<_>>(),
            [PatchValue::Remove, PatchValue::Remove],
            "an emptied section is reset with null"
        );
    }

    #[test]
    fn the_encoded_length_counts_escapes() {
        let document = Configuration::new([(
            Section::Account,
            map(&[
                ("q\"", Value::Text("a\nb\u{1}é".into())),
                ("f", Value::Bool(false)),
                (
                    "l",
                    Value::List(vec![Value::Bool(true), Value::Text(String::new())]),
                ),
            ]),
        )])
        .unwrap();
        let expected = r#"{"account":{"f":false,"l":[true,""],"q\"":"a\nb\u0001é"},"item":{},"transaction":{},"purchase":{}}"#;
        assert_eq!(document.encoded_len(), expected.len());
        assert_eq!(
            Configuration::default().encoded_len(),
            r#"{"account":{},"item":{},"transaction":{},"purchase":{}}"#.len()
        );
    }
}
