//! `headers.rs`: one `Header` constant per header the document names, whether it is a
//! response header of `components/headers` or a request header (`in: header`) of
//! `components/parameters`.

use std::fmt::Write as _;

use serde_yaml_ng::Value;

use super::{doc_comment, str_of};

const PRELUDE: &str =
    "//! The headers of `openapi.yaml`: every response header of `components/headers` and every
//! request header (`in: header`) of `components/parameters`, one [`Header`] each, named after
//! it (`X-Request-Id` is [`X_REQUEST_ID`]). A header sent both ways is one constant.

pub use crate::header::Header;
";

/// One header: its name as spelled first, and what the document says of it each way.
struct Entry {
    name: String,
    request: Option<String>,
    response: Option<String>,
}

pub(super) fn generate(doc: &Value) -> Result<String, String> {
    let components = doc.get("components");
    let mut entries: Vec<Entry> = Vec::new();
    let mut add = |name: &str, text: &str, request: bool| -> Result<(), String> {
        if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') || name.is_empty() {
            return Err(format!(
                "header name {name:?} is not a token of letters, digits and `-`"
            ));
        }
        let index = match entries
            .iter()
            .position(|e| e.name.eq_ignore_ascii_case(name))
        {
            Some(index) => index,
            None => {
                entries.push(Entry {
                    name: name.to_owned(),
                    request: None,
                    response: None,
                });
                entries.len() - 1
            }
        };
        let slot = if request {
            &mut entries[index].request
        } else {
            &mut entries[index].response
        };
        if slot.is_some() {
            return Err(format!("header `{name}` is described twice the same way"));
        }
        *slot = Some(text.trim().to_owned());
        Ok(())
    };
    for (name, header) in components
        .and_then(|c| c.get("headers"))
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
    {
        let name = name.as_str().ok_or("a header name is not a string")?;
        add(name, str_of(header, "description").unwrap_or(""), false)?;
    }
    for (component, param) in components
        .and_then(|c| c.get("parameters"))
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
    {
        if str_of(param, "in") != Some("header") {
            continue;
        }
        let name = str_of(param, "name").ok_or_else(|| {
            format!(
                "parameter {:?} has no name",
                component.as_str().unwrap_or("")
            )
        })?;
        add(name, str_of(param, "description").unwrap_or(""), true)?;
    }
    let mut out = String::from(PRELUDE);
    for entry in &entries {
        let mut text = format!("`{}`.", entry.name);
        for (way, said) in [("request", &entry.request), ("response", &entry.response)] {
            if let Some(said) = said.as_deref().filter(|s| !s.is_empty()) {
                write!(text, "\n\nIn a {way}:\n{said}").expect("writing to a String");
            }
        }
        let ident = entry.name.to_ascii_uppercase().replace('-', "_");
        out.push('\n');
        out.push_str(&doc_comment(&text, ""));
        writeln!(
            out,
            "pub const {ident}: Header = Header {{ name: {:?}, lowercase: {:?} }};",
            entry.name,
            entry.name.to_ascii_lowercase()
        )
        .expect("writing to a String");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers_of(yaml: &str) -> Result<String, String> {
        let doc: Value = serde_yaml_ng::from_str(yaml).expect("test YAML parses");
        generate(&doc)
    }

    #[test]
    fn request_and_response_headers_are_one_constant_each() {
        let out = headers_of(
            r#"
components:
  headers:
    X-Request-Id: {description: Echoed.}
    Retry-After: {description: Seconds.}
  parameters:
    RequestId: {name: x-request-id, in: header, description: Sent.}
    Limit: {name: limit, in: query}
"#,
        )
        .expect("generates");
        assert!(
            out.contains("/// `X-Request-Id`.\n///\n/// In a request:\n/// Sent.\n///\n/// In a response:\n/// Echoed.\npub const X_REQUEST_ID: Header = Header { name: \"X-Request-Id\", lowercase: \"x-request-id\" };"),
            "{out}"
        );
        assert!(out.contains("pub const RETRY_AFTER: Header"), "{out}");
        assert_eq!(out.matches("pub const").count(), 2, "{out}");
    }

    #[test]
    fn a_name_that_is_not_a_token_is_an_error() {
        let err = headers_of("components: {headers: {'X Bad': {description: d}}}").unwrap_err();
        assert!(err.contains("not a token"), "{err}");
    }
}
