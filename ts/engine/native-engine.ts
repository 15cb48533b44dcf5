import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { damagedInputHint } from '../error-messages'
import { RingstreamError } from '../errors'
import { loadBinding } from './load-binding'
import type { NativeBatch, NativeColumnarBatch } from './native/batch-types'
import type { BatchChunks } from './native/chunks'
import { createBatchDecoder, type Handoff, handoffFor } from './native/handoff'
import type { ChunkParser, ChunkParseRequest, Engine, EngineBatch, ErrorCodeOfEngine, FileBatchReader, FileReadRequest, HeadLines } from './types'

export type NativeLoad = { engine: Engine; reason: null } | { engine: null; reason: string }

/** What the generated binding (`native/binding.js`, written by `napi build`) exports. */
interface NativeBinding {
  NativeReader: new (options: NativeReaderOptions) => NativeReaderHandle
  NativeChunkParser: new (options: NativeReaderOptions) => NativeChunkParserHandle
  nativeMemoryBytes(options: NativeReaderOptions, averageRecordBytes: number): number
  nativeHeadLines(path: string, compression: string, limitBytes: number, enoughLines: number): HeadLines
  nativeHeadBytes(path: string, compression: string, limitBytes: number): Uint8Array
}

interface NativeReaderOptions {
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
}

/** `NativeChunkParser` in src/chunk_parser.rs. */
interface NativeChunkParserHandle {
  push(chunk: Buffer): void
  end(): void
  /** The next batch of what the chunks so far hold (copied into `arena` when it fits); `null` when it awaits input or has ended. */
  nextBatch(arena: ArrayBuffer | null): NativeColumnarBatch | null
  readonly awaitsInput: boolean
}

interface NativeReaderHandle {
  /** Blocks until the next batch is ready; copies it into `arena` when it fits. */
  nextBatchSync(arena: ArrayBuffer | null): NativeBatch | null
  /**
   * Whether `nextBatchSync` would return at once (it throws the read error that is next). Never
   * waits for the producer; a file small enough to be read in place is read here, in one read.
   */
  batchReady(): boolean
  /** Resolves once `nextBatchSync` would not block. */
  waitForBatch(): Promise<void>
  close(): void
  readonly bytesRead: number
}

/**
 * Loads the native engine if this package carries a binary for the running platform. The
 * result is the same for the whole process (the binary either loads or it does not), so it is
 * computed once; `require` caches the module itself.
 */
export function loadNativeEngine(): NativeLoad {
  if (loaded === undefined) loaded = tryLoad()
  return loaded
}

let loaded: NativeLoad | undefined

function tryLoad(): NativeLoad {
  const bindingPath = findBinding()
  if (bindingPath === null) return { engine: null, reason: 'this copy of ringstream has no native/binding.js (build it with `npm run build:native`)' }
  let binding: NativeBinding
  try {
    binding = loadBinding(bindingPath) as NativeBinding
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
    return { engine: null, reason: `no native binary loads for ${process.platform}-${process.arch}: ${message}` }
  }
  return {
    engine: {
      name: 'native',
      openFile: (request) => new NativeFileReader(binding, request),
      readerMemoryBytes: (request, averageRecordBytes) => binding.nativeMemoryBytes(nativeOptions(request), averageRecordBytes),
      // Decompressed natively: the TS decoders took 20–80 ms of a compressed file's first record.
      headLines: (path, compression, limitBytes, enoughLines) =>
        call(() => binding.nativeHeadLines(path, compression, limitBytes, enoughLines), compression === 'none' ? null : damagedInputHint(compression)),
      headBytes: (path, compression, limitBytes) =>
        call(() => binding.nativeHeadBytes(path, compression, limitBytes), compression === 'none' ? null : damagedInputHint(compression)),
      openChunks: (request) => new NativeChunkParser(binding, request),
    },
    reason: null,
  }
}

/** `native/binding.js` of this package, found from this file whether it runs from `ts/` or `dist/`. */
function findBinding(): string | null {
  let dir = __dirname
  for (let depth = 0; depth < 4; depth++) {
    const candidate = join(dir, 'native', 'binding.js')
    if (existsSync(candidate)) return candidate
    dir = dirname(dir)
  }
  return null
}

/** Native batches `nextBatch` takes in a row when they are ready, before it lets the event loop turn. */
const BATCHES_BETWEEN_TURNS = 8

/** One file read by the Rust core on its own thread; opened at the first batch asked for. */
class NativeFileReader implements FileBatchReader {
  private handle: NativeReaderHandle | null = null
  private closed = false
  private readonly decode = createBatchDecoder()
  /** The native batch being handed out, a chunk of records at a time. */
  private chunks: BatchChunks | null = null
  /**
   * The memory the last batch was copied into, handed back for the next one once that batch is
   * used up (`Arena` in src/lib.rs): every record of it is built by then, and the iteration reads
   * a batch's positions only until it asks for the next batch.
   */
  private arena: ArrayBuffer | null = null
  /** Batches `nextBatch` took since the event loop last had a turn. */
  private takenWithoutWaiting = 0

  constructor(
    private readonly binding: NativeBinding,
    private readonly request: FileReadRequest,
  ) {}

  get bytesRead(): number {
    return this.handle?.bytesRead ?? 0
  }

  nextBatchSync(): EngineBatch | null {
    for (;;) {
      const chunk = this.nextChunk()
      if (chunk !== null) return chunk
      const reader = this.open()
      if (reader === null) return null
      if (this.take(reader) === null) return null
    }
  }

  async nextBatch(): Promise<EngineBatch | null> {
    for (;;) {
      const chunk = this.nextChunk()
      if (chunk !== null) return chunk
      const reader = this.open()
      if (reader === null) return null
      if (!this.readyWithoutWaiting(reader)) {
        try {
          await reader.waitForBatch()
        } catch (error) {
          throw fromNative(error, this.damagedHint())
        }
        this.takenWithoutWaiting = 0
      }
      // Closed while waiting: the reader has let go of the batch.
      if (this.closed || this.take(reader) === null) return null
    }
  }

  /**
   * Whether the producer has the next batch ready, so that it is taken without a trip through
   * libuv's thread pool: waiting for every batch made `count()` on narrow.csv 1.17× slower than
   * taking it. Every `BATCHES_BETWEEN_TURNS` batches the trip is made anyway, because it is what
   * gives the event loop a turn: a producer that keeps ahead would otherwise hold the loop (its
   * timers, I/O and other requests) for the whole file.
   */
  private readyWithoutWaiting(reader: NativeReaderHandle): boolean {
    if (this.takenWithoutWaiting >= BATCHES_BETWEEN_TURNS) return false
    if (!call(() => reader.batchReady(), this.damagedHint())) return false
    this.takenWithoutWaiting++
    return true
  }

  /** Takes the next native batch to hand out, or `null` at the end. */
  private take(reader: NativeReaderHandle): BatchChunks | null {
    const batch = call(() => reader.nextBatchSync(this.arena), this.damagedHint())
    if (batch === null) return null
    this.arena = batch.arena
    this.chunks = this.decode(batch)
    return this.chunks
  }

  /** The next chunk of the batch being handed out; once it is used up, lets go of it. */
  private nextChunk(): EngineBatch | null {
    const chunk = this.chunks?.next() ?? null
    if (chunk === null) this.chunks = null
    return chunk
  }

  close(): void {
    this.closed = true
    this.chunks = null
    this.arena = null
    this.handle?.close()
  }

  private open(): NativeReaderHandle | null {
    if (this.closed) return null
    if (this.handle === null) this.handle = call(() => new this.binding.NativeReader(nativeOptions(this.request)), null)
    return this.handle
  }

  /** The hint for a read that failed part way: of a compressed file, the file may be damaged. */
  private damagedHint(): string | null {
    const { compression } = this.request
    return compression === 'none' ? null : damagedInputHint(compression)
  }
}

/**
 * Chunks of bytes that are not a file's, parsed by the core on this thread as they are pushed
 * (src/chunk_parser.rs); batches cross in columns and are built a chunk of records at a time,
 * as a file's are.
 */
class NativeChunkParser implements ChunkParser {
  private readonly handle: NativeChunkParserHandle
  private readonly decode = createBatchDecoder()
  private chunks: BatchChunks | null = null
  /** The memory the last batch was copied into, handed back for the next (see `NativeFileReader`). */
  private arena: ArrayBuffer | null = null
  private readonly ioHint: string | null

  constructor(binding: NativeBinding, request: ChunkParseRequest) {
    const { compression } = request
    // Named as the TS engine names them in its errors.
    const path = `the input stream's ${compression} bytes`
    this.ioHint = compression === 'none' ? null : damagedInputHint(compression, 'stream')
    const options = { ...nativeOptions({ ...request, path, bufferSize: CHUNK_BUFFER_BYTES }), handoff: 'columnar' as const }
    this.handle = call(() => new binding.NativeChunkParser(options), this.ioHint)
  }

  get awaitsInput(): boolean {
    return this.chunks === null && this.handle.awaitsInput
  }

  push(chunk: Uint8Array): void {
    this.handle.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
  }

  end(): void {
    this.handle.end()
  }

  next(): EngineBatch | null {
    for (;;) {
      const chunk = this.chunks?.next() ?? null
      if (chunk !== null) return chunk
      this.chunks = null
      const batch = call(() => this.handle.nextBatch(this.arena), this.ioHint)
      if (batch === null) return null
      this.arena = batch.arena
      this.chunks = this.decode(batch)
    }
  }
}

/** The core's read buffer for pushed chunks: a chunk is parsed this much at a time. */
const CHUNK_BUFFER_BYTES = 64 << 10

function nativeOptions(r: FileReadRequest): NativeReaderOptions {
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
  }
}

function call<T>(fn: () => T, ioHint: string | null): T {
  try {
    return fn()
  } catch (error) {
    throw fromNative(error, ioHint)
  }
}

const CODE_PREFIX = /^(ERR_[A-Z_]+): /

/**
 * Errors cross from Rust as `Error`s whose message starts with the stable code; `ioHint` goes
 * with an `ERR_IO`.
 */
function fromNative(error: unknown, ioHint: string | null): unknown {
  if (!(error instanceof Error)) return error
  const match = CODE_PREFIX.exec(error.message)
  if (match === null) return error
  const code = match[1] as ErrorCodeOfEngine
  return new RingstreamError(code, error.message.slice(match[0].length), { cause: error, hint: code === 'ERR_IO' ? ioHint : null })
}
