//! The synchronous driver: reads a [`ByteSource`] into the [`CarryBuffer`], runs the format's
//! parser over it and hands out one batch at a time. The threaded [`Reader`](crate::Reader)
//! runs one of these on its producer thread; tests and single-threaded callers use it directly.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::carry_buffer::CarryBuffer;
use crate::config::{BatchOptions, ParseOptions};
use crate::encode::BatchEncoder;
use crate::json_text::{Batch, JsonTextEncoder};
use crate::parser::{Emitter, FormatParser, Step};
use crate::source::ByteSource;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Records in the first batch at most; each next batch may hold twice as many, up to
/// `batch_size`. The first records then reach JavaScript after 64 records are parsed, not a whole
/// batch, and the producer parses the next batch while JavaScript builds the first.
const FIRST_BATCH_SIZE: usize = 64;

/// Turns one file's bytes into batches, on the calling thread.
///
/// ```
/// use std::io::Cursor;
/// use ringstream_core::{BatchOptions, BatchReader, ByteSource, Compression, ErrorCode, Format,
///     ParseOptions};
///
/// let input = b"{\"a\":1}\nnot json\n[2]\n".to_vec();
/// let source = ByteSource::from_reader(Cursor::new(input), Compression::None)?;
/// let mut reader =
///     BatchReader::new(source, &ParseOptions::new(Format::JsonLines), &BatchOptions::default());
/// let batch = reader.next_batch()?.expect("one batch");
/// assert_eq!(batch.json, b"[{\"a\":1},[2]]");
/// assert_eq!(batch.lines, [1.0, 3.0]);
/// assert_eq!(batch.byte_offsets, [0, 17]);
/// let (index, fault) = &batch.faults[0];
/// assert_eq!((*index, fault.code, fault.line, fault.excerpt.as_str()),
///     (1, ErrorCode::Parse, 2, "not json"));
/// assert!(reader.next_batch()?.is_none());
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct BatchReader<E: BatchEncoder = JsonTextEncoder> {
    source: ByteSource,
    buffer: CarryBuffer,
    parser: FormatParser,
    encoder: E,
    /// The limits of the batch being filled: `batch_size` ramps up to `full_batch_size`.
    limits: BatchOptions,
    full_batch_size: usize,
    bom_pending: bool,
    eof: bool,
    finished: bool,
    pending_error: Option<io::Error>,
    stop: Option<Arc<AtomicBool>>,
    /// The last `next_batch` found no bytes to read yet (the source said `WouldBlock`).
    awaits_input: bool,
}

impl BatchReader<JsonTextEncoder> {
    /// A reader of `source` that frames batches as JSON text.
    pub fn new(source: ByteSource, parse: &ParseOptions, batch: &BatchOptions) -> BatchReader {
        BatchReader::with_encoder(source, parse, batch, JsonTextEncoder::new(parse.types))
    }
}

impl<E: BatchEncoder> BatchReader<E> {
    /// A reader of `source` whose batches `encoder` packages.
    pub fn with_encoder(
        source: ByteSource,
        parse: &ParseOptions,
        batch: &BatchOptions,
        encoder: E,
    ) -> BatchReader<E> {
        let full_batch_size = batch.batch_size.max(1);
        let limits = BatchOptions {
            batch_size: full_batch_size.min(FIRST_BATCH_SIZE),
            buffer_size: batch.buffer_size.max(1),
            max_batch_bytes: batch.max_batch_bytes.max(1),
        };
        // A record may grow the buffer to one byte more than the longest record accepted
        // (that byte tells it is too long); 4 bytes are always enough to look for a BOM.
        let max_capacity = limits.buffer_size.max(parse.max_record_bytes.saturating_add(1)).max(4);
        let mut buffer = CarryBuffer::new(limits.buffer_size, max_capacity);
        buffer.set_offset(source.start_offset());
        BatchReader {
            bom_pending: source.start_offset() == 0,
            source,
            buffer,
            parser: FormatParser::new(parse),
            encoder,
            limits,
            full_batch_size,
            eof: false,
            finished: false,
            pending_error: None,
            stop: None,
            awaits_input: false,
        }
    }

    /// Makes the reader end (as if at the end of the input) once `flag` is set, so another
    /// thread can stop it: at its next read, or within a record of the batch it is filling
    /// (which is then dropped, not handed out).
    pub fn set_stop_flag(&mut self, flag: Arc<AtomicBool>) {
        self.stop = Some(flag);
    }

    /// Makes the next batch small again, then each twice the one before, as at the start: for a
    /// consumer that waits for it, as when a producer thread takes over from the calling thread.
    pub fn ramp_up_again(&mut self) {
        self.limits.batch_size = self.full_batch_size.min(FIRST_BATCH_SIZE);
    }

    /// Raw bytes read from the source so far (compressed bytes for a compressed source).
    pub fn bytes_read(&self) -> u64 {
        self.source.bytes_read()
    }

    /// The next batch, or `None` at the end of the input. A read error is returned once, after
    /// the records parsed before it; then the reader is finished.
    pub fn next_batch(&mut self) -> io::Result<Option<E::Batch>> {
        if let Some(error) = self.pending_error.take() {
            return Err(error);
        }
        self.awaits_input = false;
        if self.finished {
            return Ok(None);
        }
        loop {
            if self.bom_pending {
                if self.buffer.len() < BOM.len() && !self.eof {
                    match self.read_more() {
                        Ok(true) => continue,
                        Ok(false) => return Ok(None),
                        Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                            self.awaits_input = true;
                            return Ok(None);
                        }
                        Err(error) => return self.fail(error),
                    }
                }
                if self.buffer.data().starts_with(BOM) {
                    self.buffer.consume(BOM.len());
                }
                self.bom_pending = false;
            }
            let step = {
                let stop = self.stop.as_deref();
                let mut emitter = Emitter::new(&mut self.encoder, &self.limits, stop);
                self.parser.parse(&mut self.buffer, &mut emitter, self.eof)
            };
            match step {
                Step::BatchFull if self.stopped() => {
                    // Closed while the batch was being filled: nobody will take it.
                    self.finished = true;
                    return Ok(None);
                }
                Step::BatchFull => return Ok(Some(self.take_batch())),
                // A live source's next read may wait for its writer for as long as it likes.
                Step::NeedInput
                    if !self.eof
                        && self.source.is_live()
                        && self.has_items()
                        && !self.stopped() =>
                {
                    return Ok(Some(self.take_batch()));
                }
                Step::NeedInput if !self.eof => match self.read_more() {
                    Ok(true) => {}
                    Ok(false) => return Ok(None),
                    // No bytes yet: what is parsed goes out now rather than wait for them.
                    Err(error)
                        if error.kind() == io::ErrorKind::WouldBlock
                            && self.has_items()
                            && !self.stopped() =>
                    {
                        return Ok(Some(self.take_batch()));
                    }
                    Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                        self.awaits_input = true;
                        return Ok(None);
                    }
                    Err(error) => return self.fail(error),
                },
                Step::NeedInput | Step::Finished => {
                    self.finished = true;
                    return Ok(self.has_items().then(|| self.take_batch()));
                }
            }
        }
    }

    /// Whether the last [`next_batch`](Self::next_batch) returned `None` because the source had
    /// no bytes yet (a [`ChunkReader`](crate::ChunkReader) before its next push), rather than
    /// at the end: push more and ask again. The records parsed before such a read were handed
    /// out first, in a batch of their own.
    pub fn awaits_input(&self) -> bool {
        self.awaits_input
    }

    fn has_items(&self) -> bool {
        self.encoder.record_count() > 0 || self.encoder.fault_count() > 0
    }

    fn take_batch(&mut self) -> E::Batch {
        self.limits.batch_size = (self.limits.batch_size * 2).min(self.full_batch_size);
        self.encoder.take_batch(self.source.bytes_read())
    }

    /// Ends the reader with `error`, after handing out what was parsed before it.
    fn fail(&mut self, error: io::Error) -> io::Result<Option<E::Batch>> {
        self.finished = true;
        if self.has_items() {
            self.pending_error = Some(error);
            Ok(Some(self.take_batch()))
        } else {
            Err(error)
        }
    }

    /// Reads more input; `false` when the stop flag is set (the reader is then finished and
    /// what was parsed but not handed out is dropped).
    fn stopped(&self) -> bool {
        self.stop.as_ref().is_some_and(|flag| flag.load(Ordering::Relaxed))
    }

    fn read_more(&mut self) -> io::Result<bool> {
        if self.stopped() {
            self.finished = true;
            return Ok(false);
        }
        if self.buffer.fill(&mut self.source)? == 0 {
            if self.buffer.len() == self.buffer.capacity() {
                return Err(io::Error::other("internal error: a record filled the whole buffer"));
            }
            self.eof = true;
        }
        Ok(true)
    }
}

impl<E: BatchEncoder> Iterator for BatchReader<E> {
    type Item = io::Result<E::Batch>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_batch().transpose()
    }
}

/// Reads a whole input held in memory into JSON-text batches; a convenience for tests and
/// small inputs.
///
/// ```
/// use ringstream_core::{read_all, BatchOptions, Format, ParseOptions};
/// let batches = read_all(b"a,b\n1,2\n", &ParseOptions::new(Format::Csv), &BatchOptions::default())?;
/// assert_eq!(batches[0].json, br#"[{"a":"1","b":"2"}]"#);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn read_all(
    input: &[u8],
    parse: &ParseOptions,
    batch: &BatchOptions,
) -> io::Result<Vec<Batch>> {
    let source =
        ByteSource::from_reader(io::Cursor::new(input.to_vec()), crate::Compression::None)?;
    BatchReader::new(source, parse, batch).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Format;

    /// A source that sets the stop flag as it is read, as a closing consumer would while the
    /// reader parses what it read.
    struct StoppingSource {
        input: io::Cursor<Vec<u8>>,
        stop: Arc<AtomicBool>,
    }

    impl io::Read for StoppingSource {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.stop.store(true, Ordering::Relaxed);
            self.input.read(buf)
        }
    }

    #[test]
    fn a_stop_ends_the_batch_being_filled() {
        let stop = Arc::new(AtomicBool::new(false));
        let input = io::Cursor::new("1\n".repeat(5000).into_bytes());
        let source = StoppingSource { input, stop: Arc::clone(&stop) };
        let source = ByteSource::from_reader(source, crate::Compression::None).expect("a source");
        let options = BatchOptions { batch_size: 10_000, ..BatchOptions::default() };
        let mut reader = BatchReader::new(source, &ParseOptions::new(Format::JsonLines), &options);
        reader.set_stop_flag(stop);
        // Without the stop, this read's 5,000 records would make the first batch (of 64).
        assert!(reader.next_batch().expect("no error").is_none());
        assert!(reader.next_batch().expect("no error").is_none());
    }

    #[test]
    fn batches_start_small_and_double_up_to_the_batch_size() {
        let input = "1\n".repeat(1000);
        let batch = BatchOptions { batch_size: 300, ..BatchOptions::default() };
        let batches = read_all(input.as_bytes(), &ParseOptions::new(Format::JsonLines), &batch);
        let sizes: Vec<usize> = batches.unwrap_or_default().iter().map(Batch::len).collect();
        assert_eq!(sizes, [64, 128, 256, 300, 252]);
    }

    /// A pipe's reading end: each read takes the next piece the writer sent, waiting for it (at
    /// most five seconds, so a reader that waits for too much fails instead of hanging).
    struct PipeEnd {
        pieces: std::sync::mpsc::Receiver<Vec<u8>>,
    }

    impl io::Read for PipeEnd {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.pieces.recv_timeout(std::time::Duration::from_secs(5)) {
                Ok(piece) => {
                    buf[..piece.len()].copy_from_slice(&piece);
                    Ok(piece.len())
                }
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Ok(0),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                    Err(io::Error::other("read waited for bytes the writer only sends later"))
                }
            }
        }
    }

    fn pipe_reader(live: bool) -> (std::sync::mpsc::Sender<Vec<u8>>, BatchReader) {
        let (writer, pieces) = std::sync::mpsc::channel();
        let source = ByteSource::from_reader(PipeEnd { pieces }, crate::Compression::None)
            .expect("a source")
            .live(live);
        let reader = BatchReader::new(
            source,
            &ParseOptions::new(Format::JsonLines),
            &BatchOptions::default(),
        );
        (writer, reader)
    }

    #[test]
    fn a_live_source_hands_out_what_it_has_before_a_read_that_may_wait() {
        let (writer, mut reader) = pipe_reader(true);
        writer.send(b"{\"n\":1}\n{\"n\"".to_vec()).expect("sent");
        // The writer sends the rest only once the first record has arrived.
        let first = reader.next_batch().expect("no error").expect("a batch");
        assert_eq!(first.json, b"[{\"n\":1}]");
        writer.send(b":2}\n".to_vec()).expect("sent");
        drop(writer);
        let second = reader.next_batch().expect("no error").expect("a batch");
        assert_eq!(
            (second.json.as_slice(), second.byte_offsets.as_slice()),
            (&b"[{\"n\":2}]"[..], &[8][..])
        );
        assert!(reader.next_batch().expect("no error").is_none());
    }

    #[test]
    fn a_source_that_is_not_live_fills_its_batches() {
        let (writer, mut reader) = pipe_reader(false);
        for n in 1..=3 {
            writer.send(format!("{{\"n\":{n}}}\n").into_bytes()).expect("sent");
        }
        drop(writer);
        let batch = reader.next_batch().expect("no error").expect("a batch");
        assert_eq!(batch.len(), 3);
    }

    #[test]
    fn a_regular_file_is_not_live_and_a_device_is() {
        let path = std::env::temp_dir().join(format!("rs-live-{}.jsonl", std::process::id()));
        std::fs::write(&path, "{}\n").expect("written");
        let source = ByteSource::open(&path, crate::Compression::None).expect("opened");
        let _ = std::fs::remove_file(&path);
        assert!(!source.is_live());
        if cfg!(unix) {
            let device = ByteSource::open("/dev/null", crate::Compression::Gzip).expect("opened");
            assert!(device.is_live());
        }
    }
}
