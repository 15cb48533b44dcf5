import type { NativeBatchExtras, NativeFault } from './batch-types'

/**
 * A columnar batch where it lies in its arena (`write_columns` in src/shared_arenas.rs): the
 * arena starts with header words that say how many records the batch has and where each of its
 * columns starts, and JavaScript reads the columns through views it made once for the arena.
 *
 * A batch therefore costs no object and no view of its own, on either side of the binding. With
 * an object and a view per column for every batch, those were what survived V8's
 * young-generation collections of a `for…of` besides the records in flight, and they made the
 * young generation grow over long files (bench/README.md, "Peak RSS at 100 MiB and 1 GiB").
 */

/** The header's words: `header` in src/shared_arenas.rs, which says what each is. */
const RECORDS = 0
const WIDTH = 1
const VALUE_GAP = 2
const FLAGS = 3
const POSITIONS = 4
const NUMBERS = 5
const ROW_STARTS = 6
const ENDS = 7
const SHAPES = 8
const SHAPE_COUNT = 9
const TEXT = 10
const ROW_ENCODINGS = 11
const ROW_LONGEST = 12
const KINDS = 13
const KIND_COUNT = 14
const HEADER_WORDS = 16

/** Header flags. */
const COUNTED = 1
const EXTRAS = 2
const LENT = 4

/** The faults of a batch that has none: shared, so such a batch allocates no array for them. */
export const NO_FAULTS: NativeFault[] = Object.freeze([]) as unknown as NativeFault[]

/** Where `batchExtras()` comes from: the reader that handed the batch over. */
export interface ExtrasSource {
  batchExtras(): NativeBatchExtras | null
}

/** The views of one arena, made the first time a batch comes in it. */
class ArenaViews {
  /** Every byte: the text and the one-byte columns. */
  readonly bytes: Buffer
  /** Every 4-byte word: the header and the `u32` columns. */
  readonly words: Uint32Array
  /** Every 8-byte double: the numbers and the positions. */
  readonly doubles: Float64Array
  /** `doubles` shifted by `shiftedBy` doubles: see `byteOffsets`. */
  private shifted: Float64Array | null = null
  private shiftedBy = -1

  constructor(private readonly buffer: ArrayBuffer) {
    const length = buffer.byteLength
    this.bytes = Buffer.from(buffer, 0, length)
    this.words = new Uint32Array(buffer, 0, Math.floor(length / 4))
    this.doubles = new Float64Array(buffer, 0, Math.floor(length / 8))
  }

  /**
   * The view in which a batch of `records` records has record `i`'s byte offset at the index of
   * its line in `doubles` (the byte offsets follow the lines), so that both are read at one
   * index, as the pipeline does. Kept for the next batch of as many records: a file's batches
   * mostly are.
   */
  byteOffsets(records: number): Float64Array {
    if (this.shiftedBy !== records || this.shifted === null) {
      const start = 8 * records
      this.shifted = new Float64Array(this.buffer, start, Math.floor((this.buffer.byteLength - start) / 8))
      this.shiftedBy = records
    }
    return this.shifted
  }
}

/**
 * The batch a reader handed over last, read from its arena's header. One per reader, read anew
 * for every batch (`read`): each column is an index into one of the arena's views, `bytes`,
 * `words` or `doubles`.
 *
 * The views of the reader's own arenas (`LENT`), which closing the reader detaches, are kept
 * for their next batches. An arena that is JavaScript's alone (the first batches of a file,
 * copied before its thread takes over; every batch of a pipe) gets views for its batch only:
 * kept by this long-lived object they would live into the old generation and take the arena's
 * memory with them until a full collection, which a loop that builds records seldom brings.
 */
export class ArenaBatch {
  private lent = new WeakMap<ArrayBuffer, ArenaViews>()
  private arena: ArrayBuffer | null = null
  views!: ArenaViews
  /** Records in the batch. */
  count = 0
  /** Values per CSV record (0 for JSON records, which have shapes). */
  width = 0
  /** UTF-16 units between the end of a value and the start of the next one in a record: 1 for CSV, 0 for JSON. */
  valueGap = 0
  /** The records are only counted (`countAfter`): only the positions and faults hold them. */
  counted = false
  /** In `doubles`: the records' lines; each record's byte offset is at the same index in `byteOffsets`. */
  lines = 0
  byteOffsets!: Float64Array
  /** In `doubles`: the numbers, in value order. */
  numbers = 0
  /** In `words`: where each record's text starts in `bytes`, plus the end (`count + 1` entries). */
  rowStarts = 0
  /** In `words`: where each value's text ends, in UTF-16 units from its record's start. */
  ends = 0
  /** In `words`: the JSON shape id of each record (`shapeCount` of them; none for CSV). */
  shapes = 0
  shapeCount = 0
  /** In `bytes`: where the values' text starts (record after record, each in its encoding). */
  text = 0
  /** In `bytes`: how each record's text is encoded (`TextEncoding` in the core). */
  rowEncodings = 0
  /** In `bytes`: UTF-16 units of each record's longest text or JSON value, at most 255. */
  rowLongest = 0
  /** In `bytes`: each value's kind (`kindCount` of them, none when every value is text). */
  kinds = 0
  kindCount = 0
  /** The header names, in the first batch after the header was read. */
  names: string[] | null = null
  /** Descriptions of the JSON shapes first used in this batch. */
  newShapes: string[] | null = null
  faults: NativeFault[] = NO_FAULTS

  /** Reads the batch laid out in `arena`, which `reader` handed over. */
  read(arena: ArrayBuffer, reader: ExtrasSource): void {
    let views = this.views
    if (arena !== this.arena) {
      views = this.lent.get(arena) ?? new ArenaViews(arena)
      if ((views.words[FLAGS] & LENT) !== 0) this.lent.set(arena, views)
      else arena = EMPTY
      this.arena = arena
      this.views = views
    }
    const h = views.words
    const count = h[RECORDS]
    this.count = count
    this.width = h[WIDTH]
    this.valueGap = h[VALUE_GAP]
    const flags = h[FLAGS]
    this.counted = (flags & COUNTED) !== 0
    this.lines = h[POSITIONS] / 8
    this.byteOffsets = views.byteOffsets(count)
    this.numbers = h[NUMBERS] / 8
    this.rowStarts = h[ROW_STARTS] / 4
    this.ends = h[ENDS] / 4
    this.shapes = h[SHAPES] / 4
    this.shapeCount = h[SHAPE_COUNT]
    this.rowEncodings = h[ROW_ENCODINGS]
    this.rowLongest = h[ROW_LONGEST]
    this.kinds = h[KINDS]
    this.kindCount = h[KIND_COUNT]
    this.text = h[TEXT]
    const extras = (flags & EXTRAS) === 0 ? null : reader.batchExtras()
    this.names = extras?.names ?? null
    this.newShapes = extras?.newShapes ?? null
    this.faults = extras === null || extras.faults.length === 0 ? NO_FAULTS : extras.faults
  }

  /** Lets go of the arenas and of what the last batch had: the reader is done with them. */
  release(): void {
    this.lent = new WeakMap()
    this.arena = null
    this.views = NO_VIEWS
    this.byteOffsets = NO_VIEWS.doubles
    this.names = null
    this.newShapes = null
    this.faults = NO_FAULTS
  }
}

/** Stands for an arena whose views are not kept, so that the next batch makes its own. */
const EMPTY = new ArrayBuffer(0)
/** The views of no arena, for a released `ArenaBatch`. */
const NO_VIEWS = new ArenaViews(new ArrayBuffer(4 * HEADER_WORDS))
