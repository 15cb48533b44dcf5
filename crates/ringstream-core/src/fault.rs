//! Source faults: what a parser reports about one bad record (or one spot) of a file.

use std::fmt;

use crate::excerpt::{excerpt, RecordHead};

/// The stable code of a source fault, as JavaScript sees it in `err.code`.
///
/// The strings are part of the public contract (see `DESIGN.md`, "Error codes") and never
/// change. I/O failures are not faults: they end the read and surface as
/// [`ReadError`](crate::ReadError) with the code `ERR_IO`.
///
/// ```
/// use ringstream_core::ErrorCode;
/// assert_eq!(ErrorCode::RecordTooLarge.as_str(), "ERR_RECORD_TOO_LARGE");
/// assert_eq!(ErrorCode::Parse.to_string(), "ERR_PARSE");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// `ERR_PARSE`: a record is not valid in its format.
    Parse,
    /// `ERR_INVALID_UTF8`: a record's bytes are not UTF-8.
    InvalidUtf8,
    /// `ERR_RECORD_TOO_LARGE`: a record is longer than `max_record_bytes`.
    RecordTooLarge,
    /// `ERR_FIELD_COUNT`: a CSV record has the wrong number of fields.
    FieldCount,
    /// `ERR_UNTERMINATED_QUOTE`: a CSV quoted field is open at the end of the input.
    UnterminatedQuote,
    /// `ERR_NOT_AN_ARRAY`: a JSON file does not hold a top-level array.
    NotAnArray,
    /// `ERR_TRAILING_CONTENT`: bytes after a JSON array's closing `]`.
    TrailingContent,
    /// `ERR_TRUNCATED`: the input ends inside a JSON array.
    Truncated,
}

impl ErrorCode {
    /// Every code, in the order of the contract's table.
    pub const ALL: [ErrorCode; 8] = [
        ErrorCode::Parse,
        ErrorCode::InvalidUtf8,
        ErrorCode::RecordTooLarge,
        ErrorCode::FieldCount,
        ErrorCode::UnterminatedQuote,
        ErrorCode::NotAnArray,
        ErrorCode::TrailingContent,
        ErrorCode::Truncated,
    ];

    /// The stable string of this code, e.g. `"ERR_PARSE"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Parse => "ERR_PARSE",
            ErrorCode::InvalidUtf8 => "ERR_INVALID_UTF8",
            ErrorCode::RecordTooLarge => "ERR_RECORD_TOO_LARGE",
            ErrorCode::FieldCount => "ERR_FIELD_COUNT",
            ErrorCode::UnterminatedQuote => "ERR_UNTERMINATED_QUOTE",
            ErrorCode::NotAnArray => "ERR_NOT_AN_ARRAY",
            ErrorCode::TrailingContent => "ERR_TRAILING_CONTENT",
            ErrorCode::Truncated => "ERR_TRUNCATED",
        }
    }

    /// Whether faults with this code carry an excerpt: those about one record, and
    /// `ERR_NOT_AN_ARRAY`, whose excerpt is the first bytes found instead of `[` (at most four,
    /// up to a line break). The others (`ERR_TRAILING_CONTENT`, `ERR_TRUNCATED`) have an empty
    /// excerpt.
    pub const fn has_excerpt(self) -> bool {
        !matches!(self, ErrorCode::TrailingContent | ErrorCode::Truncated)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A bad record (or a bad spot) found while parsing; the facade turns it into an item error.
///
/// `line` is 1-based and `byte_offset` 0-based in the file's decompressed bytes (a BOM counts);
/// both give the position of the record's first byte. `detail` is the parser's own words and is
/// the one field the parity suite does not compare.
///
/// ```
/// use ringstream_core::{ErrorCode, Fault};
/// let fault = Fault::for_record(ErrorCode::Parse, 3, 17, b"{oops", "expected a key".into());
/// assert_eq!(fault.excerpt, "{oops");
/// assert_eq!(fault.code.as_str(), "ERR_PARSE");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// What went wrong.
    pub code: ErrorCode,
    /// 1-based line of the record's first byte.
    pub line: u64,
    /// 0-based offset of the record's first byte in the decompressed file.
    pub byte_offset: u64,
    /// The record's first 80 raw bytes, decoded (see [`excerpt`](crate::excerpt())); empty for
    /// faults that are not about one record.
    pub excerpt: String,
    /// Free text from the parser.
    pub detail: String,
}

impl Fault {
    /// A fault about one record whose raw bytes are all at hand.
    pub fn for_record(
        code: ErrorCode,
        line: u64,
        byte_offset: u64,
        raw: &[u8],
        detail: String,
    ) -> Fault {
        Fault { code, line, byte_offset, excerpt: excerpt(raw), detail }
    }

    /// A fault about one record of which only the head was kept (a skipped or streamed record).
    pub fn for_record_head(
        code: ErrorCode,
        line: u64,
        byte_offset: u64,
        head: &RecordHead,
        detail: String,
    ) -> Fault {
        Fault { code, line, byte_offset, excerpt: head.excerpt(), detail }
    }

    /// A fault about a spot of the input rather than a record: its excerpt is empty.
    pub fn at(code: ErrorCode, line: u64, byte_offset: u64, detail: String) -> Fault {
        Fault { code, line, byte_offset, excerpt: String::new(), detail }
    }
}
