import type { SourceErrorCode } from './engine/types'

/** Every stable error code ringstream uses; `err.code` is always one of these. */
export type ErrorCode =
  | SourceErrorCode
  | 'ERR_CALLBACK'
  | 'ERR_IO'
  | 'ERR_NOT_FOUND'
  | 'ERR_TOO_MANY_ERRORS'
  | 'ERR_ASYNC_IN_SYNC'
  | 'ERR_UNSUPPORTED'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_SOURCE_CONSUMED'

/**
 * Base class of every error ringstream throws or reports. `code` is stable across versions;
 * match on it, not on the message.
 *
 * @example
 * try { await stream('missing.jsonl').toArray() }
 * catch (e) { if (e instanceof RingstreamError && e.code === 'ERR_NOT_FOUND') … }
 */
export class RingstreamError extends Error {
  readonly code: ErrorCode
  /** A remedy worth trying, when one is known. */
  readonly hint: string | null

  constructor(code: ErrorCode, message: string, options: { hint?: string | null; cause?: unknown } = {}) {
    const hint = options.hint ?? null
    super(hint ? `${message}\n  hint: ${hint}` : message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'RingstreamError'
    this.code = code
    this.hint = hint
  }
}

/** Where an item error came from: the data itself, or a callback of the chain. */
export type ErrorKind = 'source' | 'processing'

/** The fields of an {@link ItemError}, also what an `onError` handler receives. */
export interface ItemErrorDetails {
  code: ErrorCode
  kind: ErrorKind
  /** `'source'` for data errors; the stage's method name (`'filter'`, `'transform'`, …) otherwise. */
  stage: string
  /** 0 for the source; the chain's stages count from 1 in the order they were added. */
  stageIndex: number
  /** The file the record came from, or `null` for sources that are not files. */
  path: string | null
  /** 1-based line where the record starts, when the source is a file. */
  line: number | null
  /** 0-based offset of the record's first byte in its (decompressed) file. */
  byteOffset: number | null
  /** 0-based index of the source record in this iteration, good and bad records alike. */
  recordIndex: number
  /** The start of the raw record, for source errors; a short rendering of `item` otherwise. */
  excerpt: string
  /** The item the failing callback received (processing errors only). */
  item?: unknown
  hint: string | null
  cause?: unknown
}

/**
 * One record that could not be read (kind `'source'`) or processed (kind `'processing'`). With the
 * default `onError: 'skip'` it is counted and reported and the stream goes on; with `'raise'` it
 * is thrown; a handler function receives it and may return a replacement record.
 */
export class ItemError extends RingstreamError {
  readonly kind: ErrorKind
  readonly stage: string
  readonly stageIndex: number
  readonly path: string | null
  readonly line: number | null
  readonly byteOffset: number | null
  readonly recordIndex: number
  readonly excerpt: string
  readonly item: unknown

  constructor(message: string, details: ItemErrorDetails) {
    super(details.code, message, { hint: details.hint, cause: details.cause })
    this.name = 'ItemError'
    this.kind = details.kind
    this.stage = details.stage
    this.stageIndex = details.stageIndex
    this.path = details.path
    this.line = details.line
    this.byteOffset = details.byteOffset
    this.recordIndex = details.recordIndex
    this.excerpt = details.excerpt
    this.item = details.item
  }

  /** Where the record is, in words: `line 7 of data/a.jsonl (byte 812)` or `record 12`. */
  get location(): string {
    return describeLocation(this.path, this.line, this.byteOffset, this.recordIndex)
  }
}

/** Thrown when more than `maxErrors` item errors occur in one iteration. */
export class TooManyErrorsError extends RingstreamError {
  /** The first few item errors, in order. */
  readonly errors: readonly ItemError[]
  readonly count: number

  constructor(count: number, maxErrors: number, first: readonly ItemError[]) {
    const listed = first.map((e) => `  - ${e.code} at ${e.location}: ${firstLine(e.message)}`).join('\n')
    super(
      'ERR_TOO_MANY_ERRORS',
      `stopped after ${count} item errors (maxErrors is ${maxErrors}); the first ${first.length}:\n${listed}`,
      { hint: 'when nearly every record fails, the format or its options are usually wrong (format, delimiter, header)' },
    )
    this.name = 'TooManyErrorsError'
    this.errors = first
    this.count = count
  }
}

export function describeLocation(
  path: string | null,
  line: number | null,
  byteOffset: number | null,
  recordIndex: number,
): string {
  if (path !== null && line !== null) {
    return `line ${line} of ${path}${byteOffset === null ? '' : ` (byte ${byteOffset})`}`
  }
  return `record ${recordIndex + 1}${path === null ? '' : ` of ${path}`}`
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n')
  return nl < 0 ? text : text.slice(0, nl)
}

/** A `TypeError` that also carries `code: 'ERR_INVALID_ARGUMENT'`, thrown at the call. */
export class InvalidArgumentError extends TypeError {
  readonly code = 'ERR_INVALID_ARGUMENT' as const
  constructor(message: string) {
    super(message)
    this.name = 'TypeError'
  }
}

/** A `RangeError` that also carries `code: 'ERR_INVALID_ARGUMENT'`, thrown at the call. */
export class OutOfRangeError extends RangeError {
  readonly code = 'ERR_INVALID_ARGUMENT' as const
  constructor(message: string) {
    super(message)
    this.name = 'RangeError'
  }
}
