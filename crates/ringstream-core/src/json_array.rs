//! A top-level JSON array, streamed element by element.
//!
//! Contract: leading whitespace (space, tab, `\n`, `\r`) is skipped; only whitespace means no
//! records. A first other byte that is not `[` is one `ERR_NOT_AN_ARRAY` and nothing else; its
//! excerpt is the bytes from there, at most four, up to a line break.
//! Elements are found by a structural scan: strings (with `\` escapes) are skipped, `[` and
//! `{` open a level, `]` and `}` close one; at the array's own level a `,` ends an element and
//! a `]` ends the array. An element is its bytes from its first non-whitespace byte to its
//! last, parsed with `JSON.parse` semantics; an empty element (`[1,,2]`, `[1,]`) is `ERR_PARSE`
//! at the `,` or `]` that ends it. After the `]`, anything but whitespace is one
//! `ERR_TRAILING_CONTENT` and the rest is ignored. If the input ends inside the array, a
//! pending non-empty element is parsed as if it ended there, then one `ERR_TRUNCATED` is
//! reported at the end of the input.
//!
//! Details (`DESIGN.md`, "Details both engines keep"): line numbers count `\n` only, inside
//! strings too; a stray `}` at the array's own level is element content (the depth never goes
//! below the array's); an element's raw length runs from its first non-whitespace byte to its
//! terminator, whitespace before the terminator included, while its excerpt and parsed text
//! stop at its last non-whitespace byte.

use crate::carry_buffer::CarryBuffer;
use crate::config::ParseOptions;
use crate::encode::BatchEncoder;
use crate::fault::{ErrorCode, Fault};
use crate::json_syntax::value_end;
use crate::parser::{invalid_utf8_detail, Emitter, OversizedRecord, Step};
use crate::string_scan::plain_prefix_len;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Before the `[`.
    Start,
    /// Inside the array.
    Array,
    /// After the closing `]`.
    After,
    /// Nothing more to report.
    Done,
}

/// What the structural scan stopped at.
enum Event {
    /// The first byte of an element, at this index.
    ElementStart(usize),
    /// A `,` or `]` at the array's own level, at this index.
    Terminator(usize),
    /// The end of the bytes at hand.
    End,
}

/// The element being read; while it is kept, its first byte is the buffer's first byte.
#[derive(Debug)]
struct Element {
    line: u64,
    byte_offset: u64,
    /// Set once it is too large to keep.
    oversized: Option<OversizedRecord>,
}

/// Parses a top-level JSON array out of a [`CarryBuffer`].
#[derive(Debug)]
pub(crate) struct JsonArrayParser {
    max_record_bytes: usize,
    phase: Phase,
    /// Line number of the byte at `scan`.
    line: u64,
    /// Index (in the buffer) of the next byte to scan.
    scan: usize,
    /// Nesting depth; 1 is the array's own level.
    depth: u64,
    in_string: bool,
    escaped: bool,
    /// Whether a `,` was seen at the array's own level (so `]` ends an element, possibly empty).
    after_comma: bool,
    element: Option<Element>,
}

impl JsonArrayParser {
    pub(crate) fn new(options: &ParseOptions) -> JsonArrayParser {
        JsonArrayParser {
            max_record_bytes: options.max_record_bytes.max(1),
            phase: Phase::Start,
            line: 1,
            scan: 0,
            depth: 0,
            in_string: false,
            escaped: false,
            after_comma: false,
            element: None,
        }
    }

    pub(crate) fn parse<E: BatchEncoder>(
        &mut self,
        buffer: &mut CarryBuffer,
        emitter: &mut Emitter<'_, E>,
        eof: bool,
    ) -> Step {
        loop {
            if self.phase == Phase::Done {
                return Step::Finished;
            }
            if emitter.is_full() {
                return Step::BatchFull;
            }
            match self.phase {
                Phase::Start | Phase::After => {
                    let offset = buffer.offset();
                    let data = buffer.data();
                    let ws = leading_whitespace(data);
                    self.line += memchr::memchr_iter(b'\n', &data[..ws]).count() as u64;
                    if ws == data.len() {
                        buffer.consume(ws);
                        if !eof {
                            return Step::NeedInput;
                        }
                        // Only whitespace before the array (no records) or after it (fine).
                        self.phase = Phase::Done;
                        continue;
                    }
                    let at = offset + ws as u64;
                    if self.phase == Phase::After {
                        let detail = "unexpected content after the array's closing ']'".to_owned();
                        emitter.fault(Fault::at(ErrorCode::TrailingContent, self.line, at, detail));
                        self.phase = Phase::Done;
                    } else if data[ws] == b'[' {
                        buffer.consume(ws + 1);
                        self.phase = Phase::Array;
                        self.depth = 1;
                    } else {
                        let head = not_an_array_head(&data[ws..]);
                        if head.len() < NOT_AN_ARRAY_HEAD_BYTES
                            && head.len() == data.len() - ws
                            && !eof
                        {
                            // The excerpt is the same whatever the reads: wait for its bytes.
                            buffer.consume(ws);
                            return Step::NeedInput;
                        }
                        let found = describe_byte(data[ws]);
                        let detail = format!("expected '[', found {found}");
                        let fault =
                            Fault::for_record(ErrorCode::NotAnArray, self.line, at, head, detail);
                        emitter.fault(fault);
                        self.phase = Phase::Done;
                    }
                }
                Phase::Array => {
                    if let Some(step) = self.array_step(buffer, emitter, eof) {
                        return step;
                    }
                }
                Phase::Done => {}
            }
        }
    }

    /// Scans inside the array until something is to be done; `Some` when the driver must act.
    fn array_step<E: BatchEncoder>(
        &mut self,
        buffer: &mut CarryBuffer,
        emitter: &mut Emitter<'_, E>,
        eof: bool,
    ) -> Option<Step> {
        let offset = buffer.offset();
        let valid_utf8 = buffer.utf8_valid_len();
        let data = buffer.data();
        match self.scan_array(data) {
            Event::ElementStart(at) => {
                let byte_offset = offset + at as u64;
                let element = Element { line: self.line, byte_offset, oversized: None };
                if let Some((content_end, terminator)) = whole_element(&data[at..]) {
                    // One pass: the validator found the element's end, and its terminator.
                    let raw = &data[at..at + terminator];
                    let valid = at + terminator <= valid_utf8;
                    self.element_done(element, raw, valid, Some(content_end), emitter);
                    self.line += memchr::memchr_iter(b'\n', raw).count() as u64;
                    let closing = data[at + terminator] == b']';
                    buffer.consume(at + terminator + 1);
                    self.scan = 0;
                    self.after_comma = !closing;
                    if closing {
                        self.phase = Phase::After;
                    }
                } else {
                    buffer.consume(at);
                    self.scan = 0;
                    self.element = Some(element);
                }
            }
            Event::Terminator(at) => {
                let closing = data[at] == b']';
                match self.element.take() {
                    Some(element) => {
                        self.element_done(element, &data[..at], at <= valid_utf8, None, emitter)
                    }
                    None if !closing || self.after_comma => {
                        let what = if closing { "']'" } else { "','" };
                        let detail = format!("empty array element before {what}");
                        let fault = Fault::for_record(
                            ErrorCode::Parse,
                            self.line,
                            offset + at as u64,
                            b"",
                            detail,
                        );
                        emitter.fault(fault);
                    }
                    None => {} // `[]`: an empty array
                }
                buffer.consume(at + 1);
                self.scan = 0;
                self.after_comma = !closing;
                if closing {
                    self.phase = Phase::After;
                }
            }
            Event::End => {
                let len = data.len();
                match self.element.as_mut() {
                    Some(element) => match element.oversized.as_mut() {
                        Some(big) => {
                            big.observe(data);
                            buffer.consume(len);
                        }
                        None if len > self.max_record_bytes => {
                            let mut big = OversizedRecord::new(element.line, element.byte_offset);
                            big.observe(data);
                            element.oversized = Some(big);
                            buffer.consume(len);
                        }
                        None => {}
                    },
                    None => buffer.consume(len),
                }
                self.scan = buffer.len();
                if !eof {
                    return Some(Step::NeedInput);
                }
                self.end_of_input(buffer, emitter);
            }
        }
        None
    }

    /// The structural scan, from `self.scan` to the next event.
    fn scan_array(&mut self, data: &[u8]) -> Event {
        let mut i = self.scan;
        while let Some(&b) = data.get(i) {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    self.line += u64::from(b == b'\n');
                    i += 1;
                    continue;
                }
                // Runs of ordinary string bytes end at `"`, `\` or a control byte (`\n` among them).
                i += plain_prefix_len(&data[i..]);
                match data.get(i) {
                    Some(b'"') => self.in_string = false,
                    Some(b'\\') => self.escaped = true,
                    Some(b'\n') => self.line += 1,
                    Some(_) => {}
                    None => break,
                }
                i += 1;
                continue;
            }
            if self.element.is_none() {
                // Between elements: whitespace, a terminator, or the first byte of an element.
                match b {
                    b' ' | b'\t' | b'\r' => {}
                    b'\n' => self.line += 1,
                    b',' | b']' => {
                        self.scan = i;
                        return Event::Terminator(i);
                    }
                    _ => {
                        self.scan = i;
                        return Event::ElementStart(i);
                    }
                }
                i += 1;
                continue;
            }
            // Inside an element only a few bytes matter; skip the others in a tight loop.
            while data.get(i).is_some_and(|&b| !STRUCTURAL[b as usize]) {
                i += 1;
            }
            let Some(&b) = data.get(i) else { break };
            match b {
                b'\n' => self.line += 1,
                b'"' => self.in_string = true,
                b'[' | b'{' => self.depth += 1,
                b',' | b']' if self.depth == 1 => {
                    self.scan = i;
                    return Event::Terminator(i);
                }
                // A stray `}` at the array's own level is content: the depth stays at 1.
                b']' | b'}' if self.depth > 1 => self.depth -= 1,
                _ => {}
            }
            i += 1;
        }
        self.scan = data.len();
        Event::End
    }

    /// An element ended; `raw` is its bytes up to its terminator (or the end of input) that are
    /// still in the buffer: all of them unless it was too large to keep. `valid_utf8` says the
    /// buffer's check already covered them; `valid_end` is where its content ends when the
    /// validator already read it as a valid value.
    fn element_done<E: BatchEncoder>(
        &self,
        element: Element,
        raw: &[u8],
        valid_utf8: bool,
        valid_end: Option<usize>,
        emitter: &mut Emitter<'_, E>,
    ) {
        let (line, byte_offset) = (element.line, element.byte_offset);
        if let Some(mut big) = element.oversized {
            big.observe(raw);
            let shown = too_large_excerpt_len(big.head().bytes(), big.head().len());
            return emitter.fault(big.fault(self.max_record_bytes, shown));
        }
        if raw.len() > self.max_record_bytes {
            let mut big = OversizedRecord::new(line, byte_offset);
            big.observe(raw);
            let shown = too_large_excerpt_len(big.head().bytes(), raw.len() as u64);
            return emitter.fault(big.fault(self.max_record_bytes, shown));
        }
        let content = &raw[..valid_end.unwrap_or_else(|| raw.len() - trailing_whitespace(raw))];
        let fault = |code, detail| Fault::for_record(code, line, byte_offset, content, detail);
        if !valid_utf8 {
            if let Err(e) = std::str::from_utf8(content) {
                return emitter.fault(fault(ErrorCode::InvalidUtf8, invalid_utf8_detail(&e)));
            }
        }
        if valid_end.is_some() {
            return emitter.json_value(content, line, byte_offset);
        }
        if let Err(e) = emitter.checked_json_value(content, line, byte_offset) {
            emitter.fault(fault(ErrorCode::Parse, e.to_string()));
        }
    }

    /// The input ended inside the array.
    fn end_of_input<E: BatchEncoder>(
        &mut self,
        buffer: &mut CarryBuffer,
        emitter: &mut Emitter<'_, E>,
    ) {
        if let Some(element) = self.element.take() {
            let valid_utf8 = buffer.utf8_valid_len() == buffer.len();
            self.element_done(element, buffer.data(), valid_utf8, None, emitter);
        }
        let len = buffer.len();
        buffer.consume(len);
        let detail = "the input ends inside the JSON array".to_owned();
        emitter.fault(Fault::at(ErrorCode::Truncated, self.line, buffer.offset(), detail));
        self.phase = Phase::Done;
    }
}

/// The fast path for an element starting at `bytes[0]`: when it is a valid JSON value followed
/// (after whitespace) by `,` or `]`, where its content ends and where that terminator is. The
/// structural scan would find the same terminator: a valid value's brackets balance and its
/// strings close, so no `,`/`]` inside it is at the array's own level. `None` sends the element
/// to the structural scan (a syntax error, or the buffer ends first).
fn whole_element(bytes: &[u8]) -> Option<(usize, usize)> {
    let end = value_end(bytes)?;
    let terminator = end + leading_whitespace(&bytes[end..]);
    matches!(bytes.get(terminator), Some(b',' | b']')).then_some((end, terminator))
}

/// The length an oversized element's excerpt treats it as having: when `head` holds the whole
/// element, its length without trailing whitespace (like a parsed element's excerpt); a longer
/// element's trailing whitespace lies beyond what the excerpt shows, so its raw length stands.
fn too_large_excerpt_len(head: &[u8], raw_len: u64) -> u64 {
    match usize::try_from(raw_len) {
        Ok(len) if len <= head.len() => (len - trailing_whitespace(&head[..len])) as u64,
        _ => raw_len,
    }
}

fn trailing_whitespace(data: &[u8]) -> usize {
    data.iter().rev().take_while(|&&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')).count()
}

/// The bytes the scan inside an element must look at: line feeds, quotes, brackets, commas.
static STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    let bytes = *b"\n\",[]{}";
    let mut k = 0;
    while k < bytes.len() {
        table[bytes[k] as usize] = true;
        k += 1;
    }
    table
};

fn leading_whitespace(data: &[u8]) -> usize {
    data.iter().position(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')).unwrap_or(data.len())
}

/// Bytes an `ERR_NOT_AN_ARRAY`'s excerpt shows at most: enough for a compressed file's
/// signature (gzip's `1f 8b 08`, zstd's `28 b5 2f fd`), which tells a pipe of compressed bytes
/// from text (`ts/sources/file-signature.ts`), and no more than the carry buffer always holds.
const NOT_AN_ARRAY_HEAD_BYTES: usize = 4;

/// The bytes an `ERR_NOT_AN_ARRAY` shows: from the first that is not `[`, up to
/// [`NOT_AN_ARRAY_HEAD_BYTES`] of them, stopping at a line break.
fn not_an_array_head(data: &[u8]) -> &[u8] {
    let limit = data.len().min(NOT_AN_ARRAY_HEAD_BYTES);
    let end = data[..limit].iter().position(|&b| b == b'\n' || b == b'\r').unwrap_or(limit);
    &data[..end]
}

fn describe_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}
