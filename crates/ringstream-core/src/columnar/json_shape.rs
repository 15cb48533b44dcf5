//! JSON values in columns: a record's leaves (strings, numbers, `true`, `false`, `null`) go to
//! the columns like CSV values, and its structure — keys in order, nesting, array lengths —
//! becomes a *shape*, interned once per file. JavaScript builds every record of a shape with
//! one object literal generated from the shape, so no JSON is parsed for it.
//!
//! A shape travels as a *description*, JSON text that JavaScript reads once: a leaf is `0`, an
//! object `[1,"key",…,"key",…]` (each key, as its JSON string literal from the input, followed
//! by its value's description), an array `[2,…]`. Leaves are numbered in the order they appear
//! in the text, which is the order their values are in the columns.
//!
//! Where columns would not pay, a value travels as one leaf of kind [`ValueKind::Json`] (its
//! text, for `JSON.parse`): an array longer than `MAX_ARRAY_ELEMENTS` (so arrays of varying
//! length do not each make a shape), a container nested deeper than `MAX_DEPTH`, and a string
//! whose escapes make a lone surrogate (not representable in the UTF-8 blob). A whole record
//! travels that way when it has more than `MAX_SHAPE_LEAVES` leaves, a description longer than
//! `MAX_DESCRIPTION_BYTES`, or a new shape once the file has `MAX_SHAPES`; the table's memory
//! is bounded by the last two.
//!
//! A record with the shape of the record before it is read against that shape first
//! (`known_shape`), which gives the same result with less work.

use std::collections::HashMap;

use memchr::memchr;

use super::known_shape::ShapeSteps;
use super::{ColumnarEncoder, ValueKind};
use crate::decimal::{parse_decimal, plain_json_number};
use crate::json_syntax::{number_end, string_end, value_end};
use crate::string_scan::plain_string_end;

/// Leaves of a shaped record at most (JavaScript generates a literal of at most 1,000 values).
const MAX_SHAPE_LEAVES: usize = 1000;
/// Arrays with more elements are one JSON leaf.
const MAX_ARRAY_ELEMENTS: usize = 32;
/// Containers nested deeper are one JSON leaf; bounds the walk's recursion.
const MAX_DEPTH: usize = 32;
/// Shapes per file at most.
const MAX_SHAPES: usize = 256;
/// Longest description kept.
const MAX_DESCRIPTION_BYTES: usize = 8 << 10;

/// The description of a record that travels as one JSON leaf (also a top-level scalar's).
pub(super) const LEAF: &[u8] = b"0";

/// The shapes of one file, and the ones not yet handed to JavaScript.
#[derive(Debug, Clone, Default)]
pub(super) struct ShapeTable {
    ids: HashMap<Vec<u8>, u32>,
    /// The previous record's description and id: most records have their neighbour's shape.
    last_description: Vec<u8>,
    last_id: Option<u32>,
    /// Descriptions of the shapes first used since the last batch was taken, in id order.
    pub(super) new: Vec<String>,
    /// The description of the record being walked (kept to reuse its allocation).
    description: Vec<u8>,
    /// The last shape compiled for reading the next record against it, once two records in a
    /// row had it (`known_shape`).
    known: Option<ShapeSteps>,
}

impl ShapeTable {
    /// The id of `description`, made if new; `None` when the table is full (`LEAF` always fits).
    fn intern(&mut self, description: &[u8]) -> Option<u32> {
        if let Some(id) = self.last_id {
            if self.last_description == description {
                // Not for `LEAF`: records that could not be shaped share it too, and reading one
                // as a known leaf would only walk it once more.
                if self.known.is_none() && description != LEAF {
                    self.known = ShapeSteps::compile(description);
                }
                return Some(id);
            }
        }
        let id = match self.ids.get(description) {
            Some(&id) => id,
            None => {
                if self.ids.len() >= MAX_SHAPES && description != LEAF {
                    return None;
                }
                let id = u32::try_from(self.ids.len()).ok()?;
                self.ids.insert(description.to_vec(), id);
                // Keys come from validated UTF-8 input, so the description is UTF-8.
                self.new.push(String::from_utf8_lossy(description).into_owned());
                id
            }
        };
        self.last_description.clear();
        self.last_description.extend_from_slice(description);
        self.last_id = Some(id);
        self.known = None;
        Some(id)
    }
}

/// Why a record is not shaped: it travels as one JSON leaf instead.
pub(super) struct Unshaped;

/// The columns' lengths before a value, to take the value back out.
#[derive(Clone, Copy)]
struct Mark {
    text: usize,
    ends: usize,
    kinds: usize,
    kinds_kept: bool,
    numbers: usize,
    row_units: usize,
    row_ascii: bool,
    row_longest: usize,
}

impl ColumnarEncoder {
    /// Pushes the values of the JSON value `text` (a JSON Lines line or JSON array element)
    /// and returns its shape id; or, when the text is not JSON or is not shaped (see the module
    /// notes), pushes nothing and returns `None`.
    ///
    /// The walk checks the syntax with the validator's own rules (`json_syntax`: strings,
    /// numbers, and whole values where it leaves one to `JSON.parse`) and the structure around
    /// them, so a text it shapes is JSON as `JSON.parse` sees it and needs no separate check.
    pub(super) fn try_shape(&mut self, text: &[u8]) -> Option<u32> {
        self.source_ascii = text.is_ascii();
        let id = self.shape(text);
        self.source_ascii = false;
        id
    }

    fn shape(&mut self, text: &[u8]) -> Option<u32> {
        let mark = self.mark();
        if let Some(known) = self.shapes.known.take() {
            let mut scratch = std::mem::take(&mut self.shapes.description);
            let followed = self.walk_known_shape(text, &known, &mut scratch);
            self.shapes.description = scratch;
            self.shapes.known = Some(known);
            if followed {
                return self.shapes.last_id;
            }
            self.rollback(mark);
        }
        let mut description = std::mem::take(&mut self.shapes.description);
        description.clear();
        let mut leaves = 0;
        let mut pos = 0;
        let walked = self.walk(text, &mut pos, 0, &mut description, &mut leaves).is_ok()
            && skip_whitespace(text, pos) == text.len()
            && description.len() <= MAX_DESCRIPTION_BYTES;
        let id = if walked { self.shapes.intern(&description) } else { None };
        self.shapes.description = description;
        if id.is_none() {
            self.rollback(mark);
        }
        id
    }

    /// Pushes the JSON text `text` (known to be JSON) as one JSON leaf, and returns its shape id.
    pub(super) fn push_json_leaf_record(&mut self, text: &[u8]) -> u32 {
        let start = skip_whitespace(text, 0);
        self.push_text(ValueKind::Json, &text[start..trim_end(text)]);
        self.shapes.intern(LEAF).unwrap_or(0)
    }

    fn mark(&self) -> Mark {
        let b = &self.batch;
        Mark {
            text: b.text.len(),
            ends: b.ends.len(),
            kinds: b.kinds.len(),
            kinds_kept: self.kinds_kept,
            numbers: b.numbers.len(),
            row_units: self.row_units,
            row_ascii: self.row_ascii,
            row_longest: self.row_longest,
        }
    }

    fn rollback(&mut self, mark: Mark) {
        let b = &mut self.batch;
        b.text.truncate(mark.text);
        b.ends.truncate(mark.ends);
        b.kinds.truncate(mark.kinds);
        self.kinds_kept = mark.kinds_kept;
        b.numbers.truncate(mark.numbers);
        self.row_units = mark.row_units;
        self.row_ascii = mark.row_ascii;
        self.row_longest = mark.row_longest;
    }

    /// Walks the value at `s[*pos..]`, pushing its leaves and appending its description.
    pub(super) fn walk(
        &mut self,
        s: &[u8],
        pos: &mut usize,
        depth: usize,
        description: &mut Vec<u8>,
        leaves: &mut usize,
    ) -> Result<(), Unshaped> {
        *pos = skip_whitespace(s, *pos);
        let first = *s.get(*pos).ok_or(Unshaped)?;
        if matches!(first, b'{' | b'[') && depth >= MAX_DEPTH {
            return self.json_leaf(s, pos, description, leaves);
        }
        match first {
            b'{' => self.walk_object(s, pos, depth, description, leaves),
            b'[' => self.walk_array(s, pos, depth, description, leaves),
            _ => {
                self.push_scalar(s, pos)?;
                leaf(description, leaves)
            }
        }
    }

    /// Pushes the string, number, `true`, `false` or `null` at `s[*pos]` (no whitespace before
    /// it), moving `pos` past it; `Unshaped` for anything else, a container included.
    #[inline]
    pub(super) fn push_scalar(&mut self, s: &[u8], pos: &mut usize) -> Result<(), Unshaped> {
        match *s.get(*pos).ok_or(Unshaped)? {
            b'"' => {
                if let Some(end) = plain_string_end(s, *pos) {
                    self.push_text(ValueKind::Text, &s[*pos + 1..end - 1]);
                    *pos = end;
                } else {
                    let (end, escaped) = string_end(s, *pos).ok_or(Unshaped)?;
                    self.push_string(&s[*pos..end], escaped);
                    *pos = end;
                }
            }
            b't' => self.push_word(s, pos, b"true", ValueKind::True)?,
            b'f' => self.push_word(s, pos, b"false", ValueKind::False)?,
            b'n' => self.push_word(s, pos, b"null", ValueKind::Null)?,
            b'{' | b'[' => return Err(Unshaped),
            _ => {
                let (end, number) = match plain_json_number(s, *pos) {
                    Some(read) => read,
                    None => {
                        let end = number_end(s, *pos).ok_or(Unshaped)?;
                        (end, parse_decimal(&s[*pos..end]).ok_or(Unshaped)?)
                    }
                };
                *pos = end;
                self.batch.numbers.push(number);
                self.push_bare(ValueKind::Number);
            }
        }
        Ok(())
    }

    fn push_word(
        &mut self,
        s: &[u8],
        pos: &mut usize,
        word: &[u8],
        kind: ValueKind,
    ) -> Result<(), Unshaped> {
        if !s[*pos..].starts_with(word) {
            return Err(Unshaped);
        }
        *pos += word.len();
        self.push_bare(kind);
        Ok(())
    }

    fn walk_object(
        &mut self,
        s: &[u8],
        pos: &mut usize,
        depth: usize,
        description: &mut Vec<u8>,
        leaves: &mut usize,
    ) -> Result<(), Unshaped> {
        *pos += 1;
        description.extend_from_slice(b"[1");
        *pos = skip_whitespace(s, *pos);
        if s.get(*pos) == Some(&b'}') {
            *pos += 1;
            description.push(b']');
            return Ok(());
        }
        loop {
            *pos = skip_whitespace(s, *pos);
            let (key_end, _) = string_end(s, *pos).ok_or(Unshaped)?;
            description.push(b',');
            description.extend_from_slice(&s[*pos..key_end]);
            description.push(b',');
            *pos = skip_whitespace(s, key_end);
            if s.get(*pos) != Some(&b':') {
                return Err(Unshaped);
            }
            *pos += 1;
            self.walk(s, pos, depth + 1, description, leaves)?;
            if closes(s, pos, b'}', description)? {
                return Ok(());
            }
        }
    }

    fn walk_array(
        &mut self,
        s: &[u8],
        pos: &mut usize,
        depth: usize,
        description: &mut Vec<u8>,
        leaves: &mut usize,
    ) -> Result<(), Unshaped> {
        let (start, mark, description_len, leaves_before) =
            (*pos, self.mark(), description.len(), *leaves);
        *pos += 1;
        description.extend_from_slice(b"[2");
        *pos = skip_whitespace(s, *pos);
        if s.get(*pos) == Some(&b']') {
            *pos += 1;
            description.push(b']');
            return Ok(());
        }
        for _ in 0..MAX_ARRAY_ELEMENTS {
            description.push(b',');
            self.walk(s, pos, depth + 1, description, leaves)?;
            if closes(s, pos, b']', description)? {
                return Ok(());
            }
        }
        // Too long to be part of a shape: the whole array is one JSON leaf.
        self.rollback(mark);
        description.truncate(description_len);
        *leaves = leaves_before;
        *pos = start;
        self.json_leaf(s, pos, description, leaves)
    }

    /// The value at `s[*pos..]` as one JSON leaf: its text, for `JSON.parse`.
    fn json_leaf(
        &mut self,
        s: &[u8],
        pos: &mut usize,
        description: &mut Vec<u8>,
        leaves: &mut usize,
    ) -> Result<(), Unshaped> {
        let end = *pos + value_end(&s[*pos..]).ok_or(Unshaped)?;
        self.push_text(ValueKind::Json, &s[*pos..end]);
        *pos = end;
        leaf(description, leaves)
    }

    /// A JSON string literal (quotes included): its value as text, or the literal as a JSON
    /// leaf when its escapes make a lone surrogate. `escaped` says whether the literal holds an
    /// escape (the validator saw it, so the text is not searched again).
    fn push_string(&mut self, literal: &[u8], escaped: bool) {
        let raw = &literal[1..literal.len() - 1];
        if !escaped {
            return self.push_text(ValueKind::Text, raw);
        }
        let mut unescaped = std::mem::take(&mut self.scratch);
        unescaped.clear();
        if unescape(raw, &mut unescaped) {
            // `\u` escapes in ASCII text can make characters beyond it.
            let source_ascii = std::mem::replace(&mut self.source_ascii, false);
            self.push_text(ValueKind::Text, &unescaped);
            self.source_ascii = source_ascii;
        } else {
            self.push_text(ValueKind::Json, literal);
        }
        self.scratch = unescaped;
    }
}

/// After a member or element: steps over the `,` before the next one (false), or over `close`,
/// ending the container's description (true).
fn closes(
    s: &[u8],
    pos: &mut usize,
    close: u8,
    description: &mut Vec<u8>,
) -> Result<bool, Unshaped> {
    *pos = skip_whitespace(s, *pos);
    let next = *s.get(*pos).ok_or(Unshaped)?;
    *pos += 1;
    if next == b',' {
        return Ok(false);
    }
    if next != close {
        return Err(Unshaped);
    }
    description.push(b']');
    Ok(true)
}

fn leaf(description: &mut Vec<u8>, leaves: &mut usize) -> Result<(), Unshaped> {
    description.push(b'0');
    *leaves += 1;
    if *leaves > MAX_SHAPE_LEAVES {
        return Err(Unshaped);
    }
    Ok(())
}

fn is_whitespace(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

#[inline]
pub(super) fn skip_whitespace(s: &[u8], mut pos: usize) -> usize {
    while s.get(pos).is_some_and(|&b| is_whitespace(b)) {
        pos += 1;
    }
    pos
}

fn trim_end(s: &[u8]) -> usize {
    s.len() - s.iter().rev().take_while(|&&b| is_whitespace(b)).count()
}

/// Appends the value of the escaped JSON string body `raw` to `out` as UTF-8; false when an
/// escape is malformed or makes a lone surrogate.
fn unescape(raw: &[u8], out: &mut Vec<u8>) -> bool {
    let mut pos = 0;
    while pos < raw.len() {
        let Some(backslash) = memchr(b'\\', &raw[pos..]) else {
            out.extend_from_slice(&raw[pos..]);
            break;
        };
        out.extend_from_slice(&raw[pos..pos + backslash]);
        pos += backslash;
        let byte = match raw.get(pos + 1) {
            Some(b'"') => b'"',
            Some(b'\\') => b'\\',
            Some(b'/') => b'/',
            Some(b'b') => 0x08,
            Some(b'f') => 0x0C,
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            Some(b'u') => {
                let Some((c, len)) = unicode_escape(&raw[pos..]) else { return false };
                let mut utf8 = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                pos += len;
                continue;
            }
            _ => return false,
        };
        out.push(byte);
        pos += 2;
    }
    true
}

/// The character of the `\uXXXX` escape (or surrogate pair of two) at the start of `s`, and
/// the bytes it took.
fn unicode_escape(s: &[u8]) -> Option<(char, usize)> {
    let unit = hex4(s.get(2..6)?)?;
    match unit {
        0xD800..=0xDBFF => {
            if s.get(6..8)? != b"\\u" {
                return None;
            }
            let low = hex4(s.get(8..12)?)?;
            if !(0xDC00..=0xDFFF).contains(&low) {
                return None;
            }
            let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            Some((char::from_u32(c)?, 12))
        }
        0xDC00..=0xDFFF => None,
        _ => Some((char::from_u32(unit)?, 6)),
    }
}

fn hex4(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |n, &d| Some(n * 16 + char::from(d).to_digit(16)?))
}

#[cfg(test)]
mod tests {
    use crate::config::ValueTypes;
    use crate::encode::BatchEncoder;
    use crate::ColumnarEncoder;

    fn encode(lines: &[&str]) -> crate::ColumnarBatch {
        let mut encoder = ColumnarEncoder::new(ValueTypes::Strings);
        for (i, line) in lines.iter().enumerate() {
            encoder.json_value(line.as_bytes(), i as u64 + 1, 0);
        }
        encoder.take_batch(0)
    }

    #[test]
    fn records_of_one_structure_share_a_shape() {
        let batch = encode(&[
            r#"{"id":1,"name":"a","geo":{"x":1.5,"y":-0},"tags":["p","q"],"ok":true,"n":null}"#,
            r#" {"id":2, "name":"bé", "geo":{"x":2,"y":3}, "tags":["r","s"], "ok":false, "n":null} "#,
        ]);
        assert_eq!(batch.shapes, [0, 0]);
        assert_eq!(
            batch.new_shapes,
            [r#"[1,"id",0,"name",0,"geo",[1,"x",0,"y",0],"tags",[2,0,0],"ok",0,"n",0]"#]
        );
        assert_eq!(batch.numbers[..3], [1.0, 1.5, -0.0]);
        assert!(batch.numbers[2].is_sign_negative());
        assert_eq!(batch.text, "apqbérs".as_bytes());
        assert_eq!(batch.kinds[..8], [1, 0, 1, 1, 0, 0, 2, 4]);
        assert_eq!(batch.row_encodings, [1, 0]); // ASCII, UTF-8
    }

    #[test]
    fn new_shapes_are_handed_over_once() {
        let mut encoder = ColumnarEncoder::new(ValueTypes::Strings);
        encoder.json_value(br#"{"a":1}"#, 1, 0);
        encoder.json_value(br#"{"b":1}"#, 2, 8);
        encoder.json_value(br#"{"a":2}"#, 3, 16);
        let first = encoder.take_batch(24);
        assert_eq!(first.shapes, [0, 1, 0]);
        assert_eq!(first.new_shapes, [r#"[1,"a",0]"#, r#"[1,"b",0]"#]);
        encoder.json_value(br#"{"b":5}"#, 4, 24);
        let second = encoder.take_batch(32);
        assert_eq!(second.shapes, [1]);
        assert!(second.new_shapes.is_empty());
    }

    #[test]
    fn escapes_are_decoded_and_lone_surrogates_stay_json() {
        let batch = encode(&[r#"["a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00","\ud800"]"#]);
        assert_eq!(batch.new_shapes, ["[2,0,0]"]);
        assert_eq!(batch.kinds, [0, 5]);
        assert_eq!(batch.text, "a\"\\/\u{8}\u{c}\n\r\té😀\"\\ud800\"".as_bytes());
    }

    #[test]
    fn long_arrays_and_deep_nesting_are_json_leaves() {
        let long = format!("[{}]", vec!["1"; 33].join(","));
        let deep = format!("{}1{}", "[".repeat(40), "]".repeat(40));
        let batch = encode(&[&format!(r#"{{"long":{long},"short":[1,2]}}"#), &deep]);
        assert_eq!(batch.new_shapes[0], r#"[1,"long",0,"short",[2,0,0]]"#);
        assert_eq!(batch.kinds[0], 5);
        assert_eq!(&batch.text[..long.len()], long.as_bytes());
        let nested = format!("{}0{}", "[2,".repeat(32), "]".repeat(32));
        assert_eq!(batch.new_shapes[1], nested);
    }

    #[test]
    fn too_many_leaves_make_one_json_record() {
        let keys: Vec<String> = (0..1200).map(|i| format!(r#""k{i}":{i}"#)).collect();
        let wide = format!("{{{}}}", keys.join(","));
        let batch = encode(&[&wide, "7"]);
        assert_eq!(batch.new_shapes, ["0"]);
        assert_eq!(batch.shapes, [0, 0]);
        assert_eq!(batch.kinds, [5, 1]);
        assert_eq!(batch.text, wide.as_bytes());
    }

    #[test]
    fn a_value_taken_back_takes_its_kinds_back() {
        // The long array's numbers start the kinds; taken back, the strings before and after it
        // must still line up with their kinds.
        let long = format!("[{}]", vec!["1"; 33].join(","));
        let batch = encode(&[&format!(r#"["a",{long},"b"]"#)]);
        assert_eq!(batch.kinds, [0, 5, 0]);
        assert_eq!(batch.ends.len(), 3);
    }

    /// The large-record bound of `estimate_memory` counts on at most 7 encoded bytes per raw
    /// byte: a number leaf costs 13 (end, kind, `f64`) and takes at least two raw bytes.
    #[test]
    fn encoding_is_at_most_seven_bytes_per_raw_byte() {
        let numbers = format!("[{}]", vec!["1"; 32].join(","));
        let nested = format!("[{}]", vec![numbers.as_str(); 32].join(","));
        let keys: Vec<String> = (0..900).map(|_| r#""a":0"#.to_string()).collect();
        let object = format!("{{{}}}", keys.join(","));
        for text in [numbers, nested, object, r#"["",null,true,"x"]"#.to_string()] {
            let mut encoder = ColumnarEncoder::new(ValueTypes::Strings);
            encoder.json_value(text.as_bytes(), 1, 0);
            assert!(encoder.encoded_bytes() <= 7 * text.len() + 13, "{}", &text[..20]);
        }
    }

    #[test]
    fn the_table_stops_growing() {
        let lines: Vec<String> = (0..300).map(|i| format!(r#"{{"k{i}":{i}}}"#)).collect();
        let batch = encode(&lines.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(batch.new_shapes.len(), 257); // 256 shapes, then the JSON-leaf shape
        assert_eq!(batch.shapes[299], 256);
        assert_eq!(batch.new_shapes[256], "0");
    }
}
