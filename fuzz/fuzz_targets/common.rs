//! Shared by the fuzz targets: reading an input to the end with chosen sizes, and flattening
//! batches into one list of records and faults (checking each batch's invariants on the way).

use std::io::{self, Read};

use ringstream_core::{
    validate_json, Batch, BatchOptions, BatchReader, ByteSource, ChunkFeed, ColumnarBatch,
    ColumnarEncoder, Compression, Fault, Format, ParseOptions, ValueTypes,
};

/// Returns at most `chunk` bytes per read, so the input is split anywhere.
pub struct Chunked {
    data: Vec<u8>,
    pos: usize,
    chunk: usize,
}

impl Read for Chunked {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.chunk).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// One record (its JSON text, line, offset) or one fault.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Record(String, u64, u64),
    Fault(Fault),
}

/// The sizes an input is read with: the buffer, each read, each batch.
pub type ReadSizes = (usize, usize, usize);

/// The options and read sizes a fuzz input's first four bytes choose, and the rest: the data.
pub fn setup(input: &[u8]) -> Option<(ParseOptions, ReadSizes, &[u8])> {
    let (&[format, buffer, chunk, flags], data) = input.split_first_chunk::<4>()?;
    let format =
        [Format::JsonLines, Format::Csv, Format::Tsv, Format::JsonArray][format as usize % 4];
    let mut options = ParseOptions::new(format);
    options.header = flags & 1 != 0;
    options.types = if flags & 2 != 0 { ValueTypes::Infer } else { ValueTypes::Strings };
    if flags & 4 != 0 {
        options.max_record_bytes = 1 + (flags as usize >> 3);
    }
    let sizes = (1 + buffer as usize % 64, 1 + chunk as usize % 17, 1 + flags as usize % 5);
    Some((options, sizes, data))
}

fn chunked(data: &[u8], chunk: usize) -> ByteSource {
    ByteSource::from_reader(
        Chunked { data: data.to_vec(), pos: 0, chunk: chunk.max(1) },
        Compression::None,
    )
    .expect("a plain source")
}

/// Reads all of `data` with the columnar encoder.
pub fn read_columnar(data: &[u8], options: &ParseOptions, sizes: ReadSizes) -> Vec<ColumnarBatch> {
    read_with(data, options, sizes, ColumnarEncoder::new(options.types))
}

/// Reads all of `data` with the columnar encoder, counting the records of the batches that
/// start after the first `after` (`ColumnarEncoder::counting_after`).
pub fn read_counted(
    data: &[u8],
    options: &ParseOptions,
    sizes: ReadSizes,
    after: usize,
) -> Vec<ColumnarBatch> {
    read_with(data, options, sizes, ColumnarEncoder::new(options.types).counting_after(after))
}

fn read_with(
    data: &[u8],
    options: &ParseOptions,
    (buffer, chunk, batch): ReadSizes,
    encoder: ColumnarEncoder,
) -> Vec<ColumnarBatch> {
    let limits = BatchOptions { batch_size: batch, buffer_size: buffer, ..BatchOptions::default() };
    BatchReader::with_encoder(chunked(data, chunk), options, &limits, encoder)
        .map(|batch| batch.expect("no I/O error from memory"))
        .collect()
}

/// Reads all of `data`, checking every batch, and flattens the result.
pub fn read(
    data: &[u8],
    options: &ParseOptions,
    buffer: usize,
    chunk: usize,
    batch: usize,
) -> Vec<Item> {
    let source = chunked(data, chunk);
    let limits = BatchOptions {
        batch_size: batch.max(1),
        buffer_size: buffer.max(1),
        ..BatchOptions::default()
    };
    let mut items = Vec::new();
    for batch in BatchReader::new(source, options, &limits) {
        flatten(&batch.expect("no I/O error from memory"), &mut items);
    }
    items
}

/// Reads all of `data` pushed into a [`ChunkFeed`] `piece` bytes at a time, each push drained
/// to a request for more, as the binding reads a JavaScript stream's chunks.
pub fn read_pushed(
    data: &[u8],
    options: &ParseOptions,
    buffer: usize,
    piece: usize,
    batch: usize,
) -> Vec<Item> {
    let (feed, reader) = ChunkFeed::new();
    let source =
        ByteSource::from_reader(reader, Compression::None).expect("a plain source").live(true);
    let limits = BatchOptions {
        batch_size: batch.max(1),
        buffer_size: buffer.max(1),
        ..BatchOptions::default()
    };
    let mut batches = BatchReader::new(source, options, &limits);
    let mut pieces = data.chunks(piece.max(1));
    let mut items = Vec::new();
    loop {
        match batches.next_batch().expect("no I/O error from memory") {
            Some(batch) => flatten(&batch, &mut items),
            None if batches.awaits_input() => match pieces.next() {
                Some(chunk) => feed.push(chunk),
                None => feed.end(),
            },
            None => return items,
        }
    }
}

fn flatten(batch: &Batch, items: &mut Vec<Item>) {
    assert!(batch.json.is_ascii(), "batch text is ASCII (non-ASCII as \\u escapes)");
    let json = std::str::from_utf8(&batch.json).expect("batch text is UTF-8");
    validate_json(json).expect("batch text is one JSON array");
    assert_eq!(batch.lines.len(), batch.byte_offsets.len());
    assert!(!batch.lines.is_empty() || !batch.faults.is_empty(), "an empty batch");
    let records = split_array(json);
    assert_eq!(records.len(), batch.lines.len());
    let mut faults = batch.faults.iter().peekable();
    let mut previous = 0;
    for (i, record) in records.into_iter().enumerate() {
        while let Some((index, fault)) = faults.next_if(|(index, _)| *index <= i) {
            assert!(*index >= previous);
            previous = *index;
            items.push(Item::Fault(fault.clone()));
        }
        items.push(Item::Record(record.to_owned(), batch.lines[i] as u64, batch.byte_offsets[i]));
    }
    for (index, fault) in faults {
        assert_eq!(*index, batch.lines.len());
        items.push(Item::Fault(fault.clone()));
    }
}

/// The top-level elements of a valid JSON array text, as text.
pub fn split_array(json: &str) -> Vec<&str> {
    let bytes = json.as_bytes();
    let mut out = Vec::new();
    let (mut depth, mut in_string, mut escaped, mut start) = (0usize, false, false, 1usize);
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 && i > start {
                    out.push(json[start..i].trim());
                }
            }
            b',' if depth == 1 => {
                out.push(json[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    out.retain(|s| !s.is_empty());
    out
}
