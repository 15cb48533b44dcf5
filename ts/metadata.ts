import type { ParseSink } from './engine/ts/format-parser'
import { parserFor } from './engine/ts/parsers'
import type { Compression, Engine, Format } from './engine/types'
import { signatureError, signatureOf } from './sources/file-signature'
import type { PlannedFile } from './sources/resolve-source'

/**
 * Facts about a dataset, from its file sizes and a sample of its head — never a full scan.
 * The spec's snake_case names map to these: `streaming_supported` → `streamingSupported`,
 * `recommended_batch_size` → `recommendedBatchSize`, `memory_estimate_mb` → `memoryEstimateMb`.
 */
export interface Metadata {
  /** Whether the source can be read as a stream (always `true` for ringstream's own sources). */
  streamingSupported: boolean
  /** Records per batch that keeps one batch near 64 KiB of input; the default `batchSize`. */
  recommendedBatchSize: number
  /**
   * Expected memory of one iteration, in MiB: the engine's buffers (the read buffer; for the
   * native engine also its queue of read-ahead batches) plus one batch of records as JS objects
   * at `recommendedBatchSize`. `null` when the source cannot tell.
   */
  memoryEstimateMb: number | null
  /** The format of the (first) file; `null` for sources that are not files. */
  format: Format | null
  /** Compression of the (first) file, or of a byte `Readable`'s bytes. */
  compression: Compression
  /** Every file the stream would read, in order. */
  files: string[]
  /** Their total size on disk; `null` for sources that are not files, and when one is a pipe or a device. */
  totalBytes: number | null
  /**
   * `totalBytes` divided by the sampled bytes per record; for compressed files, times the
   * decompressed bytes per byte measured on the first file's head. `null` when unknown: a pipe,
   * files of mixed compression, damaged data.
   */
  estimatedRecords: number | null
  /** Average raw bytes per record in the sample. */
  averageRecordBytes: number | null
  /** The engine that would read the files. */
  engine: 'ts' | 'native'
  /** From a dataset folder's manifest. */
  description: string | null
}

/** Bytes of decompressed input the head sample reads at most. */
export const SAMPLE_BYTES = 256 * 1024
/** Records per batch when nothing better is known (custom sources without metadata). */
export const DEFAULT_BATCH_SIZE = 1024
/**
 * Input bytes per batch the default `batchSize` aims at. A batch's records are built at once, so
 * they all live through the young-generation collections that meet them and are promoted to the
 * old generation; ~1 MiB batches made the native engine 20–60% slower and its peak RSS grow with
 * the input, ~64 KiB batches neither (bench/README.md, "Batch and buffer size").
 */
const TARGET_BATCH_BYTES = 64 << 10
const MIN_BATCH = 16
const MAX_BATCH = 8192
/**
 * Heap bytes per byte of input once records are JS objects, measured with
 * `node bench/object-expansion.mjs` (TS engine, Node 20): wide JSON Lines 1.54; CSV as strings
 * 4.30 (wide) and 6.53 (narrow numeric: many tiny strings); CSV with `types: 'infer'` 3.42 and
 * 3.35. The larger value of each kind is kept so the estimate errs high.
 */
function objectExpansion(format: Format, types: 'string' | 'infer'): number {
  if (format === 'jsonl' || format === 'json') return 1.6
  return types === 'infer' ? 3.5 : 6.6
}

/** The head sample of one file: how many records, and how many bytes each, on average. */
export interface HeadSample {
  records: number
  averageRecordBytes: number | null
}

/** Bytes of the head sampled at the start of an iteration, to choose the default batch size. */
export const ITERATION_SAMPLE_BYTES = 64 * 1024

/**
 * The average record size of a file's head, cheaply, for the batch size an iteration starts with:
 * line breaks counted in the first `ITERATION_SAMPLE_BYTES` stand for records in line-based
 * formats (a quoted line break in CSV only makes the batches smaller), up to the 64th. Parsing
 * the sample, as `sampleHead` does, cost 13–33 ms before the first record; counting costs a
 * fraction of one. The engine that will read the file counts (a compressed head decoded in
 * JavaScript for the native engine took longer than the native engine's whole first batch), and
 * both count alike. JSON arrays, whose line breaks say nothing about their elements, get the
 * parsed sample.
 */
export function headRecordBytes(file: PlannedFile, engine: Engine): number | null {
  if (file.format === 'json') return sampleHead(file, engine, ITERATION_SAMPLE_BYTES).averageRecordBytes
  const head = engine.headLines(file.path, file.compression, ITERATION_SAMPLE_BYTES, ENOUGH_LINES)
  if (head.lineBreaks === 0) return head.bytes === 0 ? null : head.bytes
  return Math.max(1, head.lastBreakEnd / head.lineBreaks)
}

/** Line breaks that make a good enough average for a batch size (a power of two). */
const ENOUGH_LINES = 64

/**
 * Counts the records in at most `limit` bytes of a file's (decompressed) head. The engine that
 * would read the file decompresses the head (the TS decoders took 50–100 ms of a compressed
 * file's `metadata()` on the native engine); the TS parser counts, the same on both engines.
 */
export function sampleHead(file: PlannedFile, engine: Engine, limit = SAMPLE_BYTES): HeadSample {
  const head = engine.headBytes(file.path, file.compression, limit)
  const signature = signatureOf(head)
  const error = signature === null ? null : signatureError(file.path, signature, file.plainByName)
  if (error !== null) throw error
  let records = 0
  let lastStart = 0
  const sink: ParseSink = {
    record(_value, _line, byteOffset) {
      records++
      lastStart = byteOffset
    },
    fault(fault) {
      records++
      lastStart = fault.byteOffset
    },
  }
  const parser = parserFor(file.format)(file.parse, sink)
  const seen = head.length
  // A head shorter than the limit is the whole file.
  const complete = seen < limit
  parser.push(head)
  if (complete) parser.end()
  if (records === 0) return { records: 0, averageRecordBytes: complete ? null : seen }
  // A sample cut mid-file ends inside a record, so measure up to the start of the last one.
  const average = complete ? seen / records : records > 1 ? lastStart / (records - 1) : seen
  return { records, averageRecordBytes: Math.max(1, average) }
}

/** A power of two near 64 KiB of input per batch, between 16 and 8192 records. */
export function recommendedBatchSize(averageRecordBytes: number | null): number {
  if (averageRecordBytes === null) return DEFAULT_BATCH_SIZE
  const ideal = TARGET_BATCH_BYTES / averageRecordBytes
  const pow2 = 2 ** Math.round(Math.log2(Math.max(1, ideal)))
  return Math.min(MAX_BATCH, Math.max(MIN_BATCH, pow2))
}

/** Memory one iteration holds, in MiB (rounded to 0.1): reader buffers plus one batch of objects. */
export function memoryEstimateMb(
  readerBytes: number,
  batchSize: number,
  averageRecordBytes: number,
  format: Format,
  types: 'string' | 'infer',
): number {
  const bytes = readerBytes + batchSize * averageRecordBytes * objectExpansion(format, types)
  return Math.round((bytes / (1 << 20)) * 10) / 10
}
