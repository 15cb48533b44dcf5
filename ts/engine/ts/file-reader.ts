import type { EngineBatch, FileBatchReader, FileReadRequest } from '../types'
import { ByteSource } from './byte-source'
import { ParsedQueue } from './parsed-queue'
import { parserFor } from './parsers'
import { SlicedParser } from './sliced-parser'

/**
 * The TS engine's reader of one file: fixed-size reads into one reused buffer, parsed a slice at
 * a time as the iteration reaches it (`sliced-parser.ts`), handed out at most `batchSize`
 * records at a time. Memory: the read buffer, the parser's carry-over (one partial record, at
 * most `maxRecordBytes`) and the records of one slice.
 */
export class TsFileReader implements FileBatchReader {
  private readonly bytes: ByteSource
  private readonly queue = new ParsedQueue()
  /** Parses the current read; the next read reuses its buffer, so it comes once this one is used up. */
  private readonly slices: SlicedParser
  private inputDone = false

  constructor(private readonly request: FileReadRequest) {
    this.bytes = new ByteSource(request.path, request.compression, request.bufferSize)
    this.slices = new SlicedParser(parserFor(request.format)(request, this.queue, request.countOnly), this.queue, request.countOnly)
  }

  get bytesRead(): number {
    return this.bytes.bytesRead
  }

  // A batch is handed out as soon as one slice has produced records, even short of `batchSize`:
  // waiting for a full batch would delay the first records by several slices and hold more.
  nextBatchSync(): EngineBatch | null {
    while (!this.inputDone && this.queue.isEmpty) {
      if (this.slices.hasInput) this.slices.parseSlice()
      else this.feed(this.bytes.readSync())
    }
    return this.take()
  }

  nextBatch(): EngineBatch | null | Promise<EngineBatch | null> {
    while (!this.inputDone && this.queue.isEmpty) {
      if (!this.slices.hasInput) return this.nextAfterRead()
      this.slices.parseSlice()
    }
    return this.take()
  }

  /** `nextBatch` once the next read has come. */
  private async nextAfterRead(): Promise<EngineBatch | null> {
    this.feed(await this.bytes.read())
    return this.nextBatch()
  }

  close(): void {
    this.inputDone = true
    this.slices.clear()
    this.bytes.close()
    this.slices.parser.release?.()
  }

  private feed(chunk: Uint8Array | null): void {
    if (chunk === null) {
      this.inputDone = true
      this.slices.parser.end()
    } else {
      this.slices.feed(chunk)
    }
  }

  private take(): EngineBatch | null {
    return this.queue.isEmpty ? null : this.queue.take(this.request.batchSize)
  }
}
