import type { NativeJsonBatch } from './batch-types'
import { type BatchChunks, wholeBatch } from './chunks'

/**
 * The `"json"` hand-off: the core frames a batch as one JSON array text and V8's `JSON.parse`
 * builds the records, all of a batch at once (one chunk). Records built this way are fresh objects and strings that keep no
 * reference to the batch text.
 */
export function decodeJsonBatch(batch: NativeJsonBatch): BatchChunks {
  return wholeBatch(batch, () => JSON.parse(batch.json) as unknown[])
}
