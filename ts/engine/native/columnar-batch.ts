import type { EngineBatch } from '../types'
import { type BatchChunks, CHUNK_RECORDS, CHUNK_TEXT_BYTES, CHUNK_VALUES } from './chunks'
import { ArenaBatch, type ExtrasSource, NO_FAULTS } from './arena-batch'
import type { NativeFault } from './batch-types'
import { countedBatch } from './counted-batch'
import { latin1, SLICE_COPIES_BELOW, ucs2, utf8 } from '../buffer-text'
import { csvRecordMaker, csvTextRecordMaker, csvTypedRecordMaker, jsonShape, type Shape, type TextRecordMaker } from '../record-makers'
import { FALSE, NULL, NUMBER, TEXT, TRUE } from '../value-kinds'

/**
 * The `"columnar"` hand-off (`ColumnarBatch` in crates/ringstream-core/src/columnar.rs): the
 * core hands over a batch as one blob of the values' text, their end offsets, a kind per
 * value and the numbers already parsed; the records are built here with a constructor made once
 * per CSV header or JSON shape (record-makers.ts), a chunk of records at a time (chunks.ts). No
 * key is read per record, and JSON is parsed only for the values the core leaves whole (long
 * arrays, deep nesting, lone surrogates).
 *
 * How the blob is decoded decides both speed and what a kept record keeps alive:
 *
 * - A record that is all ASCII and whose sliced values are all shorter than
 *   `SLICE_COPIES_BELOW` UTF-16 units (the core reports the longest, `rowLongest`) takes its
 *   values as slices of its chunk's part of the blob, decoded once per chunk as Latin-1 (which
 *   for ASCII is the text itself, bytes and units alike). V8 copies such short slices, so they
 *   keep nothing of the blob alive.
 * - Any other record decodes its own text once (Latin-1 when ASCII; a copy when the core sent it
 *   as UTF-16, as it does CSV records without quotes; else UTF-8) and takes its
 *   values as slices of that: a long value may keep its record's text alive, as with the TS
 *   engine, never the batch's.
 *
 * The batch's columns are read where the core laid them out, through views made once per arena
 * (arena-batch.ts), and the chunks of a batch are cut by one object per reader, started anew
 * for each batch: a batch allocates nothing here but its chunks and their records.
 *
 * bench/handoff.mjs measures this against the `"json"` hand-off (bench/README.md, "Hand-off").
 */


/** Record text encodings: `TextEncoding` in the core. */
const ASCII = 1
const UTF16LE = 2
// UTF8 = 0

/** Decodes the columnar batches of one reader; keeps the file's record constructors between them. */
export class ColumnarBatchDecoder {
  private names: string[] | null = null
  /** The CSV records' constructors, made for `names`, the batch width and value gap: from values (`make`) and from text. */
  private csv: (Shape & { gap: number; fromText: TextRecordMaker }) | null = null
  /** `csv` as the one shape of every record, for typed CSV chunks. */
  private csvShapes: Shape[] = []
  /** The JSON shapes of the file so far, by id. */
  private readonly shapes: Shape[] = []
  private readonly batch = new ArenaBatch()
  private readonly textChunks = new TextChunks(this.batch)
  private readonly typedChunks = new TypedChunks(this.batch)

  /** The batch laid out in `arena`, which `reader` handed over. */
  decode(arena: ArrayBuffer, reader: ExtrasSource): BatchChunks {
    const batch = this.batch
    batch.read(arena, reader)
    if (batch.names !== null) {
      this.names = batch.names
      this.csv = null
    }
    if (batch.newShapes !== null) for (const description of batch.newShapes) this.shapes.push(jsonShape(description))
    if (batch.counted) return countedBatch(batch)
    if (batch.shapeCount > 0) return this.typedChunks.start(this.shapes, true)
    if (this.csv === null || this.csv.width !== batch.width || this.csv.gap !== batch.valueGap) {
      const { width, valueGap: gap } = batch
      this.csv = {
        width,
        gap,
        make: csvRecordMaker(this.names, width),
        fromColumns: csvTypedRecordMaker(this.names, width),
        fromText: csvTextRecordMaker(this.names, width, gap),
      }
      this.csvShapes = [this.csv]
    }
    if (batch.kindCount > 0) return this.typedChunks.start(this.csvShapes, false)
    return this.textChunks.start(this.csv.fromText)
  }

  /** Lets go of the reader's arenas (see `ArenaBatch.release`). */
  release(): void {
    this.batch.release()
  }
}

/** Cuts a columnar batch into chunks; the subclass builds each chunk's records. */
abstract class ColumnarChunks implements BatchChunks {
  /** The first record of the next chunk. */
  private nextRecord = 0
  /** The first fault of the next chunk. */
  private nextFault = 0
  private done = true

  constructor(protected readonly batch: ArenaBatch) {}

  /** Starts on the batch `batch` has just read. */
  protected restart(): void {
    this.nextRecord = 0
    this.nextFault = 0
    this.done = false
  }

  next(): EngineBatch | null {
    if (this.done) return null
    const batch = this.batch
    const faults = batch.faults
    const n = batch.count
    const from = this.nextRecord
    const to = from === n ? n : chunkEnd(batch, from, this.valuesEnd(from, n))
    this.nextRecord = to
    this.done = to === n
    return {
      records: from === to ? [] : this.build(from, to),
      lines: batch.views.doubles,
      byteOffsets: batch.byteOffsets,
      first: batch.lines + from,
      faults: faults.length === 0 ? NO_FAULTS : this.faultsBefore(from, to),
    }
  }

  /** Builds records `from` to `to` (exclusive); called for consecutive ranges, in order. */
  protected abstract build(from: number, to: number): unknown[]

  /**
   * Where the chunk starting at record `from` ends at most, by its records' values: after
   * `CHUNK_VALUES` of them, at least one record and at most `CHUNK_RECORDS`. Every CSV record
   * has the batch's width.
   */
  protected valuesEnd(from: number, n: number): number {
    const records = Math.min(CHUNK_RECORDS, Math.max(1, Math.floor(CHUNK_VALUES / Math.max(1, this.batch.width))))
    return Math.min(n, from + records)
  }

  /**
   * The faults of the chunk of records `from` to `to`, indexed within it: those before record
   * `to`, and in the last chunk those after every record too.
   */
  private faultsBefore(from: number, to: number): NativeFault[] {
    const faults = this.batch.faults
    const chunk: NativeFault[] = []
    while (this.nextFault < faults.length && (this.done || faults[this.nextFault].index < to)) {
      const fault = faults[this.nextFault++]
      chunk.push(from === 0 ? fault : { ...fault, index: fault.index - from })
    }
    return chunk
  }
}

/** Where the chunk starting at record `from` ends: at `limit`, or once its text reaches `CHUNK_TEXT_BYTES`. */
function chunkEnd(batch: ArenaBatch, from: number, limit: number): number {
  const rowStarts = batch.views.words
  const at = batch.rowStarts
  const textEnd = rowStarts[at + from] + CHUNK_TEXT_BYTES
  // Records start in order: when the last one starts in time, they all do (narrow files' chunks).
  if (rowStarts[at + limit - 1] < textEnd) return limit
  let to = from + 1
  while (to < limit && rowStarts[at + to] < textEnd) to++
  return to
}

/** The text of a record on its own, from its bytes `start` to `end` in `encoding`. */
function recordText(bytes: Buffer, encoding: number, start: number, end: number): string {
  return encoding === ASCII ? latin1(bytes, start, end) : encoding === UTF16LE ? ucs2(bytes, start, end) : utf8(bytes, start, end)
}

/*
 * The two kinds of chunks below take record `r`'s values from one of two strings: the chunk's
 * text decoded as Latin-1 once (`whole`, at the record's offset in it) when the record is ASCII
 * and every value short enough for `slice` to copy, else the record's own text (at 0).
 */

/** Every value is text (`types: 'string'`): the record's constructor takes them from the text itself. */
class TextChunks extends ColumnarChunks {
  private make: TextRecordMaker | null = null

  start(make: TextRecordMaker): this {
    this.make = make
    this.restart()
    return this
  }

  protected build(from: number, to: number): unknown[] {
    const batch = this.batch
    const { width } = batch
    const { bytes, words } = batch.views
    const make = this.make as TextRecordMaker
    const starts = batch.rowStarts
    const encodings = batch.rowEncodings
    const longest = batch.rowLongest
    const text = batch.text
    const chunkStart = text + words[starts + from]
    let whole: string | null = null
    const records: unknown[] = new Array(to - from)
    for (let r = from, v = batch.ends + from * width; r < to; r++, v += width) {
      const rowStart = text + words[starts + r]
      const encoding = bytes[encodings + r]
      if (encoding === ASCII && bytes[longest + r] < SLICE_COPIES_BELOW) {
        records[r - from] = make((whole ??= latin1(bytes, chunkStart, text + words[starts + to])), words, v, rowStart - chunkStart)
      } else {
        const source = recordText(bytes, encoding, rowStart, text + words[starts + r + 1])
        records[r - from] = make(source, words, v, 0)
      }
    }
    return records
  }
}

/**
 * Values of every kind: CSV with `types: 'infer'` (one shape) and JSON records (the shape of
 * record `r` is `shapes[id]`, its id in the batch's shape column). A batch whose values are all
 * text has no kinds.
 */
class TypedChunks extends ColumnarChunks {
  /** The first value, and the first number, of the next chunk (as indexes into the arena's views). */
  private nextValue = 0
  private readonly numberCursor = { next: 0 }
  private shapes: Shape[] = []
  /** Whether each record has its shape id (JSON), rather than all the one shape (CSV). */
  private hasIds = false

  start(shapes: Shape[], hasIds: boolean): this {
    this.shapes = shapes
    this.hasIds = hasIds
    this.nextValue = this.batch.ends
    this.numberCursor.next = this.batch.numbers
    this.restart()
    return this
  }

  /** JSON records have the width of their shape. */
  protected override valuesEnd(from: number, n: number): number {
    if (!this.hasIds) return super.valuesEnd(from, n)
    const { shapes } = this
    const { words } = this.batch.views
    const ids = this.batch.shapes
    const most = Math.min(n, from + CHUNK_RECORDS)
    let to = from
    let values = 0
    while (to < most) {
      values += shapes[words[ids + to]].width
      if (to > from && values > CHUNK_VALUES) break
      to++
    }
    return to
  }

  protected build(from: number, to: number): unknown[] {
    const batch = this.batch
    const { valueGap } = batch
    const { bytes, words, doubles } = batch.views
    const { shapes, hasIds } = this
    const starts = batch.rowStarts
    const encodings = batch.rowEncodings
    const longest = batch.rowLongest
    const ids = batch.shapes
    const text = batch.text
    // Kinds are read at the index of their value's end: `kinds + (v - ends)`.
    const kindShift = batch.kinds - batch.ends
    // One per chunk: a long-lived array would be in the old generation, and every store of a new
    // string into it would pay for a write barrier.
    const values: unknown[] = []
    const hasKinds = batch.kindCount > 0
    const chunkStart = text + words[starts + from]
    let whole: string | null = null
    const records: unknown[] = new Array(to - from)
    const cursor = this.numberCursor
    let v = this.nextValue
    for (let r = from; r < to; r++) {
      const { width, make, fromColumns } = shapes[hasIds ? words[ids + r] : 0]
      const rowStart = text + words[starts + r]
      const encoding = bytes[encodings + r]
      let source: string
      let base: number
      if (encoding === ASCII && bytes[longest + r] < SLICE_COPIES_BELOW) {
        source = whole ??= latin1(bytes, chunkStart, text + words[starts + to])
        base = rowStart - chunkStart
      } else {
        source = recordText(bytes, encoding, rowStart, text + words[starts + r + 1])
        base = 0
      }
      if (hasKinds && fromColumns !== null) {
        records[r - from] = fromColumns(source, words, v, base, bytes, v + kindShift, doubles, cursor, valueGap, JSON.parse)
        v += width
        continue
      }
      let numberIndex = cursor.next
      let start = base
      for (let k = 0; k < width; k++) {
        const end = base + words[v]
        switch (hasKinds ? bytes[v + kindShift] : TEXT) {
          case TEXT:
            values[k] = source.slice(start, end)
            break
          case NUMBER:
            values[k] = doubles[numberIndex++]
            break
          case TRUE:
            values[k] = true
            break
          case FALSE:
            values[k] = false
            break
          case NULL:
            values[k] = null
            break
          default: // JSON_VALUE
            values[k] = JSON.parse(source.slice(start, end))
        }
        v++
        start = end + valueGap
      }
      cursor.next = numberIndex
      records[r - from] = make(values)
    }
    this.nextValue = v
    return records
  }
}
