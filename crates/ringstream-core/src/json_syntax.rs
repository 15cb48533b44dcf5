//! A JSON validator that accepts exactly what JavaScript's `JSON.parse` accepts.
//!
//! It differs from `serde_json` where `JSON.parse` does: no nesting limit (it keeps an explicit
//! stack of one bit per level, never recursing), lone surrogate escapes such as `"\ud800"` are
//! valid, and numbers of any magnitude (`1e400` is `Infinity` to `JSON.parse`) are valid. It
//! only checks syntax; it builds nothing.

use std::fmt;

use crate::string_scan::plain_prefix_len;

/// Why a text is not JSON, and where (a byte offset into the text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonSyntaxError {
    /// Byte offset of the first byte that does not fit.
    pub offset: usize,
    /// What was expected there.
    pub reason: &'static str,
}

impl fmt::Display for JsonSyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

impl std::error::Error for JsonSyntaxError {}

/// Checks that `text` is one JSON value with optional whitespace (space, tab, `\n`, `\r`)
/// around it, as `JSON.parse` requires.
///
/// ```
/// use ringstream_core::validate_json;
/// assert!(validate_json(r#" {"a": [1, 2.5e-3, "\ud800", null]} "#).is_ok());
/// assert!(validate_json("1e400").is_ok()); // Infinity in JavaScript
/// assert!(validate_json(&"[".repeat(100_000)).is_err()); // deep, but no stack overflow
/// assert!(validate_json(&format!("{}{}", "[".repeat(5000), "]".repeat(5000))).is_ok());
/// assert!(validate_json("{'a': 1}").is_err());
/// assert!(validate_json("01").is_err());
/// assert!(validate_json("").is_err());
/// ```
pub fn validate_json(text: &str) -> Result<(), JsonSyntaxError> {
    validate_json_bytes(text.as_bytes())
}

/// [`validate_json`] for bytes whose UTF-8 validity the caller checks: bytes ≥ 0x80 inside
/// strings are accepted as they are.
pub(crate) fn validate_json_bytes(text: &[u8]) -> Result<(), JsonSyntaxError> {
    let mut p = Cursor { s: text, i: 0 };
    p.skip_ws();
    p.value()?;
    p.skip_ws();
    if p.i == p.s.len() {
        Ok(())
    } else {
        Err(p.error("unexpected character after the value"))
    }
}

/// Where the JSON value at the start of `bytes` ends, if `bytes` starts with a complete value;
/// `None` for a syntax error or a value cut short by the end of `bytes`. Bytes ≥ 0x80 inside
/// strings are not checked (the caller checks UTF-8 separately).
pub(crate) fn value_end(bytes: &[u8]) -> Option<usize> {
    let mut p = Cursor { s: bytes, i: 0 };
    p.value().ok()?;
    Some(p.i)
}

/// Where the string literal starting at `bytes[start]` ends (past its closing quote), if it is
/// one `JSON.parse` accepts, and whether it holds an escape (else its text is its value).
pub(crate) fn string_end(bytes: &[u8], start: usize) -> Option<(usize, bool)> {
    let mut p = Cursor { s: bytes, i: start };
    if p.peek() != Some(b'"') {
        return None;
    }
    let escaped = p.string().ok()?;
    Some((p.i, escaped))
}

/// Where the number starting at `bytes[start]` ends, if it follows JSON's number grammar.
pub(crate) fn number_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut p = Cursor { s: bytes, i: start };
    p.number().ok()?;
    Some(p.i)
}

impl Cursor<'_> {
    /// Reads one value (without surrounding whitespace), leaving the cursor after it.
    fn value(&mut self) -> Result<(), JsonSyntaxError> {
        let p = self;
        let mut stack = NestingStack::default();
        // The innermost open container, kept at hand (the stack is read only when one closes).
        let mut innermost: Option<bool> = None;
        'value: loop {
            match p.peek() {
                Some(b'{') => {
                    p.i += 1;
                    p.skip_ws();
                    if p.peek() == Some(b'}') {
                        p.i += 1;
                    } else {
                        p.member_key()?;
                        stack.push(OBJECT);
                        innermost = Some(OBJECT);
                        continue 'value;
                    }
                }
                Some(b'[') => {
                    p.i += 1;
                    p.skip_ws();
                    if p.peek() == Some(b']') {
                        p.i += 1;
                    } else {
                        stack.push(ARRAY);
                        innermost = Some(ARRAY);
                        continue 'value;
                    }
                }
                Some(b'"') => {
                    p.string()?;
                }
                Some(b't') => p.literal(b"true")?,
                Some(b'f') => p.literal(b"false")?,
                Some(b'n') => p.literal(b"null")?,
                Some(b'-' | b'0'..=b'9') => p.number()?,
                Some(_) => return Err(p.error("unexpected character, expected a value")),
                None => return Err(p.error("unexpected end of input, expected a value")),
            }
            // A value is complete: close the containers it completes, or go on to the next value.
            loop {
                // Checked before skipping whitespace: the cursor stops right after the value.
                let Some(kind) = innermost else { return Ok(()) };
                p.skip_ws();
                match p.peek() {
                    Some(b',') => {
                        p.i += 1;
                        p.skip_ws();
                        if kind == OBJECT {
                            p.member_key()?;
                        }
                        continue 'value;
                    }
                    Some(b']') if kind == ARRAY => {
                        p.i += 1;
                        innermost = stack.pop();
                    }
                    Some(b'}') if kind == OBJECT => {
                        p.i += 1;
                        innermost = stack.pop();
                    }
                    Some(_) if kind == ARRAY => return Err(p.error("expected ',' or ']'")),
                    Some(_) => return Err(p.error("expected ',' or '}'")),
                    None => return Err(p.error("unexpected end of input")),
                }
            }
        }
    }
}

const OBJECT: bool = true;
const ARRAY: bool = false;

/// Which containers are open: one bit per level, the first 128 levels without allocating.
#[derive(Default)]
struct NestingStack {
    inline: [u64; 2],
    spill: Vec<u64>,
    depth: usize,
}

impl NestingStack {
    fn word(&mut self, index: usize) -> &mut u64 {
        if index < self.inline.len() {
            &mut self.inline[index]
        } else {
            let spill_index = index - self.inline.len();
            if spill_index >= self.spill.len() {
                self.spill.resize(spill_index + 1, 0);
            }
            &mut self.spill[spill_index]
        }
    }

    fn push(&mut self, kind: bool) {
        let (index, bit) = (self.depth / 64, self.depth % 64);
        let word = self.word(index);
        if kind {
            *word |= 1 << bit;
        } else {
            *word &= !(1 << bit);
        }
        self.depth += 1;
    }

    /// Closes the innermost level and returns the kind of the one now innermost.
    fn pop(&mut self) -> Option<bool> {
        self.depth = self.depth.saturating_sub(1);
        self.top()
    }

    fn top(&mut self) -> Option<bool> {
        let level = self.depth.checked_sub(1)?;
        let word = *self.word(level / 64);
        Some(word & (1 << (level % 64)) != 0)
    }
}

struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    #[inline]
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn error(&self, reason: &'static str) -> JsonSyntaxError {
        JsonSyntaxError { offset: self.i, reason }
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    /// A member's key and its colon, leaving the cursor at the value.
    fn member_key(&mut self) -> Result<(), JsonSyntaxError> {
        if self.peek() != Some(b'"') {
            return Err(self.error("expected a string key"));
        }
        self.string()?;
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.error("expected ':'"));
        }
        self.i += 1;
        self.skip_ws();
        Ok(())
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), JsonSyntaxError> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(self.error("unexpected character, expected a value"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<(), JsonSyntaxError> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.error("expected a digit after '.'"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("expected a digit in the exponent"));
            }
        }
        Ok(())
    }

    /// Reads a string literal; says whether it holds an escape.
    fn string(&mut self) -> Result<bool, JsonSyntaxError> {
        self.i += 1; // the opening quote
        let mut escaped = false;
        loop {
            // Bytes ≥ 0x80 count as plain: the text is a `str`, so they are valid UTF-8.
            self.i += plain_prefix_len(&self.s[self.i..]);
            match self.peek() {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(escaped);
                }
                Some(b'\\') => {
                    self.i += 1;
                    escaped = true;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.i += 1,
                        Some(b'u') => {
                            self.i += 1;
                            // Any four hex digits: lone surrogates are fine for JSON.parse.
                            for _ in 0..4 {
                                match self.peek() {
                                    Some(b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F') => self.i += 1,
                                    _ => return Err(self.error("expected 4 hex digits after \\u")),
                                }
                            }
                        }
                        _ => return Err(self.error("invalid escape in string")),
                    }
                }
                Some(_) => return Err(self.error("control character in string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_json_parse_accepts() {
        for ok in [
            "0",
            "-0",
            "-0.0e+0",
            "1E5",
            "123.456e-789",
            "1e400",
            "-1e400",
            "true",
            " false ",
            "\tnull\r\n",
            "\"\"",
            "\"\\ud800\"",
            "\"\\uDC00\\ud800x\"",
            "\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"",
            "\"\u{2028}\u{2029}\u{7f}é😀\"",
            "[]",
            "[ ]",
            "{}",
            "{ }",
            "[1,[2,[3,{}]]]",
            "{\"a\":1,\"a\":2}",
            "{\"__proto__\":{}}",
            "[\n1\n,\n2\n]",
        ] {
            assert_eq!(validate_json(ok), Ok(()), "{ok:?}");
        }
    }

    #[test]
    fn rejects_what_json_parse_rejects() {
        for bad in [
            "",
            " ",
            "01",
            "-",
            "+1",
            ".5",
            "1.",
            "1e",
            "1e+",
            "0x10",
            "NaN",
            "Infinity",
            "tru",
            "nul",
            "True",
            "'a'",
            "\"a",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u12g4\"",
            "\"a\tb\"",
            "\"a\nb\"",
            "[1,]",
            "[,1]",
            "[1 2]",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{a:1}",
            "{1:1}",
            "[}",
            "{]",
            "[1]]",
            "1 2",
            "\u{feff}1",
            "\u{a0}1",
            "\u{c}1",
            "[1]x",
        ] {
            assert!(validate_json(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn value_end_stops_right_after_the_value() {
        assert_eq!(value_end(b"\"a\" \n]"), Some(3));
        assert_eq!(value_end(b"[1, {\"b\": 2} ] ,"), Some(14));
        assert_eq!(value_end(b"12 "), Some(2));
        assert_eq!(value_end(b"tru"), None);
        assert_eq!(value_end(b"[1,"), None);
    }

    #[test]
    fn nesting_has_no_limit() {
        let depth = 1_000_000;
        let deep = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        assert!(validate_json(&deep).is_ok());
        let objects = format!("{}{}", "{\"a\":".repeat(300), "}".repeat(300));
        assert!(validate_json(&objects).is_err());
        let objects = format!("{}1{}", "{\"a\":".repeat(300), "}".repeat(300));
        assert!(validate_json(&objects).is_ok());
        let mixed = format!("{}1{}", "[{\"k\":".repeat(200), "}]".repeat(200));
        assert!(validate_json(&mixed).is_ok());
        let wrong = format!("{}1{}", "[{\"k\":".repeat(200), "]}".repeat(200));
        assert!(validate_json(&wrong).is_err());
    }
}
