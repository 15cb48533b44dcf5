import { validateOneOf } from '../../validate'
import type { Format } from '../types'
import type { NativeBatch } from './batch-types'
import type { BatchChunks } from './chunks'
import { ColumnarBatchDecoder } from './columnar-batch'
import type { ExtrasSource } from './arena-batch'
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
 * into engine batches, a chunk of records at a time. One per reader, because the columnar
 * decoder keeps the file's record constructor from the batch that carried the header (and the
 * views of the reader's arenas). A batch the core only counted (`countOnly`) comes as `null`s.
 */
export function createBatchDecoder(): BatchDecoder {
  let columnar: ColumnarBatchDecoder | null = null
  return {
    decode: (batch, reader) => {
      if (batch instanceof ArrayBuffer) return (columnar ??= new ColumnarBatchDecoder()).decode(batch, reader)
      return decodeJsonBatch(batch)
    },
    release: () => columnar?.release(),
  }
}

export interface BatchDecoder {
  /** The chunks of `batch`, which `reader` handed over. */
  decode(batch: NativeBatch, reader: ExtrasSource): BatchChunks
  /** Lets go of the reader's memory: no batch is decoded after. */
  release(): void
}
