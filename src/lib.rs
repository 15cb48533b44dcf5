//! The N-API binding of ringstream: converts types and forwards calls to `ringstream-core`.
//! Everything that parses, buffers or decides lives in the core crate.

use std::sync::{Arc, Mutex, MutexGuard};

use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Error, JsTypedArray, Result, Task, TypedArrayType};
use napi_derive::napi;
use ringstream_core::{
    estimate_memory, Batch, BatchOptions, Compression, Format, ParseOptions, ReadError, Reader,
    ReaderConfig, ValueTypes,
};

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
    pub quote: String,
    /// `"string"` or `"infer"`.
    pub types: String,
    pub max_record_bytes: u32,
    pub batch_size: u32,
    pub buffer_size: u32,
    pub queue_depth: Option<u32>,
}

/// A bad record, as the facade's `SourceFault` plus its place in the batch.
#[napi(object)]
pub struct NativeFault {
    pub index: u32,
    pub code: String,
    pub line: f64,
    pub byte_offset: f64,
    pub excerpt: String,
    pub detail: String,
}

/// One batch: the records as one JSON array text, their positions, and the faults between them.
#[napi(object)]
pub struct NativeBatch {
    pub json: String,
    /// `2 × n` numbers: the records' lines, then their byte offsets.
    #[napi(ts_type = "Float64Array")]
    pub positions: JsTypedArray,
    pub faults: Vec<NativeFault>,
}

/// Reads one file on a producer thread. `nextBatchSync` blocks the calling thread;
/// `nextBatch` waits on libuv's thread pool and resolves a promise.
#[napi]
pub struct NativeReader {
    reader: Arc<Mutex<Reader>>,
}

#[napi]
impl NativeReader {
    #[napi(constructor)]
    pub fn new(options: NativeReaderOptions) -> Result<NativeReader> {
        let config = reader_config(&options)?;
        let reader = Reader::open(config).map_err(read_error)?;
        Ok(NativeReader { reader: Arc::new(Mutex::new(reader)) })
    }

    /// The next batch, or `null` at the end.
    #[napi]
    pub fn next_batch_sync(&self, env: Env) -> Result<Option<NativeBatch>> {
        let batch = lock(&self.reader)?.next_batch().map_err(read_error)?;
        batch.map(|b| to_js(&env, b)).transpose()
    }

    /// The next batch without blocking the JavaScript thread.
    #[napi(ts_return_type = "Promise<NativeBatch | null>")]
    pub fn next_batch(&self) -> AsyncTask<NextBatch> {
        AsyncTask::new(NextBatch { reader: Arc::clone(&self.reader) })
    }

    /// Stops the producer thread and closes the file before returning. Idempotent.
    #[napi]
    pub fn close(&self) -> Result<()> {
        lock(&self.reader)?.close();
        Ok(())
    }

    /// Bytes read from the file so far (compressed bytes for a compressed file).
    #[napi(getter)]
    pub fn bytes_read(&self) -> Result<f64> {
        Ok(lock(&self.reader)?.bytes_read() as f64)
    }
}

/// Bytes a reader opened with `options` holds on the Rust side while records are shorter than
/// its buffer: the read buffer, the batches in flight and any decompressor. With records of
/// `average_record_bytes`, a batch is handed off before it reaches its byte cap.
#[napi]
pub fn native_memory_bytes(options: NativeReaderOptions, average_record_bytes: f64) -> Result<f64> {
    let mut config = reader_config(&options)?;
    let typical_batch = (average_record_bytes.max(1.0) * config.batch.batch_size as f64) as usize;
    config.batch.max_batch_bytes = config.batch.max_batch_bytes.min(typical_batch.max(1));
    Ok(estimate_memory(&config).steady() as f64)
}

pub struct NextBatch {
    reader: Arc<Mutex<Reader>>,
}

impl Task for NextBatch {
    type Output = Option<Batch>;
    type JsValue = Option<NativeBatch>;

    fn compute(&mut self) -> Result<Self::Output> {
        lock(&self.reader)?.next_batch().map_err(read_error)
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<Self::JsValue> {
        output.map(|b| to_js(&env, b)).transpose()
    }
}

fn to_js(env: &Env, batch: Batch) -> Result<NativeBatch> {
    let faults = batch
        .faults
        .into_iter()
        .map(|(index, fault)| NativeFault {
            index: index as u32,
            code: fault.code.as_str().to_owned(),
            line: fault.line as f64,
            byte_offset: fault.byte_offset as f64,
            excerpt: fault.excerpt,
            detail: fault.detail,
        })
        .collect();
    // The core validated every record as UTF-8 JSON, so the lossy path never replaces anything.
    let json = String::from_utf8(batch.json)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(NativeBatch { json, positions: positions(env, &batch.lines, &batch.byte_offsets)?, faults })
}

/// Copies the positions into memory V8 owns. An external buffer over the Rust vectors would be
/// freed by a finalizer that Node runs only on an event-loop turn, which a `for…of` loop never
/// yields: memory would grow with the file.
fn positions(env: &Env, lines: &[f64], byte_offsets: &[u64]) -> Result<JsTypedArray> {
    let n = lines.len();
    let mut buffer = env.create_arraybuffer(16 * n)?;
    {
        let bytes: &mut [u8] = buffer.as_mut();
        let numbers = lines.iter().copied().chain(byte_offsets.iter().map(|&o| o as f64));
        for (slot, value) in bytes.chunks_exact_mut(8).zip(numbers) {
            slot.copy_from_slice(&value.to_ne_bytes());
        }
    }
    buffer.into_raw().into_typedarray(TypedArrayType::Float64, 2 * n, 0)
}

fn reader_config(options: &NativeReaderOptions) -> Result<ReaderConfig> {
    let format = Format::from_name(&options.format)
        .ok_or_else(|| invalid(format!("unknown format {:?}", options.format)))?;
    let compression = match options.compression.as_str() {
        "none" => Compression::None,
        "gzip" => Compression::Gzip,
        "zstd" => Compression::Zstd,
        other => return Err(invalid(format!("unknown compression {other:?}"))),
    };
    let mut parse = ParseOptions::new(format);
    parse.header = options.header;
    parse.delimiter = single_byte(&options.delimiter, "delimiter")?;
    parse.quote = single_byte(&options.quote, "quote")?;
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

fn single_byte(value: &str, name: &str) -> Result<u8> {
    match value.as_bytes() {
        [byte] => Ok(*byte),
        _ => Err(invalid(format!("{name} must be one byte, got {value:?}"))),
    }
}

fn lock(reader: &Mutex<Reader>) -> Result<MutexGuard<'_, Reader>> {
    reader.lock().map_err(|_| Error::from_reason("ERR_IO: a previous read panicked"))
}

/// Errors cross into JS as `Error` objects whose message starts with the stable code; the
/// facade turns them into `RingstreamError`s with that `code`.
fn read_error(error: ReadError) -> Error {
    let code =
        if error.kind() == std::io::ErrorKind::NotFound { "ERR_NOT_FOUND" } else { error.code() };
    Error::from_reason(format!("{code}: {}", error.message()))
}

fn invalid(message: String) -> Error {
    Error::from_reason(format!("ERR_INVALID_ARGUMENT: {message}"))
}
