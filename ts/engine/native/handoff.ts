import { validateOneOf } from '../../validate'
import type { Format } from '../types'
import type { NativeBatch } from './batch-types'
import type { BatchChunks } from './chunks'
import { ColumnarBatchDecoder } from './columnar-batch'
import { countedBatch } from './counted-batch'
import { decodeJsonBatch } from './json-batch'

/**
 * The hand-off: how a native batch crosses into JavaScript records. Everything about it is
 * behind this module, so it can change without the engine noticing.
 *
 * - `'json'`: one JSON array text, built in Rust, parsed by `JSON.parse` (json-batch.ts).
 * - `'columnar'`: a text blob, offsets, kinds, numbers and JSON shapes; records built here
 *   (columnar-batch.ts).
 *
 * The default per format is what `bench/handoff.mjs` measured faster (bench/README.md,
 * "Hand-off"; DESIGN.md, "Hand-off"): columns for every format. Both give the same records.
 */
export type Handoff = 'json' | 'columnar'

export const HANDOFFS: readonly Handoff[] = ['json', 'columnar']

const DEFAULT_HANDOFF: Readonly<Record<Format, Handoff>> = {
  csv: 'columnar',
  tsv: 'columnar',
  jsonl: 'columnar',
  json: 'columnar',
}

/**
 * The hand-off for a file of `format`: `RINGSTREAM_NATIVE_HANDOFF` when set (for benchmarks and
 * tests; read at every file opened), else the default for the format.
 */
export function handoffFor(format: Format): Handoff {
  const value = process.env.RINGSTREAM_NATIVE_HANDOFF
  if (value === undefined || value === '') return DEFAULT_HANDOFF[format]
  validateOneOf(value, 'RINGSTREAM_NATIVE_HANDOFF', HANDOFFS)
  return value
}

/**
 * The batch decoder of one reader: turns its native batches, whichever hand-off they came in,
 * into engine batches, a chunk of records at a time. One per reader, because the columnar decoder keeps the file's record
 * constructor from the batch that carried the header. A batch the core only counted
 * (`countOnly`) comes as `null`s.
 */
export function createBatchDecoder(): (batch: NativeBatch) => BatchChunks {
  let columnar: ColumnarBatchDecoder | null = null
  return (batch) => {
    if ('json' in batch) return decodeJsonBatch(batch)
    return batch.counted ? countedBatch(batch) : (columnar ??= new ColumnarBatchDecoder()).decode(batch)
  }
}
