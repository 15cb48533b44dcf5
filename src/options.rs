//! The options a native reader is opened with, as the facade hands them over, and their
//! translation into the core's `ReaderConfig`.

use napi::Result;
use napi_derive::napi;
use ringstream_core::{BatchOptions, Compression, Format, ParseOptions, ReaderConfig, ValueTypes};

use crate::errors::invalid;

/// Options of one native reader, validated and defaulted by the TypeScript facade.
#[napi(object)]
pub struct NativeReaderOptions {
    pub path: String,
    /// `"jsonl"`, `"csv"`, `"tsv"` or `"json"`.
    pub format: String,
    /// `"none"`, `"gzip"` or `"zstd"`.
    pub compression: String,
    pub header: bool,
    pub delimiter: String,
    /// One byte, or empty for no quoting.
    pub quote: String,
    /// `"string"` or `"infer"`.
    pub types: String,
    pub max_record_bytes: u32,
    pub batch_size: u32,
    pub buffer_size: u32,
    pub queue_depth: Option<u32>,
    /// How batches cross into JavaScript: `"json"` (the default) or `"columnar"`.
    pub handoff: Option<String>,
    /// Columnar batches from the first that starts after this many records of the file are
    /// only counted (`ColumnarEncoder::counting_after`): for a `count()` with no stages.
    pub count_after: Option<u32>,
}

pub(crate) fn reader_config(options: &NativeReaderOptions) -> Result<ReaderConfig> {
    let format = Format::from_name(&options.format)
        .ok_or_else(|| invalid(format!("unknown format {:?}", options.format)))?;
    let compression = compression_of(&options.compression)?;
    let mut parse = ParseOptions::new(format);
    parse.header = options.header;
    parse.delimiter = single_byte(&options.delimiter, "delimiter")?;
    // An empty quote is no quoting (the facade's `quote: null`).
    parse.quote = match options.quote.as_str() {
        "" => None,
        quote => Some(single_byte(quote, "quote")?),
    };
    parse.types = match options.types.as_str() {
        "string" => ValueTypes::Strings,
        "infer" => ValueTypes::Infer,
        other => return Err(invalid(format!("unknown types {other:?}"))),
    };
    parse.max_record_bytes = options.max_record_bytes.max(1) as usize;
    let mut config = ReaderConfig::new(&options.path, format);
    config.compression = Some(compression);
    config.parse = parse;
    config.batch = BatchOptions {
        batch_size: options.batch_size.max(1) as usize,
        buffer_size: options.buffer_size.max(1) as usize,
        ..BatchOptions::default()
    };
    if let Some(depth) = options.queue_depth {
        config.queue_depth = depth as usize;
    }
    Ok(config)
}

pub(crate) fn compression_of(name: &str) -> Result<Compression> {
    Compression::from_name(name).ok_or_else(|| invalid(format!("unknown compression {name:?}")))
}

fn single_byte(value: &str, name: &str) -> Result<u8> {
    match value.as_bytes() {
        [byte] => Ok(*byte),
        _ => Err(invalid(format!("{name} must be one byte, got {value:?}"))),
    }
}
