import { decompressionHint, type IoHint } from '../../error-messages'
import type { EngineBatch, FileBatchReader, FileReadRequest } from '../types'
import { call, fromNative, type NativeBinding, type NativeReaderHandle, nativeOptions } from './binding'
import type { BatchChunks } from './chunks'
import { createBatchDecoder } from './handoff'

/** Native batches `nextBatch` takes in a row when they are ready, before it lets the event loop turn. */
const BATCHES_BETWEEN_TURNS = 8

/** One file read by the Rust core on its own thread; opened at the first batch asked for. */
export class NativeFileReader implements FileBatchReader {
  private handle: NativeReaderHandle | null = null
  private closed = false
  private readonly decode = createBatchDecoder()
  /** The hint for a read that failed part way: of a compressed file, what its damage calls for. */
  private readonly damagedHint: IoHint | null
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
  ) {
    this.damagedHint = request.compression === 'none' ? null : decompressionHint(request.compression)
  }

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
          throw fromNative(error, this.damagedHint)
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
    if (!call(() => reader.batchReady(), this.damagedHint)) return false
    this.takenWithoutWaiting++
    return true
  }

  /** Takes the next native batch to hand out, or `null` at the end. */
  private take(reader: NativeReaderHandle): BatchChunks | null {
    const batch = call(() => reader.nextBatchSync(this.arena), this.damagedHint)
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
}
