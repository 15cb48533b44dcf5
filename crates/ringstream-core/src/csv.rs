//! CSV and TSV, driving `csv-core` in its default configuration (quoting on, doubled quotes,
//! no escape byte, no comments, `\r`, `\n` and `\r\n` all ending a record, empty lines
//! skipped), with what it lacks added around it:
//!
//! - positions: line numbers count `\n`, `\r\n` and a lone `\r` once each, inside quoted fields
//!   too; a record starts at the first byte after the previous record that is not `\r`/`\n`
//!   (exactly the bytes `csv-core` skips as empty lines);
//! - `ERR_UNTERMINATED_QUOTE` for a quoted field still open at the end of the input;
//! - `ERR_RECORD_TOO_LARGE`, `ERR_INVALID_UTF8` (of the record's raw bytes), `ERR_FIELD_COUNT`;
//! - the header (first record that is not an error), deduplicated.
//!
//! A record is checked for, in order: length, unterminated quote, UTF-8, field count.
//!
//! Records are streamed: `csv-core` consumes the input as it comes and writes the unquoted
//! fields to an output buffer, so a record does not have to sit whole in the read buffer.
//! Memory for a record is its fields (at most `max_record_bytes`) plus one `usize` per field.
//!
//! A record that lies whole in the read buffer and holds no quote byte skips `csv-core`: one pass
//! (`delimited_scan`) finds its end and splits it at its delimiters, which gives the same fields
//! (without quotes there is nothing to unescape) for a fraction of the work; csv-core, never
//! called for it, stays at the start of a record. Most records of most files take this way;
//! `bench/README.md` measures it. For an encoder that asks for them (the columnar one), such
//! records go in runs (`plain_run`), without the per-record bookkeeping of the rarer cases.

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

use crate::carry_buffer::CarryBuffer;
use crate::config::ParseOptions;
use crate::delimited_scan::split_delimited;
use crate::encode::{BatchEncoder, CsvFields};
use crate::excerpt::{excerpt, RecordHead};
use crate::fault::{ErrorCode, Fault};
use crate::header::header_names;
use crate::line_counter::LineCounter;
use crate::parser::{too_large_detail, Emitter, Step};
use crate::utf8_stream::Utf8Stream;

const INITIAL_FIELD_BYTES: usize = 4 << 10;
/// The detail of an `ERR_INVALID_UTF8` fault.
const NOT_UTF8: &str = "the record is not valid UTF-8";
const INITIAL_FIELDS: usize = 64;

/// A record being read.
#[derive(Debug)]
struct PendingRecord {
    line: u64,
    byte_offset: u64,
    head: RecordHead,
    utf8: Utf8Stream,
}

/// Parses CSV/TSV records out of a [`CarryBuffer`].
pub(crate) struct CsvParser {
    reader: Reader,
    header: bool,
    max_record_bytes: usize,
    lines: LineCounter,
    /// Unquoted bytes of the current record's fields, `fields[..fields_len]`.
    fields: Vec<u8>,
    fields_len: usize,
    /// Where each field of the current record ends in `fields`, `ends[..ends_len]`.
    ends: Vec<usize>,
    ends_len: usize,
    record: Option<PendingRecord>,
    /// Fields every record must have, once the header (or first record) fixed it.
    field_count: Option<usize>,
    done: bool,
    delimiter: u8,
    quote: Option<u8>,
    /// Whether records without quotes may skip csv-core: not when the delimiter or quote is a
    /// line break, which csv-core reads in ways a line split would not.
    split_unquoted: bool,
    /// Where each field of an unquoted record ends in its raw bytes.
    delimited_ends: Vec<usize>,
}

impl CsvParser {
    pub(crate) fn new(options: &ParseOptions) -> CsvParser {
        let mut reader = ReaderBuilder::new()
            .delimiter(options.delimiter)
            .quoting(options.quote.is_some())
            .quote(options.quote.unwrap_or(b'"'))
            .build();
        // csv-core strips a UTF-8 BOM at the start of the first input it sees. The driver
        // already skipped the one BOM the contract allows; a call with no output room marks
        // the reader as started without consuming anything, so a second BOM stays data.
        let _ = reader.read_record(b"x", &mut [], &mut [0]);
        CsvParser {
            reader,
            header: options.header,
            max_record_bytes: options.max_record_bytes.max(1),
            lines: LineCounter::new(),
            fields: vec![0; INITIAL_FIELD_BYTES],
            fields_len: 0,
            ends: vec![0; INITIAL_FIELDS],
            ends_len: 0,
            record: None,
            field_count: None,
            done: false,
            delimiter: options.delimiter,
            quote: options.quote,
            split_unquoted: [Some(options.delimiter), options.quote]
                .iter()
                .all(|&b| b != Some(b'\r') && b != Some(b'\n')),
            delimited_ends: Vec::with_capacity(INITIAL_FIELDS),
        }
    }

    pub(crate) fn parse<E: BatchEncoder>(
        &mut self,
        buffer: &mut CarryBuffer,
        emitter: &mut Emitter<'_, E>,
        eof: bool,
    ) -> Step {
        loop {
            if self.done {
                return Step::Finished;
            }
            if emitter.is_full() {
                return Step::BatchFull;
            }
            let offset = buffer.offset();
            let valid_utf8 = buffer.utf8_valid_len();
            let data = buffer.data();
            if data.is_empty() {
                if !eof {
                    return Step::NeedInput;
                }
                if self.record.is_some() {
                    self.end_of_input(emitter);
                }
                self.done = true;
                continue;
            }
            if self.record.is_none() {
                // Terminators where a record would start are empty lines: skipped, counted.
                let skip =
                    data.iter().position(|&b| b != b'\r' && b != b'\n').unwrap_or(data.len());
                if skip > 0 {
                    self.lines.advance(&data[..skip]);
                    buffer.consume(skip);
                    continue;
                }
                match self.plain_run(data, offset, valid_utf8, emitter) {
                    Some(0) => {}
                    Some(consumed) => {
                        buffer.consume(consumed);
                        continue;
                    }
                    None => {
                        if let Some(consumed) =
                            self.unquoted_record(data, offset, valid_utf8, emitter)
                        {
                            buffer.consume(consumed);
                            continue;
                        }
                    }
                }
                self.record = Some(PendingRecord {
                    line: self.lines.line(),
                    byte_offset: offset,
                    head: RecordHead::default(),
                    utf8: Utf8Stream::default(),
                });
            }
            self.make_room();
            let (result, nin, nout, nend) = self.reader.read_record(
                data,
                &mut self.fields[self.fields_len..],
                &mut self.ends[self.ends_len..],
            );
            let consumed = &data[..nin];
            self.lines.advance(consumed);
            // A record's raw bytes stop before its terminator, the last byte consumed.
            let raw = if result == ReadRecordResult::Record {
                &consumed[..nin.saturating_sub(1)]
            } else {
                consumed
            };
            self.fields_len += nout;
            self.ends_len += nend;
            let whole = result == ReadRecordResult::Record
                && self.record.as_ref().is_some_and(|r| r.head.is_empty());
            if whole {
                // The whole record came in this call: check its raw bytes in place (the record
                // starts at the buffer's start, so the buffer's UTF-8 check may cover it).
                let valid = raw.len() <= valid_utf8;
                self.complete_record(Some((raw, valid)), false, emitter);
            } else if let Some(record) = self.record.as_mut() {
                record.head.observe(raw);
                if record.head.len() > self.max_record_bytes as u64 {
                    // Too large: its fields are not kept (csv-core goes on writing them, over
                    // the same space, until the record ends).
                    self.fields_len = 0;
                    self.ends_len = 0;
                } else {
                    record.utf8.feed(raw);
                }
                if result == ReadRecordResult::Record {
                    self.complete_record(None, false, emitter);
                }
            }
            if result == ReadRecordResult::End {
                self.done = true;
            }
            buffer.consume(nin);
        }
    }

    /// Reads the record at the start of `data` without csv-core when it is whole there (its
    /// terminator is in `data`) and holds no quote byte; returns the bytes it took, the
    /// terminator included, or `None` to leave the record to csv-core.
    fn unquoted_record<E: BatchEncoder>(
        &mut self,
        data: &[u8],
        offset: u64,
        valid_utf8: usize,
        emitter: &mut Emitter<'_, E>,
    ) -> Option<usize> {
        if !self.split_unquoted {
            return None;
        }
        let mut ends = std::mem::take(&mut self.delimited_ends);
        ends.clear();
        let end = split_delimited(data, self.delimiter, self.quote, &mut ends);
        let Some(end) = end else {
            self.delimited_ends = ends;
            return None;
        };
        let raw = &data[..end];
        let line = self.lines.line();
        self.lines.advance_past_line(data[end]);
        let fault =
            |code, detail| Fault { code, line, byte_offset: offset, excerpt: excerpt(raw), detail };
        if raw.len() > self.max_record_bytes {
            let detail = too_large_detail(raw.len() as u64, self.max_record_bytes);
            emitter.fault(fault(ErrorCode::RecordTooLarge, detail));
        } else if end > valid_utf8 && std::str::from_utf8(raw).is_err() {
            let detail = NOT_UTF8.to_owned();
            emitter.fault(fault(ErrorCode::InvalidUtf8, detail));
        } else {
            ends.push(raw.len());
            let fields = CsvFields::from_delimited(raw, &ends);
            let raw_excerpt = || excerpt(raw);
            Self::take_fields(
                self.header,
                &mut self.field_count,
                &fields,
                line,
                offset,
                raw_excerpt,
                emitter,
            );
        }
        self.delimited_ends = ends;
        Some(end + 1)
    }

    /// Takes the records at the start of `data` that `unquoted_record` would take whole and
    /// that need none of its special cases, one after another while the batch has room: whole
    /// in `data`, without a quote, of the expected field count, not too large, valid UTF-8.
    /// The ASCII ones (most) go to the encoder through `plain_csv_record`. Returns the bytes
    /// taken; `Some(0)` when the first record holds a quote or has no terminator in `data`
    /// (csv-core's, with nothing to gain from `unquoted_record` looking again); `None` when
    /// runs do not apply or the first record is a special case. What `parse` and
    /// `unquoted_record` do between two records (their state checks, the search for empty
    /// lines, the header and field-count cases) was half of the parser's instructions on
    /// narrow.csv; a run does only what each record needs.
    fn plain_run<E: BatchEncoder>(
        &mut self,
        data: &[u8],
        offset: u64,
        valid_utf8: usize,
        emitter: &mut Emitter<'_, E>,
    ) -> Option<usize> {
        let width = self.field_count?;
        if !self.split_unquoted || !emitter.takes_plain_csv(width) {
            return None;
        }
        let mut ends = std::mem::take(&mut self.delimited_ends);
        let mut at = 0;
        let mut split_failed = false;
        while !emitter.is_full() {
            let rest = data.get(at..).unwrap_or_default();
            ends.clear();
            let Some(end) = split_delimited(rest, self.delimiter, self.quote, &mut ends) else {
                split_failed = true;
                break;
            };
            // A `\r` followed by `\n` ends one line; a `\r` that is the last byte at hand is
            // left to the slow way, which counts lines across reads.
            let (terminator, length) = match (rest.get(end), rest.get(end + 1)) {
                (Some(b'\r'), Some(b'\n')) => (b'\n', 2),
                (Some(&byte), Some(_)) | (Some(&byte @ b'\n'), None) => (byte, 1),
                _ => break,
            };
            let raw = rest.get(..end).unwrap_or_default();
            // An empty line is skipped, not a record of one empty field.
            if end == 0
                || ends.len() + 1 != width
                || end > self.max_record_bytes
                || u32::try_from(end).is_err()
            {
                break;
            }
            ends.push(end);
            let line = self.lines.line();
            let byte_offset = offset + at as u64;
            if raw.is_ascii() {
                emitter.plain_csv_record(raw, &ends, line, byte_offset);
            } else if at + end <= valid_utf8 || std::str::from_utf8(raw).is_ok() {
                emitter.csv_record(&CsvFields::from_delimited(raw, &ends), line, byte_offset);
            } else {
                break;
            }
            self.lines.advance_past_line(terminator);
            at += end + length;
        }
        self.delimited_ends = ends;
        match at {
            0 if split_failed => Some(0),
            0 => None,
            _ => Some(at),
        }
    }

    /// Ensures csv-core has room for at least one more output byte and one more field end.
    fn make_room(&mut self) {
        if self.fields_len == self.fields.len() {
            let grown = (self.fields.len() * 2).max(INITIAL_FIELD_BYTES);
            self.fields.resize(grown, 0);
        }
        if self.ends_len == self.ends.len() {
            let grown = (self.ends.len() * 2).max(INITIAL_FIELDS);
            self.ends.resize(grown, 0);
        }
    }

    /// The input ended inside a record: finish it.
    ///
    /// csv-core would silently close an open quoted field at the end of the input, and it
    /// does not tell its state. So instead of the end of input it is given a `\n`: outside a
    /// quoted field that ends the record exactly as the end of input would (same fields), and
    /// inside one it is taken as data, which shows the quote is open. (A cloned reader cannot
    /// serve as a probe: csv-core 0.1's `Clone` for its DFA copies only part of the table.)
    fn end_of_input<E: BatchEncoder>(&mut self, emitter: &mut Emitter<'_, E>) {
        self.make_room();
        let (result, _, nout, nend) = self.reader.read_record(
            b"\n",
            &mut self.fields[self.fields_len..],
            &mut self.ends[self.ends_len..],
        );
        self.fields_len += nout;
        self.ends_len += nend;
        self.complete_record(None, result != ReadRecordResult::Record, emitter);
    }

    /// Finishes the current record. `whole` holds its raw bytes when they all came in one
    /// piece (and whether the buffer's UTF-8 check covered them); otherwise they were streamed
    /// into the record's head and UTF-8 check.
    fn complete_record<E: BatchEncoder>(
        &mut self,
        whole: Option<(&[u8], bool)>,
        unterminated: bool,
        emitter: &mut Emitter<'_, E>,
    ) {
        let Some(mut record) = self.record.take() else { return };
        let (fields_len, ends_len) = (self.fields_len, self.ends_len);
        self.fields_len = 0;
        self.ends_len = 0;
        let (line, byte_offset) = (record.line, record.byte_offset);
        let raw_len = whole.map_or(record.head.len(), |(raw, _)| raw.len() as u64);
        let fault = |code, detail| Fault {
            code,
            line,
            byte_offset,
            excerpt: whole.map_or_else(|| record.head.excerpt(), |(raw, _)| excerpt(raw)),
            detail,
        };
        if raw_len > self.max_record_bytes as u64 {
            let detail = too_large_detail(raw_len, self.max_record_bytes);
            return emitter.fault(fault(ErrorCode::RecordTooLarge, detail));
        }
        if unterminated {
            let detail = "a quoted field is still open at the end of the input".to_owned();
            return emitter.fault(fault(ErrorCode::UnterminatedQuote, detail));
        }
        let valid = match whole {
            Some((raw, known_valid)) => known_valid || std::str::from_utf8(raw).is_ok(),
            None => record.utf8.finish(),
        };
        if !valid {
            let detail = NOT_UTF8.to_owned();
            return emitter.fault(fault(ErrorCode::InvalidUtf8, detail));
        }
        // The raw bytes are UTF-8, so the fields (the raw bytes less some ASCII quotes) are too.
        let fields = CsvFields::from_validated(&self.fields[..fields_len], &self.ends[..ends_len]);
        let excerpt = || whole.map_or_else(|| record.head.excerpt(), |(raw, _)| excerpt(raw));
        Self::take_fields(
            self.header,
            &mut self.field_count,
            &fields,
            line,
            byte_offset,
            excerpt,
            emitter,
        );
    }

    /// The fields of a record that passed every other check: the header, a record, or an
    /// `ERR_FIELD_COUNT` when their number is not the header's (or the first record's).
    fn take_fields<E: BatchEncoder>(
        header: bool,
        field_count: &mut Option<usize>,
        fields: &CsvFields<'_>,
        line: u64,
        byte_offset: u64,
        excerpt: impl FnOnce() -> String,
        emitter: &mut Emitter<'_, E>,
    ) {
        match *field_count {
            None if header => {
                let texts: Vec<_> = fields.iter_bytes().map(String::from_utf8_lossy).collect();
                let names = header_names(texts.iter().map(|t| t.as_ref()));
                *field_count = Some(names.len());
                emitter.csv_header(&names);
            }
            None => {
                *field_count = Some(fields.len());
                emitter.csv_record(fields, line, byte_offset);
            }
            Some(expected) if expected != fields.len() => {
                let detail = format!("expected {expected} fields, found {}", fields.len());
                emitter.fault(Fault {
                    code: ErrorCode::FieldCount,
                    line,
                    byte_offset,
                    excerpt: excerpt(),
                    detail,
                });
            }
            Some(_) => emitter.csv_record(fields, line, byte_offset),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_bom_is_data() {
        let options = ParseOptions::new(crate::config::Format::Csv);
        let mut parser = CsvParser::new(&options);
        let mut out = [0; 64];
        let (_, nin, nout, _) =
            parser.reader.read_record(b"\xef\xbb\xbfa\n", &mut out, &mut [0; 8]);
        assert_eq!((nin, &out[..nout]), (5, &b"\xef\xbb\xbfa"[..]));
    }
}
