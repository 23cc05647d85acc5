//! The `fields` projection: which fields of each record a list returns. The names it accepts
//! are the properties of the record's schema in the document; `uuid` is always kept, so that
//! every record can be identified.

use std::marker::PhantomData;

use exsited_core::Error;
use serde::{Serialize, Serializer};
use zeroize::Zeroize;

use crate::parameters::FIELDS;
use crate::schema::Described;

/// The field every projected record keeps.
const ALWAYS: &str = "uuid";

/// Which fields of each record of type `R` (a wire type such as [`crate::Connection`]) to
/// return: all of them, or the ones named and `uuid`.
///
/// ```
/// use exsited_spec::Automation;
/// use exsited_spec::query::Projection;
///
/// let projection = Projection::<Automation>::parse("name, status")?;
/// assert!(projection.keeps("name") && projection.keeps("uuid"));
/// assert!(!projection.keeps("code"));
/// assert!(Projection::<Automation>::parse("")?.keeps("code"), "empty keeps every field");
/// assert!(Projection::<Automation>::parse("password").is_err());
/// # Ok::<(), exsited_core::Error>(())
/// ```
pub struct Projection<R> {
    /// The names to keep besides `uuid`, each a property of `R`'s schema; `None` keeps all.
    keep: Option<Vec<&'static str>>,
    record: PhantomData<fn() -> R>,
}

impl<R> Projection<R> {
    /// Every field.
    pub fn all() -> Self {
        Self {
            keep: None,
            record: PhantomData,
        }
    }

    /// Whether the field `name` is returned.
    pub fn keeps(&self, name: &str) -> bool {
        name == ALWAYS || self.keep.as_ref().is_none_or(|keep| keep.contains(&name))
    }

    /// `record`, projected.
    pub fn apply(&self, record: R) -> Projected<'_, R> {
        Projected {
            record,
            projection: self,
        }
    }
}

impl<R: Described> Projection<R> {
    /// Reads a decoded `fields` value: names separated by commas, blanks around them ignored.
    /// A name that is not a property of `R`'s schema is an [`Error::InvalidInput`] naming
    /// `fields`, whose reason lists the names allowed; no name at all keeps every field.
    pub fn parse(value: &str) -> Result<Self, Error> {
        let known = || R::schema().object().into_iter().flat_map(|o| o.names());
        let mut keep = Vec::new();
        for wanted in value.split(',').map(str::trim).filter(|f| !f.is_empty()) {
            let Some(name) = known().find(|name| *name == wanted) else {
                let names: Vec<&str> = known().collect();
                return Err(Error::invalid_input(
                    FIELDS,
                    format!(
                        "unknown field {:?}; known: {}",
                        super::clip(wanted),
                        names.join(", ")
                    ),
                ));
            };
            if !keep.contains(&name) {
                keep.push(name);
            }
        }
        Ok(Self {
            keep: (!keep.is_empty()).then_some(keep),
            record: PhantomData,
        })
    }
}

// By hand: derived impls would ask `R` for the same traits, which a projection never holds.
impl<R> Clone for Projection<R> {
    fn clone(&self) -> Self {
        Self {
            keep: self.keep.clone(),
            record: PhantomData,
        }
    }
}

impl<R> PartialEq for Projection<R> {
    fn eq(&self, other: &Self) -> bool {
        self.keep == other.keep
    }
}

impl<R> Eq for Projection<R> {}

impl<R> std::fmt::Debug for Projection<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Projection")
            .field("keep", &self.keep)
            .field("record", &std::any::type_name::<R>())
            .finish()
    }
}

impl<R> Default for Projection<R> {
    /// Every field.
    fn default() -> Self {
        Self::all()
    }
}

/// A record as a projection returns it: serialized with only the fields the projection keeps.
#[derive(Debug, Clone, PartialEq)]
pub struct Projected<'a, R> {
    record: R,
    projection: &'a Projection<R>,
}

impl<R: Serialize> Serialize for Projected<'_, R> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.projection.keep.is_none() {
            return self.record.serialize(serializer);
        }
        let mut value = serde_json::to_value(&self.record).map_err(serde::ser::Error::custom)?;
        if let serde_json::Value::Object(map) = &mut value {
            for (name, field) in map.iter_mut() {
                if !self.projection.keeps(name) {
                    wipe(field);
                }
            }
            map.retain(|name, _| self.projection.keeps(name));
        }
        let result = value.serialize(serializer);
        wipe(&mut value);
        result
    }
}

/// Zeroizes every string of a value: the intermediate copy of a record holds its partner
/// secrets as plain strings, which must not outlive the response like a [`crate::Secret`].
fn wipe(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::String(text) => text.zeroize(),
        serde_json::Value::Array(items) => items.iter_mut().for_each(wipe),
        serde_json::Value::Object(map) => map.values_mut().for_each(wipe),
        _ => {}
    }
}
