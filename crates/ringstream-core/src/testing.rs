//! JavaScript's view of a [`ColumnarBatch`], for tests and fuzzing (the `testing` feature): the
//! records as `ts/engine/native/columnar-batch.ts` builds them, as `serde_json` values, so the
//! columnar hand-off can be compared with the JSON text one.
//!
//! It also checks a batch's invariants as it goes and panics when one does not hold: that is
//! what a test or a fuzz target wants to hear about.

use serde_json::{Map, Value};

use crate::{ColumnarBatch, TextEncoding, ValueKind};

/// Decodes the columnar batches of one file, keeping what JavaScript keeps between them: the
/// header names and the JSON shapes.
#[derive(Debug, Default)]
pub struct ColumnarDecoder {
    names: Option<Vec<String>>,
    shapes: Vec<Value>,
}

impl ColumnarDecoder {
    /// The records of `batch`: CSV records as objects keyed by the header names or as arrays,
    /// JSON records from their shapes. Numbers are [`number`]s; a JSON leaf is parsed by
    /// `serde_json`, and kept as text when it refuses it (lone surrogates, numbers out of range).
    pub fn records(&mut self, batch: &ColumnarBatch) -> Vec<Value> {
        if batch.names.is_some() {
            self.names.clone_from(&batch.names);
        }
        for description in &batch.new_shapes {
            self.shapes.push(parse_shape(description));
        }
        assert_eq!(batch.row_starts.len(), batch.len() + 1);
        assert_eq!(batch.row_encodings.len(), batch.len());
        assert_eq!(batch.row_longest.len(), batch.len());
        assert!(batch.kinds.is_empty() || batch.kinds.len() == batch.ends.len());
        assert!(!batch.offsets_overflow);
        let mut numbers = batch.numbers.iter();
        let mut records = Vec::new();
        if !batch.shapes.is_empty() {
            assert_eq!(batch.shapes.len(), batch.len());
            let mut first = 0;
            for row in 0..batch.len() {
                let shape = &self.shapes[batch.shapes[row] as usize];
                let width = leaf_count(shape);
                let values = row_values(batch, row, first, width, &mut numbers);
                first += width;
                records.push(build(shape, &mut values.into_iter()));
            }
            assert_eq!(first, batch.ends.len(), "the shapes cover every value");
        } else {
            assert_eq!(batch.ends.len(), batch.len() * batch.width);
            for row in 0..batch.len() {
                let values = row_values(batch, row, row * batch.width, batch.width, &mut numbers);
                records.push(match self.names.as_ref() {
                    Some(names) => Value::Object(names.iter().cloned().zip(values).collect()),
                    None => Value::Array(values),
                });
            }
        }
        assert!(numbers.next().is_none(), "every number is used");
        records
    }
}

/// A shape description as `JSON.parse` reads it. A key may hold a lone surrogate escape, which
/// `JSON.parse` takes and `serde_json` refuses; such a key gets U+FFFD in its place here. The
/// record's JSON text has the same escape, so `serde_json` refuses that too and the record is
/// compared by position only.
fn parse_shape(description: &str) -> Value {
    serde_json::from_str(description)
        .or_else(|_| serde_json::from_str(&without_lone_surrogates(description)))
        .expect("a shape is JSON")
}

/// JSON text with every `\u` escape of a surrogate that is not half of a pair made `\ufffd`.
fn without_lone_surrogates(json: &str) -> String {
    let escape_at = |i: usize| -> Option<u32> {
        let hex = json.get(i..i + 6)?.strip_prefix("\\u")?;
        u32::from_str_radix(hex, 16).ok()
    };
    let is_high = |unit: u32| (0xD800..0xDC00).contains(&unit);
    let is_low = |unit: u32| (0xDC00..0xE000).contains(&unit);
    let mut out = String::with_capacity(json.len());
    let mut i = 0;
    while let Some(c) = json.get(i..).and_then(|rest| rest.chars().next()) {
        if c != '\\' {
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        match escape_at(i) {
            Some(high) if is_high(high) && escape_at(i + 6).is_some_and(is_low) => {
                out.push_str(&json[i..i + 12]);
                i += 12;
            }
            Some(unit) if is_high(unit) || is_low(unit) => {
                out.push_str("\\ufffd");
                i += 6;
            }
            // Any other escape is two characters, `\\` included, so its second never starts one.
            _ => {
                out.push_str(json.get(i..i + 2).unwrap_or("\\"));
                i += 2;
            }
        }
    }
    out
}

/// A number as a value that compares by its `f64` bits, so `-0` differs from `0` and `7`
/// equals `7.0`.
pub fn number(value: f64) -> Value {
    Value::String(format!("number {value:?}"))
}

/// `value` with every number replaced by its [`number`], to compare with decoded records.
pub fn normalize(value: Value) -> Value {
    match value {
        Value::Number(n) => number(n.as_f64().unwrap_or(f64::NAN)),
        Value::Array(items) => Value::Array(items.into_iter().map(normalize).collect()),
        Value::Object(map) => {
            Value::Object(map.into_iter().map(|(k, v)| (k, normalize(v))).collect())
        }
        other => other,
    }
}

/// The values of record `row` (values `first .. first + width`), decoded as JavaScript does.
fn row_values(
    batch: &ColumnarBatch,
    row: usize,
    first: usize,
    width: usize,
    numbers: &mut std::slice::Iter<'_, f64>,
) -> Vec<Value> {
    let text = batch.record_text(row).expect("a record's text decodes from its encoding");
    let encoding = batch.row_encodings[row];
    assert_eq!(encoding == TextEncoding::Ascii as u8, text.is_ascii(), "ASCII is flagged as such");
    if encoding == TextEncoding::Utf16Le as u8 {
        assert_eq!(batch.value_gap, 1, "only CSV records travel as UTF-16");
    }
    let units: Vec<u16> = text.encode_utf16().collect();
    let mut start = 0;
    let mut longest = 0;
    let mut values = Vec::new();
    for index in first..first + width {
        if index > first {
            start += batch.value_gap;
        }
        let end = batch.ends[index] as usize;
        let slice = String::from_utf16(&units[start..end]).expect("values end between characters");
        if matches!(batch.kind(index), ValueKind::Text | ValueKind::Json) {
            longest = longest.max(end - start);
        }
        values.push(match batch.kind(index) {
            ValueKind::Text => Value::String(slice),
            ValueKind::Json => match serde_json::from_str(&slice) {
                Ok(value) => normalize(value),
                // What serde_json refuses and JSON.parse takes (a lone surrogate, a number out
                // of range) is kept as its text, which compares with nothing.
                Err(_) => Value::String(format!("unparsed JSON {slice}")),
            },
            ValueKind::Number => number(*numbers.next().expect("a number for each number value")),
            ValueKind::True => Value::Bool(true),
            ValueKind::False => Value::Bool(false),
            ValueKind::Null => Value::Null,
        });
        start = end;
    }
    assert_eq!(start, units.len(), "the values cover the record's text");
    assert_eq!(usize::from(batch.row_longest[row]), longest.min(255), "the longest sliced value");
    values
}

/// Leaves of a shape description (`0`, `[1,"key",…]`, `[2,…]`).
fn leaf_count(shape: &Value) -> usize {
    match shape {
        Value::Array(items) if items[0] == 1 => {
            items.iter().skip(2).step_by(2).map(leaf_count).sum()
        }
        Value::Array(items) => items[1..].iter().map(leaf_count).sum(),
        _ => 1,
    }
}

/// A record built from its shape and its leaves, as the generated literal builds it (a repeated
/// key keeps its last value).
fn build(shape: &Value, leaves: &mut std::vec::IntoIter<Value>) -> Value {
    match shape {
        Value::Array(items) if items[0] == 1 => {
            let mut object = Map::new();
            for pair in items[1..].chunks(2) {
                let value = build(&pair[1], leaves);
                object.insert(pair[0].as_str().unwrap_or_default().to_string(), value);
            }
            Value::Object(object)
        }
        Value::Array(items) => {
            Value::Array(items[1..].iter().map(|item| build(item, leaves)).collect())
        }
        _ => leaves.next().expect("a value for each leaf"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lone_surrogates_become_replacement_characters_and_pairs_stay() {
        let json = r#"[1,"a\ud800b",0,"\\ud800",0,"\ud83d\ude00",0,"\udc00",0,"\ud800\u0041",0]"#;
        let fixed = without_lone_surrogates(json);
        assert_eq!(
            fixed,
            r#"[1,"a\ufffdb",0,"\\ud800",0,"\ud83d\ude00",0,"\ufffd",0,"\ufffd\u0041",0]"#
        );
        let shape = parse_shape(json);
        assert_eq!(shape[1], "a\u{fffd}b");
        assert_eq!(shape[3], "\\ud800");
        assert_eq!(shape[5], "\u{1f600}");
    }
}
