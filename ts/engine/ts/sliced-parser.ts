import type { FormatParser } from './format-parser'
import type { ParsedQueue } from './parsed-queue'

/**
 * Bytes parsed at a time at most, and before the input's first records say how long its
 * records are (see `SlicedParser`).
 */
export const PARSE_SLICE_BYTES = 16384

/**
 * A slice is sized to hold about this many values at the input's average record length so far;
 * each record counts `RECORD_VALUES` more for its object (so a slice holds at most 48 records).
 * The native engine's chunks stop at 96 values too (`CHUNK_VALUES`) without that extra, but
 * then narrow.csv's slices held 24 records and the TS engine's young generation doubled twice
 * between 100 MiB and 1 GiB: it is 4 MiB at 100 MiB, where the native engine's has grown to 8
 * already, so its first doubling falls within that range too. With the extra, narrow.csv (4
 * values a record) gets 16 records a slice and one doubling, after 11.6 M records (285 MiB).
 */
export const SLICE_VALUES = 96
/** What a record's object costs besides its values, in values: its header and the slot it takes in a batch. */
export const RECORD_VALUES = 2

/**
 * JSON values are counted as this many bytes of text each when sizing slices (wide.jsonl spends
 * 273 bytes on 14 values, in keys, quotes and separators): counting them would cost a walk of
 * every record.
 */
export const JSON_BYTES_PER_VALUE = 20

/** Fewer bytes than this are not worth a slice of their own, whatever the records. */
export const MIN_PARSE_SLICE_BYTES = 256

const LF = 10

/**
 * A format parser fed a chunk (a read, a decompressed piece, a stream's chunk) a slice at a
 * time, one slice per `parseSlice` call, so that what is alive when a young-generation
 * collection runs is one slice's records, not one chunk's (DESIGN.md, "Records built by the
 * chunk"). A slice holds `SLICE_VALUES` values' worth of records at the input's average record
 * length so far, within `MIN_PARSE_SLICE_BYTES` and `PARSE_SLICE_BYTES`: a CSV record has the
 * header's width, a JSON record a value per `JSON_BYTES_PER_VALUE` bytes, and each
 * `RECORD_VALUES` more. A slice ends after its last line break, or anywhere when it has none:
 * the parsers take any cut.
 *
 * The chunk is read until `parseSlice` has used it up (`hasInput` false), so its memory must not
 * be reused before then.
 */
export class SlicedParser {
  private chunk: Uint8Array | null = null
  private chunkPos = 0
  /** Bytes parsed and records they gave so far, for the slice size. */
  private parsedBytes = 0
  private parsedRecords = 0
  private sliceBytes = PARSE_SLICE_BYTES

  constructor(
    readonly parser: FormatParser,
    private readonly queue: ParsedQueue,
    /** Records are only counted, not built: slices stay at `PARSE_SLICE_BYTES`, as there are no records to keep few of. */
    private readonly countOnly = false,
  ) {}

  /** A chunk is being parsed and has slices left. */
  get hasInput(): boolean {
    return this.chunk !== null
  }

  /** The next chunk, once `hasInput` is false. */
  feed(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    this.chunk = chunk
    this.chunkPos = 0
  }

  /** Drops what is left of the chunk. */
  clear(): void {
    this.chunk = null
  }

  /** Parses the next slice of the chunk into the queue. */
  parseSlice(): void {
    const chunk = this.chunk
    if (chunk === null) return
    const start = this.chunkPos
    const sliceBytes = this.sliceBytes
    let end = chunk.length
    if (end - start > sliceBytes) {
      const lineEnd = chunk.lastIndexOf(LF, start + sliceBytes - 1)
      end = lineEnd >= start ? lineEnd + 1 : start + sliceBytes
    }
    this.chunkPos = end
    if (end === chunk.length) this.chunk = null
    const queued = this.queue.size
    this.parser.push(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end))
    if (!this.countOnly) this.resize(end - start, this.queue.size - queued)
  }

  /** Sizes the next slices to hold `SLICE_VALUES` values' worth of records of the average length so far. */
  private resize(bytes: number, records: number): void {
    this.parsedBytes += bytes
    this.parsedRecords += records
    if (this.parsedRecords === 0) return
    const recordBytes = this.parsedBytes / this.parsedRecords
    const width = this.parser.recordWidth?.() ?? 0
    const values = RECORD_VALUES + (width > 0 ? width : recordBytes / JSON_BYTES_PER_VALUE)
    const group = Math.max(1, Math.floor(SLICE_VALUES / values))
    this.sliceBytes = Math.round(Math.min(PARSE_SLICE_BYTES, Math.max(MIN_PARSE_SLICE_BYTES, group * recordBytes)))
  }
}
