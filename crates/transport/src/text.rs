//! Text from the server made safe to print: bounded, cut on a character boundary, control
//! characters (which corrupt terminals and logs) replaced.

/// How much of a body that is not an error envelope is kept in an error.
pub(crate) const EXCERPT_BYTES: usize = 512;

/// `text` cut to at most `max` bytes on a character boundary, control characters replaced by
/// spaces, runs of whitespace collapsed.
pub(crate) fn clean(text: &str, max: usize) -> String {
    let mut cut = text.len().min(max);
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut out = String::with_capacity(cut);
    for c in text[..cut].chars() {
        let c = if c.is_control() { ' ' } else { c };
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    let trimmed = out.trim();
    if cut < text.len() {
        format!("{trimmed}...")
    } else {
        trimmed.to_owned()
    }
}

/// A bounded, printable excerpt of a body that is not an error envelope (an HTML 502 page).
pub(crate) fn excerpt(body: &[u8]) -> String {
    let head = &body[..body.len().min(EXCERPT_BYTES)];
    let text = String::from_utf8_lossy(head);
    let mut shown = clean(&text, EXCERPT_BYTES);
    if body.len() > EXCERPT_BYTES && !shown.ends_with("...") {
        shown.push_str("...");
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_cuts_on_characters_and_strips_controls() {
        assert_eq!(clean("a\u{1b}[2J\nb", 100), "a [2J b");
        assert_eq!(clean(&"é".repeat(10), 5), "éé...");
    }

    #[test]
    fn excerpts_are_bounded() {
        let body = format!("<html>{}</html>", "x".repeat(5000));
        let shown = excerpt(body.as_bytes());
        assert!(shown.len() <= EXCERPT_BYTES + 3, "{}", shown.len());
        assert!(shown.ends_with("..."));
        assert_eq!(excerpt(b"\xff\xfeok"), "\u{fffd}\u{fffd}ok");
    }
}
