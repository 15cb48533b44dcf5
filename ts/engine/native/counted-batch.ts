import type { ArenaBatch } from './arena-batch'
import { type BatchChunks, wholeBatch } from './chunks'

/**
 * A batch the core only counted (`countAfter`, for a read whose records are only counted): its
 * records come as `null`s, its faults and positions as ever. The core checked every record as
 * ever, so the same records are good; the JS thread builds nothing, and the core encodes no
 * value.
 */
export function countedBatch(batch: ArenaBatch): BatchChunks {
  const positions = { lines: batch.views.doubles, byteOffsets: batch.byteOffsets, first: batch.lines, faults: batch.faults }
  return wholeBatch(batch.count, positions, (count) => new Array<unknown>(count).fill(null))
}
