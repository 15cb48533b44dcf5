import { type ErrorPolicy, type Progress, type Stream, type StreamOptions, stream } from '../index'
import type { CliOptions } from './args'
import type { CliIO } from './command'

/**
 * The `stream()` options the command line asks for. Errors go to `onError` (a counting handler
 * for `--on-error skip`, `'raise'` otherwise); progress to `onProgress` about ten times a second.
 */
export function streamOptionsFor(options: CliOptions, onError: ErrorPolicy, onProgress: ((p: Progress) => void) | null): StreamOptions {
  const result: StreamOptions = { onError }
  if (options.format !== undefined) result.format = options.format
  if (options.compression !== undefined) result.compression = options.compression
  if (options.engine !== undefined) result.engine = options.engine
  if (options.catalog !== undefined) result.catalog = options.catalog
  if (options.types !== undefined) result.types = options.types
  if (options.delimiter !== undefined) result.delimiter = options.delimiter
  if (options.quote !== undefined) result.quote = options.quote
  if (options.maxRecordBytes !== undefined) result.maxRecordBytes = options.maxRecordBytes
  if (!options.header) result.header = false
  if (options.maxErrors !== undefined) result.maxErrors = options.maxErrors
  if (onProgress !== null) {
    result.onProgress = onProgress
    result.progressInterval = 100
  }
  return result
}

/**
 * The input as a stream: one path, folder or dataset name; several paths; or stdin (`-`) as
 * bytes in `--format`, read through its path when it is a pipe (as fast as a file, and natively)
 * and as a `Readable` otherwise (a terminal, a socket, a redirected file whose read position
 * a path would not share). Throws what `stream()` throws for bad options (`ERR_INVALID_ARGUMENT`).
 */
export function openSource(inputs: readonly string[], options: StreamOptions, io: CliIO): Stream<unknown> {
  if (inputs.length === 1 && inputs[0] === '-') {
    const path = io.stdinPath()
    return path === null ? stream<unknown>(io.stdin(), options) : stream<unknown>(path, options)
  }
  return stream<unknown>(inputs.length === 1 ? inputs[0] : [...inputs], options)
}

/** Applies --where, --skip, --limit and --select, in that order. */
export function applyFilters(source: Stream<unknown>, options: CliOptions, where: ((record: unknown) => boolean) | null): Stream<unknown> {
  let s = source
  if (where !== null) s = s.filter(where)
  if (options.skip !== undefined && options.skip > 0) s = s.skip(options.skip)
  if (options.limit !== undefined) s = s.limit(options.limit)
  if (options.select.length > 0) s = (s as Stream<Record<string, unknown>>).select(options.select)
  return s
}
