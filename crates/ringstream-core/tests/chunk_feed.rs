//! Chunks pushed one at a time (the bytes of a JavaScript stream) read into the same records,
//! faults and positions as the same bytes read whole, however they are cut, compressed or not.

mod common;

use std::io::{self, Write};

use common::*;
use ringstream_core::{
    Batch, BatchOptions, BatchReader, ByteSource, ChunkFeed, Compression, Format, ValueTypes,
};

/// Pushes `input` in pieces of `piece` bytes, draining the batches after each, and returns them
/// with whether every push was drained down to a request for more input.
fn read_pushed(
    input: &[u8],
    compression: Compression,
    options: &ringstream_core::ParseOptions,
    piece: usize,
    buffer_size: usize,
) -> io::Result<Vec<Batch>> {
    let (feed, reader) = ChunkFeed::new();
    let source = ByteSource::from_reader(reader, compression)?.live(true);
    let batch = BatchOptions { batch_size: 7, buffer_size, ..BatchOptions::default() };
    let mut batches = BatchReader::new(source, options, &batch);
    let mut out = Vec::new();
    let mut pieces = input.chunks(piece.max(1));
    loop {
        match batches.next_batch()? {
            Some(batch) => out.push(batch),
            None if batches.awaits_input() => match pieces.next() {
                Some(chunk) => feed.push(chunk),
                None => feed.end(),
            },
            None => return Ok(out),
        }
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn compressed(data: &[u8], compression: Compression) -> Vec<u8> {
    match compression {
        Compression::None => data.to_vec(),
        Compression::Gzip => gzip(data),
        Compression::Zstd => zstd::encode_all(data, 3).unwrap(),
    }
}

#[test]
fn pushed_chunks_read_as_the_whole_input_does() {
    let jsonl = "\u{feff}{\"a\":1,\"city\":\"Zürich\"}\nnot json\r\n{\"b\":[1,2]}\n\n{\"c\":\"é\"}"
        .as_bytes();
    let csv = "id,note\r\n1,\"two\nlines\"\n2,\"a \"\"quote\"\"\"\n3,x,extra\n4,ü\n".as_bytes();
    let json = "[{\"a\":1}, 2, {\"b\":\"ß\"} ,\n \"x\"]".as_bytes();
    let cases = [
        (jsonl, options(Format::JsonLines)),
        (csv, csv_options(true, ValueTypes::Strings)),
        (csv, csv_options(false, ValueTypes::Infer)),
        (json, options(Format::JsonArray)),
    ];
    for (input, parse) in &cases {
        let expected = items(input, parse);
        for compression in [Compression::None, Compression::Gzip, Compression::Zstd] {
            let bytes = compressed(input, compression);
            for piece in [1, 2, 3, 7, 64, usize::MAX] {
                for buffer_size in [1, 5, 64, 1 << 16] {
                    let got = read_pushed(&bytes, compression, parse, piece, buffer_size).unwrap();
                    assert_eq!(
                        flatten(&got),
                        expected,
                        "{compression:?}, pieces of {piece}, buffer {buffer_size}: {:?}",
                        String::from_utf8_lossy(input)
                    );
                }
            }
        }
    }
}

#[test]
fn each_push_hands_out_the_records_it_completed() {
    let (feed, reader) = ChunkFeed::new();
    let source = ByteSource::from_reader(reader, Compression::None).unwrap().live(true);
    let mut batches =
        BatchReader::new(source, &options(Format::JsonLines), &BatchOptions::default());
    assert!(batches.next_batch().unwrap().is_none() && batches.awaits_input());
    feed.push(b"{\"n\":1}\n{\"n\"");
    assert_eq!(batches.next_batch().unwrap().map(|b| b.json), Some(b"[{\"n\":1}]".to_vec()));
    assert!(batches.next_batch().unwrap().is_none() && batches.awaits_input());
    feed.push(b":2}");
    feed.end();
    assert_eq!(batches.next_batch().unwrap().map(|b| b.json), Some(b"[{\"n\":2}]".to_vec()));
    assert!(batches.next_batch().unwrap().is_none() && !batches.awaits_input());
}

#[test]
fn damaged_or_uncompressed_chunks_are_decompression_errors() {
    let input = "{\"n\":1}\n".repeat(20_000);
    let whole = gzip(input.as_bytes());
    let cut = &whole[..whole.len() - 10];
    let error = read_pushed(cut, Compression::Gzip, &options(Format::JsonLines), 1000, 1 << 16)
        .expect_err("a cut gzip stream");
    assert!(ringstream_core::is_decompression_error(&error), "{error}");
    let plain = read_pushed(b"a,b\n", Compression::Gzip, &options(Format::Csv), 1, 64)
        .expect_err("not gzip");
    assert!(plain.to_string().starts_with("not gzip data: it starts with 61 2c 62 0a"), "{plain}");
}
