import type { Compression, Format } from './engine/types'
import { type ItemError, InvalidArgumentError, OutOfRangeError } from './errors'
import type { Progress } from './progress'
import { validateChar, validateFunction, validateInteger, validateOneOf, validateObject } from './validate'

export type { Compression, Format }

/**
 * What to do with an item error. `'skip'` drops the record, counts it and goes on (one warning
 * per iteration sums them up); `'raise'` throws it after every earlier record was yielded; a
 * function receives each error and returns a replacement record, or `undefined` to skip it. A
 * handler that throws ends the iteration with what it threw.
 */
export type ErrorPolicy = 'skip' | 'raise' | ErrorHandler

/** Receives an item error; returns a replacement record, or `undefined` to drop the record. */
export type ErrorHandler = (error: ItemError) => unknown

/** Options of {@link stream}. Every option is validated when `stream()` is called. */
export interface StreamOptions {
  /**
   * The file format; by default from the extension (`.jsonl`/`.ndjson`, `.csv`, `.tsv`, `.json`).
   * Given with an iterable, async iterable or `Readable`, it makes the items chunks of bytes
   * (strings or `Uint8Array`s) parsed in this format — a `fetch()` body, `process.stdin`.
   */
  format?: Format
  /**
   * How the bytes are compressed: `'gzip'`, `'zstd'` or `'none'`; by default from the extension
   * (`.gz`, `.zst`), else `'none'`. For names that do not say, such as `/dev/stdin` or a shell's
   * `<(cat events.jsonl.gz)`, and for chunks of bytes given with `format`.
   */
  compression?: Compression
  /** `'ts'` or `'native'`; default: the `RINGSTREAM_ENGINE` variable, else the best available. */
  engine?: 'ts' | 'native'
  /**
   * Records read per batch, and what a custom source's `readBatches` receives. Memory follows it.
   * Default: the dataset's `recommendedBatchSize` (see {@link Metadata}).
   */
  batchSize?: number
  /** CSV/TSV: the first row names the fields (default `true`); `false` yields arrays of strings. */
  header?: boolean
  /** CSV/TSV: the field delimiter, one character (default `,`, or a tab for `.tsv`). */
  delimiter?: string
  /**
   * CSV/TSV: the quote character (default `"`), or `null` for no quoting: every character but the
   * delimiter and line breaks is data, so a field may start with a `"` that nothing closes (TSV
   * exports that never quote, as IMDb's do).
   */
  quote?: string | null
  /** CSV/TSV: `'string'` (default) keeps every value a string; `'infer'` converts numbers, booleans and empty values. */
  types?: 'string' | 'infer'
  /** Longest record accepted, in bytes (default 64 MiB); a longer one is an `ERR_RECORD_TOO_LARGE` item error. */
  maxRecordBytes?: number
  /** Bytes read from a file at a time (default 64 KiB); a longer record grows the buffer up to `maxRecordBytes`. */
  bufferSize?: number
  /** What to do with bad records and throwing callbacks (default `'skip'`). */
  onError?: ErrorPolicy
  /** Item errors tolerated per iteration; one more ends it with `ERR_TOO_MANY_ERRORS` (default: no limit). */
  maxErrors?: number
  /** Called with progress during iteration, at most every `progressInterval` ms, and once at the end. */
  onProgress?: (progress: Progress) => void
  /** Milliseconds between two `onProgress` calls (default 250). */
  progressInterval?: number
  /** Folder of named datasets (default: `RINGSTREAM_DATA`, else `./datasets`). */
  catalog?: string
  /** Aborting it ends the iteration with the signal's reason and closes its files. */
  signal?: AbortSignal
}

/**
 * 64 KiB: the TS engine parses a whole read before yielding its first record, so a read's records
 * are alive at once; 1 MiB reads made narrow CSV slower and doubled peak RSS (bench/README.md,
 * "Batch and buffer size").
 */
export const DEFAULT_BUFFER_SIZE = 64 << 10
export const DEFAULT_MAX_RECORD_BYTES = 64 << 20
export const DEFAULT_PROGRESS_INTERVAL_MS = 250
const MAX_BATCH_SIZE = 1 << 24

/** Checks every option of {@link StreamOptions} at the call; throws `TypeError`/`RangeError`. */
export function validateOptions(options: unknown): StreamOptions {
  if (options === undefined) return {}
  validateObject(options, 'options')
  const o = options as Record<string, unknown>
  const known = new Set<string>(OPTION_NAMES)
  for (const key of Object.keys(o)) {
    if (!known.has(key)) throw new InvalidArgumentError(`unknown option ${JSON.stringify(key)}; known options: ${OPTION_NAMES.join(', ')}`)
  }
  if (o.format !== undefined) validateOneOf(o.format, 'options.format', ['jsonl', 'csv', 'tsv', 'json'])
  if (o.compression !== undefined) validateOneOf(o.compression, 'options.compression', ['gzip', 'zstd', 'none'])
  if (o.engine !== undefined) validateOneOf(o.engine, 'options.engine', ['ts', 'native'])
  if (o.batchSize !== undefined) validateInteger(o.batchSize, 'options.batchSize', 1, MAX_BATCH_SIZE)
  if (o.header !== undefined && typeof o.header !== 'boolean') throw new InvalidArgumentError('options.header must be a boolean')
  if (o.delimiter !== undefined) validateChar(o.delimiter, 'options.delimiter')
  if (o.quote !== undefined && o.quote !== null) validateChar(o.quote, 'options.quote')
  if (o.delimiter !== undefined && o.delimiter === (o.quote === undefined ? '"' : o.quote)) {
    throw new OutOfRangeError('options.delimiter and options.quote must differ')
  }
  if (o.types !== undefined) validateOneOf(o.types, 'options.types', ['string', 'infer'])
  if (o.maxRecordBytes !== undefined) validateInteger(o.maxRecordBytes, 'options.maxRecordBytes', 1, 2 ** 31 - 1)
  if (o.bufferSize !== undefined) validateInteger(o.bufferSize, 'options.bufferSize', 1, 2 ** 30)
  if (o.onError !== undefined && typeof o.onError !== 'function') {
    validateOneOf(o.onError, 'options.onError', ['skip', 'raise'])
  }
  if (o.maxErrors !== undefined && o.maxErrors !== Infinity) validateInteger(o.maxErrors, 'options.maxErrors', 0, Number.MAX_SAFE_INTEGER)
  if (o.onProgress !== undefined) validateFunction(o.onProgress, 'options.onProgress')
  if (o.progressInterval !== undefined) validateInteger(o.progressInterval, 'options.progressInterval', 0, 2 ** 31 - 1)
  if (o.catalog !== undefined && typeof o.catalog !== 'string') throw new InvalidArgumentError('options.catalog must be a string (a folder)')
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) throw new InvalidArgumentError('options.signal must be an AbortSignal')
  return o as StreamOptions
}

const OPTION_NAMES: readonly (keyof StreamOptions)[] = [
  'format',
  'compression',
  'engine',
  'batchSize',
  'header',
  'delimiter',
  'quote',
  'types',
  'maxRecordBytes',
  'bufferSize',
  'onError',
  'maxErrors',
  'onProgress',
  'progressInterval',
  'catalog',
  'signal',
]

/** Manifest options a dataset folder may set; user options win over them. */
export const MANIFEST_OPTION_NAMES: readonly (keyof StreamOptions)[] = [
  'format',
  'compression',
  'batchSize',
  'header',
  'delimiter',
  'quote',
  'types',
  'maxRecordBytes',
]
