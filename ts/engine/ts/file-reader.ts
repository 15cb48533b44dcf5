import type { EngineBatch, FileBatchReader, FileReadRequest } from '../types'
import { ByteSource } from './byte-source'
import type { FormatParser } from './format-parser'
import { ParsedQueue } from './parsed-queue'
import { parserFor } from './parsers'

/**
 * The TS engine's reader of one file: fixed-size reads into one reused buffer, parsed as they
 * arrive, handed out at most `batchSize` records at a time. Memory: the read buffer, the parser's
 * carry-over (one partial record, at most `maxRecordBytes`) and the records of one read chunk.
 */
export class TsFileReader implements FileBatchReader {
  private readonly bytes: ByteSource
  private readonly queue = new ParsedQueue()
  private readonly parser: FormatParser
  private inputDone = false

  constructor(private readonly request: FileReadRequest) {
    this.bytes = new ByteSource(request.path, request.compression, request.bufferSize)
    this.parser = parserFor(request.format)(request, this.queue)
  }

  get bytesRead(): number {
    return this.bytes.bytesRead
  }

  // A batch is handed out as soon as one read has produced records, even short of `batchSize`:
  // waiting for a full batch would delay the first records by several reads and hold more.
  nextBatchSync(): EngineBatch | null {
    while (!this.inputDone && this.queue.isEmpty) this.feed(this.bytes.readSync())
    return this.take()
  }

  async nextBatch(): Promise<EngineBatch | null> {
    while (!this.inputDone && this.queue.isEmpty) this.feed(await this.bytes.read())
    return this.take()
  }

  close(): void {
    this.inputDone = true
    this.bytes.close()
  }

  private feed(chunk: Uint8Array | null): void {
    if (chunk === null) {
      this.inputDone = true
      this.parser.end()
    } else {
      this.parser.push(chunk)
    }
  }

  private take(): EngineBatch | null {
    return this.queue.isEmpty ? null : this.queue.take(this.request.batchSize)
  }
}
