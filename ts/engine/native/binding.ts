import type { IoHint } from '../../error-messages'
import { RingstreamError } from '../../errors'
import { type ErrorCodeOfEngine, type FileReadRequest, type HeadLines, RECORDS_BUILT_WHEN_COUNTING } from '../types'
import type { NativeBatch, NativeBatchExtras } from './batch-types'
import { type Handoff, handoffFor } from './handoff'

/** What the generated binding (`native/binding.js`, written by `napi build`) exports. */
export interface NativeBinding {
  NativeReader: {
    new (options: NativeReaderOptions): NativeReaderHandle
    /** A reader of pushed chunks, parsed in columns on the producer thread. */
    forChunks(options: NativeReaderOptions): NativeChunkReaderHandle
  }
  nativeMemoryBytes(options: NativeReaderOptions, averageRecordBytes: number): number
  nativeHeadLines(path: string, compression: string, limitBytes: number, enoughLines: number): HeadLines
  nativeHeadBytes(path: string, compression: string, limitBytes: number): Uint8Array
  nativeDecodedLength(compression: string, compressed: Uint8Array, limit: number): number | null
}

export interface NativeReaderOptions {
  path: string
  format: string
  compression: string
  header: boolean
  delimiter: string
  /** One byte, or empty for no quoting. */
  quote: string
  types: string
  maxRecordBytes: number
  batchSize: number
  bufferSize: number
  queueDepth?: number
  handoff?: Handoff
  /** Columnar batches past this many records of the file are only counted (`FileReadRequest.countOnly`). */
  countAfter?: number
}

export interface NativeReaderHandle {
  /** Blocks until the next batch is ready; copies it into `arena` when it fits. */
  nextBatchSync(arena: ArrayBuffer | null): NativeBatch | null
  /** What the columnar batch last returned has besides its columns, when its header says it has any; once. */
  batchExtras(): NativeBatchExtras | null
  /**
   * Whether `nextBatchSync` would return at once (it throws the read error that is next). Never
   * waits for the producer; a file small enough to be read in place is read here, in one read.
   */
  batchReady(): boolean
  /** Resolves once `nextBatchSync` would not block. */
  waitForBatch(): Promise<void>
  /** Pass the last batch's arena once that batch is read no more: its memory is freed too. */
  close(arena?: ArrayBuffer | null): void
  readonly bytesRead: number
}

/** `NativeReader.forChunks`: a reader whose bytes are pushed. */
export interface NativeChunkReaderHandle extends NativeReaderHandle {
  nextBatchSync(arena: ArrayBuffer | null): ArrayBuffer | null
  /** Queues a copy of the next chunk for the producer thread. */
  push(chunk: Buffer): void
  /** No more chunks will come. */
  end(): void
  /** Bytes pushed that the producer has not read yet. */
  readonly pendingBytes: number
  /** The last `nextBatchSync` returned `null` because every chunk pushed was parsed. */
  readonly awaitsInput: boolean
}

export function nativeOptions(r: FileReadRequest): NativeReaderOptions {
  return {
    path: r.path,
    format: r.format,
    compression: r.compression,
    header: r.header,
    delimiter: r.delimiter,
    quote: r.quote ?? '',
    types: r.types,
    maxRecordBytes: r.maxRecordBytes,
    batchSize: r.batchSize,
    bufferSize: r.bufferSize,
    handoff: handoffFor(r.format),
    countAfter: r.countOnly === true ? RECORDS_BUILT_WHEN_COUNTING : undefined,
  }
}

export function call<T>(fn: () => T, ioHint: IoHint | null): T {
  try {
    return fn()
  } catch (error) {
    throw fromNative(error, ioHint)
  }
}

const CODE_PREFIX = /^(ERR_[A-Z_]+): /

/**
 * Errors cross from Rust as `Error`s whose message starts with the stable code; `ioHint` gives
 * an `ERR_IO` its hint from the message.
 */
export function fromNative(error: unknown, ioHint: IoHint | null): unknown {
  if (!(error instanceof Error)) return error
  const match = CODE_PREFIX.exec(error.message)
  if (match === null) return error
  const code = match[1] as ErrorCodeOfEngine
  const message = error.message.slice(match[0].length)
  return new RingstreamError(code, message, { cause: error, hint: code === 'ERR_IO' && ioHint !== null ? ioHint(message) : null })
}
