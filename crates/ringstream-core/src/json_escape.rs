//! Writing a UTF-8 string as a JSON string literal that `JSON.parse` turns back into exactly
//! the same string.

/// For each byte: 0 if it stands for itself, `b'u'` for a `\u00XX` escape, else the character
/// that follows the backslash.
static ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = b'u';
        b += 1;
    }
    table[0x08] = b'b';
    table[0x09] = b't';
    table[0x0A] = b'n';
    table[0x0C] = b'f';
    table[0x0D] = b'r';
    table[b'"' as usize] = b'"';
    table[b'\\' as usize] = b'\\';
    table
};

const HEX: &[u8; 16] = b"0123456789abcdef";

use crate::string_scan::plain_prefix_len;

/// Appends `text` to `out` as a JSON string literal, quotes included. Only `"`, `\` and the
/// control characters U+0000–U+001F are escaped; every other character (U+2028 and U+2029
/// included, which JSON allows raw) is copied as is.
///
/// ```
/// use ringstream_core::push_json_string;
/// let mut out = Vec::new();
/// push_json_string(&mut out, "say \"hi\"\n\u{1}é");
/// assert_eq!(String::from_utf8(out).unwrap(), r#""say \"hi\"\n\u0001é""#);
/// ```
pub fn push_json_string(out: &mut Vec<u8>, text: &str) {
    push_json_string_bytes(out, text.as_bytes());
}

/// [`push_json_string`] for bytes already known to be valid UTF-8 (such as the fields of a CSV
/// record whose raw bytes were validated). Bytes are copied as they are, so invalid UTF-8 in
/// `bytes` would end up in `out`.
pub(crate) fn push_json_string_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut rest = bytes;
    loop {
        let plain = plain_prefix_len(rest);
        out.extend_from_slice(&rest[..plain]);
        let Some((&b, tail)) = rest[plain..].split_first() else { break };
        let escape = ESCAPE[b as usize];
        if escape == b'u' {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(b >> 4) as usize]);
            out.push(HEX[(b & 0xF) as usize]);
        } else {
            out.push(b'\\');
            out.push(escape);
        }
        rest = tail;
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_char_round_trips() {
        let mut all = String::new();
        for c in (0u32..0x800).chain([0x2028, 0x2029, 0xFEFF, 0xFFFF, 0x1F600, 0x10FFFF]) {
            if let Some(c) = char::from_u32(c) {
                all.push(c);
            }
        }
        let mut out = Vec::new();
        push_json_string(&mut out, &all);
        let back: String = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, all);
        assert!(crate::validate_json(std::str::from_utf8(&out).unwrap()).is_ok());
    }
}
