//! Options: how a file is parsed ([`ParseOptions`]), how records are grouped into batches
//! ([`BatchOptions`]) and what a threaded [`Reader`](crate::Reader) opens ([`ReaderConfig`]).

use std::ops::Range;
use std::path::PathBuf;

use crate::source::Compression;

/// Default size of the read buffer: 64 KiB. Records up to this size never cause an allocation;
/// a longer record grows the buffer (up to `max_record_bytes`) and it shrinks back afterwards.
/// Larger reads measured no faster (bench/README.md, "Batch and buffer size").
pub const DEFAULT_BUFFER_SIZE: usize = 64 << 10;

/// Default longest record accepted: 64 MiB. A longer record is an `ERR_RECORD_TOO_LARGE` fault.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 64 << 20;

/// Default number of records per batch.
pub const DEFAULT_BATCH_SIZE: usize = 1024;

/// Default number of finished batches the producer thread may hold ahead of the consumer.
pub const DEFAULT_QUEUE_DEPTH: usize = 2;

/// Default size at which a batch is handed off even when it holds fewer than `batch_size`
/// records: 8 MiB of encoded records. It bounds memory when records are large.
pub const DEFAULT_MAX_BATCH_BYTES: usize = 8 << 20;

/// A file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JSON Lines (`.jsonl`, `.ndjson`): one JSON value per line.
    JsonLines,
    /// CSV (`.csv`): RFC 4180 as `csv-core` reads it, `,`-delimited by default.
    Csv,
    /// TSV (`.tsv`): CSV with a tab delimiter by default.
    Tsv,
    /// A top-level JSON array (`.json`), streamed element by element.
    JsonArray,
}

impl Format {
    /// The name the facade uses: `"jsonl"`, `"csv"`, `"tsv"` or `"json"`.
    ///
    /// ```
    /// use ringstream_core::Format;
    /// assert_eq!(Format::from_name("tsv"), Some(Format::Tsv));
    /// assert_eq!(Format::JsonArray.name(), "json");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            Format::JsonLines => "jsonl",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::JsonArray => "json",
        }
    }

    /// The format with the facade's name `name`, if any.
    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "jsonl" => Some(Format::JsonLines),
            "csv" => Some(Format::Csv),
            "tsv" => Some(Format::Tsv),
            "json" => Some(Format::JsonArray),
            _ => None,
        }
    }

    /// Whether this is CSV or TSV.
    pub const fn is_delimited(self) -> bool {
        matches!(self, Format::Csv | Format::Tsv)
    }
}

/// How CSV/TSV values are typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ValueTypes {
    /// Every value is a string (the default).
    #[default]
    Strings,
    /// Values are converted by the contract's rules: see [`infer_value`](crate::infer_value).
    Infer,
}

/// How one file is parsed: the facade's `ParseOptions`, already validated.
///
/// ```
/// use ringstream_core::{Format, ParseOptions};
/// let options = ParseOptions::new(Format::Tsv);
/// assert_eq!(options.delimiter, b'\t');
/// assert!(options.header);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseOptions {
    /// The format.
    pub format: Format,
    /// CSV/TSV: the first record that is not an error names the fields.
    pub header: bool,
    /// CSV/TSV: the field delimiter (one byte).
    pub delimiter: u8,
    /// CSV/TSV: the quote byte, or `None` for no quoting: every byte but the delimiter and the
    /// line breaks is data (TSV files that never quote, whose fields may start with a `"`).
    pub quote: Option<u8>,
    /// CSV/TSV: how values are typed.
    pub types: ValueTypes,
    /// The longest record accepted, in raw bytes (at least 1).
    pub max_record_bytes: usize,
}

impl ParseOptions {
    /// The defaults for `format`: header on, `,` (CSV) or tab (TSV), `"`, string values,
    /// [`DEFAULT_MAX_RECORD_BYTES`].
    pub fn new(format: Format) -> ParseOptions {
        ParseOptions {
            format,
            header: true,
            delimiter: if format == Format::Tsv { b'\t' } else { b',' },
            quote: Some(b'"'),
            types: ValueTypes::Strings,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

/// How records are grouped into batches and how much is read at a time.
///
/// A batch is handed off when it holds `batch_size` records, `batch_size` faults, or
/// `max_batch_bytes` of encoded records, whichever comes first (so it is never empty of
/// progress and never unbounded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOptions {
    /// Records per batch (at least 1).
    pub batch_size: usize,
    /// Size of the read buffer in bytes (at least 1); see [`DEFAULT_BUFFER_SIZE`].
    pub buffer_size: usize,
    /// Encoded bytes at which a batch is handed off early; see [`DEFAULT_MAX_BATCH_BYTES`].
    pub max_batch_bytes: usize,
}

impl Default for BatchOptions {
    fn default() -> BatchOptions {
        BatchOptions {
            batch_size: DEFAULT_BATCH_SIZE,
            buffer_size: DEFAULT_BUFFER_SIZE,
            max_batch_bytes: DEFAULT_MAX_BATCH_BYTES,
        }
    }
}

/// Everything a threaded [`Reader`](crate::Reader) needs to open one file.
///
/// ```
/// use ringstream_core::{Format, ReaderConfig};
/// let config = ReaderConfig::new("events.jsonl.gz", Format::JsonLines);
/// assert_eq!(config.queue_depth, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderConfig {
    /// The file to read.
    pub path: PathBuf,
    /// Its compression; `None` chooses it from the extension (see
    /// [`Compression::from_path`]).
    pub compression: Option<Compression>,
    /// Read only these bytes of an uncompressed file. Positions stay file offsets; line numbers
    /// count from 1 at the range's start, and a BOM is only recognised at byte 0 of the file.
    pub range: Option<Range<u64>>,
    /// How the file is parsed.
    pub parse: ParseOptions,
    /// How records are batched.
    pub batch: BatchOptions,
    /// Finished batches the producer may hold ahead of the consumer (0 = none: it hands each
    /// batch over directly).
    pub queue_depth: usize,
}

impl ReaderConfig {
    /// A configuration with every default for `path` read as `format`.
    pub fn new(path: impl Into<PathBuf>, format: Format) -> ReaderConfig {
        ReaderConfig {
            path: path.into(),
            compression: None,
            range: None,
            parse: ParseOptions::new(format),
            batch: BatchOptions::default(),
            queue_depth: DEFAULT_QUEUE_DEPTH,
        }
    }
}
