import type { IoHint } from '../../error-messages'
import type { EngineBatch } from '../types'
import { call, fromNative, type NativeReaderHandle } from './binding'
import type { BatchChunks } from './chunks'
import { createBatchDecoder } from './handoff'

/** Native batches `readyWithoutWaiting` allows in a row, before the event loop must have a turn. */
const BATCHES_BETWEEN_TURNS = 8

/**
 * Takes a native reader's batches (a file's or pushed chunks') and hands them out a chunk of
 * records at a time, copying each into the memory of the batch before it.
 */
export class NativeBatchTaker {
  private readonly decoder = createBatchDecoder()
  /** The native batch being handed out, a chunk of records at a time. */
  private chunks: BatchChunks | null = null
  /**
   * The memory the last batch was copied into, handed back for the next one once that batch is
   * used up (`Arena` in src/handoff.rs): every record of it is built by then, and the iteration reads
   * a batch's positions only until it asks for the next batch.
   */
  private arena: ArrayBuffer | null = null
  /** Batches taken since the event loop last had a turn. */
  private takenWithoutWaiting = 0

  /** `hint`: for a read that failed part way, what its failure calls for. */
  constructor(private readonly hint: IoHint | null) {}

  /** Whether a batch is being handed out. */
  get holding(): boolean {
    return this.chunks !== null
  }

  /** The next chunk of the batch being handed out; once it is used up, lets go of it. */
  nextChunk(): EngineBatch | null {
    const chunk = this.chunks?.next() ?? null
    if (chunk === null) this.chunks = null
    return chunk
  }

  /** Takes the reader's next batch, blocking until it is ready; `false` when there is none. */
  take(reader: NativeReaderHandle): boolean {
    const batch = call(() => reader.nextBatchSync(this.arena), this.hint)
    if (batch === null) return false
    this.arena = batch instanceof ArrayBuffer ? batch : batch.arena
    try {
      this.chunks = this.decoder.decode(batch, reader)
    } catch (error) {
      throw fromNative(error, this.hint)
    }
    return true
  }

  /**
   * Whether the producer has the next batch ready, so that it is taken without a trip through
   * libuv's thread pool: waiting for every batch made `count()` on narrow.csv 1.17× slower than
   * taking it. Every `BATCHES_BETWEEN_TURNS` batches the trip is made anyway, because it is what
   * gives the event loop a turn: a producer that keeps ahead would otherwise hold the loop (its
   * timers, I/O and other requests) for the whole input.
   */
  readyWithoutWaiting(reader: NativeReaderHandle): boolean {
    if (this.takenWithoutWaiting >= BATCHES_BETWEEN_TURNS) return false
    if (!call(() => reader.batchReady(), this.hint)) return false
    this.takenWithoutWaiting++
    return true
  }

  /** Resolves once `take` would not block, having waited off this thread. */
  async wait(reader: NativeReaderHandle): Promise<void> {
    try {
      await reader.waitForBatch()
    } catch (error) {
      throw fromNative(error, this.hint)
    }
    this.takenWithoutWaiting = 0
  }

  /**
   * Lets go of the batch being handed out and of the decoder's views of the reader's arenas (the
   * chunks handed out keep theirs); the last arena is kept for `takeArena`.
   */
  release(): void {
    this.chunks = null
    this.decoder.release()
  }

  /** The arena of the batch last taken, no longer kept here: for a close once that batch is read no more. */
  takeArena(): ArrayBuffer | null {
    const arena = this.arena
    this.arena = null
    return arena
  }
}
