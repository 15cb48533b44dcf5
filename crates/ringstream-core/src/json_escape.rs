//! Writing JSON text that `JSON.parse` turns back into exactly the same values, in ASCII only.
//!
//! Every non-ASCII character is written as a `\u` escape (two for one beyond U+FFFF). V8 keeps
//! an all-ASCII text as a one-byte string: it is made from the bytes by a plain copy, where UTF-8
//! with any non-ASCII character must be decoded into a two-byte string, and `JSON.parse` reads it
//! faster. On `wide.jsonl` (half its lines hold a non-ASCII character) making the batch text and
//! parsing it took 23% less time this way (bench/README.md, "JSON text in ASCII").

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

/// Appends `text` to `out` as a JSON string literal, quotes included: `"`, `\` and the control
/// characters U+0000–U+001F are escaped, and so is every non-ASCII character; the rest is copied.
///
/// ```
/// use ringstream_core::push_json_string;
/// let mut out = Vec::new();
/// push_json_string(&mut out, "say \"hi\"\n\u{1}é😀");
/// assert_eq!(String::from_utf8(out).unwrap(), r#""say \"hi\"\n\u0001\u00e9\ud83d\ude00""#);
/// ```
pub fn push_json_string(out: &mut Vec<u8>, text: &str) {
    push_json_string_bytes(out, text.as_bytes());
}

/// [`push_json_string`] for bytes already known to be valid UTF-8 (such as the fields of a CSV
/// record whose raw bytes were validated). Invalid UTF-8 in `bytes` would be copied as it is.
pub(crate) fn push_json_string_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut rest = bytes;
    loop {
        let plain = plain_prefix_len(rest);
        push_ascii_json(out, &rest[..plain]);
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

/// Appends the JSON text `json` (valid UTF-8, such as a validated JSON Lines line) to `out` with
/// every non-ASCII character written as a `\u` escape. In valid JSON a non-ASCII character can
/// only stand inside a string, where the escape means the same character.
///
/// ```
/// use ringstream_core::push_ascii_json;
/// let mut out = Vec::new();
/// push_ascii_json(&mut out, r#"{"city":"Zürich","n":1}"#.as_bytes());
/// assert_eq!(out, br#"{"city":"Z\u00fcrich","n":1}"#);
/// ```
pub fn push_ascii_json(out: &mut Vec<u8>, json: &[u8]) {
    if json.is_ascii() {
        return out.extend_from_slice(json);
    }
    let mut rest = json;
    while !rest.is_empty() {
        let ascii = rest.iter().position(|&b| !b.is_ascii()).unwrap_or(rest.len());
        out.extend_from_slice(&rest[..ascii]);
        rest = &rest[ascii..];
        // A run of non-ASCII bytes ends at an ASCII byte, which no UTF-8 sequence holds, so in
        // valid UTF-8 the run is whole characters.
        let run = rest.iter().position(u8::is_ascii).unwrap_or(rest.len());
        match std::str::from_utf8(&rest[..run]) {
            Ok(chars) => {
                for unit in chars.encode_utf16() {
                    push_unicode_escape(out, unit);
                }
            }
            // Not reached for validated input; copying keeps the bytes (the binding then hands
            // the text over as UTF-8, see `is_ascii` there).
            Err(_) => out.extend_from_slice(&rest[..run]),
        }
        rest = &rest[run..];
    }
}

/// Appends `\uXXXX` for the UTF-16 code unit `unit`.
fn push_unicode_escape(out: &mut Vec<u8>, unit: u16) {
    out.extend_from_slice(b"\\u");
    for shift in [12, 8, 4, 0] {
        out.push(HEX[usize::from((unit >> shift) & 0xF)]);
    }
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
        assert!(out.is_ascii());
        assert!(crate::validate_json(std::str::from_utf8(&out).unwrap()).is_ok());
    }

    #[test]
    fn ascii_json_keeps_every_value() {
        let text = r#"{"é":["ü😀",1.5e3,"a\"b\u00e9"],"k":"\u2028 x"}"#;
        let mut out = Vec::new();
        push_ascii_json(&mut out, text.as_bytes());
        assert!(out.is_ascii());
        let back: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let original: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(back, original);
    }

    proptest::proptest! {
        #[test]
        fn ascii_json_of_any_string_is_the_same_string(s in "\\PC*") {
            let json = serde_json::to_string(&s).unwrap();
            let mut out = Vec::new();
            push_ascii_json(&mut out, json.as_bytes());
            proptest::prop_assert!(out.is_ascii());
            let back: String = serde_json::from_slice(&out).unwrap();
            proptest::prop_assert_eq!(back, s);
        }
    }
}
