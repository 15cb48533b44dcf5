import type { NativeBatch } from './batch-types'
import { type BatchChunks, wholeBatch } from './chunks'

/**
 * A batch of a read whose records are only counted (`countOnly`): its records come as `null`s,
 * none built, its faults and positions as ever. The core has already checked every record, so
 * which are good does not depend on building them; what is left for the JS thread is a trip per
 * batch instead of a record's literal and its values' strings, each record.
 */
export function countedBatch(batch: NativeBatch): BatchChunks {
  return wholeBatch(batch, (count) => new Array<unknown>(count).fill(null))
}
