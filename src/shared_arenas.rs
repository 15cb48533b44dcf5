//! Arenas that a reader thread copies its batches into, and JavaScript views in place.
//!
//! Copying a batch into memory V8 owns on the JS thread (`Arena` in handoff.rs) made that thread
//! read each batch twice, cold from the other core's cache: once to copy it and once to build
//! its records. Without the copy the JS thread of narrow.csv's W1 took 8–13% less CPU
//! (bench/HISTORY.md, "What the arena copy costs the JS thread"). So for a file read ahead on
//! its own thread, the reader thread lays each batch out in one of a few `ArrayBuffer`s that
//! the JS thread made for the reader and lends it, and JavaScript views the batch where it lies.
//!
//! Who may touch an arena's bytes, and when:
//!
//! - The JS thread makes each arena (`napi_create_arraybuffer`: V8's memory, which it never
//!   moves) and holds a strong reference to it from then until the reader is closed, so V8
//!   cannot free it while the reader thread may write to it. Only a reader whose closing waits
//!   for its thread lends arenas (a file's, pushed chunks'; not a pipe's, whose thread may be
//!   stuck in a read), and closing it (or its finalizer, when it was never closed) ends that
//!   thread before the references go.
//! - An arena in the pool is the reader thread's: it takes one out, writes a batch into it and
//!   queues the batch with it. JavaScript never reads an arena in the pool.
//! - An arena handed to JavaScript with a batch is JavaScript's until its next `nextBatchSync`
//!   call hands it back (the same promise as before: the batch's arrays are no longer read);
//!   only then does it go back to the pool.
//!
//! A batch that fits no free arena (the first of a file, or one larger than those before) is
//! copied on the JS thread into a new arena (or, once the reader has its most, a free one), which
//! then joins the pool, while the free ones too small for it are dropped. A reader keeps at most
//! its queue's depth plus three arenas: the queue's, the one JavaScript holds, the batch waiting
//! for room in the queue and the one being laid out; with that many and none free, a batch goes
//! in memory of its own.

use std::sync::{Arc, Mutex, MutexGuard};

use napi::{Env, JsArrayBuffer, Ref, Result};
use ringstream_core::{
    BatchEncoder, ColumnarBatch, ColumnarEncoder, CsvFields, Fault, JsonSyntaxError,
};

/// An arena's bytes as the reader thread sees them.
#[derive(Clone, Copy, Debug)]
pub struct ArenaSlot {
    /// The arena's index in `SharedArenas::buffers`.
    pub id: usize,
    data: *mut u8,
    pub len: usize,
}

// SAFETY: the bytes are V8's `ArrayBuffer` memory, which stays where it is and alive while the
// JS thread holds the reference that `SharedArenas` keeps until the reader thread has ended;
// the rules above give them one user at a time, and the pool's mutex orders the hand-overs.
#[allow(unsafe_code)]
unsafe impl Send for ArenaSlot {}

/// The arenas free for the reader thread, shared between it and the JS thread.
#[derive(Debug, Default)]
pub struct ArenaPool {
    free: Mutex<Vec<ArenaSlot>>,
}

impl ArenaPool {
    fn free(&self) -> MutexGuard<'_, Vec<ArenaSlot>> {
        // A panic while the lock was held left the list as it was: still a list of free arenas.
        self.free.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Lays `batch`'s columns out in a free arena it fits, taking them out of `batch`.
    fn place(&self, batch: &mut ColumnarBatch) -> Option<ArenaSlot> {
        let needed = ColumnLens::of(batch).bytes();
        let slot = {
            let mut free = self.free();
            let fit = free.iter().position(|slot| slot.len >= needed)?;
            free.swap_remove(fit)
        };
        // SAFETY: the slot was in the pool, so it is this thread's alone (module comment), and its
        // memory is alive while the JS thread holds the arena's reference.
        #[allow(unsafe_code)]
        let bytes = unsafe { std::slice::from_raw_parts_mut(slot.data, slot.len) };
        match write_columns(batch, bytes, true) {
            Some(()) => {
                take_columns(batch);
                Some(slot)
            }
            None => {
                self.free().push(slot);
                None
            }
        }
    }
}

/// A columnar batch, laid out in an arena on the reader thread when one was free.
pub struct PlacedBatch {
    /// The batch; its columns are empty when `placed` holds them.
    pub batch: ColumnarBatch,
    pub placed: Option<ArenaSlot>,
}

/// The `ColumnarEncoder`, whose batches are laid out in a free arena as they are handed over.
pub struct PlacingEncoder {
    inner: ColumnarEncoder,
    pool: Arc<ArenaPool>,
}

impl PlacingEncoder {
    pub fn new(inner: ColumnarEncoder, pool: Arc<ArenaPool>) -> PlacingEncoder {
        PlacingEncoder { inner, pool }
    }
}

impl BatchEncoder for PlacingEncoder {
    type Batch = PlacedBatch;

    fn json_value(&mut self, text: &[u8], line: u64, byte_offset: u64) {
        self.inner.json_value(text, line, byte_offset);
    }

    fn checked_json_value(
        &mut self,
        text: &[u8],
        line: u64,
        byte_offset: u64,
        validate: fn(&[u8]) -> std::result::Result<(), JsonSyntaxError>,
    ) -> std::result::Result<(), JsonSyntaxError> {
        self.inner.checked_json_value(text, line, byte_offset, validate)
    }

    fn csv_header(&mut self, names: &[String]) {
        self.inner.csv_header(names);
    }

    fn csv_record(&mut self, fields: &CsvFields<'_>, line: u64, byte_offset: u64) {
        self.inner.csv_record(fields, line, byte_offset);
    }

    fn takes_plain_csv(&self, width: usize) -> bool {
        self.inner.takes_plain_csv(width)
    }

    #[inline]
    fn plain_csv_record(&mut self, raw: &[u8], ends: &[usize], line: u64, byte_offset: u64) {
        self.inner.plain_csv_record(raw, ends, line, byte_offset);
    }

    fn fault(&mut self, fault: Fault) {
        self.inner.fault(fault);
    }

    fn record_count(&self) -> usize {
        self.inner.record_count()
    }

    fn fault_count(&self) -> usize {
        self.inner.fault_count()
    }

    fn encoded_bytes(&self) -> usize {
        self.inner.encoded_bytes()
    }

    fn take_batch(&mut self, bytes_read: u64) -> PlacedBatch {
        let mut batch = self.inner.take_batch(bytes_read);
        let placed = if too_large(&batch) { None } else { self.pool.place(&mut batch) };
        PlacedBatch { batch, placed }
    }
}

/// The JS thread's side of a reader's arenas: their `ArrayBuffer`s, and the one lent out.
pub struct SharedArenas {
    pool: Arc<ArenaPool>,
    /// Each arena's `ArrayBuffer` by id, held until the reader is closed; `None` once dropped.
    buffers: Vec<Option<Ref<()>>>,
    /// The arena of the batch JavaScript holds.
    lent: Option<ArenaSlot>,
    /// Arenas the reader keeps at most (module comment).
    most: usize,
}

impl SharedArenas {
    /// Arenas for a reader whose queue holds `queue_depth` batches (module comment).
    pub fn new(pool: Arc<ArenaPool>, queue_depth: usize) -> SharedArenas {
        SharedArenas { pool, buffers: Vec::new(), lent: None, most: queue_depth + 3 }
    }

    /// JavaScript is done with the batch it holds: its arena goes back to the pool.
    pub fn give_back(&mut self) {
        if let Some(slot) = self.lent.take() {
            self.pool.free().push(slot);
        }
    }

    /// JavaScript keeps the batch it holds (it did not hand the arena back): the reader lets go
    /// of that arena for good, and V8 frees it with the batch.
    pub fn let_go_of_lent(&mut self, env: Env) -> Result<()> {
        match self.lent.take() {
            Some(slot) => self.drop_buffer(env, slot.id),
            None => Ok(()),
        }
    }

    /// Lends `slot` with the batch JavaScript takes now; returns its `ArrayBuffer`.
    pub fn lend(&mut self, env: Env, slot: ArenaSlot) -> Result<JsArrayBuffer> {
        self.lent = Some(slot);
        self.buffer(env, slot.id)
    }

    /// An arena for a batch of `needed` bytes that the reader thread found none for, filled by
    /// `fill` here on the JS thread and lent. A new one of `len` bytes while the reader has
    /// fewer than its most (taking a free one would leave the reader thread none for its next
    /// batch, and so on, one batch in two), once free ones too small for it are dropped (batches
    /// grow over a file's first ones, and a smaller batch fits a larger arena); else a free one
    /// it fits; else `None`, and the batch goes in memory of its own.
    pub fn lend_for_copy<T>(
        &mut self,
        env: Env,
        needed: usize,
        len: usize,
        fill: impl FnOnce(&mut [u8]) -> T,
    ) -> Result<Option<(T, JsArrayBuffer)>> {
        let too_small: Vec<ArenaSlot> = {
            let mut free = self.pool.free();
            let (small, fit): (Vec<ArenaSlot>, Vec<ArenaSlot>) =
                free.drain(..).partition(|slot| slot.len < needed);
            *free = fit;
            small
        };
        for slot in too_small {
            // Handed back (they were free), so nothing reads them: freed now, not at V8's next
            // full collection.
            self.detach_buffer(env, slot.id)?;
            self.drop_buffer(env, slot.id)?;
        }
        if self.live_count() < self.most {
            let mut value = env.create_arraybuffer(len)?;
            let filled = fill(&mut value);
            let data = value.as_mut_ptr();
            let reference = env.create_reference(value.into_raw())?;
            let slot = ArenaSlot { id: self.buffers.len(), data, len };
            self.buffers.push(Some(reference));
            return Ok(Some((filled, self.lend(env, slot)?)));
        }
        let Some(slot) = self.pool.free().pop() else { return Ok(None) };
        // SAFETY: taken from the pool, so it is this thread's alone (module comment), and alive
        // while `buffers` holds its reference.
        #[allow(unsafe_code)]
        let bytes = unsafe { std::slice::from_raw_parts_mut(slot.data, slot.len) };
        let filled = fill(bytes);
        Ok(Some((filled, self.lend(env, slot)?)))
    }

    /// Lets go of every arena. Only once the reader thread has ended (or never had any).
    ///
    /// With `free_now`, each is detached, which frees its memory at once: let go of, an arena
    /// would wait for a full collection, which a loop that builds records rarely brings, and a
    /// process reading one file after another kept a megabyte or so of each closed reader's
    /// arenas (50 MiB after 60 reads of a 100 MiB file). JavaScript reads no arena but the one of
    /// the batch it holds (module comment), and no view of one outlives its batch; that one is
    /// kept until a later close hands it back (`give_back`), or the reader is collected.
    pub fn close(&mut self, env: Env, free_now: bool) -> Result<()> {
        self.pool.free().clear();
        let kept = if free_now {
            self.lent.map(|slot| slot.id)
        } else {
            self.lent = None;
            None
        };
        for id in 0..self.buffers.len() {
            if Some(id) == kept {
                continue;
            }
            if free_now {
                self.detach_buffer(env, id)?;
            }
            self.drop_buffer(env, id)?;
        }
        Ok(())
    }

    fn detach_buffer(&self, env: Env, id: usize) -> Result<()> {
        match self.buffers.get(id) {
            Some(Some(reference)) => env.get_reference_value::<JsArrayBuffer>(reference)?.detach(),
            _ => Ok(()),
        }
    }

    fn live_count(&self) -> usize {
        self.buffers.iter().filter(|buffer| buffer.is_some()).count()
    }

    fn buffer(&self, env: Env, id: usize) -> Result<JsArrayBuffer> {
        match self.buffers.get(id) {
            Some(Some(reference)) => env.get_reference_value(reference),
            _ => Err(napi::Error::from_reason("ERR_IO: a batch's arena was already let go of")),
        }
    }

    fn drop_buffer(&mut self, env: Env, id: usize) -> Result<()> {
        if let Some(Some(mut reference)) = self.buffers.get_mut(id).map(Option::take) {
            reference.unref(env)?;
        }
        Ok(())
    }
}

/// A number for each column of a batch: how many elements it has (`ColumnLens`), or where it
/// starts in an arena, in bytes (`ColumnLens::offsets`). Columns are laid out in this order,
/// widest elements first, so that every one starts aligned for its element type.
#[derive(Clone, Copy, Debug, Default)]
pub struct Columns {
    /// Records' positions: their lines, then their byte offsets, as `f64` each (counted in
    /// records).
    pub positions: usize,
    pub numbers: usize,
    pub row_starts: usize,
    pub ends: usize,
    pub shapes: usize,
    pub text: usize,
    pub row_encodings: usize,
    pub row_longest: usize,
    pub kinds: usize,
}

/// How many elements each column of a batch has.
pub type ColumnLens = Columns;

impl Columns {
    pub fn of(batch: &ColumnarBatch) -> ColumnLens {
        Columns {
            positions: batch.lines.len(),
            numbers: batch.numbers.len(),
            row_starts: batch.row_starts.len(),
            ends: batch.ends.len(),
            shapes: batch.shapes.len(),
            text: batch.text.len(),
            row_encodings: batch.row_encodings.len(),
            row_longest: batch.row_longest.len(),
            kinds: batch.kinds.len(),
        }
    }

    /// Where each column of these lengths starts in an arena, after the header, and where the
    /// last one ends.
    pub fn offsets(&self) -> (Columns, usize) {
        let positions = HEADER_BYTES;
        let numbers = positions + 16 * self.positions;
        let row_starts = numbers + 8 * self.numbers;
        let ends = row_starts + 4 * self.row_starts;
        let shapes = ends + 4 * self.ends;
        let text = shapes + 4 * self.shapes;
        let row_encodings = text + self.text;
        let row_longest = row_encodings + self.row_encodings;
        let kinds = row_longest + self.row_longest;
        let end = kinds + self.kinds;
        let at = Columns {
            positions,
            numbers,
            row_starts,
            ends,
            shapes,
            text,
            row_encodings,
            row_longest,
            kinds,
        };
        (at, end)
    }

    /// Bytes the columns of these lengths take in an arena.
    pub fn bytes(&self) -> usize {
        self.offsets().1
    }
}

/// Lays `batch` out at the start of `out`, its header and then its columns; `None` when they do
/// not fit. `lent`: `out` is one of the reader's own arenas (see `header::LENT`).
pub fn write_columns(batch: &ColumnarBatch, out: &mut [u8], lent: bool) -> Option<()> {
    let lens = ColumnLens::of(batch);
    let (at, end) = lens.offsets();
    let out = out.get_mut(..end)?;
    let (header, rest) = out.split_at_mut(HEADER_BYTES);
    write(header, &header_words(batch, &lens, &at, lent)?, u32::to_ne_bytes);
    let (positions, rest) = rest.split_at_mut(at.numbers - at.positions);
    let (lines, offsets) = positions.split_at_mut(8 * lens.positions);
    write(lines, &batch.lines, f64::to_ne_bytes);
    write(offsets, &batch.byte_offsets, |offset| (offset as f64).to_ne_bytes());
    let (numbers, rest) = rest.split_at_mut(at.row_starts - at.numbers);
    write(numbers, &batch.numbers, f64::to_ne_bytes);
    let (row_starts, rest) = rest.split_at_mut(at.ends - at.row_starts);
    write(row_starts, &batch.row_starts, u32::to_ne_bytes);
    let (ends, rest) = rest.split_at_mut(at.shapes - at.ends);
    write(ends, &batch.ends, u32::to_ne_bytes);
    let (shapes, rest) = rest.split_at_mut(at.text - at.shapes);
    write(shapes, &batch.shapes, u32::to_ne_bytes);
    let (text, rest) = rest.split_at_mut(lens.text);
    text.copy_from_slice(&batch.text);
    let (row_encodings, rest) = rest.split_at_mut(lens.row_encodings);
    row_encodings.copy_from_slice(&batch.row_encodings);
    let (row_longest, kinds) = rest.split_at_mut(lens.row_longest);
    row_longest.copy_from_slice(&batch.row_longest);
    kinds.copy_from_slice(&batch.kinds);
    Some(())
}

/// The words at the start of an arena that say what the batch laid out after them is and where
/// each of its columns starts (bytes from the arena's start), in this order: JavaScript reads
/// them through a view it made once for the arena (`ts/engine/native/arena-batch.ts`, which
/// names the same words), so a batch costs it no object and no view of its own. A view per
/// column and an object per batch were what survived V8's young-generation collections of a
/// `for…of` besides the records in flight, and what made the young generation grow over long
/// files (bench/README.md, "Peak RSS at 100 MiB and 1 GiB").
pub mod header {
    /// Records in the batch.
    pub const RECORDS: usize = 0;
    /// Values per CSV record (0 for JSON records, which have shapes).
    pub const WIDTH: usize = 1;
    /// UTF-16 units between a value's end and the next value's start in a record.
    pub const VALUE_GAP: usize = 2;
    /// `COUNTED` and `EXTRAS`.
    pub const FLAGS: usize = 3;
    pub const POSITIONS: usize = 4;
    pub const NUMBERS: usize = 5;
    pub const ROW_STARTS: usize = 6;
    pub const ENDS: usize = 7;
    pub const SHAPES: usize = 8;
    pub const SHAPE_COUNT: usize = 9;
    pub const TEXT: usize = 10;
    pub const ROW_ENCODINGS: usize = 11;
    pub const ROW_LONGEST: usize = 12;
    pub const KINDS: usize = 13;
    pub const KIND_COUNT: usize = 14;
    /// Words in the header (one spare).
    pub const WORDS: usize = 16;

    /// Flag: the records are only counted (`countAfter`).
    pub const COUNTED: u32 = 1;
    /// Flag: the batch has header names, new JSON shapes or faults, which `batchExtras()` gives.
    pub const EXTRAS: u32 = 2;
    /// Flag: the arena is one of the reader's own, lent to JavaScript with each batch laid out in
    /// it and detached when the reader is closed, so JavaScript may keep views of it from batch
    /// to batch. Any other arena is JavaScript's alone, and views kept of it would keep it from
    /// being collected young.
    pub const LENT: u32 = 4;
}

/// Bytes of the header at the start of every columnar arena.
pub const HEADER_BYTES: usize = 4 * header::WORDS;

/// A reader's own arenas are this fraction bigger than the batch they are made for: a file's
/// batches after its first few differ in size by well under a percent.
pub const ARENA_HEADROOM: usize = 16;

/// Whether `batch` has header names, new JSON shapes or faults: what `batchExtras()` gives.
pub fn has_extras(batch: &ColumnarBatch) -> bool {
    batch.names.is_some() || !batch.new_shapes.is_empty() || !batch.faults.is_empty()
}

/// Whether `batch` cannot be described in the header's 32-bit words.
pub fn too_large(batch: &ColumnarBatch) -> bool {
    batch.offsets_overflow || u32::try_from(ColumnLens::of(batch).bytes()).is_err()
}

/// `batch`'s header words (see `header`); `None` when a number does not fit 32 bits.
fn header_words(
    batch: &ColumnarBatch,
    lens: &ColumnLens,
    at: &Columns,
    lent: bool,
) -> Option<[u32; header::WORDS]> {
    let word = |n: usize| u32::try_from(n).ok();
    let mut words = [0u32; header::WORDS];
    words[header::RECORDS] = word(lens.positions)?;
    words[header::WIDTH] = word(batch.width)?;
    words[header::VALUE_GAP] = word(batch.value_gap)?;
    words[header::FLAGS] = if batch.counted { header::COUNTED } else { 0 }
        | if has_extras(batch) { header::EXTRAS } else { 0 }
        | if lent { header::LENT } else { 0 };
    words[header::POSITIONS] = word(at.positions)?;
    words[header::NUMBERS] = word(at.numbers)?;
    words[header::ROW_STARTS] = word(at.row_starts)?;
    words[header::ENDS] = word(at.ends)?;
    words[header::SHAPES] = word(at.shapes)?;
    words[header::SHAPE_COUNT] = word(lens.shapes)?;
    words[header::TEXT] = word(at.text)?;
    words[header::ROW_ENCODINGS] = word(at.row_encodings)?;
    words[header::ROW_LONGEST] = word(at.row_longest)?;
    words[header::KINDS] = word(at.kinds)?;
    words[header::KIND_COUNT] = word(lens.kinds)?;
    Some(words)
}

/// Writes `values` into `column`, `SIZE` bytes each as `encode` gives them.
fn write<T: Copy, const SIZE: usize>(
    column: &mut [u8],
    values: &[T],
    encode: impl Fn(T) -> [u8; SIZE],
) {
    for (slot, &value) in column.chunks_exact_mut(SIZE).zip(values) {
        slot.copy_from_slice(&encode(value));
    }
}

/// Frees the columns of a batch laid out in an arena, on the thread that laid it out.
fn take_columns(batch: &mut ColumnarBatch) {
    for column in
        [&mut batch.text, &mut batch.row_encodings, &mut batch.row_longest, &mut batch.kinds]
    {
        *column = Vec::new();
    }
    batch.row_starts = Vec::new();
    batch.ends = Vec::new();
    batch.shapes = Vec::new();
    batch.numbers = Vec::new();
    batch.lines = Vec::new();
    batch.byte_offsets = Vec::new();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(out: &[u8], index: usize) -> usize {
        let at = 4 * index;
        u32::from_ne_bytes([out[at], out[at + 1], out[at + 2], out[at + 3]]) as usize
    }

    #[test]
    fn header_says_where_each_column_lies() {
        let batch = ColumnarBatch {
            width: 2,
            value_gap: 1,
            names: Some(vec!["a".into(), "b".into()]),
            text: b"xyzw".to_vec(),
            row_starts: vec![0, 1, 4],
            row_encodings: vec![1, 1],
            row_longest: vec![1, 2],
            ends: vec![1, 0, 1, 2],
            kinds: vec![0, 1, 0, 0],
            numbers: vec![7.5],
            lines: vec![2.0, 3.0],
            byte_offsets: vec![4, 9],
            counted: true,
            ..ColumnarBatch::default()
        };
        let mut out = vec![0u8; ColumnLens::of(&batch).bytes()];
        assert_eq!(write_columns(&batch, &mut out, true), Some(()));
        assert_eq!(word(&out, header::RECORDS), 2);
        assert_eq!(word(&out, header::WIDTH), 2);
        assert_eq!(word(&out, header::VALUE_GAP), 1);
        let flags = header::COUNTED | header::EXTRAS | header::LENT;
        assert_eq!(word(&out, header::FLAGS) as u32, flags);
        let f64_at = |index: usize| {
            let at = word(&out, index);
            assert_eq!(at % 8, 0, "an f64 column starts aligned");
            at
        };
        let positions = f64_at(header::POSITIONS);
        assert_eq!(positions, HEADER_BYTES);
        let read_f64 = |at: usize| f64::from_ne_bytes(out[at..at + 8].try_into().unwrap());
        assert_eq!([read_f64(positions), read_f64(positions + 8)], [2.0, 3.0]);
        assert_eq!([read_f64(positions + 16), read_f64(positions + 24)], [4.0, 9.0]);
        assert_eq!(read_f64(f64_at(header::NUMBERS)), 7.5);
        let u32_at = |index: usize, len: usize| {
            let at = word(&out, index);
            assert_eq!(at % 4, 0, "a u32 column starts aligned");
            (0..len).map(|k| word(&out, at / 4 + k)).collect::<Vec<_>>()
        };
        assert_eq!(u32_at(header::ROW_STARTS, 3), [0, 1, 4]);
        assert_eq!(u32_at(header::ENDS, 4), [1, 0, 1, 2]);
        assert_eq!(word(&out, header::SHAPE_COUNT), 0);
        let bytes_at = |index: usize, len: usize| {
            let at = word(&out, index);
            out[at..at + len].to_vec()
        };
        assert_eq!(bytes_at(header::TEXT, 4), b"xyzw");
        assert_eq!(bytes_at(header::ROW_ENCODINGS, 2), [1, 1]);
        assert_eq!(bytes_at(header::ROW_LONGEST, 2), [1, 2]);
        assert_eq!(word(&out, header::KIND_COUNT), 4);
        assert_eq!(bytes_at(header::KINDS, 4), [0, 1, 0, 0]);
        assert_eq!(word(&out, header::KINDS) + 4, out.len(), "the kinds end the arena's used part");
    }

    #[test]
    fn a_batch_with_nothing_besides_its_columns_has_no_flags_and_may_not_fit() {
        let batch =
            ColumnarBatch { lines: vec![1.0], byte_offsets: vec![0], ..ColumnarBatch::default() };
        let mut out = vec![0u8; ColumnLens::of(&batch).bytes()];
        assert_eq!(write_columns(&batch, &mut out, false), Some(()));
        assert_eq!(word(&out, header::FLAGS), 0);
        let mut short = vec![0u8; out.len() - 1];
        assert_eq!(write_columns(&batch, &mut short, false), None);
    }
}
