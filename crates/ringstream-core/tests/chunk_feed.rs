//! Chunks pushed one at a time (the bytes of a JavaScript stream) read into the same records,
//! faults and positions as the same bytes read whole, however they are cut, compressed or not.

mod common;

use std::io::{self, Write};

use common::*;
use ringstream_core::{
    Batch, BatchOptions, BatchReader, ByteSource, ChunkFeed, Compression, Format, JsonTextEncoder,
    ParseOptions, Reader, ReaderConfig, ValueTypes,
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

/// Pushes `input` in pieces of `piece` bytes into a reader that parses them on its producer
/// thread, `ahead` pieces before each batch is asked for (0: only when it awaits input).
fn read_pushed_on_thread(
    input: &[u8],
    compression: Compression,
    options: &ParseOptions,
    piece: usize,
    buffer_size: usize,
    ahead: usize,
) -> Result<Vec<Batch>, ringstream_core::ReadError> {
    let mut config = ReaderConfig::new("<pushed>", options.format);
    config.parse = options.clone();
    config.compression = Some(compression);
    config.batch = BatchOptions { batch_size: 7, buffer_size, ..BatchOptions::default() };
    let (feed, mut reader) = Reader::open_pushed(config, JsonTextEncoder::new(options.types))?;
    let mut pieces = input.chunks(piece.max(1));
    let mut out = Vec::new();
    let mut push_next = |feed: &ChunkFeed| match pieces.next() {
        Some(chunk) => feed.push(chunk),
        None => feed.end(),
    };
    loop {
        for _ in 0..ahead {
            push_next(&feed);
        }
        match reader.next_batch()? {
            Some(batch) => out.push(batch),
            None if reader.awaits_input() => push_next(&feed),
            None => return Ok(out),
        }
    }
}

#[test]
fn chunks_parsed_on_the_calling_thread_then_a_producer_thread_read_as_the_whole_input_does() {
    let lines =
        "\u{feff}{\"a\":1,\"city\":\"Zürich\"}\nnot json\r\n{\"b\":[1,2]}\n\n{\"c\":\"é\"}\n";
    // Past the bytes parsed inline, so that a producer thread takes over part way.
    let jsonl = lines.as_bytes().repeat(25_000);
    let csv = "id,note\r\n1,\"two\nlines\"\n2,\"a \"\"quote\"\"\"\n3,x,extra\n4,ü\n".as_bytes();
    let cases = [
        (&jsonl[..2000], options(Format::JsonLines)),
        (&jsonl[..], options(Format::JsonLines)),
        (csv, csv_options(true, ValueTypes::Infer)),
    ];
    for (input, parse) in &cases {
        let expected = items(input, parse);
        for compression in [Compression::None, Compression::Gzip, Compression::Zstd] {
            let bytes = compressed(input, compression);
            for (piece, buffer_size, ahead) in
                [(3, 5, 0), (1000, 64, 2), (4096, 1, 1), (65536, 4096, 5)]
            {
                if input.len() > 10_000 && piece < 1000 {
                    continue;
                }
                let got =
                    read_pushed_on_thread(&bytes, compression, parse, piece, buffer_size, ahead)
                        .unwrap();
                assert_eq!(
                    flatten(&got),
                    expected,
                    "{compression:?} {piece} {buffer_size} {ahead}"
                );
            }
        }
    }
}

#[test]
fn a_producer_thread_hands_out_what_each_push_completed_and_stops_when_closed() {
    let config = ReaderConfig::new("<pushed>", Format::JsonLines);
    let encoder = JsonTextEncoder::new(config.parse.types);
    let (feed, mut reader) = Reader::open_pushed(config, encoder).unwrap();
    // More than is parsed on the calling thread: a producer thread takes the rest.
    let many = b"{\"n\":0}\n".repeat(200_000);
    feed.push(&many);
    let mut records = 0;
    while let Some(batch) = reader.next_batch().unwrap() {
        records += batch.lines.len();
    }
    assert!(reader.awaits_input() && reader.reads_ahead());
    assert_eq!(records, 200_000);
    feed.push(b"{\"n\":1}\n{\"n\":2}\n{\"n");
    assert_eq!(
        reader.next_batch().unwrap().map(|b| b.json),
        Some(b"[{\"n\":1},{\"n\":2}]".to_vec())
    );
    assert!(reader.next_batch().unwrap().is_none() && reader.awaits_input());
    // A push since makes that stale: the producer parses on.
    feed.push(b"\":3");
    assert!(!reader.awaits_input());
    assert!(reader.next_batch().unwrap().is_none() && reader.awaits_input());
    // The producer now waits for a push; closing ends its thread before `close` returns.
    reader.close();
    assert!(reader.is_closed());
    assert!(reader.next_batch().unwrap().is_none() && !reader.awaits_input());
    feed.push(b"}\n");
    assert_eq!(feed.pending(), 0, "a push after the close is dropped");
}

#[test]
fn a_damaged_pushed_stream_fails_after_its_records() {
    // Numbers that compress poorly, so that the compressed bytes pass what is parsed inline.
    let mut state = 1u64;
    let input: String = (0..200_000)
        .map(|_| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            format!("{{\"n\":{}}}\n", state >> 11)
        })
        .collect();
    let whole = gzip(input.as_bytes());
    let cut = &whole[..whole.len() - 10];
    let parse = options(Format::JsonLines);
    let mut records = 0;
    let mut config = ReaderConfig::new("<pushed>", Format::JsonLines);
    config.compression = Some(Compression::Gzip);
    let (feed, mut reader) =
        Reader::open_pushed(config, JsonTextEncoder::new(parse.types)).unwrap();
    for piece in cut.chunks(4096) {
        feed.push(piece);
    }
    assert!(cut.len() > 1 << 20, "parsed by a producer thread in the end");
    feed.end();
    let error = loop {
        match reader.next_batch() {
            Ok(Some(batch)) => records += batch.lines.len(),
            Ok(None) => panic!("ended without an error"),
            Err(error) => break error,
        }
    };
    assert!(error.is_decompression(), "{error}");
    assert!(reader.reads_ahead(), "a producer thread took over");
    assert!(records > 190_000 && records < 200_000, "{records}");
    assert!(reader.next_batch().unwrap().is_none());
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
