import type { SourceFault } from '../types'

/**
 * The batches the native binding hands over (`NativeBatch`, `NativeColumnarBatch` in
 * `src/lib.rs`), as `native/binding.d.ts` declares them. Every array is a copy in memory V8 owns:
 * a view of the batch's `arena`, which the next batch reuses.
 */

/** A fault between the records, with the number of records of the batch before it. */
export type NativeFault = SourceFault & { index: number }

/** The `"json"` hand-off: the records as one JSON array text. */
export interface NativeJsonBatch {
  /** The memory `positions` views; handed back to the reader for the next batch. */
  arena: ArrayBuffer
  json: string
  /** The records' lines, then their byte offsets. */
  positions: Float64Array
  faults: NativeFault[]
}

/**
 * The `"columnar"` hand-off (`ColumnarBatch` in the core): a CSV record is `width` values, a
 * JSON record as many as its shape has leaves; the text of the text values is one UTF-8 blob,
 * numbers are parsed, the rest is a kind.
 */
export interface NativeColumnarBatch {
  /** The memory every array below views; handed back to the reader for the next batch. */
  arena: ArrayBuffer
  /** Values per CSV record (0 for JSON records). */
  width: number
  /**
   * UTF-16 units between the end of a value and the start of the next one in a record: 1 for
   * CSV (one separator byte, so a raw record without quotes is its own text), 0 for JSON.
   */
  valueGap: number
  /** The header names, in the first batch after the header was read (and only there). */
  names?: string[] | null
  /** The text of the values (CSV: every value; JSON: text and JSON values), record after record, each in its `rowEncodings` encoding. */
  text: Uint8Array
  /** Byte offset in `text` where each record's text starts, plus the end (n + 1 entries). */
  rowStarts: Uint32Array
  /**
   * How each record's text is encoded (`TextEncoding` in the core): 0 UTF-8, 1 ASCII (bytes and
   * UTF-16 units agree), 2 UTF-16LE.
   */
  rowEncodings: Uint8Array
  /** UTF-16 units of each record's longest text or JSON value (the values sliced), at most 255. */
  rowLongest: Uint8Array
  /** Where each value's text ends, in UTF-16 units from its record's start. */
  ends: Uint32Array
  /** Each value's kind (see `columnar-batch.ts`), or empty when every value is text. */
  kinds: Uint8Array
  /** The number values, in value order. */
  numbers: Float64Array
  /** The shape id of each JSON record; empty for CSV. */
  shapes: Uint32Array
  /** Descriptions of the shapes first used in this batch, in id order (see `json-shape.ts`). */
  newShapes?: string[] | null
  /** The records' lines, then their byte offsets. */
  positions: Float64Array
  faults: NativeFault[]
  /** The records are only counted (`countAfter`): only `positions` and `faults` hold them. */
  counted: boolean
}

export type NativeBatch = NativeJsonBatch | NativeColumnarBatch
