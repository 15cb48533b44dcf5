//! The core of ringstream: streaming parsers for JSON Lines, CSV/TSV and top-level JSON arrays
//! that read a file of any size with constant memory and hand out batches of records ready
//! for JavaScript. No N-API here: the binding crate only converts types and forwards calls.
//!
//! The parsers implement the "Format contract" of the project's `DESIGN.md` byte for byte (a
//! pure-TypeScript engine implements the same contract; a parity suite compares the two).
//!
//! # Layers
//!
//! - [`ByteSource`]: a file, a byte range of one, or any reader; `.gz`/`.zst` decompressed.
//! - [`CarryBuffer`]: the fixed-capacity read buffer in which a record split by a read is
//!   carried over; it grows for a long record (up to `max_record_bytes`) and shrinks back.
//! - The parsers (private; selected by [`Format`]) hand records and [`Fault`]s to a
//!   [`BatchEncoder`]; [`JsonTextEncoder`] frames a batch as one JSON array text,
//!   [`ColumnarEncoder`] as columns of values (text blob, offsets, kinds, numbers).
//! - [`BatchReader`] drives it all on the calling thread; [`Reader`] runs a `BatchReader` on a
//!   producer thread feeding a bounded queue of batches.
//!
//! # Example
//!
//! ```
//! use std::io::Cursor;
//! use ringstream_core::{BatchOptions, BatchReader, ByteSource, Compression, Format, ParseOptions,
//!     ValueTypes};
//!
//! let csv = "id,ok\n1,true\n2,\n".as_bytes().to_vec();
//! let mut options = ParseOptions::new(Format::Csv);
//! options.types = ValueTypes::Infer;
//! let source = ByteSource::from_reader(Cursor::new(csv), Compression::None)?;
//! let mut reader = BatchReader::new(source, &options, &BatchOptions::default());
//! let batch = reader.next_batch()?.expect("a batch");
//! assert_eq!(batch.json, br#"[{"id":1,"ok":true},{"id":2,"ok":null}]"#);
//! assert_eq!(batch.lines, [2.0, 3.0]);
//! assert_eq!(batch.byte_offsets, [6, 13]);
//! # Ok::<(), std::io::Error>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod batch_queue;
mod batch_reader;
mod carry_buffer;
mod chunk_feed;
mod columnar;
mod compressed_head;
mod config;
mod csv;
mod decimal;
mod decoded_length;
mod delimited_scan;
mod encode;
pub mod excerpt;
mod fault;
mod gzip_members;
mod head_lines;
mod header;
mod infer;
mod json_array;
mod json_escape;
mod json_syntax;
mod json_text;
mod jsonl;
mod line_counter;
mod memory;
mod parser;
mod read_error;
mod reader;
mod source;
mod string_scan;
#[cfg(feature = "testing")]
pub mod testing;
mod utf8_stream;
mod zstd_units;
mod zstd_words;

pub use batch_reader::{read_all, BatchReader};
pub use carry_buffer::CarryBuffer;
pub use chunk_feed::{ChunkFeed, ChunkReader};
pub use columnar::{ColumnarBatch, ColumnarEncoder, TextEncoding, ValueKind};
pub use compressed_head::not_compressed_reason;
pub use config::{
    BatchOptions, Format, ParseOptions, ReaderConfig, ValueTypes, DEFAULT_BATCH_SIZE,
    DEFAULT_BUFFER_SIZE, DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_RECORD_BYTES, DEFAULT_QUEUE_DEPTH,
};
pub use decimal::parse_decimal;
pub use decoded_length::decoded_length;
pub use delimited_scan::split_delimited;
pub use encode::{BatchEncoder, CsvFields};
pub use excerpt::excerpt;
pub use fault::{ErrorCode, Fault};
pub use head_lines::{head_bytes, head_lines, HeadLines};
pub use header::header_names;
pub use infer::{infer_value, InferredValue, MAX_SAFE_INTEGER};
pub use json_escape::{push_ascii_json, push_json_string};
pub use json_syntax::{validate_json, JsonSyntaxError};
pub use json_text::{Batch, JsonTextEncoder};
pub use line_counter::LineCounter;
pub use memory::{estimate_memory, MemoryEstimate};
pub use read_error::ReadError;
pub use reader::{Polled, Reader};
pub use source::{is_decompression_error, ByteSource, Compression, DecompressionError};
pub use string_scan::{plain_prefix_len, plain_string_end};
pub use utf8_stream::Utf8Stream;
