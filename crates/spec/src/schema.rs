//! The schemas of `openapi.yaml` as static data: what [`crate::validate`] checks a body against.
//!
//! `cargo xtask codegen` writes one [`Schema`] per entry of `components/schemas` into
//! [`crate::schemas`] (with every `$ref` resolved to a reference to another of them), and
//! implements [`Described`] for each generated wire type, so that a wire type and the schema it
//! is checked against cannot drift apart.
//!
//! The schema language is the subset the document uses: the JSON types, `type: [T, 'null']`,
//! `properties` and `required`, `additionalProperties`, `items`, `enum` of strings,
//! `minLength`/`maxLength`, `pattern` (from a closed list, see [`Pattern`]), integer
//! `minimum`/`maximum`, `oneOf` (a member may be `type: 'null'`), `allOf` of a reference plus
//! extra `required` names, and references between schemas, recursive ones included.
//! Unknown properties of an object are allowed, as the contract says they are ignored, except
//! in an object marked `additionalProperties: false` (the configuration document's sections).

/// One schema: a JSON type with its constraints.
#[derive(Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Schema {
    /// The schema's name in `components/schemas`; empty for an inline schema.
    pub name: &'static str,
    /// Whether `null` is allowed besides [`kind`](Self::kind) (`type: [T, 'null']`).
    pub nullable: bool,
    /// The JSON type and its constraints.
    pub kind: Kind,
}

/// The JSON type a schema allows, with the constraints of that type.
#[derive(Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// Any JSON value (a schema without `type`).
    Any,
    /// Only `null` (`type: 'null'`, a member of a `oneOf`).
    Null,
    /// `true` or `false`.
    Boolean,
    /// An integer (a JSON number without fraction or exponent) within the range.
    Integer(Range),
    /// Any JSON number.
    Number,
    /// A string.
    String(Text),
    /// An array whose every item matches the schema.
    Array(&'static Schema),
    /// An object.
    Object(Object),
    /// Exactly one of the schemas matches.
    OneOf(&'static [&'static Schema]),
}

/// The bounds of an integer, both inclusive. Without a `minimum` of 0 or more the value must fit
/// an `i64`; with one, a `u64` (the generated field types are chosen the same way).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Range {
    /// `minimum`.
    pub minimum: Option<i64>,
    /// `maximum`.
    pub maximum: Option<i64>,
}

/// The constraints of a string. Lengths count Unicode scalar values, as JSON Schema does.
#[derive(Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Text {
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `enum`: the only values allowed; empty when any string is.
    pub allowed: &'static [&'static str],
    /// `pattern`.
    pub pattern: Option<Pattern>,
    /// `x-secret`: the value is a credential. No error quotes any value, so this changes
    /// nothing in checking; it tells tools (and tests) which fields hold secrets.
    pub secret: bool,
}

/// The constraints of an object.
#[derive(Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Object {
    /// `properties`, in document order, each with whether it is `required`.
    pub properties: &'static [Property],
    /// `additionalProperties` as a schema: every other property's value must match it. `None`
    /// allows any other property (they are ignored), unless [`closed`](Self::closed).
    pub additional: Option<&'static Schema>,
    /// `additionalProperties: false`: a property the schema does not name is refused.
    pub closed: bool,
}

/// One named property of an object.
#[derive(Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Property {
    /// The JSON name.
    pub name: &'static str,
    /// Whether the object must have it.
    pub required: bool,
    /// What its value must match.
    pub schema: &'static Schema,
}

impl Schema {
    /// The object constraints, when this schema is an object.
    pub fn object(&self) -> Option<&Object> {
        match &self.kind {
            Kind::Object(object) => Some(object),
            _ => None,
        }
    }
}

impl Object {
    /// The property called `name`.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// The property names, in document order.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.properties.iter().map(|p| p.name)
    }
}

/// A generated wire type and the schema of the document it was generated from.
///
/// ```
/// use exsited_spec::CreateConnectionRequest;
/// use exsited_spec::schema::Described;
///
/// let schema = CreateConnectionRequest::schema();
/// assert_eq!(schema.name, "CreateConnectionRequest");
/// assert!(schema.object().unwrap().property("provider").unwrap().required);
/// ```
pub trait Described {
    /// The schema a JSON value must match to be read as this type.
    fn schema() -> &'static Schema;
}

/// A `pattern` the validator knows. JSON Schema patterns are ECMA-262 regular expressions; this
/// crate has no regular-expression engine, so the document may use only these, and each is
/// checked by hand-written code that follows the expression exactly. The generator writes
/// `Pattern::known("...")`, so a pattern outside this list fails the build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pattern {
    /// No control character (Unicode category Cc: U+0000 to U+001F, U+007F to U+009F): they
    /// corrupt logs, terminals and CSV exports.
    NoControlCharacters,
    /// No control character, and at least one character that is not white space: a name.
    NotBlank,
    /// Only ASCII letters, digits, `_` and `-`: a partner name such as `XERO`.
    PartnerName,
}

impl Pattern {
    /// Every pattern, for tests and tools.
    pub const ALL: &'static [Pattern] = &[
        Pattern::NoControlCharacters,
        Pattern::NotBlank,
        Pattern::PartnerName,
    ];

    /// The regular expression, exactly as the document spells it.
    pub const fn regex(self) -> &'static str {
        match self {
            Pattern::NoControlCharacters => r"^[^\x00-\x1F\x7F-\x9F]*$",
            Pattern::NotBlank => {
                r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
            }
            Pattern::PartnerName => r"^[A-Za-z0-9_-]+$",
        }
    }

    /// The pattern whose [`regex`](Self::regex) is `regex`.
    ///
    /// # Panics
    ///
    /// When it is none of them. The generated schemas call this in `static` initializers, so an
    /// unknown pattern in the document is a compile error, not a run-time one.
    pub const fn known(regex: &str) -> Pattern {
        let mut i = 0;
        while i < Self::ALL.len() {
            if same(Self::ALL[i].regex(), regex) {
                return Self::ALL[i];
            }
            i += 1;
        }
        panic!("openapi.yaml uses a pattern that exsited_spec::schema::Pattern does not know")
    }

    /// Whether `value` matches.
    pub fn matches(self, value: &str) -> bool {
        match self {
            Pattern::NoControlCharacters => !value.chars().any(char::is_control),
            Pattern::NotBlank => {
                !value.chars().any(char::is_control) && value.chars().any(|c| !is_ecma_space(c))
            }
            // `+`: at least one character.
            Pattern::PartnerName => {
                !value.is_empty()
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            }
        }
    }

    /// What a value must be like, for error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Pattern::NoControlCharacters => "must not contain control characters",
            Pattern::NotBlank => "must not be blank or contain control characters",
            Pattern::PartnerName => "may contain only ASCII letters, digits, '_' and '-'",
        }
    }
}

/// `\s` of ECMA-262: white space and line terminators, which is not quite Rust's
/// `char::is_whitespace` (that one has U+0085 and lacks U+FEFF).
fn is_ecma_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_finds_every_pattern_by_its_expression() {
        for pattern in Pattern::ALL {
            assert_eq!(Pattern::known(pattern.regex()), *pattern);
        }
    }

    #[test]
    fn patterns_follow_their_expressions() {
        let text = Pattern::NoControlCharacters;
        assert!(text.matches("") && text.matches("Sync invoices \u{a0}é"));
        for bad in ["a\u{0}", "\t", "line\nbreak", "\u{7f}", "\u{85}", "\u{9f}"] {
            assert!(!text.matches(bad), "{bad:?}");
        }
        assert!(text.matches("\u{a0}"), "U+00A0 is not a control character");

        let name = Pattern::NotBlank;
        assert!(name.matches("x") && name.matches("  Sync  "));
        for bad in ["", " ", "\u{a0}\u{3000}", "\u{feff}", "a\u{1}", "\t x"] {
            assert!(!name.matches(bad), "{bad:?}");
        }

        let partner = Pattern::PartnerName;
        assert!(partner.matches("XERO") && partner.matches("quick_books-2"));
        for bad in ["", " xero", "x y", "xéro", "x;drop"] {
            assert!(!partner.matches(bad), "{bad:?}");
        }
    }
}
