import type { EngineBatch } from '../types'

/**
 * A batch's records are built a chunk at a time, as the iteration reaches them, so that what is
 * alive when a young-generation collection runs is one chunk of records, not a batch of them
 * (DESIGN.md, "Records built by the chunk"). A chunk ends after `CHUNK_RECORDS` records or once
 * it holds `CHUNK_TEXT_BYTES` of text: fewer records per chunk cost narrow files speed (each
 * chunk pays a trip through the pipeline), more let the young generation grow sooner.
 */
export const CHUNK_RECORDS = 64
export const CHUNK_TEXT_BYTES = 4096

/** The engine batches of one native batch, built one chunk of records at a time. */
export interface BatchChunks {
  /** The next chunk, or `null` once the batch is used up. */
  next(): EngineBatch | null
}

/**
 * A native batch handed out as one chunk of `count` records, which `records()` gives all at
 * once; record `i` is at `lines[first + i]` and `byteOffsets[first + i]`.
 */
export function wholeBatch(
  count: number,
  positions: Pick<EngineBatch, 'lines' | 'byteOffsets' | 'first' | 'faults'>,
  records: (count: number) => unknown[],
): BatchChunks {
  let taken = false
  return {
    next(): EngineBatch | null {
      if (taken) return null
      taken = true
      const { lines, byteOffsets, first, faults } = positions
      return { records: records(count), lines, byteOffsets, first, faults }
    },
  }
}
