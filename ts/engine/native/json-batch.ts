import type { EngineBatch } from '../types'
import type { NativeJsonBatch } from './batch-types'
import type { BatchChunks } from './chunks'

/**
 * The `"json"` hand-off: the core frames a batch as one JSON array text and V8's `JSON.parse`
 * builds the records, all of a batch at once (one chunk). Records built this way are fresh objects and strings that keep no
 * reference to the batch text.
 */
export function decodeJsonBatch(batch: NativeJsonBatch): BatchChunks {
  let taken = false
  return {
    next(): EngineBatch | null {
      if (taken) return null
      taken = true
      const n = batch.positions.length / 2
      return {
        records: JSON.parse(batch.json) as unknown[],
        lines: batch.positions.subarray(0, n),
        byteOffsets: batch.positions.subarray(n),
        first: 0,
        faults: batch.faults,
      }
    },
  }
}
