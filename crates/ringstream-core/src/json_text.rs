//! The first hand-off encoding: a batch as one JSON array text, ready for `JSON.parse`.

use crate::config::ValueTypes;
use crate::encode::{BatchEncoder, CsvFields};
use crate::fault::Fault;
use crate::infer::{infer_value_bytes, InferredValue};
use crate::json_escape::{push_ascii_json, push_json_string, push_json_string_bytes};

/// One batch of records framed as JSON text, with their positions and the faults between them.
///
/// `JSON.parse(json)` is an array whose element `i` is record `i`; `lines[i]` and
/// `byte_offsets[i]` are its position. A fault `(index, fault)` came after `index` records of
/// this batch in the input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// One JSON array text holding the batch's records, all ASCII (non-ASCII characters are
    /// `\u` escapes; see `json_escape`).
    pub json: Vec<u8>,
    /// 1-based line of each record (as `f64`, exact below 2^53, to hand to JS as is).
    pub lines: Vec<f64>,
    /// 0-based byte offset of each record in the decompressed file.
    pub byte_offsets: Vec<u64>,
    /// Faults in input order, each with the number of records of this batch before it.
    pub faults: Vec<(usize, Fault)>,
    /// Raw bytes read from the file when the batch was handed off (compressed bytes for a
    /// compressed file).
    pub bytes_read: u64,
}

impl Batch {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the batch holds no record (it may still hold faults).
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }
}

/// Encodes records as JSON text: JSON values verbatim, CSV records as objects keyed by the
/// header (keys escaped once per file) or, without a header, as arrays. With
/// [`ValueTypes::Infer`], numbers keep their original text (the infer grammar is a subset of
/// JSON's, so `JSON.parse` gives exactly `Number(text)`), booleans become `true`/`false` and
/// empty values `null`.
///
/// ```
/// use ringstream_core::{BatchEncoder, CsvFields, JsonTextEncoder, ValueTypes};
/// let mut encoder = JsonTextEncoder::new(ValueTypes::Infer);
/// encoder.csv_header(&["id".to_string(), "name".to_string()]);
/// encoder.csv_record(&CsvFields::new("7Ann", &[1, 4]), 2, 8);
/// encoder.csv_record(&CsvFields::new("007", &[3, 3]), 3, 15);
/// let batch = encoder.take_batch(20);
/// assert_eq!(batch.json, br#"[{"id":7,"name":"Ann"},{"id":"007","name":null}]"#);
/// assert_eq!(batch.lines, [2.0, 3.0]);
/// ```
#[derive(Debug, Clone)]
pub struct JsonTextEncoder {
    types: ValueTypes,
    /// `"name":` for each header column, escaped once.
    keys: Option<Vec<Vec<u8>>>,
    json: Vec<u8>,
    lines: Vec<f64>,
    byte_offsets: Vec<u64>,
    faults: Vec<(usize, Fault)>,
}

impl JsonTextEncoder {
    /// An encoder typing CSV values as `types` says.
    pub fn new(types: ValueTypes) -> JsonTextEncoder {
        JsonTextEncoder {
            types,
            keys: None,
            json: Vec::new(),
            lines: Vec::new(),
            byte_offsets: Vec::new(),
            faults: Vec::new(),
        }
    }

    fn begin_record(&mut self, line: u64, byte_offset: u64) {
        self.json.push(if self.lines.is_empty() { b'[' } else { b',' });
        self.lines.push(line as f64);
        self.byte_offsets.push(byte_offset);
    }

    #[inline]
    fn push_value(&mut self, value: &[u8]) {
        if self.types == ValueTypes::Infer {
            match infer_value_bytes(value) {
                InferredValue::Null => return self.json.extend_from_slice(b"null"),
                InferredValue::Boolean(true) => return self.json.extend_from_slice(b"true"),
                InferredValue::Boolean(false) => return self.json.extend_from_slice(b"false"),
                InferredValue::Number => return self.json.extend_from_slice(value),
                InferredValue::Text => {}
            }
        }
        push_json_string_bytes(&mut self.json, value);
    }
}

impl BatchEncoder for JsonTextEncoder {
    type Batch = Batch;

    fn json_value(&mut self, text: &[u8], line: u64, byte_offset: u64) {
        self.begin_record(line, byte_offset);
        push_ascii_json(&mut self.json, text);
    }

    fn csv_header(&mut self, names: &[String]) {
        let keys = names
            .iter()
            .map(|name| {
                let mut key = Vec::with_capacity(name.len() + 3);
                push_json_string(&mut key, name);
                key.push(b':');
                key
            })
            .collect();
        self.keys = Some(keys);
    }

    fn csv_record(&mut self, fields: &CsvFields<'_>, line: u64, byte_offset: u64) {
        self.begin_record(line, byte_offset);
        match self.keys.take() {
            Some(keys) => {
                self.json.push(b'{');
                for (i, (key, value)) in keys.iter().zip(fields.iter_bytes()).enumerate() {
                    if i > 0 {
                        self.json.push(b',');
                    }
                    self.json.extend_from_slice(key);
                    self.push_value(value);
                }
                self.json.push(b'}');
                self.keys = Some(keys);
            }
            None => {
                self.json.push(b'[');
                for (i, value) in fields.iter_bytes().enumerate() {
                    if i > 0 {
                        self.json.push(b',');
                    }
                    self.push_value(value);
                }
                self.json.push(b']');
            }
        }
    }

    fn fault(&mut self, fault: Fault) {
        self.faults.push((self.lines.len(), fault));
    }

    fn record_count(&self) -> usize {
        self.lines.len()
    }

    fn fault_count(&self) -> usize {
        self.faults.len()
    }

    fn encoded_bytes(&self) -> usize {
        self.json.len()
    }

    fn take_batch(&mut self, bytes_read: u64) -> Batch {
        let json_capacity = self.json.len() + 1;
        let mut json = std::mem::replace(&mut self.json, Vec::with_capacity(json_capacity));
        if json.is_empty() {
            json.push(b'[');
        }
        json.push(b']');
        let lines_capacity = self.lines.len();
        Batch {
            json,
            lines: std::mem::replace(&mut self.lines, Vec::with_capacity(lines_capacity)),
            byte_offsets: std::mem::replace(
                &mut self.byte_offsets,
                Vec::with_capacity(lines_capacity),
            ),
            faults: std::mem::take(&mut self.faults),
            bytes_read,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fault::ErrorCode;

    #[test]
    fn faults_are_indexed_by_records_before_them() {
        let mut encoder = JsonTextEncoder::new(ValueTypes::Strings);
        encoder.fault(Fault::at(ErrorCode::Truncated, 1, 0, String::new()));
        encoder.json_value(b"1", 1, 0);
        encoder.json_value(b"[2]", 2, 2);
        encoder.fault(Fault::at(ErrorCode::Truncated, 3, 6, String::new()));
        let batch = encoder.take_batch(7);
        assert_eq!(batch.json, b"[1,[2]]");
        assert_eq!(batch.faults.iter().map(|f| f.0).collect::<Vec<_>>(), [0, 2]);
        assert_eq!(batch.bytes_read, 7);
        let empty = encoder.take_batch(7);
        assert_eq!(empty.json, b"[]");
        assert!(empty.is_empty());
    }

    #[test]
    fn csv_without_header_is_arrays_of_strings() {
        let mut encoder = JsonTextEncoder::new(ValueTypes::Strings);
        encoder.csv_record(&CsvFields::new("1\"x\"", &[1, 4]), 1, 0);
        let batch = encoder.take_batch(0);
        assert_eq!(batch.json, br#"[["1","\"x\""]]"#);
    }

    #[test]
    fn batch_text_is_ascii() {
        let mut encoder = JsonTextEncoder::new(ValueTypes::Strings);
        encoder.csv_header(&["é".to_string()]);
        encoder.csv_record(&CsvFields::new("ü", &[2]), 2, 4);
        encoder.json_value(r#"{"😀":"ß"}"#.as_bytes(), 3, 8);
        let batch = encoder.take_batch(20);
        assert_eq!(batch.json, br#"[{"\u00e9":"\u00fc"},{"\ud83d\ude00":"\u00df"}]"#);
    }
}
