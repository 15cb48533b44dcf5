//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::io::{self, Read};

use ringstream_core::{
    Batch, BatchOptions, BatchReader, ByteSource, Compression, ErrorCode, Format, ParseOptions,
    ValueTypes,
};
use serde_json::Value;

/// One thing a parser reports, flattened out of batches.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A record: line, byte offset, value.
    R(u64, u64, Value),
    /// A fault: code, line, byte offset, excerpt.
    F(ErrorCode, u64, u64, String),
}

pub fn r(line: u64, offset: u64, value: Value) -> Item {
    Item::R(line, offset, value)
}

pub fn f(code: ErrorCode, line: u64, offset: u64, excerpt: &str) -> Item {
    Item::F(code, line, offset, excerpt.to_owned())
}

/// A reader that returns at most `chunk` bytes per read, to split the input anywhere.
pub struct ChunkedReader {
    data: Vec<u8>,
    pos: usize,
    chunk: usize,
}

impl ChunkedReader {
    pub fn new(data: &[u8], chunk: usize) -> ChunkedReader {
        ChunkedReader { data: data.to_vec(), pos: 0, chunk: chunk.max(1) }
    }
}

impl Read for ChunkedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.chunk).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

pub fn options(format: Format) -> ParseOptions {
    ParseOptions::new(format)
}

pub fn csv_options(header: bool, types: ValueTypes) -> ParseOptions {
    let mut o = ParseOptions::new(Format::Csv);
    o.header = header;
    o.types = types;
    o
}

/// Reads `input` with the given buffer size, read chunk and batch size.
pub fn batches(
    input: &[u8],
    options: &ParseOptions,
    buffer_size: usize,
    chunk: usize,
    batch_size: usize,
) -> Vec<Batch> {
    let source =
        ByteSource::from_reader(ChunkedReader::new(input, chunk), Compression::None).unwrap();
    let batch = BatchOptions { batch_size, buffer_size, ..BatchOptions::default() };
    BatchReader::new(source, options, &batch).collect::<io::Result<Vec<_>>>().unwrap()
}

/// Checks a batch's invariants and flattens it into items.
pub fn flatten(batches: &[Batch]) -> Vec<Item> {
    let mut items = Vec::new();
    for batch in batches {
        let records: Vec<Value> = serde_json::from_slice(&batch.json).unwrap_or_else(|e| {
            panic!("batch json {:?}: {e}", String::from_utf8_lossy(&batch.json))
        });
        assert_eq!(records.len(), batch.lines.len());
        assert_eq!(records.len(), batch.byte_offsets.len());
        assert!(!records.is_empty() || !batch.faults.is_empty(), "empty batch");
        let mut faults = batch.faults.iter().peekable();
        let mut last_index = 0;
        for (i, record) in records.into_iter().enumerate() {
            while let Some((index, fault)) = faults.next_if(|(index, _)| *index <= i) {
                assert!(*index >= last_index);
                last_index = *index;
                items.push(fault_item(fault));
            }
            items.push(Item::R(batch.lines[i] as u64, batch.byte_offsets[i], record));
        }
        for (index, fault) in faults {
            assert!(*index == batch.lines.len() && *index >= last_index);
            items.push(fault_item(fault));
        }
    }
    items
}

fn fault_item(fault: &ringstream_core::Fault) -> Item {
    if !fault.code.has_excerpt() {
        assert!(fault.excerpt.is_empty());
    }
    Item::F(fault.code, fault.line, fault.byte_offset, fault.excerpt.clone())
}

/// Reads `input` with a 1 MiB buffer in one piece.
pub fn items(input: &[u8], options: &ParseOptions) -> Vec<Item> {
    flatten(&batches(input, options, 1 << 20, usize::MAX, 1000))
}

/// Buffer sizes every split test runs at.
pub fn buffer_sizes() -> impl Iterator<Item = usize> {
    (1..=64).chain([100, 1000, 1 << 20])
}

/// Asserts that `input` gives `expected` at every buffer size, read chunk and a few batch
/// sizes, and returns `expected`.
pub fn check_splits(input: &[u8], options: &ParseOptions, expected: &[Item]) {
    for buffer_size in buffer_sizes() {
        for chunk in [1, 3, usize::MAX] {
            let batch_size = 1 + buffer_size % 3;
            let got = flatten(&batches(input, options, buffer_size, chunk, batch_size));
            assert_eq!(
                got,
                expected,
                "input {:?}, buffer {buffer_size}, chunk {chunk}",
                String::from_utf8_lossy(input)
            );
        }
    }
}

/// `check_splits` for a case given as `expected`, returning nothing; shorthand.
pub fn case(input: &str, options: &ParseOptions, expected: Vec<Item>) {
    check_splits(input.as_bytes(), options, &expected);
}
