import type { Format, ParseOptions, SourceFault } from '../engine/types'

/** A batch as the pipeline sees it, from a file or from a custom source. */
export interface SourceBatch {
  /**
   * A fresh array the iteration owns: it may clear entries as it yields them, so the array must
   * not be the caller's (copy arrays a user hands over).
   */
  records: unknown[]
  /** Positions of the records (`records[i]` at `first + i`); `null` for sources that are not files. */
  lines: ArrayLike<number> | null
  byteOffsets: ArrayLike<number> | null
  first: number
  faults: ReadonlyArray<SourceFault & { index: number }>
  path: string | null
  format: Format | null
  /** The options the records were parsed with (defaults and a manifest applied); `null` when not parsed. */
  parse: ParseOptions | null
}

/** One iteration's reading position in a source. Never shared between iterations. */
export interface BatchCursor {
  nextSync(): SourceBatch | null
  /**
   * The next batch without blocking: as it is when it is at hand, a promise only when it must be
   * waited for. A promise per batch, even one already read, cost `count()` and `forEach` on a
   * native file a quarter of their time: the records of a batch come a chunk at a time, and
   * each chunk paid for an async call and the awaits after it.
   */
  next(): SourceBatch | null | Promise<SourceBatch | null>
  /**
   * Releases files and stops any read-ahead at once. `done` (the default): nothing of the
   * batches handed out is read any more (`FileBatchReader.close`). Idempotent; a later call may
   * be done.
   */
  close(done?: boolean): void
  readonly bytesRead: number | null
  readonly totalBytes: number | null
  readonly path: string | null
}

export const NO_FAULTS: ReadonlyArray<SourceFault & { index: number }> = Object.freeze([])
