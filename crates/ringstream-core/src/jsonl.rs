//! JSON Lines: one JSON value per `\n`-terminated line.
//!
//! Contract: lines end at `\n`; one `\r` directly before it is dropped; a lone `\r` stays in
//! the line (JSON whitespace). Line numbers count `\n` only. A line of only spaces, tabs and
//! `\r` is skipped but counted. The last line needs no `\n`. Every other line is one JSON value
//! with `JSON.parse` semantics, else `ERR_PARSE`. A line is checked for, in order: length
//! (`ERR_RECORD_TOO_LARGE`; the raw length counts a dropped `\r`), UTF-8
//! (`ERR_INVALID_UTF8`), syntax (`ERR_PARSE`).

use memchr::memchr;

use crate::carry_buffer::CarryBuffer;
use crate::config::ParseOptions;
use crate::encode::BatchEncoder;
use crate::fault::{ErrorCode, Fault};
use crate::parser::{
    invalid_utf8_detail, is_blank, too_large_detail, Emitter, OversizedRecord, Step,
};

/// Parses JSON Lines out of a [`CarryBuffer`]. The current line always starts at the
/// buffer's first unconsumed byte.
#[derive(Debug)]
pub(crate) struct JsonLinesParser {
    max_record_bytes: usize,
    /// Line number of the current line.
    line: u64,
    /// How many bytes of the current line were already searched for `\n`.
    scanned: usize,
    oversized: Option<OversizedRecord>,
    done: bool,
}

impl JsonLinesParser {
    pub(crate) fn new(options: &ParseOptions) -> JsonLinesParser {
        JsonLinesParser {
            max_record_bytes: options.max_record_bytes.max(1),
            line: 1,
            scanned: 0,
            oversized: None,
            done: false,
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
            if let Some(big) = self.oversized.as_mut() {
                // Skipping a line too long to keep: drop bytes up to its `\n`.
                match memchr(b'\n', data) {
                    Some(end) => {
                        big.observe(&data[..end]);
                        buffer.consume(end + 1);
                        self.finish_oversized(true, emitter);
                        self.line += 1;
                    }
                    None => {
                        big.observe(data);
                        let len = data.len();
                        buffer.consume(len);
                        if !eof {
                            return Step::NeedInput;
                        }
                        self.finish_oversized(false, emitter);
                        self.done = true;
                    }
                }
                continue;
            }
            match memchr(b'\n', &data[self.scanned..]) {
                Some(found) => {
                    let end = self.scanned + found;
                    self.line_record(&data[..end], true, end <= valid_utf8, offset, emitter);
                    buffer.consume(end + 1);
                    self.line += 1;
                    self.scanned = 0;
                }
                None if data.len() > self.max_record_bytes => {
                    let mut big = OversizedRecord::new(self.line, offset);
                    big.observe(data);
                    let len = data.len();
                    buffer.consume(len);
                    self.scanned = 0;
                    self.oversized = Some(big);
                }
                None if eof => {
                    if !data.is_empty() {
                        let valid = data.len() <= valid_utf8;
                        self.line_record(data, false, valid, offset, emitter);
                        let len = data.len();
                        buffer.consume(len);
                    }
                    self.done = true;
                }
                None => {
                    self.scanned = data.len();
                    return Step::NeedInput;
                }
            }
        }
    }

    /// Ends the line being skipped; `terminated` says a `\n` ended it (then a `\r` before the
    /// `\n` counted toward its length but is not part of its excerpt).
    fn finish_oversized<E: BatchEncoder>(
        &mut self,
        terminated: bool,
        emitter: &mut Emitter<'_, E>,
    ) {
        if let Some(big) = self.oversized.take() {
            if !big.is_blank() {
                let dropped_cr = terminated && big.last_byte() == b'\r';
                let shown = big.head().len() - u64::from(dropped_cr);
                emitter.fault(big.fault(self.max_record_bytes, shown));
            }
        }
    }

    /// One whole line, without its `\n` (`terminated` says whether it had one; `valid_utf8`
    /// that the buffer's check already covered it). Its raw length counts a `\r` before the
    /// `\n`; its excerpt and parsed text do not include it.
    fn line_record<E: BatchEncoder>(
        &self,
        raw: &[u8],
        terminated: bool,
        valid_utf8: bool,
        byte_offset: u64,
        emitter: &mut Emitter<'_, E>,
    ) {
        if is_blank(raw) {
            return;
        }
        let line = self.line;
        let content = match raw {
            [rest @ .., b'\r'] if terminated => rest,
            _ => raw,
        };
        let fault = |code, detail| Fault::for_record(code, line, byte_offset, content, detail);
        if raw.len() > self.max_record_bytes {
            let detail = too_large_detail(raw.len() as u64, self.max_record_bytes);
            return emitter.fault(fault(ErrorCode::RecordTooLarge, detail));
        }
        if !valid_utf8 {
            if let Err(e) = std::str::from_utf8(content) {
                return emitter.fault(fault(ErrorCode::InvalidUtf8, invalid_utf8_detail(&e)));
            }
        }
        if let Err(e) = emitter.checked_json_value(content, line, byte_offset) {
            emitter.fault(fault(ErrorCode::Parse, e.to_string()));
        }
    }
}
