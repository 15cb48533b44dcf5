import type { EngineBatch } from '../types'

/**
 * A batch's records are built a chunk at a time, as the iteration reaches them, so that what is
 * alive when a young-generation collection runs is part of one chunk of records, not a batch of
 * them (DESIGN.md, "Records built by the chunk"). A chunk ends before the record that would take
 * it past `CHUNK_VALUES` values (a record's heap size follows its values more closely than its
 * text), after `CHUNK_RECORDS` records, or once it holds `CHUNK_TEXT_BYTES` of text; it has at
 * least one record. Smaller chunks cost speed (each pays a trip through the pipeline and a
 * decode of its text), larger ones let the young generation grow sooner: at 128 values it
 * doubled once more over 1 GiB of narrow.csv, and each doubling is megabytes of RSS.
 */
export const CHUNK_VALUES = 96
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
