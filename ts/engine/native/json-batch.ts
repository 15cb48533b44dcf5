import type { NativeJsonBatch } from './batch-types'
import { type BatchChunks, wholeBatch } from './chunks'

/**
 * The `"json"` hand-off: the core frames a batch as one JSON array text and V8's `JSON.parse`
 * builds the records, all of a batch at once (one chunk). Records built this way are fresh objects and strings that keep no
 * reference to the batch text.
 */
export function decodeJsonBatch(batch: NativeJsonBatch): BatchChunks {
  const count = batch.positions.length / 2
  const positions = { lines: batch.positions.subarray(0, count), byteOffsets: batch.positions.subarray(count), first: 0, faults: batch.faults }
  return wholeBatch(count, positions, () => JSON.parse(batch.json) as unknown[])
}
