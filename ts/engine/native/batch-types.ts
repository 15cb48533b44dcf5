import type { SourceFault } from '../types'

/**
 * The batches the native binding hands over (`AnyNativeBatch` in `src/handoff.rs`), as
 * `native/binding.d.ts` declares them. Every array is a copy in memory V8 owns, the batch's
 * arena, which a later batch reuses.
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
 * What a columnar batch has besides its columns (`NativeBatchExtras` in `src/handoff.rs`): only for a
 * batch whose header says so, from `batchExtras()`.
 */
export interface NativeBatchExtras {
  /** The header names, in the first batch after the header was read (and only there). */
  names?: string[] | null
  /** Descriptions of the JSON shapes first used in this batch, in id order (see `json-shape.ts`). */
  newShapes?: string[] | null
  faults: NativeFault[]
}

/**
 * A batch as `nextBatchSync` returns it: the `"json"` hand-off's object, or for the
 * `"columnar"` hand-off the `ArrayBuffer` the batch is laid out in, its header first
 * (arena-batch.ts reads it).
 */
export type NativeBatch = NativeJsonBatch | ArrayBuffer
