import type { EngineBatch } from '../types'
import { type BatchChunks, CHUNK_RECORDS, CHUNK_TEXT_BYTES } from './chunks'
import type { NativeColumnarBatch } from './batch-types'
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
  /** The JSON shapes of the file so far, by id. */
  private readonly shapes: Shape[] = []

  decode(batch: NativeColumnarBatch): BatchChunks {
    if (batch.names != null) {
      this.names = batch.names
      this.csv = null
    }
    if (batch.newShapes != null) for (const description of batch.newShapes) this.shapes.push(jsonShape(description))
    if (batch.shapes.length > 0) return new TypedChunks(batch, this.shapes, batch.shapes)
    if (this.csv === null || this.csv.width !== batch.width || this.csv.gap !== batch.valueGap) {
      const { width, valueGap: gap } = batch
      this.csv = {
        width,
        gap,
        make: csvRecordMaker(this.names, width),
        fromColumns: csvTypedRecordMaker(this.names, width),
        fromText: csvTextRecordMaker(this.names, width, gap),
      }
    }
    if (batch.kinds.length > 0) return new TypedChunks(batch, [this.csv], null)
    return new TextChunks(batch, this.csv.fromText)
  }
}

/** Cuts a columnar batch into chunks; the subclass builds each chunk's records. */
abstract class ColumnarChunks implements BatchChunks {
  /** Records in the batch. */
  private readonly count: number
  protected readonly bytes: Buffer
  /** The first record of the next chunk. */
  private nextRecord = 0
  /** The first fault of the next chunk. */
  private nextFault = 0
  private done = false

  /** The batch's lines and byte offsets, which every chunk shares. */
  private readonly lines: Float64Array
  private readonly byteOffsets: Float64Array

  constructor(protected readonly batch: NativeColumnarBatch) {
    this.count = batch.positions.length / 2
    this.bytes = bytesOf(batch.text)
    this.lines = batch.positions.subarray(0, this.count)
    this.byteOffsets = batch.positions.subarray(this.count)
  }

  next(): EngineBatch | null {
    if (this.done) return null
    const faults = this.batch.faults
    const n = this.count
    const from = this.nextRecord
    const to = from === n ? n : chunkEnd(this.batch.rowStarts, from, Math.min(n, from + CHUNK_RECORDS))
    this.nextRecord = to
    this.done = to === n
    return {
      records: from === to ? [] : this.build(from, to),
      lines: this.lines,
      byteOffsets: this.byteOffsets,
      first: from,
      faults: faults.length === 0 ? faults : this.faultsBefore(from, to),
    }
  }

  /** Builds records `from` to `to` (exclusive); called for consecutive ranges, in order. */
  protected abstract build(from: number, to: number): unknown[]

  /**
   * The faults of the chunk of records `from` to `to`, indexed within it: those before record
   * `to`, and in the last chunk those after every record too.
   */
  private faultsBefore(from: number, to: number): NativeColumnarBatch['faults'] {
    const faults = this.batch.faults
    const chunk: NativeColumnarBatch['faults'] = []
    while (this.nextFault < faults.length && (this.done || faults[this.nextFault].index < to)) {
      const fault = faults[this.nextFault++]
      chunk.push(from === 0 ? fault : { ...fault, index: fault.index - from })
    }
    return chunk
  }
}

/** Where the chunk starting at record `from` ends: at `limit`, or once its text reaches `CHUNK_TEXT_BYTES`. */
function chunkEnd(rowStarts: Uint32Array, from: number, limit: number): number {
  const textEnd = rowStarts[from] + CHUNK_TEXT_BYTES
  // Records start in order: when the last one starts in time, they all do (narrow files' chunks).
  if (rowStarts[limit - 1] < textEnd) return limit
  let to = from + 1
  while (to < limit && rowStarts[to] < textEnd) to++
  return to
}

/** The text of a record on its own, from its bytes `start` to `end` in `encoding`. */
function recordText(bytes: Buffer, encoding: number, start: number, end: number): string {
  return encoding === ASCII ? latin1(bytes, start, end) : encoding === UTF16LE ? ucs2(bytes, start, end) : utf8(bytes, start, end)
}

function bytesOf(view: Uint8Array): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength)
}

/*
 * The two kinds of chunks below take record `r`'s values from one of two strings: the chunk's
 * text decoded as Latin-1 once (`whole`, at the record's offset in it) when the record is ASCII
 * and every value short enough for `slice` to copy, else the record's own text (at 0).
 */

/** Every value is text (`types: 'string'`): the record's constructor takes them from the text itself. */
class TextChunks extends ColumnarChunks {
  constructor(
    batch: NativeColumnarBatch,
    private readonly make: TextRecordMaker,
  ) {
    super(batch)
  }

  protected build(from: number, to: number): unknown[] {
    const { width, ends, rowStarts, rowEncodings, rowLongest } = this.batch
    const { bytes, make } = this
    const chunkStart = rowStarts[from]
    let whole: string | null = null
    const records: unknown[] = new Array(to - from)
    for (let r = from, v = from * width; r < to; r++, v += width) {
      const rowStart = rowStarts[r]
      if (rowEncodings[r] === ASCII && rowLongest[r] < SLICE_COPIES_BELOW) {
        records[r - from] = make((whole ??= latin1(bytes, chunkStart, rowStarts[to])), ends, v, rowStart - chunkStart)
      } else {
        const source = recordText(bytes, rowEncodings[r], rowStart, rowStarts[r + 1])
        records[r - from] = make(source, ends, v, 0)
      }
    }
    return records
  }
}

/**
 * Values of every kind: CSV with `types: 'infer'` (one shape, `ids` null) and JSON records (the
 * shape of record `r` is `shapes[ids[r]]`). A batch whose values are all text has no kinds.
 */
class TypedChunks extends ColumnarChunks {
  /** The first value, and the first number, of the next chunk. */
  private nextValue = 0
  private readonly numberCursor = { next: 0 }

  constructor(
    batch: NativeColumnarBatch,
    private readonly shapes: Shape[],
    private readonly ids: Uint32Array | null,
  ) {
    super(batch)
  }

  protected build(from: number, to: number): unknown[] {
    const { valueGap, ends, rowStarts, rowEncodings, rowLongest, kinds, numbers } = this.batch
    const { bytes, shapes, ids } = this
    // One per chunk: a long-lived array would be in the old generation, and every store of a new
    // string into it would pay for a write barrier.
    const values: unknown[] = []
    const hasKinds = kinds.length > 0
    const chunkStart = rowStarts[from]
    let whole: string | null = null
    const records: unknown[] = new Array(to - from)
    const cursor = this.numberCursor
    let v = this.nextValue
    for (let r = from; r < to; r++) {
      const { width, make, fromColumns } = shapes[ids === null ? 0 : ids[r]]
      const rowStart = rowStarts[r]
      let source: string
      let base: number
      if (rowEncodings[r] === ASCII && rowLongest[r] < SLICE_COPIES_BELOW) {
        source = whole ??= latin1(bytes, chunkStart, rowStarts[to])
        base = rowStart - chunkStart
      } else {
        source = recordText(bytes, rowEncodings[r], rowStart, rowStarts[r + 1])
        base = 0
      }
      if (hasKinds && fromColumns !== null) {
        records[r - from] = fromColumns(source, ends, v, base, kinds, numbers, cursor, valueGap, JSON.parse)
        v += width
        continue
      }
      let numberIndex = cursor.next
      let start = base
      for (let k = 0; k < width; k++) {
        const end = base + ends[v]
        switch (hasKinds ? kinds[v] : TEXT) {
          case TEXT:
            values[k] = source.slice(start, end)
            break
          case NUMBER:
            values[k] = numbers[numberIndex++]
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
