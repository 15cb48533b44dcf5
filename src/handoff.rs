//! How a batch crosses into JavaScript: a JSON text batch as a string and a view of its
//! positions, a columnar batch as the `ArrayBuffer` it is laid out in (see shared_arenas.rs), and
//! what either has besides (faults, header names, new JSON shapes) as plain objects.

use napi::{
    Either, Env, Error, JsArrayBuffer, JsArrayBufferValue, JsString, JsTypedArray, NapiRaw,
    NapiValue, Result, TypedArrayType,
};
use napi_derive::napi;
use ringstream_core::{Batch, ColumnarBatch, Fault};

use crate::shared_arenas::{has_extras, too_large, write_columns, ColumnLens};

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
    pub(crate) fn take_from(batch: &mut ColumnarBatch) -> Option<NativeBatchExtras> {
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

pub(crate) fn json_to_js(
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

pub(crate) fn refuse_overflow(batch: &ColumnarBatch) -> Result<()> {
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

/// An arena this small is reused for any batch that fits it, so the short batches of a file's
/// start and end do not each make a new one.
const SMALL_ARENA_BYTES: usize = 1 << 20;

/// A record's position in the arena: its line and its byte offset, as `f64` each.
const POSITION_BYTES: usize = 16;

/// The smallest arena made: room for the first batches of most files.
pub(crate) const MIN_NEW_ARENA_BYTES: usize = 64 << 10;

/// The smallest arena made for a file read in place (see `Reader::fits_one_read`): it has a batch
/// or two from one read. Every reader makes its own first arena, which V8 zero-fills, and at
/// 64 KiB that was a third of the time of a folder of 3,000 two-record files
/// (`bench/small-files.mjs`).
pub(crate) const MIN_IN_PLACE_ARENA_BYTES: usize = 4 << 10;

pub(crate) fn arena_overrun() -> Error {
    Error::from_reason("ERR_IO: a batch did not fit the memory measured for it")
}
