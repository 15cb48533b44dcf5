//! The N-API binding of ringstream: converts types and forwards calls to `ringstream-core`.
//! Everything that parses, buffers or decides lives in the core crate.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use napi::bindgen_prelude::{AsyncTask, Buffer, ObjectFinalize};
use napi::{
    Either, Env, Error, JsArrayBuffer, JsArrayBufferValue, JsString, JsTypedArray, NapiRaw,
    NapiValue, Result, Task, TypedArrayType,
};
use napi_derive::napi;

mod shared_arenas;

use shared_arenas::{
    has_extras, too_large, write_columns, ArenaPool, ColumnLens, PlacedBatch, PlacingEncoder,
    SharedArenas,
};

use ringstream_core::{
    decoded_length, estimate_memory, head_bytes, head_lines, Batch, BatchOptions, ChunkFeed,
    ColumnarBatch, ColumnarEncoder, Compression, Fault, Format, ParseOptions, ReadError, Reader,
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
    /// The memory `positions` views: pass it to the next `nextBatchSync` call once this batch is
    /// read no more, and the next batch is copied into it when it fits.
    #[napi(ts_type = "ArrayBuffer")]
    pub arena: JsArrayBuffer,
    #[napi(ts_type = "string")]
    pub json: JsString,
    /// `2 × n` numbers: the records' lines, then their byte offsets.
    #[napi(ts_type = "Float64Array")]
    pub positions: JsTypedArray,
    pub faults: Vec<NativeFault>,
}

/// What a columnar batch has besides its columns, when it has any (the `EXTRAS` flag of its
/// header, see `header` in shared_arenas.rs): `batchExtras()` gives it once per batch.
#[napi(object)]
pub struct NativeBatchExtras {
    /// The header names, in the first batch after the header was read.
    pub names: Option<Vec<String>>,
    /// Descriptions of the JSON shapes first used in this batch, in id order.
    pub new_shapes: Option<Vec<String>>,
    pub faults: Vec<NativeFault>,
}

impl NativeBatchExtras {
    /// What `batch` has besides its columns, taken out of it; `None` when it has nothing.
    fn take_from(batch: &mut ColumnarBatch) -> Option<NativeBatchExtras> {
        if !has_extras(batch) {
            return None;
        }
        let new_shapes = std::mem::take(&mut batch.new_shapes);
        Some(NativeBatchExtras {
            names: batch.names.take(),
            new_shapes: Some(new_shapes).filter(|shapes| !shapes.is_empty()),
            faults: faults(std::mem::take(&mut batch.faults)),
        })
    }
}

/// A batch in the hand-off the reader was opened with: for columns, the `ArrayBuffer` it is laid
/// out in, its header first (see `header` in shared_arenas.rs).
pub type AnyNativeBatch = Either<NativeBatch, JsArrayBuffer>;

/// A reader of either hand-off.
pub enum AnyReader {
    Json(Reader<Batch>),
    Columnar(Reader<PlacedBatch>),
}

/// A batch of either hand-off, before conversion.
pub enum AnyBatch {
    Json(Batch),
    Columnar(Box<PlacedBatch>),
}

/// Runs `$body` on the reader inside an `AnyReader`, whichever hand-off it has: what does not
/// depend on the batch type is written once.
macro_rules! on_either {
    ($any:expr, $reader:ident => $body:expr) => {
        match $any {
            AnyReader::Json($reader) => $body,
            AnyReader::Columnar($reader) => $body,
        }
    };
}

impl AnyReader {
    fn next_batch(&mut self) -> std::result::Result<Option<AnyBatch>, ReadError> {
        Ok(match self {
            AnyReader::Json(reader) => reader.next_batch()?.map(AnyBatch::Json),
            AnyReader::Columnar(reader) => {
                reader.next_batch()?.map(|b| AnyBatch::Columnar(Box::new(b)))
            }
        })
    }

    /// The next batch if the producer has it ready: `Some` of what `next_batch` would return.
    fn poll_batch(&mut self) -> std::result::Result<Option<Option<AnyBatch>>, ReadError> {
        Ok(match self {
            AnyReader::Json(reader) => reader.poll_batch()?.ready().map(|b| b.map(AnyBatch::Json)),
            AnyReader::Columnar(reader) => {
                reader.poll_batch()?.ready().map(|b| b.map(|b| AnyBatch::Columnar(Box::new(b))))
            }
        })
    }

    /// `next_batch`, given up (`None`) once `cancelled` is set.
    fn next_batch_unless(
        &mut self,
        cancelled: &AtomicBool,
    ) -> std::result::Result<Option<Option<AnyBatch>>, ReadError> {
        Ok(match self {
            AnyReader::Json(reader) => {
                reader.next_batch_unless(cancelled)?.ready().map(|b| b.map(AnyBatch::Json))
            }
            AnyReader::Columnar(reader) => reader
                .next_batch_unless(cancelled)?
                .ready()
                .map(|b| b.map(|b| AnyBatch::Columnar(Box::new(b)))),
        })
    }

    fn close(&mut self) {
        on_either!(self, reader => reader.close())
    }

    fn bytes_read(&self) -> u64 {
        on_either!(self, reader => reader.bytes_read())
    }

    fn reads_ahead(&self) -> bool {
        on_either!(self, reader => reader.reads_ahead())
    }

    fn fits_one_read(&self) -> bool {
        on_either!(self, reader => reader.fits_one_read())
    }

    /// Whether the reader thread may lay batches out in shared arenas (see shared_arenas.rs): it
    /// reads ahead, and closing it waits for it (a live source's thread is not waited for).
    fn shares_arenas(&self) -> bool {
        matches!(self, AnyReader::Columnar(_))
            && self.reads_ahead()
            && !on_either!(self, reader => reader.is_live())
    }

    fn is_closed(&self) -> bool {
        on_either!(self, reader => reader.is_closed())
    }

    fn awaits_input(&self) -> bool {
        on_either!(self, reader => reader.awaits_input())
    }
}

/// A reader and the batch it has waited for but not yet handed over.
pub struct ReaderState {
    reader: AnyReader,
    /// Set by `waitForBatch`: the next batch (`None` at the end), taken by `nextBatchSync`.
    ready: Option<Option<AnyBatch>>,
}

impl ReaderState {
    /// Waits for the next batch (or the end) unless `closing` is set meanwhile: `close` sets it
    /// before it takes the lock this holds, so that it never waits on a stalled pipe's writer.
    fn wait(&mut self, closing: &AtomicBool) -> std::result::Result<(), ReadError> {
        self.forget_stale_starving();
        if self.ready.is_none() {
            self.ready = self.reader.next_batch_unless(closing)?;
        }
        Ok(())
    }

    /// Whether `take` would return without blocking: the batch (or the end) is taken from the
    /// producer into `ready` if it has one.
    fn poll(&mut self) -> std::result::Result<bool, ReadError> {
        self.forget_stale_starving();
        if self.ready.is_none() {
            self.ready = self.reader.poll_batch()?;
        }
        Ok(self.ready.is_some())
    }

    /// Forgets a `None` kept for want of input (pushed chunks) that a push or the end has made
    /// stale since: the reader is parsing on, and its next batch is to be waited for, not a
    /// chunk the source may take long to give.
    fn forget_stale_starving(&mut self) {
        if matches!(self.ready, Some(None))
            && !self.reader.is_closed()
            && !self.reader.awaits_input()
        {
            self.ready = None;
        }
    }

    fn take(&mut self) -> std::result::Result<Option<AnyBatch>, ReadError> {
        match self.ready.take() {
            Some(batch) => Ok(batch),
            None => self.reader.next_batch(),
        }
    }
}

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

/// Bytes a reader opened with `options` holds besides its records while they are shorter than
/// its buffer: the read buffer, any decompressor, the batch being filled, and the arenas the
/// batches are laid out in (a file read ahead keeps its queue's depth plus three, each a
/// sixteenth bigger than a batch: see shared_arenas.rs), which is more than a reader that copies
/// each batch into one arena holds. With records of `average_record_bytes`, a batch is handed off
/// before it reaches its byte cap.
#[napi]
pub fn native_memory_bytes(options: NativeReaderOptions, average_record_bytes: f64) -> Result<f64> {
    let mut config = reader_config(&options)?;
    let typical_batch = (average_record_bytes.max(1.0) * config.batch.batch_size as f64) as usize;
    config.batch.max_batch_bytes = config.batch.max_batch_bytes.min(typical_batch.max(1));
    let core = estimate_memory(&config);
    let depth = config.queue_depth as u64;
    // The core counts its queue's batches, the one being filled and the one JavaScript holds.
    let batch = core.batches / (depth + 2);
    let arenas = (depth + 3) * (batch + batch / ARENA_HEADROOM as u64);
    Ok((core.buffer + core.decoder + batch + arenas) as f64)
}

/// The line breaks at a file's head (see `head_lines` in the core).
#[napi(object)]
pub struct NativeHeadLines {
    pub bytes: f64,
    pub line_breaks: f64,
    pub last_break_end: f64,
}

/// Counts the line breaks in the first `limit_bytes` (decompressed) of the file at `path`,
/// stopping at the `enough_lines`-th: what the facade sizes batches from, decompressed here so
/// that a compressed file's head is not decoded in JavaScript too.
#[napi]
pub fn native_head_lines(
    path: String,
    compression: String,
    limit_bytes: u32,
    enough_lines: u32,
) -> Result<NativeHeadLines> {
    let compression = compression_of(&compression)?;
    let path = std::path::Path::new(&path);
    let head = head_lines(path, compression, limit_bytes as usize, u64::from(enough_lines))
        .map_err(|error| read_error(ReadError::io(path, &error)))?;
    Ok(NativeHeadLines {
        bytes: head.bytes as f64,
        line_breaks: head.line_breaks as f64,
        last_break_end: head.last_break_end as f64,
    })
}

/// The first `limit_bytes` (decompressed) of the file at `path`, which `metadata()` samples
/// records from; decompressed here so that a compressed head is not decoded in JavaScript too.
#[napi]
pub fn native_head_bytes(path: String, compression: String, limit_bytes: u32) -> Result<Buffer> {
    let compression = compression_of(&compression)?;
    let path = std::path::Path::new(&path);
    let head = head_bytes(path, compression, limit_bytes as usize)
        .map_err(|error| read_error(ReadError::io(path, &error)))?;
    Ok(head.into())
}

/// How many bytes `compressed` decodes to, or `limit` when that is fewer (it may stop inside a
/// member or frame); `null` when it is damaged: what `metadata()` estimates a compressed file's records from.
#[napi]
pub fn native_decoded_length(
    compression: String,
    compressed: Buffer,
    limit: f64,
) -> Result<Option<f64>> {
    let compression = compression_of(&compression)?;
    Ok(decoded_length(compression, &compressed, limit as u64).map(|n| n as f64))
}

pub struct WaitForBatch {
    state: Arc<Mutex<ReaderState>>,
    closing: Arc<AtomicBool>,
}

impl Task for WaitForBatch {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> Result<()> {
        lock(&self.state)?.wait(&self.closing).map_err(read_error)
    }

    fn resolve(&mut self, _env: Env, _output: ()) -> Result<()> {
        Ok(())
    }
}

fn json_to_js(
    env: &Env,
    batch: Batch,
    arena: Option<JsArrayBuffer>,
    smallest: usize,
) -> Result<NativeBatch> {
    let mut arena = Arena::for_bytes(env, POSITION_BYTES * batch.lines.len(), arena, smallest)?;
    let positions = arena.put_positions(env, &batch.lines, &batch.byte_offsets)?;
    // The core writes the text in ASCII, which V8 takes as a one-byte string by a plain copy.
    let json = if batch.json.is_ascii() {
        env.create_string_latin1(&batch.json)?
    } else {
        // Not reached: kept so a text that is not ASCII still arrives intact. The core
        // validated every record as UTF-8, so the lossy path never replaces anything.
        env.create_string(&String::from_utf8_lossy(&batch.json))?
    };
    Ok(NativeBatch { arena: arena.buffer(env), json, positions, faults: faults(batch.faults) })
}

/// `batch` laid out in `arena` (the previous batch's) when it fits, else in a new arena of at
/// least `smallest` bytes (see `Arena`): its header, then its columns.
pub(crate) fn columnar_to_js(
    env: &Env,
    batch: &ColumnarBatch,
    arena: Option<JsArrayBuffer>,
    smallest: usize,
) -> Result<JsArrayBuffer> {
    refuse_overflow(batch)?;
    let mut arena = Arena::for_bytes(env, ColumnLens::of(batch).bytes(), arena, smallest)?;
    write_columns(batch, &mut arena.bytes, false).ok_or_else(arena_overrun)?;
    Ok(arena.buffer(env))
}

fn refuse_overflow(batch: &ColumnarBatch) -> Result<()> {
    if too_large(batch) {
        return Err(Error::from_reason(
            "ERR_IO: a batch of more than 4 GiB of text cannot be handed to JavaScript",
        ));
    }
    Ok(())
}

fn faults(faults: Vec<(usize, Fault)>) -> Vec<NativeFault> {
    faults
        .into_iter()
        .map(|(index, fault)| NativeFault {
            index: index as u32,
            code: fault.code.as_str().to_owned(),
            line: fault.line as f64,
            byte_offset: fault.byte_offset as f64,
            excerpt: fault.excerpt,
            detail: fault.detail,
        })
        .collect()
}

// Batches cross as copies in memory V8 owns, never as external buffers over Rust memory: Node
// frees an external buffer in a finalizer that runs only on an event-loop turn, which a
// `for…of` loop never yields, so memory would grow with the file. A batch is copied into the
// arena of the batch before it (see `Arena`).

/// The one `ArrayBuffer` a batch is copied into, its columns laid one after another (a JSON
/// text batch has only its positions there).
///
/// A new `ArrayBuffer` for every batch cost more than the copy into it: V8 zero-fills it, the
/// fresh pages fault in one by one, and the garbage collector frees it later; on narrow CSV that
/// was a fifth of the JavaScript thread. So JavaScript hands back the previous batch's arena
/// (whose records are all built, their text copied out of it) and the next batch reuses it.
struct Arena {
    /// The `ArrayBuffer`'s handle, for the views.
    handle: napi::sys::napi_value,
    /// Its bytes. V8 never moves an `ArrayBuffer`'s memory, and no JavaScript runs while a
    /// batch is copied in.
    bytes: JsArrayBufferValue,
    /// Where the next column goes.
    used: usize,
}

impl Arena {
    /// `previous` when `needed` bytes fit in it and it is not far too big for them, else a new
    /// arena with half as much again to spare, and at least `smallest`, so that batches that
    /// grow a little (as the first batches of a file do) do not each need a new one.
    fn for_bytes(
        env: &Env,
        needed: usize,
        previous: Option<JsArrayBuffer>,
        smallest: usize,
    ) -> Result<Arena> {
        if let Some(previous) = previous {
            let arena = Arena::over(previous)?;
            let capacity = arena.bytes.len();
            if capacity >= needed && capacity <= needed.saturating_mul(4).max(SMALL_ARENA_BYTES) {
                return Ok(arena);
            }
        }
        Arena::over(env.create_arraybuffer((needed + needed / 2).max(smallest))?.into_raw())
    }

    fn over(buffer: JsArrayBuffer) -> Result<Arena> {
        // SAFETY: the handle of a live `ArrayBuffer`, used only within the current call.
        let handle = unsafe { buffer.raw() };
        Ok(Arena { handle, bytes: buffer.into_value()?, used: 0 })
    }

    /// The records' positions as one `Float64Array`: their lines, then their byte offsets.
    fn put_positions(
        &mut self,
        env: &Env,
        lines: &[f64],
        byte_offsets: &[u64],
    ) -> Result<JsTypedArray> {
        let start = self.write(lines, f64::to_ne_bytes)?;
        self.write(byte_offsets, |offset| (offset as f64).to_ne_bytes())?;
        self.view(env, TypedArrayType::Float64, start, lines.len() + byte_offsets.len())
    }

    /// Copies `values` after the columns before; returns the byte offset where they start.
    fn write<T: Copy, const SIZE: usize>(
        &mut self,
        values: &[T],
        encode: impl Fn(T) -> [u8; SIZE],
    ) -> Result<usize> {
        let start = self.used;
        let end = start + SIZE * values.len();
        let column = self.bytes.get_mut(start..end).ok_or_else(arena_overrun)?;
        for (slot, &value) in column.chunks_exact_mut(SIZE).zip(values) {
            slot.copy_from_slice(&encode(value));
        }
        self.used = end;
        Ok(start)
    }

    fn view(
        &self,
        env: &Env,
        kind: TypedArrayType,
        offset: usize,
        len: usize,
    ) -> Result<JsTypedArray> {
        self.buffer(env).into_typedarray(kind, len, offset)
    }

    fn buffer(&self, env: &Env) -> JsArrayBuffer {
        // SAFETY: `handle` is the live `ArrayBuffer` of this call (see `over`).
        unsafe { JsArrayBuffer::from_raw_unchecked(env.raw(), self.handle) }
    }
}

/// A reader's own arenas are this fraction bigger than the batch they are made for: a file's
/// batches after its first few differ in size by well under a percent.
const ARENA_HEADROOM: usize = 16;

/// An arena this small is reused for any batch that fits it, so the short batches of a file's
/// start and end do not each make a new one.
const SMALL_ARENA_BYTES: usize = 1 << 20;

/// A record's position in the arena: its line and its byte offset, as `f64` each.
const POSITION_BYTES: usize = 16;

/// The smallest arena made: room for the first batches of most files.
const MIN_NEW_ARENA_BYTES: usize = 64 << 10;

/// The smallest arena made for a file read in place (see `Reader::fits_one_read`): it has a batch
/// or two from one read. Every reader makes its own first arena, which V8 zero-fills, and at
/// 64 KiB that was a third of the time of a folder of 3,000 two-record files
/// (`bench/small-files.mjs`).
const MIN_IN_PLACE_ARENA_BYTES: usize = 4 << 10;

fn arena_overrun() -> Error {
    Error::from_reason("ERR_IO: a batch did not fit the memory measured for it")
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

fn compression_of(name: &str) -> Result<Compression> {
    Compression::from_name(name).ok_or_else(|| invalid(format!("unknown compression {name:?}")))
}

fn single_byte(value: &str, name: &str) -> Result<u8> {
    match value.as_bytes() {
        [byte] => Ok(*byte),
        _ => Err(invalid(format!("{name} must be one byte, got {value:?}"))),
    }
}

fn lock<T>(state: &Mutex<T>) -> Result<MutexGuard<'_, T>> {
    state.lock().map_err(|_| Error::from_reason("ERR_IO: a previous read panicked"))
}

/// Errors cross into JS as `Error` objects whose message starts with the stable code and names
/// the file, as the TS engine's do; the facade turns them into `RingstreamError`s with that
/// `code`.
pub(crate) fn read_error(error: ReadError) -> Error {
    let path = error.path().display();
    let message = error.message();
    Error::from_reason(if error.kind() == std::io::ErrorKind::NotFound {
        format!("ERR_NOT_FOUND: no such file or folder: {path}")
    } else if error.code() == ReadError::IO && error.is_decompression() {
        // The TS engine's words for the same failure.
        format!("ERR_IO: cannot decompress {path}: {message}")
    } else if error.code() == ReadError::IO {
        format!("ERR_IO: cannot read {path}: {message}")
    } else {
        format!("{}: {message} ({path})", error.code())
    })
}

fn invalid(message: String) -> Error {
    Error::from_reason(format!("ERR_INVALID_ARGUMENT: {message}"))
}
