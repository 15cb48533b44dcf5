import { decompressionHint } from '../../error-messages'
import type { ChunkParser, ChunkParseRequest, EngineBatch } from '../types'
import { NativeBatchTaker } from './batch-taker'
import { call, type NativeBinding, type NativeChunkReaderHandle, nativeOptions } from './binding'

/**
 * Chunks of bytes that are not a file's, parsed by the core on its producer thread
 * (`NativeReader.forChunks`) while JavaScript pushes more and builds the records of the batches
 * before; batches cross in columns and are built a chunk of records at a time, as a file's are.
 */
export class NativeChunkParser implements ChunkParser {
  private readonly handle: NativeChunkReaderHandle
  private readonly batches: NativeBatchTaker
  /** A wait for the next batch off this thread, while one is under way. */
  private waiting: Promise<void> | null = null
  /** What that wait failed with, thrown by the next `next()`. */
  private failure: { error: unknown } | null = null
  private ended = false
  private closed = false

  constructor(binding: NativeBinding, request: ChunkParseRequest) {
    const { compression } = request
    // Named as the TS engine names them in its errors.
    const path = `the input stream's ${compression} bytes`
    const hint = compression === 'none' ? null : decompressionHint(compression, 'stream')
    this.batches = new NativeBatchTaker(hint)
    const options = { ...nativeOptions({ ...request, path, bufferSize: CHUNK_BUFFER_BYTES }), handoff: 'columnar' as const }
    this.handle = call(() => binding.NativeReader.forChunks(options), hint)
  }

  get awaitsInput(): boolean {
    return !this.closed && !this.batches.holding && this.handle.awaitsInput
  }

  get wantsInput(): boolean {
    // Asked between native batches only: while one is handed out, the producer has its queue.
    return !this.batches.holding && !this.ended && !this.closed && this.handle.pendingBytes < READ_AHEAD_BYTES
  }

  push(chunk: Uint8Array): void {
    this.handle.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
  }

  end(): void {
    this.ended = true
    this.handle.end()
  }

  next(): EngineBatch | null {
    for (;;) {
      const chunk = this.batches.nextChunk()
      if (chunk !== null) return chunk
      if (this.failure !== null) {
        const { error } = this.failure
        this.failure = null
        throw error
      }
      if (this.closed || !this.batches.take(this.handle)) return null
    }
  }

  ready(): boolean {
    if (this.batches.holding || this.failure !== null || this.closed) return true
    return this.waiting === null && this.batches.readyWithoutWaiting(this.handle)
  }

  whenReady(): Promise<void> {
    this.waiting ??= this.batches.wait(this.handle).then(
      () => {
        this.waiting = null
      },
      (error: unknown) => {
        this.waiting = null
        this.failure = { error }
      },
    )
    return this.waiting
  }

  close(done = true): void {
    this.closed = true
    this.batches.release()
    this.handle.close(done ? this.batches.takeArena() : null)
  }
}

/** The core's read buffer for pushed chunks: they are parsed this much at a time. */
const CHUNK_BUFFER_BYTES = 64 << 10

/**
 * Bytes pushed ahead of the producer thread: enough that it parses while JavaScript builds the
 * records before them, few enough that a source is not read far past what a `limit` takes.
 */
const READ_AHEAD_BYTES = 1 << 20
