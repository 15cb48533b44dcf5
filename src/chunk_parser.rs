//! Chunks of bytes that JavaScript has (an HTTP body, a socket, any iterable given a format),
//! parsed by the core on the JavaScript thread as they are pushed: there is no file for a
//! producer thread to read ahead from, and the bytes arrive on the event loop anyway.

use std::path::PathBuf;

use napi::bindgen_prelude::Buffer;
use napi::{Env, JsArrayBuffer, Result};
use napi_derive::napi;
use ringstream_core::{
    BatchReader, ByteSource, ChunkFeed, ColumnarBatch, ColumnarEncoder, ReadError,
};

use crate::{columnar_to_js, read_error, reader_config, NativeColumnarBatch, NativeReaderOptions};

/// The least a new arena holds: a push's records are a batch or two.
const MIN_CHUNK_ARENA_BYTES: usize = 16 << 10;

/// Parses pushed chunks into columnar batches. `options.path` names the bytes in errors (the
/// facade passes `the input stream's gzip bytes`, as the TS engine says).
#[napi]
pub struct NativeChunkParser {
    feed: ChunkFeed,
    batches: BatchReader<ColumnarEncoder>,
    name: PathBuf,
}

#[napi]
impl NativeChunkParser {
    #[napi(constructor)]
    pub fn new(options: NativeReaderOptions) -> Result<NativeChunkParser> {
        let config = reader_config(&options)?;
        let compression = config.compression.unwrap_or(ringstream_core::Compression::None);
        let (feed, reader) = ChunkFeed::new();
        let source = ByteSource::from_reader(reader, compression)
            .map_err(|error| read_error(ReadError::io(&config.path, &error)))?
            .live(true);
        let encoder = ColumnarEncoder::new(config.parse.types);
        let batches = BatchReader::with_encoder(source, &config.parse, &config.batch, encoder);
        Ok(NativeChunkParser { feed, batches, name: config.path })
    }

    /// Queues the next chunk (copied); then call `nextBatch` until it returns `null`.
    #[napi]
    pub fn push(&self, chunk: Buffer) {
        self.feed.push(&chunk);
    }

    /// No more chunks will come.
    #[napi]
    pub fn end(&self) {
        self.feed.end();
    }

    /// The next batch of what the chunks so far hold, copied into `arena` when it fits; `null`
    /// when the parser needs the next chunk (`awaitsInput`) or has ended.
    #[napi(ts_return_type = "NativeColumnarBatch | null")]
    pub fn next_batch(
        &mut self,
        env: Env,
        arena: Option<JsArrayBuffer>,
    ) -> Result<Option<NativeColumnarBatch>> {
        let batch: Option<ColumnarBatch> = self
            .batches
            .next_batch()
            .map_err(|error| read_error(ReadError::io(&self.name, &error)))?;
        batch.map(|batch| columnar_to_js(&env, batch, arena, MIN_CHUNK_ARENA_BYTES)).transpose()
    }

    /// Whether the last `nextBatch` returned `null` for want of the next chunk.
    #[napi(getter)]
    pub fn awaits_input(&self) -> bool {
        self.batches.awaits_input()
    }
}
