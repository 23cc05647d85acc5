//! A small reader of Rust source for the tidy tests: the code outside test items, its string
//! literals, and the test modules it declares as files.
//!
//! It knows just enough of the lexical grammar not to be fooled: comments (nested block
//! comments included), string, byte-string and raw-string literals, char literals next to
//! lifetimes. A test item is whatever follows `#[cfg(test)]`: a `mod name;` (its file is test
//! code), or the next item up to its `;` or the end of its first `{...}` block.

/// One file, read.
pub(super) struct Source {
    /// The code outside test items, with comments and literals blanked out (newlines kept).
    pub(super) code: String,
    /// Every string literal outside test items.
    pub(super) literals: Vec<Literal>,
    /// The modules declared `#[cfg(test)] mod name;`, whose files are test code.
    pub(super) test_modules: Vec<String>,
}

/// A string literal.
pub(super) struct Literal {
    /// Its line, from 1.
    pub(super) line: usize,
    /// What is between its quotes, escapes as written.
    pub(super) text: String,
    /// The code just before it on its line, trimmed (`.field(` in `.field("id", ..)`).
    pub(super) before: String,
}

impl Source {
    pub(super) fn read(text: &str) -> Self {
        let (masked, spans) = mask(text);
        let tests = test_items(&masked);
        let in_test = |at: usize| {
            tests
                .items
                .iter()
                .any(|(start, end)| (*start..*end).contains(&at))
        };
        let mut code: Vec<u8> = masked.clone().into_bytes();
        for (start, end) in &tests.items {
            for byte in &mut code[*start..*end] {
                if *byte != b'\n' {
                    *byte = b' ';
                }
            }
        }
        let literals = spans
            .into_iter()
            .filter(|span| !in_test(span.start))
            .map(|span| {
                let line_start = masked[..span.start].rfind('\n').map_or(0, |i| i + 1);
                Literal {
                    line: masked[..span.start].matches('\n').count() + 1,
                    text: text[span.content.clone()].to_owned(),
                    before: masked[line_start..span.start].trim().to_owned(),
                }
            })
            .collect();
        Self {
            code: String::from_utf8(code).expect("blanking keeps UTF-8: only ASCII bytes change"),
            literals,
            test_modules: tests.modules,
        }
    }
}

/// Where a literal is: its first byte (the prefix or quote) and its contents.
struct Span {
    start: usize,
    content: std::ops::Range<usize>,
}

/// The text with comments and the insides of literals replaced by spaces (quotes and newlines
/// kept, so that offsets and lines stay), and the string literals found.
fn mask(text: &str) -> (String, Vec<Span>) {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut spans = Vec::new();
    let blank = |out: &mut Vec<u8>, range: std::ops::Range<usize>| {
        for byte in &mut out[range] {
            // Multi-byte characters are blanked byte by byte: the result stays ASCII there.
            if *byte != b'\n' {
                *byte = b' ';
            }
        }
    };
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        if rest.starts_with(b"//") {
            let end = rest
                .iter()
                .position(|b| *b == b'\n')
                .map_or(bytes.len(), |p| i + p);
            blank(&mut out, i..end);
            i = end;
        } else if rest.starts_with(b"/*") {
            let (mut depth, mut j) = (0usize, i);
            while j < bytes.len() {
                if bytes[j..].starts_with(b"/*") {
                    depth += 1;
                    j += 2;
                } else if bytes[j..].starts_with(b"*/") {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank(&mut out, i..j);
            i = j;
        } else if let Some((open, hashes)) = raw_string_start(bytes, i, ident) {
            let content = open;
            let closing: Vec<u8> = std::iter::once(b'"')
                .chain(std::iter::repeat_n(b'#', hashes))
                .collect();
            let end = bytes[content..]
                .windows(closing.len())
                .position(|w| w == closing.as_slice())
                .map_or(bytes.len(), |p| content + p);
            spans.push(Span {
                start: i,
                content: content..end,
            });
            blank(&mut out, content..end);
            i = (end + closing.len()).min(bytes.len());
        } else if bytes[i] == b'"'
            || (matches!(bytes[i], b'b' | b'c')
                && rest.get(1) == Some(&b'"')
                && (i == 0 || !ident(bytes[i - 1])))
        {
            let start = i;
            let content = if bytes[i] == b'"' { i + 1 } else { i + 2 };
            let mut j = content;
            while j < bytes.len() && bytes[j] != b'"' {
                j += if bytes[j] == b'\\' { 2 } else { 1 };
            }
            let end = j.min(bytes.len());
            spans.push(Span {
                start,
                content: content..end,
            });
            blank(&mut out, content..end);
            i = end + 1;
        } else if bytes[i] == b'\'' {
            // A char literal ('x', '\n', '\u{7f}', 'é'), or a lifetime or label, left alone.
            let close = if rest.get(1) == Some(&b'\\') {
                // The character after the backslash belongs to the escape (`'\''`).
                rest.iter().skip(3).position(|b| *b == b'\'').map(|p| p + 3)
            } else {
                let width = text[i + 1..].chars().next().map_or(1, char::len_utf8);
                (rest.get(1 + width) == Some(&b'\'')).then_some(1 + width)
            };
            match close {
                Some(close) => {
                    blank(&mut out, i + 1..i + close);
                    i += close + 1;
                }
                None => i += 1,
            }
        } else {
            i += 1;
        }
    }
    (String::from_utf8_lossy(&out).into_owned(), spans)
}

/// At `i`, the start of a raw string (`r"`, `r#"`, `br##"`...): where its contents begin, and
/// how many `#` close it.
fn raw_string_start(bytes: &[u8], i: usize, ident: impl Fn(u8) -> bool) -> Option<(usize, usize)> {
    if i > 0 && ident(bytes[i - 1]) {
        return None;
    }
    let mut j = i;
    if matches!(bytes.get(j), Some(b'b' | b'c')) {
        j += 1;
    }
    if bytes.get(j) != Some(&b'r') {
        return None;
    }
    j += 1;
    let hashes = bytes[j..].iter().take_while(|b| **b == b'#').count();
    j += hashes;
    (bytes.get(j) == Some(&b'"')).then_some((j + 1, hashes))
}

/// The test items of masked code.
struct Tests {
    /// Byte ranges of test items, the attribute included.
    items: Vec<(usize, usize)>,
    /// `#[cfg(test)] mod name;`
    modules: Vec<String>,
}

fn test_items(masked: &str) -> Tests {
    const ATTRIBUTE: &str = "#[cfg(test)]";
    let bytes = masked.as_bytes();
    let mut tests = Tests {
        items: Vec::new(),
        modules: Vec::new(),
    };
    let mut from = 0;
    while let Some(found) = masked[from..].find(ATTRIBUTE) {
        let start = from + found;
        let after = start + ATTRIBUTE.len();
        let item = masked[after..].trim_start();
        let words: Vec<&str> = item
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .take(3)
            .collect();
        let mut depth = 0usize;
        let mut end = bytes.len();
        for (j, byte) in bytes.iter().enumerate().skip(after) {
            match byte {
                b';' if depth == 0 => {
                    end = j + 1;
                    if let ["mod", name, ..] | ["pub", "mod", name] = words.as_slice() {
                        tests.modules.push((*name).to_owned());
                    }
                    break;
                }
                b'{' => depth += 1,
                b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        end = j + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        tests.items.push((start, end));
        from = end.max(after);
    }
    tests
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r##"//! Docs with "quoted" words.
use x::y; // "comment"
/* block "a" /* nested "b" */ still "c" */
fn live() {
    let a = "alpha";
    let b = r#"raw "beta" inside"#;
    let c = b"bytes";
    let brace = '{';
    let quote = '"';
    let life: &'static str = "gamma";
    debug.field("delta", &1);
    json!({});
}

#[cfg(test)]
mod tests {
    fn t() { let x = "hidden"; let y = '}'; }
}

#[cfg(test)]
mod more;

#[cfg(test)]
fn helper() { "also hidden"; }

fn after() { let q = '\''; "epsilon"; }
"##;

    #[test]
    fn literals_outside_tests_with_their_lines() {
        let source = Source::read(SAMPLE);
        let found: Vec<(usize, &str)> = source
            .literals
            .iter()
            .map(|l| (l.line, l.text.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                (5, "alpha"),
                (6, r#"raw "beta" inside"#),
                (7, "bytes"),
                (10, "gamma"),
                (11, "delta"),
                (26, "epsilon"),
            ]
        );
        assert_eq!(source.literals[4].before, "debug.field(");
        assert_eq!(source.test_modules, vec!["more".to_owned()]);
        assert!(source.code.contains("json!("));
        assert!(!source.code.contains("hidden") && !source.code.contains("quoted"));
        assert_eq!(source.code.lines().count(), SAMPLE.lines().count());
    }
}
