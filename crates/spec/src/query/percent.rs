//! Percent-decoding of one query component (`application/x-www-form-urlencoded`: `+` is a
//! space).

/// The decoded component; `None` when a `%` is not followed by two hex digits or the bytes are
/// not UTF-8.
pub(super) fn decode(component: &str) -> Option<String> {
    if !component.bytes().any(|b| b == b'%' || b == b'+') {
        return Some(component.to_owned());
    }
    let bytes = component.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3)?;
                out.push(hex_digit(hex[0])? << 4 | hex_digit(hex[1])?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

fn hex_digit(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes_and_plus() {
        assert_eq!(decode("uuid%2Cstatus").as_deref(), Some("uuid,status"));
        assert_eq!(decode("a+b%20c").as_deref(), Some("a b c"));
        assert_eq!(decode("%C3%A9").as_deref(), Some("é"));
        assert_eq!(decode("plain").as_deref(), Some("plain"));
        assert_eq!(decode("").as_deref(), Some(""));
    }

    #[test]
    fn refuses_broken_escapes_and_non_utf8() {
        for bad in ["%", "%2", "%zz", "%+1", "%-1", "a%C3", "%FF"] {
            assert_eq!(decode(bad), None, "{bad}");
        }
    }
}
