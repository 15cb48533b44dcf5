//! The batch hand-off: what parsers give an encoder, and what an encoder makes of it.
//!
//! Parsers never build JavaScript values. They hand each record to a [`BatchEncoder`] — a
//! validated JSON text (JSON Lines, JSON array) or the fields of a CSV record — and the encoder
//! decides how the batch crosses into JavaScript. [`JsonTextEncoder`](crate::JsonTextEncoder)
//! frames a batch as one JSON array text for V8's `JSON.parse`;
//! [`ColumnarEncoder`](crate::ColumnarEncoder) lays it out as columns (a text blob, offsets,
//! kinds, numbers) from which JavaScript builds the records. `bench/handoff.mjs` measures the
//! two against each other.

use crate::fault::Fault;
use crate::json_syntax::JsonSyntaxError;

/// The fields of one CSV record, borrowed from the parser.
///
/// The fields are valid UTF-8: the parser only hands over records whose raw bytes are. They are
/// kept as bytes so an encoder that copies them (like [`JsonTextEncoder`](crate::JsonTextEncoder))
/// does not pay for a second validation; [`get`](Self::get) checks on demand.
///
/// ```
/// use ringstream_core::CsvFields;
/// let fields = CsvFields::new("idnameé", &[2, 6, 8]);
/// assert_eq!(fields.iter().collect::<Vec<_>>(), ["id", "name", "é"]);
/// assert_eq!(fields.get(1), Some("name"));
/// assert_eq!(fields.get_bytes(2), Some("é".as_bytes()));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CsvFields<'a> {
    bytes: &'a [u8],
    ends: &'a [usize],
    /// Bytes between one field's end and the next field's start: 0 when the fields are laid
    /// end to end, 1 when they are a raw record's and a delimiter separates them.
    gap: usize,
}

impl<'a> CsvFields<'a> {
    /// Fields laid end to end in `text`; field `i` ends at byte `ends[i]`.
    pub fn new(text: &'a str, ends: &'a [usize]) -> CsvFields<'a> {
        CsvFields { bytes: text.as_bytes(), ends, gap: 0 }
    }

    /// Like [`new`](Self::new), for bytes the caller validated (the raw record was UTF-8, so
    /// its unquoted fields are: dropping whole ASCII characters keeps UTF-8 valid).
    pub(crate) fn from_validated(bytes: &'a [u8], ends: &'a [usize]) -> CsvFields<'a> {
        CsvFields { bytes, ends, gap: 0 }
    }

    /// The fields of a validated raw record without quotes, `bytes`, whose fields are separated
    /// by one delimiter byte: field `i` ends at `ends[i]` and the next one starts after it.
    pub(crate) fn from_delimited(bytes: &'a [u8], ends: &'a [usize]) -> CsvFields<'a> {
        CsvFields { bytes, ends, gap: 1 }
    }

    /// Whether the fields are a raw record's, one delimiter byte between each two
    /// ([`raw`](Self::raw) is then the record itself).
    #[inline]
    pub fn is_delimited(&self) -> bool {
        self.gap == 1
    }

    /// The bytes the fields are taken from: the fields end to end, or a raw record.
    #[inline]
    pub fn raw(&self) -> &'a [u8] {
        self.bytes
    }

    /// Where each field ends in [`raw`](Self::raw).
    #[inline]
    pub fn ends(&self) -> &'a [usize] {
        self.ends
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there is no field (never the case for a parsed record).
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The bytes of field `index`, if there is one.
    #[inline]
    pub fn get_bytes(&self, index: usize) -> Option<&'a [u8]> {
        let end = *self.ends.get(index)?;
        let start = if index == 0 { 0 } else { *self.ends.get(index - 1)? + self.gap };
        self.bytes.get(start..end)
    }

    /// Field `index` as text, if there is one.
    pub fn get(&self, index: usize) -> Option<&'a str> {
        std::str::from_utf8(self.get_bytes(index)?).ok()
    }

    /// The fields in order, as text.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + '_ {
        (0..self.len()).map(move |i| self.get(i).unwrap_or_default())
    }

    /// The fields in order, as bytes.
    pub fn iter_bytes(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let field = self.bytes.get(start..end).unwrap_or_default();
            start = end + self.gap;
            field
        })
    }
}

/// Receives one batch's records and faults, in input order, and packages them.
///
/// A parser calls [`csv_header`](Self::csv_header) at most once per file, before the first
/// CSV record, and only when the file has a header. Positions are the record's 1-based line
/// and 0-based byte offset.
pub trait BatchEncoder: Send {
    /// What one finished batch is.
    type Batch: Send;

    /// A JSON Lines line or JSON array element: valid UTF-8 and valid for `JSON.parse`.
    fn json_value(&mut self, text: &[u8], line: u64, byte_offset: u64);

    /// A JSON Lines line or JSON array element in valid UTF-8, not yet checked as JSON:
    /// `validate` says whether it is (with `JSON.parse`'s rules). Added as
    /// [`json_value`](Self::json_value) when it is; otherwise nothing is added and the error
    /// is returned. An encoder that reads the text anyway may check it on the way instead.
    fn checked_json_value(
        &mut self,
        text: &[u8],
        line: u64,
        byte_offset: u64,
        validate: fn(&[u8]) -> Result<(), JsonSyntaxError>,
    ) -> Result<(), JsonSyntaxError> {
        validate(text)?;
        self.json_value(text, line, byte_offset);
        Ok(())
    }

    /// The (deduplicated) header names of a CSV file.
    fn csv_header(&mut self, names: &[String]);

    /// One CSV record (with a header: exactly as many fields as names).
    fn csv_record(&mut self, fields: &CsvFields<'_>, line: u64, byte_offset: u64);

    /// Whether [`plain_csv_record`](Self::plain_csv_record) is worth calling for records of
    /// `width` fields: an encoder with a faster way for them says so, and the CSV parser then
    /// splits runs of such records itself, without its per-record bookkeeping.
    fn takes_plain_csv(&self, width: usize) -> bool {
        let _ = width;
        false
    }

    /// A CSV record that is plain: ASCII, without quotes, with as many fields as the file's
    /// first row, no longer than `u32::MAX` bytes. `raw` is its bytes without the terminator and
    /// `ends` the end of each field in them (the last is `raw.len()`). The same record as
    /// [`csv_record`](Self::csv_record) of those fields gives.
    fn plain_csv_record(&mut self, raw: &[u8], ends: &[usize], line: u64, byte_offset: u64) {
        self.csv_record(&CsvFields::from_delimited(raw, ends), line, byte_offset);
    }

    /// A fault; it comes after the records already given.
    fn fault(&mut self, fault: Fault);

    /// Records in the batch so far.
    fn record_count(&self) -> usize;

    /// Faults in the batch so far.
    fn fault_count(&self) -> usize;

    /// Size of the batch so far, in encoded bytes.
    fn encoded_bytes(&self) -> usize;

    /// Hands the batch over and starts an empty one. `bytes_read` is the source's raw byte
    /// count at this point.
    fn take_batch(&mut self, bytes_read: u64) -> Self::Batch;
}
