//! The second hand-off encoding: a batch as columns of values that JavaScript turns into
//! records without a JSON parser.
//!
//! A [`ColumnarBatch`] holds every record as `width` values, record after record. The text of
//! the text values is laid end to end in one UTF-8 blob; numbers are already parsed into `f64`;
//! `true`, `false` and `null` are only a kind. JavaScript decodes the blob (once per batch, or
//! once per record when a record needs it: see `ts/engine/native/columnar-batch.ts`) and builds
//! each record with a constructor made once per header, so no value is scanned twice and no
//! key is parsed per record.
//!
//! CSV/TSV records are flat: `width` values each. A JSON Lines line or JSON array element is
//! split into its leaves and a *shape* (its keys and nesting, interned per file), from which
//! JavaScript builds the record with a literal generated once per shape (see `json_shape`).

use crate::config::ValueTypes;
use crate::encode::{BatchEncoder, CsvFields};
use crate::fault::Fault;
use crate::infer::{infer_value_bytes, InferredValue};
use crate::json_syntax::JsonSyntaxError;

mod json_shape;
mod known_shape;
use json_shape::ShapeTable;

/// UTF-16 units (and bytes) between two values of a CSV record in the blob: the delimiter of a
/// raw record copied whole, or [`CSV_SEPARATOR`].
const CSV_VALUE_GAP: usize = 1;
/// What separates two CSV values that were not copied as one raw record.
const CSV_SEPARATOR: u8 = b',';

/// What one value of a [`ColumnarBatch`] is: `kinds[i] == kind as u8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ValueKind {
    /// A string: its text is in the blob.
    Text = 0,
    /// A number: the next entry of `numbers`.
    Number = 1,
    /// `true`.
    True = 2,
    /// `false`.
    False = 3,
    /// `null`.
    Null = 4,
    /// A whole JSON value (a JSON Lines line or JSON array element): its text is in the blob,
    /// valid for `JSON.parse`.
    Json = 5,
}

/// How a record's text is laid in the blob: `row_encodings[r] == encoding as u8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TextEncoding {
    /// UTF-8.
    Utf8 = 0,
    /// ASCII: bytes and UTF-16 units are the same, so a value's offsets also index the blob
    /// decoded as Latin-1 at once.
    Ascii = 1,
    /// UTF-16LE, two bytes per unit: a CSV record without quotes that is not all ASCII, so
    /// that JavaScript copies its text instead of decoding UTF-8 (the reader thread, which has
    /// time to spare on CSV, transcodes it).
    Utf16Le = 2,
}

/// One batch of records as columns, with their positions and the faults between them.
///
/// Record `r` is values `r × width .. (r + 1) × width`. For value `i`:
///
/// - its kind is `kinds[i]` (a [`ValueKind`]), or [`ValueKind::Text`] when `kinds` is empty
///   (no value of the batch is anything else);
/// - its text is the part of its record's text from `value_gap` units after the end of the
///   value before it in the record (or from the record's start) to `ends[i]`; `ends` count
///   UTF-16 code units from the start of the record's text, which is what JavaScript's `slice`
///   takes on the decoded record. Every CSV value has its text (a number's too, so that an
///   unquoted record is copied whole, delimiters and all: `value_gap` is 1); a JSON value
///   without text (a number, `true`, `false`, `null`) ends where the one before it ends;
/// - a number is the next entry of `numbers`, in value order.
///
/// JSON records (`shapes` not empty) have a shape each instead of the width: record `r` has as
/// many values as its shape `shapes[r]` has leaves (see `json_shape` for the descriptions,
/// handed over in `new_shapes` in the batch where each shape is first used).
///
/// Record `r`'s text is `text[row_starts[r] .. row_starts[r + 1]]` (byte offsets), in the
/// [`TextEncoding`] `row_encodings[r]`.
///
/// ```
/// use ringstream_core::{BatchEncoder, ColumnarEncoder, CsvFields, TextEncoding, ValueKind, ValueTypes};
/// let mut encoder = ColumnarEncoder::new(ValueTypes::Infer);
/// encoder.csv_header(&["id".to_string(), "city".to_string()]);
/// encoder.csv_record(&CsvFields::new("7Zürich", &[1, 8]), 2, 8);
/// encoder.csv_record(&CsvFields::new("-0", &[2, 2]), 3, 18);
/// let batch = encoder.take_batch(24);
/// assert_eq!(batch.width, 2);
/// assert_eq!(batch.names.as_deref(), Some(&["id".to_string(), "city".to_string()][..]));
/// assert_eq!(batch.value_gap, 1);
/// assert_eq!(batch.text, "7,Zürich-0,".as_bytes()); // every value, one byte between each two
/// assert_eq!(batch.row_starts, [0, 9, 12]);
/// assert_eq!(batch.row_encodings, [TextEncoding::Utf8 as u8, TextEncoding::Ascii as u8]);
/// assert_eq!(batch.ends, [1, 8, 2, 3]); // "Zürich" is 6 UTF-16 units
/// assert_eq!(batch.row_longest, [6, 0]); // numbers are not sliced
/// let kinds = [ValueKind::Number, ValueKind::Text, ValueKind::Number, ValueKind::Null];
/// assert_eq!(batch.kinds, kinds.map(|k| k as u8));
/// assert_eq!(batch.numbers, [7.0, -0.0]);
/// assert!(batch.numbers[1].is_sign_negative());
/// assert_eq!(batch.lines, [2.0, 3.0]);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnarBatch {
    /// Values per CSV record: the file's field count (0 for JSON values, which have shapes).
    pub width: usize,
    /// UTF-16 units between the end of a value and the start of the next one in a record: 1
    /// for CSV (a record's text is its values with one separator byte between each two, so an
    /// unquoted raw record is copied as it is), 0 for JSON (leaves are laid end to end).
    pub value_gap: usize,
    /// The CSV header names, in the first batch handed off after the header was read (and in
    /// no other), so JavaScript builds its record constructor once per file.
    pub names: Option<Vec<String>>,
    /// The values' text (see above), record after record, each in its `row_encodings` encoding.
    pub text: Vec<u8>,
    /// Byte offset in `text` where each record's text starts, plus one entry for the end: one
    /// more entry than there are records.
    pub row_starts: Vec<u32>,
    /// The [`TextEncoding`] of each record's text, as `u8`.
    pub row_encodings: Vec<u8>,
    /// UTF-16 units of the record's longest text or JSON value (the values JavaScript takes
    /// slices of; a number's text is not one), at most 255; one entry per record. JavaScript
    /// decides from it whether slices of the record would copy or keep their source alive.
    pub row_longest: Vec<u8>,
    /// Where each value's text ends, in UTF-16 units from its record's start.
    pub ends: Vec<u32>,
    /// Each value's [`ValueKind`] as `u8`, or empty when every value is text.
    pub kinds: Vec<u8>,
    /// The number values, in value order.
    pub numbers: Vec<f64>,
    /// The shape id of each JSON record; empty for CSV records.
    pub shapes: Vec<u32>,
    /// Descriptions of the shapes first used in this batch, in id order (ids count on from
    /// the file's earlier batches).
    pub new_shapes: Vec<String>,
    /// 1-based line of each record (as `f64`, exact below 2^53, to hand to JS as is).
    pub lines: Vec<f64>,
    /// 0-based byte offset of each record in the decompressed file.
    pub byte_offsets: Vec<u64>,
    /// Faults in input order, each with the number of records of this batch before it.
    pub faults: Vec<(usize, Fault)>,
    /// Raw bytes read from the file when the batch was handed off.
    pub bytes_read: u64,
    /// Whether the records are only counted (see [`ColumnarEncoder::counting_after`]): the
    /// batch then holds their positions and the faults, and no value.
    pub counted: bool,
    /// Whether an offset passed `u32::MAX` (a batch whose text passed 4 GiB), so the offsets
    /// are wrong. A batch's text stays below 4 GiB while `max_batch_bytes` and
    /// `max_record_bytes` stay below 2 GiB (the facade allows at most 2^31 − 1), and
    /// JavaScript strings are shorter than that anyway; a binding must refuse such a batch.
    pub offsets_overflow: bool,
}

impl ColumnarBatch {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether the batch holds no record (it may still hold faults).
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The text of record `row`, decoded from its encoding (`None` when there is no such
    /// record or its text does not decode).
    pub fn record_text(&self, row: usize) -> Option<String> {
        let start = *self.row_starts.get(row)? as usize;
        let end = *self.row_starts.get(row + 1)? as usize;
        let bytes = self.text.get(start..end)?;
        match *self.row_encodings.get(row)? {
            encoding if encoding == TextEncoding::Utf16Le as u8 => {
                let units: Vec<u16> = bytes
                    .chunks_exact(2)
                    .map(|pair| u16::from_le_bytes([pair[0], pair[1]]))
                    .collect();
                String::from_utf16(&units).ok()
            }
            _ => String::from_utf8(bytes.to_vec()).ok(),
        }
    }

    /// The kind of value `index`.
    pub fn kind(&self, index: usize) -> ValueKind {
        match self.kinds.get(index) {
            Some(1) => ValueKind::Number,
            Some(2) => ValueKind::True,
            Some(3) => ValueKind::False,
            Some(4) => ValueKind::Null,
            Some(5) => ValueKind::Json,
            _ => ValueKind::Text,
        }
    }
}

/// Encodes records as columns. CSV values are typed as `types` says (with
/// [`ValueTypes::Infer`], numbers are parsed here, by Rust's correctly rounded `f64` parser,
/// which gives what `Number(text)` gives for the contract's grammar, `-0` included); JSON values
/// are split into their leaves and a shape, their numbers parsed by the same parser (which
/// gives what `JSON.parse` gives).
///
/// Every CSV record has the same number of values, the file's width: the header's length, else
/// the first record's. Parsers only hand over records of that width; a record that is not is
/// cut to it or filled with empty strings, so a batch stays well-formed whatever the caller
/// does. A reader hands one encoder records of one format only.
#[derive(Debug, Clone)]
pub struct ColumnarEncoder {
    types: ValueTypes,
    width: Option<usize>,
    names: Option<Vec<String>>,
    batch: ColumnarBatch,
    /// Whether `batch.kinds` is kept (it is left empty while every value is text).
    kinds_kept: bool,
    /// UTF-16 units of the current record so far.
    row_units: usize,
    /// Whether the current record's text is all ASCII so far.
    row_ascii: bool,
    /// Whether the current record's text was written as UTF-16LE.
    row_utf16: bool,
    /// UTF-16 units of the current record's longest text or JSON value so far.
    row_longest: usize,
    /// Whether the JSON text being shaped is all ASCII, so the values copied from it need no
    /// check of their own (one check of a line costs less than one per value).
    source_ascii: bool,
    /// The JSON records' shapes.
    shapes: ShapeTable,
    /// Room to unescape a JSON string in.
    scratch: Vec<u8>,
    /// Room to transcode a record to UTF-16 in.
    units: Vec<u16>,
    /// Records of the file after which batches are only counted, if they are.
    count_after: Option<usize>,
    /// Records of the file in the batches taken so far.
    records_taken: usize,
}

impl ColumnarEncoder {
    /// An encoder typing CSV values as `types` says.
    pub fn new(types: ValueTypes) -> ColumnarEncoder {
        ColumnarEncoder {
            types,
            width: None,
            names: None,
            batch: ColumnarBatch::default(),
            kinds_kept: false,
            row_units: 0,
            row_ascii: true,
            row_utf16: false,
            row_longest: 0,
            source_ascii: false,
            shapes: ShapeTable::default(),
            scratch: Vec::new(),
            units: Vec::new(),
            count_after: None,
            records_taken: 0,
        }
    }

    /// An encoder whose batches, from the first that starts after `records` records of the
    /// file, are only counted: their records' positions and the faults are kept, no value is
    /// encoded, and the batch says so ([`ColumnarBatch::counted`]). For a reader whose records
    /// are only counted (a `count()` with no stages) past the first few, which are still built
    /// (the facade looks at a CSV file's first two). Every record is still checked as ever, so
    /// the same records are good and the same faults come.
    ///
    /// ```
    /// use ringstream_core::{BatchEncoder, ColumnarEncoder, CsvFields, ValueTypes};
    /// let mut encoder = ColumnarEncoder::new(ValueTypes::Strings).counting_after(1);
    /// encoder.csv_record(&CsvFields::new("ab", &[1, 2]), 1, 0);
    /// let first = encoder.take_batch(4);
    /// assert!(!first.counted);
    /// assert_eq!(first.text, b"a,b");
    /// encoder.csv_record(&CsvFields::new("cd", &[1, 2]), 2, 4);
    /// let second = encoder.take_batch(8);
    /// assert!(second.counted);
    /// assert_eq!((second.len(), second.lines[0], second.byte_offsets[0]), (1, 2.0, 4));
    /// assert!(second.text.is_empty() && second.ends.is_empty());
    /// ```
    pub fn counting_after(mut self, records: usize) -> ColumnarEncoder {
        self.count_after = Some(records);
        self.batch.counted = records == 0;
        self
    }

    /// Keeps only the position of a record that is only counted.
    fn count_record(&mut self, line: u64, byte_offset: u64) {
        self.batch.lines.push(line as f64);
        self.batch.byte_offsets.push(byte_offset);
    }

    fn begin_record(&mut self, width: usize, line: u64, byte_offset: u64) -> usize {
        self.begin_row(line, byte_offset);
        *self.width.get_or_insert(width)
    }

    fn begin_row(&mut self, line: u64, byte_offset: u64) {
        let start = self.offset(self.batch.text.len());
        self.batch.row_starts.push(start);
        self.batch.lines.push(line as f64);
        self.batch.byte_offsets.push(byte_offset);
        self.row_units = 0;
        self.row_ascii = true;
        self.row_utf16 = false;
        self.row_longest = 0;
    }

    /// Takes back a row begun with `begin_row` that holds no value.
    fn cancel_row(&mut self) {
        self.batch.row_starts.pop();
        self.batch.lines.pop();
        self.batch.byte_offsets.pop();
    }

    fn end_record(&mut self) {
        let encoding = if self.row_utf16 {
            TextEncoding::Utf16Le
        } else if self.row_ascii {
            TextEncoding::Ascii
        } else {
            TextEncoding::Utf8
        };
        self.batch.row_encodings.push(encoding as u8);
        self.batch.row_longest.push(u8::try_from(self.row_longest).unwrap_or(u8::MAX));
    }

    /// `value` as a `u32` offset, flagging the batch when it does not fit.
    fn offset(&mut self, value: usize) -> u32 {
        u32::try_from(value).unwrap_or_else(|_| {
            self.batch.offsets_overflow = true;
            u32::MAX
        })
    }

    #[inline]
    fn push_kind(&mut self, kind: ValueKind) {
        if !self.kinds_kept {
            if kind == ValueKind::Text {
                return;
            }
            // The values so far were all text; from here on every value has its kind.
            self.kinds_kept = true;
            self.batch.kinds.resize(self.batch.ends.len(), ValueKind::Text as u8);
        }
        self.batch.kinds.push(kind as u8);
    }

    /// A value with text (a string, or a JSON value's text).
    #[inline]
    fn push_text(&mut self, kind: ValueKind, value: &[u8]) {
        self.push_kind(kind);
        self.push_value_text(value, true);
    }

    /// The text of a value whose kind is pushed, and its end; `sliced` when JavaScript takes a
    /// slice of it (a text or JSON value, not a CSV number's text).
    #[inline]
    fn push_value_text(&mut self, value: &[u8], sliced: bool) {
        self.batch.text.extend_from_slice(value);
        let units = self.units_of(value);
        self.row_units += units;
        if sliced {
            self.row_longest = self.row_longest.max(units);
        }
        let end = self.offset(self.row_units);
        self.batch.ends.push(end);
    }

    /// UTF-16 units of a value's text, noting when it is not ASCII.
    #[inline]
    fn units_of(&mut self, value: &[u8]) -> usize {
        if self.source_ascii || value.is_ascii() {
            value.len()
        } else {
            self.row_ascii = false;
            utf16_len(value)
        }
    }

    /// A value without text: it ends where the value before it ends.
    #[inline]
    fn push_bare(&mut self, kind: ValueKind) {
        self.push_kind(kind);
        let end = self.offset(self.row_units);
        self.batch.ends.push(end);
    }

    /// The kind of a CSV value, its number kept when it is one. With `ValueTypes::Strings`
    /// every value is text and no kind is kept.
    #[inline]
    fn push_csv_kind(&mut self, value: &[u8]) -> ValueKind {
        if self.types != ValueTypes::Infer {
            return ValueKind::Text;
        }
        let kind = match infer_value_bytes(value) {
            InferredValue::Null => ValueKind::Null,
            InferredValue::Boolean(true) => ValueKind::True,
            InferredValue::Boolean(false) => ValueKind::False,
            // The grammar matched, so this parses; if it did not, the text stays.
            InferredValue::Number => match parse_number(value) {
                Some(number) => {
                    self.batch.numbers.push(number);
                    ValueKind::Number
                }
                None => ValueKind::Text,
            },
            InferredValue::Text => ValueKind::Text,
        };
        self.push_kind(kind);
        kind
    }

    /// A raw record without quotes, copied whole (transcoded to UTF-16LE when it is not
    /// ASCII): its delimiters are the separators.
    fn push_delimited_record(&mut self, fields: &CsvFields<'_>) {
        let raw = fields.raw();
        let ascii = raw.is_ascii();
        if ascii {
            self.batch.text.extend_from_slice(raw);
        } else {
            self.push_utf16le(raw);
        }
        self.row_ascii = ascii;
        if ascii && self.types != ValueTypes::Infer && u32::try_from(raw.len()).is_ok() {
            // Units are bytes and every value is text: a value's end is its delimiter's index.
            // One pass, and no conversion that can fail: the ends are within the record, whose
            // length fits (this loop was a fifth of the reader's instructions on narrow.csv).
            let ends = fields.ends();
            self.batch.ends.reserve(ends.len());
            let mut start = 0;
            let mut longest = self.row_longest;
            for &end in ends {
                longest = longest.max(end - start);
                start = end + CSV_VALUE_GAP;
                self.batch.ends.push(end as u32);
            }
            self.row_longest = longest;
            return;
        }
        // Units before the value: in an ASCII record, its byte offset.
        let mut units = 0;
        let mut start = 0;
        for &end in fields.ends() {
            let value = raw.get(start..end).unwrap_or_default();
            let value_units = if ascii { value.len() } else { utf16_len(value) };
            if self.push_csv_kind(value) == ValueKind::Text {
                self.row_longest = self.row_longest.max(value_units);
            }
            units += value_units;
            let offset = self.offset(units);
            self.batch.ends.push(offset);
            units += CSV_VALUE_GAP;
            start = end + 1;
        }
    }

    /// `utf8` (valid UTF-8) as UTF-16LE.
    fn push_utf16le(&mut self, utf8: &[u8]) {
        // The converter wants room for one unit more than there are bytes.
        self.units.clear();
        self.units.resize(utf8.len() + 1, 0);
        let written = encoding_rs::mem::convert_utf8_to_utf16(utf8, &mut self.units);
        let units = self.units.get(..written).unwrap_or_default();
        // Sized first and filled pairwise, which compiles to vector code; a push per unit did not.
        let start = self.batch.text.len();
        self.batch.text.resize(start + 2 * units.len(), 0);
        let pairs = self.batch.text.get_mut(start..).unwrap_or_default().chunks_exact_mut(2);
        for (pair, unit) in pairs.zip(units) {
            pair.copy_from_slice(&unit.to_le_bytes());
        }
        self.row_utf16 = true;
    }

    /// CSV values one at a time, a separator before each but the first, cut or filled with
    /// empty text to `width`.
    fn push_csv_values(&mut self, fields: &CsvFields<'_>, width: usize) {
        let filler = std::iter::repeat(&b""[..]).take(width.saturating_sub(fields.len()));
        for (k, value) in fields.iter_bytes().take(width).chain(filler).enumerate() {
            if k > 0 {
                self.batch.text.push(CSV_SEPARATOR);
                self.row_units += CSV_VALUE_GAP;
            }
            let kind = if k < fields.len() {
                self.push_csv_kind(value)
            } else {
                self.push_kind(ValueKind::Text);
                ValueKind::Text
            };
            self.push_value_text(value, kind == ValueKind::Text);
        }
    }
}

/// The `f64` of a decimal the infer grammar matched, as `Number(text)` gives it.
fn parse_number(value: &[u8]) -> Option<f64> {
    crate::decimal::parse_decimal(value)
}

/// UTF-16 code units of valid UTF-8: one per character, two for one above U+FFFF (a 4-byte
/// sequence, lead byte `F0`–`F4`).
fn utf16_len(bytes: &[u8]) -> usize {
    // Most values of a record that is not ASCII are, and `is_ascii` takes a word at a time.
    if bytes.is_ascii() {
        return bytes.len();
    }
    bytes.iter().map(|&b| usize::from(b & 0xC0 != 0x80) + usize::from(b >= 0xF0)).sum()
}

impl BatchEncoder for ColumnarEncoder {
    type Batch = ColumnarBatch;

    fn json_value(&mut self, text: &[u8], line: u64, byte_offset: u64) {
        if self.batch.counted {
            return self.count_record(line, byte_offset);
        }
        self.begin_row(line, byte_offset);
        let shape = match self.try_shape(text) {
            Some(shape) => shape,
            None => self.push_json_leaf_record(text),
        };
        self.batch.shapes.push(shape);
        self.end_record();
    }

    /// Shaping reads every byte of the text with the validator's rules, so a shaped text is
    /// not validated again: one pass instead of two (JSON Lines W1 was bound by the two).
    fn checked_json_value(
        &mut self,
        text: &[u8],
        line: u64,
        byte_offset: u64,
        validate: fn(&[u8]) -> Result<(), JsonSyntaxError>,
    ) -> Result<(), JsonSyntaxError> {
        if self.batch.counted {
            validate(text)?;
            self.count_record(line, byte_offset);
            return Ok(());
        }
        self.begin_row(line, byte_offset);
        let shape = match self.try_shape(text) {
            Some(shape) => shape,
            None => {
                // Not JSON, or not shaped (too many leaves or shapes): the validator decides,
                // and says why when it is not JSON.
                if let Err(error) = validate(text) {
                    self.cancel_row();
                    return Err(error);
                }
                self.push_json_leaf_record(text)
            }
        };
        self.batch.shapes.push(shape);
        self.end_record();
        Ok(())
    }

    fn csv_header(&mut self, names: &[String]) {
        self.width.get_or_insert(names.len());
        self.names = Some(names.to_vec());
    }

    fn csv_record(&mut self, fields: &CsvFields<'_>, line: u64, byte_offset: u64) {
        if self.batch.counted {
            return self.count_record(line, byte_offset);
        }
        let width = self.begin_record(fields.len(), line, byte_offset);
        if fields.is_delimited() && fields.len() == width {
            self.push_delimited_record(fields);
        } else {
            self.push_csv_values(fields, width);
        }
        self.end_record();
    }

    fn takes_plain_csv(&self, width: usize) -> bool {
        !self.batch.counted && self.types != ValueTypes::Infer && self.width == Some(width)
    }

    /// What `csv_record` lays out for a plain record (`begin_record`, the ASCII branch of
    /// `push_delimited_record`, `end_record`), without the tests that a plain record passes:
    /// on narrow.csv those, and the call, were a third of the encoder's instructions.
    #[inline]
    fn plain_csv_record(&mut self, raw: &[u8], ends: &[usize], line: u64, byte_offset: u64) {
        let start = self.offset(self.batch.text.len());
        self.batch.row_starts.push(start);
        self.batch.lines.push(line as f64);
        self.batch.byte_offsets.push(byte_offset);
        self.batch.text.extend_from_slice(raw);
        let mut from = 0;
        let mut longest = 0;
        for &end in ends {
            longest = longest.max(end - from);
            from = end + CSV_VALUE_GAP;
            // A plain record's length fits in a `u32`, so every end within it does.
            self.batch.ends.push(end as u32);
        }
        self.batch.row_encodings.push(TextEncoding::Ascii as u8);
        self.batch.row_longest.push(u8::try_from(longest).unwrap_or(u8::MAX));
    }

    fn fault(&mut self, fault: Fault) {
        let index = self.batch.lines.len();
        self.batch.faults.push((index, fault));
    }

    fn record_count(&self) -> usize {
        self.batch.lines.len()
    }

    fn fault_count(&self) -> usize {
        self.batch.faults.len()
    }

    /// Everything but the positions (which every encoding has): the text, 4 bytes per value
    /// end, 1 per kind, 8 per number, 6 per record (its start, ASCII flag and longest value) and 4 per shape id.
    fn encoded_bytes(&self) -> usize {
        let b = &self.batch;
        b.text.len()
            + 4 * b.ends.len()
            + b.kinds.len()
            + 8 * b.numbers.len()
            + 6 * b.lines.len()
            + 4 * b.shapes.len()
    }

    fn take_batch(&mut self, bytes_read: u64) -> ColumnarBatch {
        let end = self.offset(self.batch.text.len());
        self.batch.row_starts.push(end);
        self.batch.width = self.width.unwrap_or(0);
        self.batch.value_gap = if self.width.is_some() { CSV_VALUE_GAP } else { 0 };
        self.batch.names = self.names.take();
        self.batch.new_shapes = std::mem::take(&mut self.shapes.new);
        self.batch.bytes_read = bytes_read;
        self.kinds_kept = false;
        self.records_taken += self.batch.len();
        // The next batch starts with room for as much as this one held.
        let b = &self.batch;
        let next = ColumnarBatch {
            text: Vec::with_capacity(b.text.len()),
            row_starts: Vec::with_capacity(b.row_starts.len()),
            row_encodings: Vec::with_capacity(b.row_encodings.len()),
            row_longest: Vec::with_capacity(b.row_longest.len()),
            ends: Vec::with_capacity(b.ends.len()),
            kinds: Vec::with_capacity(b.kinds.len()),
            numbers: Vec::with_capacity(b.numbers.len()),
            shapes: Vec::with_capacity(b.shapes.len()),
            lines: Vec::with_capacity(b.lines.len()),
            byte_offsets: Vec::with_capacity(b.byte_offsets.len()),
            counted: self.count_after.is_some_and(|records| self.records_taken >= records),
            ..ColumnarBatch::default()
        };
        std::mem::replace(&mut self.batch, next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fault::ErrorCode;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    /// Value `index` of `batch` as JavaScript would decode it, for the tests.
    fn value(batch: &ColumnarBatch, index: usize) -> String {
        let row = index / batch.width;
        let start_value = row * batch.width;
        let units_before = |i: usize| {
            if i == start_value {
                0
            } else {
                batch.ends[i - 1] as usize + batch.value_gap
            }
        };
        let units: Vec<u16> = batch.record_text(row).unwrap().encode_utf16().collect();
        let slice = &units[units_before(index)..batch.ends[index] as usize];
        let number_index = (0..index).filter(|&i| batch.kind(i) == ValueKind::Number).count();
        match batch.kind(index) {
            ValueKind::Text => format!("{:?}", String::from_utf16(slice).unwrap()),
            ValueKind::Json => String::from_utf16(slice).unwrap(),
            ValueKind::Number => format!("{:?}", batch.numbers[number_index]),
            ValueKind::True => "true".into(),
            ValueKind::False => "false".into(),
            ValueKind::Null => "null".into(),
        }
    }

    fn values(batch: &ColumnarBatch) -> Vec<String> {
        (0..batch.ends.len()).map(|i| value(batch, i)).collect()
    }

    #[test]
    fn strings_keep_no_kinds_and_count_utf16_units() {
        let mut encoder = ColumnarEncoder::new(ValueTypes::Strings);
        encoder.csv_header(&header(&["a", "b"]));
        encoder.csv_record(&CsvFields::new("1😀é", &[1, 7]), 2, 4);
        encoder.csv_record(&CsvFields::new("xy", &[1, 2]), 3, 12);
        let batch = encoder.take_batch(16);
        assert!(batch.kinds.is_empty());
        assert_eq!(batch.ends, [1, 5, 1, 3]); // 😀 is two units, é one, a separator one
        assert_eq!(batch.row_starts, [0, 8, 11]);
        assert_eq!(batch.row_encodings, [TextEncoding::Utf8 as u8, TextEncoding::Ascii as u8]);
        assert_eq!(batch.row_longest, [3, 1]);
        assert_eq!(values(&batch), [r#""1""#, r#""😀é""#, r#""x""#, r#""y""#]);
        assert_eq!(batch.bytes_read, 16);
        assert!(!batch.offsets_overflow);
    }

    #[test]
    fn inferred_values_follow_the_contract() {
        let mut encoder = ColumnarEncoder::new(ValueTypes::Infer);
        let row = ["", "True", "FALSE", "007", "1e400", "-0", "9007199254740993", "2.50", "x"];
        let text: String = row.concat();
        let ends: Vec<usize> = row
            .iter()
            .scan(0, |end, v| {
                *end += v.len();
                Some(*end)
            })
            .collect();
        encoder.csv_record(&CsvFields::new(&text, &ends), 1, 0);
        let batch = encoder.take_batch(0);
        assert_eq!(batch.width, 9);
        assert_eq!(
            values(&batch),
            [
                "null",
                "true",
                "false",
                r#""007""#,
                r#""1e400""#,
                "-0.0",
                r#""9007199254740993""#,
                "2.5",
                r#""x""#
            ]
        );
        assert_eq!(batch.text, row.join(",").as_bytes());
    }

    #[test]
    fn kinds_start_when_the_first_value_is_not_text() {
        let mut encoder = ColumnarEncoder::new(ValueTypes::Infer);
        encoder.csv_record(&CsvFields::new("ab", &[1, 2]), 1, 0);
        encoder.csv_record(&CsvFields::new("c1", &[1, 2]), 2, 4);
        let batch = encoder.take_batch(8);
        assert_eq!(batch.kinds, [0, 0, 0, 1]);
        assert_eq!(values(&batch), [r#""a""#, r#""b""#, r#""c""#, "1.0"]);
        // The next batch starts over without kinds.
        encoder.csv_record(&CsvFields::new("de", &[1, 2]), 3, 8);
        assert!(encoder.take_batch(12).kinds.is_empty());
    }

    #[test]
    fn names_come_once_and_width_stays() {
        let mut encoder = ColumnarEncoder::new(ValueTypes::Strings);
        encoder.fault(Fault::at(ErrorCode::Parse, 1, 0, "x".into()));
        let first = encoder.take_batch(2);
        assert_eq!((first.width, first.names.is_none(), first.row_starts.len()), (0, true, 1));
        encoder.csv_header(&header(&["a", "b"]));
        encoder.csv_record(&CsvFields::new("12", &[1, 2]), 3, 6);
        let second = encoder.take_batch(9);
        assert_eq!(second.names, Some(header(&["a", "b"])));
        assert_eq!(second.faults.len(), 0);
        encoder.csv_record(&CsvFields::new("34", &[1, 2]), 4, 9);
        let third = encoder.take_batch(12);
        assert_eq!((third.width, third.names), (2, None));
    }

    #[test]
    fn records_of_another_width_are_cut_or_filled() {
        let mut encoder = ColumnarEncoder::new(ValueTypes::Strings);
        encoder.csv_header(&header(&["a", "b"]));
        encoder.csv_record(&CsvFields::new("123", &[1, 2, 3]), 2, 0);
        encoder.csv_record(&CsvFields::new("4", &[1]), 3, 6);
        let batch = encoder.take_batch(12);
        assert_eq!(values(&batch), [r#""1""#, r#""2""#, r#""4""#, r#""""#]);
        assert_eq!(batch.text, b"1,24,");
    }

    #[test]
    fn encoded_bytes_count_every_column() {
        let mut encoder = ColumnarEncoder::new(ValueTypes::Infer);
        encoder.csv_record(&CsvFields::new("1ab", &[1, 3]), 1, 0);
        // text 4 + ends 2 × 4 + kinds 2 + one number 8 + one record 6
        assert_eq!(encoder.encoded_bytes(), 4 + 8 + 2 + 8 + 6);
    }

    /// The worst the encoding gets per raw byte of a CSV record, which
    /// [`estimate_memory`](crate::estimate_memory) counts on: a value costs at most 13 bytes
    /// (end, kind, number) besides its text and separator, every value but the last has a
    /// delimiter and every number a digit; a record that is not ASCII may travel as UTF-16,
    /// two bytes per unit (a digit and its delimiter: 4 bytes of text).
    #[test]
    fn encoding_is_at_most_nine_bytes_per_raw_byte() {
        let rows = [
            "1,".repeat(1000) + "é",
            ",".repeat(1000) + "é",
            "1,".repeat(1000) + "1",
            ",".repeat(1000),
            "x,".repeat(1000) + "x",
        ];
        for raw in &rows {
            let delimiters = raw.bytes().enumerate().filter(|&(_, b)| b == b',').map(|(i, _)| i);
            let ends: Vec<usize> = delimiters.chain([raw.len()]).collect();
            // The same values end to end, as csv-core hands them over.
            let values = raw.replace(',', "");
            let mut value_ends = Vec::new();
            let mut start = 0;
            for &end in &ends {
                let len = raw[start..end].len();
                value_ends.push(value_ends.last().copied().unwrap_or(0) + len);
                start = end + 1;
            }
            for types in [ValueTypes::Strings, ValueTypes::Infer] {
                for fields in [
                    CsvFields::from_delimited(raw.as_bytes(), &ends),
                    CsvFields::new(&values, &value_ends),
                ] {
                    let mut encoder = ColumnarEncoder::new(types);
                    encoder.csv_record(&fields, 1, 0);
                    let bound = 9 * raw.len() + 13;
                    assert!(encoder.encoded_bytes() <= bound, "{types:?} {}", &raw[..8]);
                }
            }
        }
    }

    #[test]
    fn a_record_without_quotes_that_is_not_ascii_travels_as_utf16() {
        let raw = "1,Zürich,😀";
        let ends = [1, 9, raw.len()];
        let mut encoder = ColumnarEncoder::new(ValueTypes::Strings);
        encoder.csv_record(&CsvFields::from_delimited(raw.as_bytes(), &ends), 2, 0);
        encoder.csv_record(&CsvFields::from_delimited(b"2,Bern,x", &[1, 6, 8]), 3, 16);
        let batch = encoder.take_batch(24);
        let utf16: Vec<u8> = raw.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(&batch.text[..utf16.len()], &utf16[..]);
        assert_eq!(&batch.text[utf16.len()..], b"2,Bern,x");
        assert_eq!(batch.row_starts, [0, utf16.len() as u32, utf16.len() as u32 + 8]);
        let encodings = [TextEncoding::Utf16Le as u8, TextEncoding::Ascii as u8];
        assert_eq!(batch.row_encodings, encodings);
        assert_eq!(batch.ends, [1, 8, 11, 1, 6, 8]); // units: 😀 is two
        assert_eq!(batch.row_longest, [6, 4]);
        assert_eq!(batch.record_text(0).as_deref(), Some(raw));
        let expected = [r#""1""#, r#""Zürich""#, r#""😀""#, r#""2""#, r#""Bern""#, r#""x""#];
        assert_eq!(values(&batch), expected);
    }

    #[test]
    fn utf16_lengths() {
        for text in ["", "a", "é", "€", "😀", "a😀é€"] {
            assert_eq!(utf16_len(text.as_bytes()), text.encode_utf16().count(), "{text}");
        }
    }
}
