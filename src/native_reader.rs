//! The reader class JavaScript sees: `NativeReader`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{AsyncTask, Buffer, ObjectFinalize};
use napi::{Either, Env, JsArrayBuffer, Result};
use napi_derive::napi;
use ringstream_core::{ChunkFeed, ColumnarEncoder, Reader};

use crate::errors::{invalid, lock, read_error};
use crate::handoff::{
    arena_overrun, columnar_to_js, json_to_js, refuse_overflow, AnyNativeBatch, NativeBatchExtras,
    MIN_IN_PLACE_ARENA_BYTES, MIN_NEW_ARENA_BYTES,
};
use crate::options::{reader_config, NativeReaderOptions};
use crate::reader_state::{AnyBatch, AnyReader, ReaderState, WaitForBatch};
use crate::shared_arenas::{
    write_columns, ArenaPool, ColumnLens, PlacedBatch, PlacingEncoder, SharedArenas, ARENA_HEADROOM,
};

/// Reads one file, or chunks of bytes pushed into it (`NativeReader.forChunks`), on a producer
/// thread. `nextBatchSync` blocks the calling thread until the next batch is ready;
/// `waitForBatch` waits for it on libuv's thread pool instead, so that `nextBatchSync` then
/// returns at once.
#[napi(custom_finalize)]
pub struct NativeReader {
    state: Arc<Mutex<ReaderState>>,
    /// The arenas its reader thread lays batches out in, once it reads ahead.
    arenas: Mutex<SharedArenas>,
    /// Set by `close` before it takes the lock, so that a `waitForBatch` holding it gives up.
    closing: Arc<AtomicBool>,
    /// Where pushed chunks go, for a reader of chunks; outside `state`, so that a push never
    /// waits for a `waitForBatch` that holds it.
    feed: Option<ChunkFeed>,
    /// What the columnar batch last handed out has besides its columns, until `batchExtras()`.
    extras: Mutex<Option<NativeBatchExtras>>,
}

#[napi]
impl NativeReader {
    #[napi(constructor)]
    pub fn new(options: NativeReaderOptions) -> Result<NativeReader> {
        let config = reader_config(&options)?;
        let pool = Arc::new(ArenaPool::default());
        let queue_depth = config.queue_depth;
        let reader = match options.handoff.as_deref().unwrap_or("json") {
            "json" => AnyReader::Json(Reader::open(config).map_err(read_error)?),
            "columnar" => {
                let mut columns = ColumnarEncoder::new(config.parse.types);
                if let Some(records) = options.count_after {
                    columns = columns.counting_after(records as usize);
                }
                let encoder = PlacingEncoder::new(columns, Arc::clone(&pool));
                AnyReader::Columnar(Reader::open_with(config, encoder).map_err(read_error)?)
            }
            other => return Err(invalid(format!("unknown handoff {other:?}"))),
        };
        Ok(NativeReader::over(reader, None, SharedArenas::new(pool, queue_depth)))
    }

    /// A reader of chunks of bytes that JavaScript has (an HTTP body, a socket, any iterable
    /// given a format), parsed in columns on a producer thread while more are pushed; `options.path`
    /// names them in errors. `push` chunks, then `end()`; a batch that is `null` with
    /// `awaitsInput` set says every chunk pushed has been parsed.
    #[napi(factory)]
    pub fn for_chunks(options: NativeReaderOptions) -> Result<NativeReader> {
        let config = reader_config(&options)?;
        // Once its thread takes over it shares arenas too: closing it ends the feed and waits for it.
        let pool = Arc::new(ArenaPool::default());
        let encoder =
            PlacingEncoder::new(ColumnarEncoder::new(config.parse.types), Arc::clone(&pool));
        let queue_depth = config.queue_depth;
        let (feed, reader) = Reader::open_pushed(config, encoder).map_err(read_error)?;
        let arenas = SharedArenas::new(pool, queue_depth);
        Ok(NativeReader::over(AnyReader::Columnar(reader), Some(feed), arenas))
    }

    fn over(reader: AnyReader, feed: Option<ChunkFeed>, arenas: SharedArenas) -> NativeReader {
        NativeReader {
            state: Arc::new(Mutex::new(ReaderState { reader, ready: None })),
            arenas: Mutex::new(arenas),
            closing: Arc::new(AtomicBool::new(false)),
            feed,
            extras: Mutex::new(None),
        }
    }

    /// Queues a copy of the next chunk, for the producer to parse.
    #[napi]
    pub fn push(&self, chunk: Buffer) {
        if let Some(feed) = &self.feed {
            feed.push(&chunk);
        }
    }

    /// No more chunks will come.
    #[napi]
    pub fn end(&self) {
        if let Some(feed) = &self.feed {
            feed.end();
        }
    }

    /// Bytes pushed that the producer has not read yet.
    #[napi(getter)]
    pub fn pending_bytes(&self) -> f64 {
        self.feed.as_ref().map_or(0.0, |feed| feed.pending() as f64)
    }

    /// Whether the last `nextBatchSync` returned `null` because every chunk pushed had been
    /// parsed (push the next, or `end()`), rather than at the end.
    #[napi(getter)]
    pub fn awaits_input(&self) -> Result<bool> {
        Ok(lock(&self.state)?.reader.awaits_input())
    }

    /// The next batch, or `null` at the end. Pass `arena`, the previous batch's, once that
    /// batch's arrays are no longer read: the next batch is copied into it when it fits (or, for
    /// a file read ahead, laid out by the reader thread in one of the reader's arenas, which that
    /// one goes back to). Without it the previous batch keeps its memory, and this one gets new.
    #[napi]
    pub fn next_batch_sync(
        &self,
        env: Env,
        arena: Option<JsArrayBuffer>,
    ) -> Result<Option<AnyNativeBatch>> {
        let mut arenas = lock(&self.arenas)?;
        if arena.is_some() {
            arenas.give_back();
        } else {
            arenas.let_go_of_lent(env)?;
        }
        let (batch, smallest, shares) = {
            let mut state = lock(&self.state)?;
            // Input read in place that may be small — a file that fits one read, pushed chunks
            // before their thread takes over — makes few, small batches: a first arena just big
            // enough serves them.
            let in_place = state.reader.fits_one_read()
                || (self.feed.is_some() && !state.reader.reads_ahead());
            let smallest = if in_place { MIN_IN_PLACE_ARENA_BYTES } else { MIN_NEW_ARENA_BYTES };
            let batch = state.take().map_err(read_error)?;
            (batch, smallest, state.reader.shares_arenas())
        };
        let Some(batch) = batch else { return Ok(None) };
        let columnar = match batch {
            AnyBatch::Json(batch) => {
                return json_to_js(&env, batch, arena, smallest).map(|b| Some(Either::A(b)))
            }
            AnyBatch::Columnar(placed) => *placed,
        };
        let PlacedBatch { mut batch, placed } = columnar;
        let buffer = if let Some(slot) = placed {
            arenas.lend(env, slot)?
        } else if shares {
            // No free arena fitted it on the reader thread: copied here, into one of the reader's.
            refuse_overflow(&batch)?;
            let needed = ColumnLens::of(&batch).bytes();
            let len = (needed + needed / ARENA_HEADROOM).max(smallest);
            match arenas
                .lend_for_copy(env, needed, len, |bytes| write_columns(&batch, bytes, true))?
            {
                Some((written, buffer)) => {
                    written.ok_or_else(arena_overrun)?;
                    buffer
                }
                None => columnar_to_js(&env, &batch, None, smallest)?,
            }
        } else {
            columnar_to_js(&env, &batch, arena, smallest)?
        };
        // Taken after the header was written, whose `EXTRAS` flag says whether there are any.
        *lock(&self.extras)? = NativeBatchExtras::take_from(&mut batch);
        Ok(Some(Either::B(buffer)))
    }

    /// The header names, new JSON shapes and faults of the columnar batch `nextBatchSync` last
    /// returned, when its header has the `EXTRAS` flag; once per batch (`null` after).
    #[napi]
    pub fn batch_extras(&self) -> Result<Option<NativeBatchExtras>> {
        Ok(lock(&self.extras)?.take())
    }

    /// Whether `nextBatchSync` would return at once: the producer has the next batch (or the
    /// end, or an error, which this throws) ready. Never waits for the producer; a file read in
    /// place (it fits one read) has its next batch made here, from at most that one read.
    #[napi]
    pub fn batch_ready(&self) -> Result<bool> {
        lock(&self.state)?.poll().map_err(read_error)
    }

    /// Resolves once the next batch (or the end) is ready, waiting off the JavaScript thread;
    /// `nextBatchSync` then hands it over without blocking.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn wait_for_batch(&self) -> AsyncTask<WaitForBatch> {
        AsyncTask::new(WaitForBatch {
            state: Arc::clone(&self.state),
            closing: Arc::clone(&self.closing),
        })
    }

    /// Stops the producer thread and closes the file before returning, and frees the memory of
    /// the batches JavaScript no longer holds. Pass `arena`, the last batch's, once that batch is
    /// read no more either (a call after an earlier close may): its memory goes too. Idempotent.
    #[napi]
    pub fn close(&self, env: Env, arena: Option<JsArrayBuffer>) -> Result<()> {
        if arena.is_some() {
            lock(&self.arenas)?.give_back();
        }
        self.shut(env, true)
    }

    /// Bytes read from the file so far (compressed bytes for a compressed file).
    #[napi(getter)]
    pub fn bytes_read(&self) -> Result<f64> {
        Ok(lock(&self.state)?.reader.bytes_read() as f64)
    }
}

impl NativeReader {
    /// `close`; with `free_arenas_now`, the arenas JavaScript no longer reads are freed at once
    /// rather than at V8's next full collection (`SharedArenas::close`).
    fn shut(&self, env: Env, free_arenas_now: bool) -> Result<()> {
        self.closing.store(true, Ordering::Relaxed);
        {
            let mut state = lock(&self.state)?;
            state.ready = None;
            state.reader.close();
        }
        // The reader thread has ended (a reader that shares arenas is waited for).
        lock(&self.arenas)?.close(env, free_arenas_now)
    }
}

impl ObjectFinalize for NativeReader {
    /// A reader dropped without `close()`: stops its thread before letting go of its arenas,
    /// which are collected with it (a finalizer touches no other JavaScript value).
    fn finalize(self, env: Env) -> Result<()> {
        self.shut(env, false)
    }
}
