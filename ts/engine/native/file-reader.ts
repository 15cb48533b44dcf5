import { decompressionHint } from '../../error-messages'
import type { EngineBatch, FileBatchReader, FileReadRequest } from '../types'
import { NativeBatchTaker } from './batch-taker'
import { call, type NativeBinding, type NativeReaderHandle, nativeOptions } from './binding'

/** One file read by the Rust core on its own thread; opened at the first batch asked for. */
export class NativeFileReader implements FileBatchReader {
  private handle: NativeReaderHandle | null = null
  private closed = false
  private readonly batches: NativeBatchTaker

  constructor(
    private readonly binding: NativeBinding,
    private readonly request: FileReadRequest,
  ) {
    // A compressed file's read that fails part way: hinted at by what its damage calls for.
    this.batches = new NativeBatchTaker(request.compression === 'none' ? null : decompressionHint(request.compression))
  }

  get bytesRead(): number {
    return this.handle?.bytesRead ?? 0
  }

  nextBatchSync(): EngineBatch | null {
    for (;;) {
      const chunk = this.batches.nextChunk()
      if (chunk !== null) return chunk
      const reader = this.open()
      if (reader === null || !this.batches.take(reader)) return null
    }
  }

  nextBatch(): EngineBatch | null | Promise<EngineBatch | null> {
    for (;;) {
      const chunk = this.batches.nextChunk()
      if (chunk !== null) return chunk
      const reader = this.open()
      if (reader === null) return null
      if (!this.batches.readyWithoutWaiting(reader)) return this.nextAfterWait(reader)
      if (!this.batches.take(reader)) return null
    }
  }

  /** `nextBatch` once the producer has the next batch ready, waited for off this thread. */
  private async nextAfterWait(reader: NativeReaderHandle): Promise<EngineBatch | null> {
    await this.batches.wait(reader)
    // Closed while waiting: the reader has let go of the batch.
    if (this.closed || !this.batches.take(reader)) return null
    return this.nextBatch()
  }

  close(done = true): void {
    this.closed = true
    this.batches.release()
    this.handle?.close(done ? this.batches.takeArena() : null)
  }

  private open(): NativeReaderHandle | null {
    if (this.closed) return null
    if (this.handle === null) this.handle = call(() => new this.binding.NativeReader(nativeOptions(this.request)), null)
    return this.handle
  }
}
