//! What the three format parsers share: how they hand records to the encoder, how they tell
//! the driver what they need next, and the bookkeeping of a record too large to keep.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::carry_buffer::CarryBuffer;
use crate::config::{BatchOptions, Format, ParseOptions};
use crate::csv::CsvParser;
use crate::encode::{BatchEncoder, CsvFields};
use crate::excerpt::RecordHead;
use crate::fault::{ErrorCode, Fault};
use crate::json_array::JsonArrayParser;
use crate::json_syntax::{validate_json_bytes, JsonSyntaxError};
use crate::jsonl::JsonLinesParser;

/// What a parser needs after a call to `parse`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// The bytes at hand hold no further complete record: read more (never returned at EOF).
    NeedInput,
    /// The batch is full: hand it off, then call `parse` again.
    BatchFull,
    /// Nothing more will come from this input.
    Finished,
}

/// The encoder of the current batch, with the limits that say when the batch is full.
pub(crate) struct Emitter<'a, E> {
    encoder: &'a mut E,
    limits: &'a BatchOptions,
    stop: Option<&'a AtomicBool>,
}

impl<'a, E: BatchEncoder> Emitter<'a, E> {
    /// An emitter into `encoder`; once `stop` is set the batch counts as full, so a reader
    /// being closed stops within a record or two rather than after a whole batch.
    pub(crate) fn new(
        encoder: &'a mut E,
        limits: &'a BatchOptions,
        stop: Option<&'a AtomicBool>,
    ) -> Emitter<'a, E> {
        Emitter { encoder, limits, stop }
    }

    /// Whether the batch must be handed off before anything else is added.
    #[inline]
    pub(crate) fn is_full(&self) -> bool {
        self.encoder.record_count() >= self.limits.batch_size
            || self.encoder.fault_count() >= self.limits.batch_size
            || self.encoder.encoded_bytes() >= self.limits.max_batch_bytes
            || self.stop.is_some_and(|stop| stop.load(Ordering::Relaxed))
    }

    #[inline]
    pub(crate) fn json_value(&mut self, text: &[u8], line: u64, byte_offset: u64) {
        self.encoder.json_value(text, line, byte_offset);
    }

    /// `text` as a record when it is JSON (see [`BatchEncoder::checked_json_value`]).
    #[inline]
    pub(crate) fn checked_json_value(
        &mut self,
        text: &[u8],
        line: u64,
        byte_offset: u64,
    ) -> Result<(), JsonSyntaxError> {
        self.encoder.checked_json_value(text, line, byte_offset, validate_json_bytes)
    }

    pub(crate) fn csv_header(&mut self, names: &[String]) {
        self.encoder.csv_header(names);
    }

    #[inline]
    pub(crate) fn csv_record(&mut self, fields: &CsvFields<'_>, line: u64, byte_offset: u64) {
        self.encoder.csv_record(fields, line, byte_offset);
    }

    /// See [`BatchEncoder::takes_plain_csv`].
    pub(crate) fn takes_plain_csv(&self, width: usize) -> bool {
        self.encoder.takes_plain_csv(width)
    }

    #[inline]
    pub(crate) fn plain_csv_record(
        &mut self,
        raw: &[u8],
        ends: &[usize],
        line: u64,
        byte_offset: u64,
    ) {
        self.encoder.plain_csv_record(raw, ends, line, byte_offset);
    }

    pub(crate) fn fault(&mut self, fault: Fault) {
        self.encoder.fault(fault);
    }
}

/// One of the three format parsers.
pub(crate) enum FormatParser {
    JsonLines(JsonLinesParser),
    Csv(Box<CsvParser>),
    JsonArray(JsonArrayParser),
}

impl FormatParser {
    pub(crate) fn new(options: &ParseOptions) -> FormatParser {
        match options.format {
            Format::JsonLines => FormatParser::JsonLines(JsonLinesParser::new(options)),
            Format::Csv | Format::Tsv => FormatParser::Csv(Box::new(CsvParser::new(options))),
            Format::JsonArray => FormatParser::JsonArray(JsonArrayParser::new(options)),
        }
    }

    /// Parses what `buffer` holds; `eof` says no more bytes will come.
    pub(crate) fn parse<E: BatchEncoder>(
        &mut self,
        buffer: &mut CarryBuffer,
        emitter: &mut Emitter<'_, E>,
        eof: bool,
    ) -> Step {
        match self {
            FormatParser::JsonLines(p) => p.parse(buffer, emitter, eof),
            FormatParser::Csv(p) => p.parse(buffer, emitter, eof),
            FormatParser::JsonArray(p) => p.parse(buffer, emitter, eof),
        }
    }
}

/// The detail of an `ERR_RECORD_TOO_LARGE` fault.
pub(crate) fn too_large_detail(len: u64, max_record_bytes: usize) -> String {
    format!("the record is {len} bytes or more, longer than maxRecordBytes ({max_record_bytes})")
}

/// The detail of an `ERR_INVALID_UTF8` fault.
pub(crate) fn invalid_utf8_detail(error: &std::str::Utf8Error) -> String {
    format!("invalid UTF-8 at byte {} of the record", error.valid_up_to())
}

/// A record longer than `max_record_bytes`, whose bytes are dropped as they are read while its
/// end is searched for. Only its head is kept, for the excerpt.
#[derive(Debug)]
pub(crate) struct OversizedRecord {
    line: u64,
    byte_offset: u64,
    head: RecordHead,
    /// Whether every byte so far was a space, tab or `\r` (a blank JSON Lines line is not a
    /// record, however long).
    blank: bool,
    /// The last byte observed (a `\r` before a JSON Lines `\n` is not part of the excerpt).
    last_byte: u8,
}

impl OversizedRecord {
    pub(crate) fn new(line: u64, byte_offset: u64) -> OversizedRecord {
        OversizedRecord {
            line,
            byte_offset,
            head: RecordHead::default(),
            blank: true,
            last_byte: 0,
        }
    }

    pub(crate) fn observe(&mut self, bytes: &[u8]) {
        let Some(&last) = bytes.last() else { return };
        self.last_byte = last;
        self.head.observe(bytes);
        if self.blank {
            self.blank = is_blank(bytes);
        }
    }

    pub(crate) fn is_blank(&self) -> bool {
        self.blank
    }

    /// The last byte observed.
    pub(crate) fn last_byte(&self) -> u8 {
        self.last_byte
    }

    /// The head kept for the excerpt.
    pub(crate) fn head(&self) -> &RecordHead {
        &self.head
    }

    /// The `ERR_RECORD_TOO_LARGE` fault, its excerpt showing the record as `shown_len` bytes long.
    pub(crate) fn fault(&self, max_record_bytes: usize, shown_len: u64) -> Fault {
        Fault {
            code: ErrorCode::RecordTooLarge,
            line: self.line,
            byte_offset: self.byte_offset,
            excerpt: self.head.excerpt_of_len(shown_len),
            detail: too_large_detail(self.head.len(), max_record_bytes),
        }
    }
}

/// Whether a JSON Lines line holds only spaces, tabs and `\r`.
#[inline]
pub(crate) fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| matches!(b, b' ' | b'\t' | b'\r'))
}
