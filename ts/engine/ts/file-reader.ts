import type { EngineBatch, FileBatchReader, FileReadRequest } from '../types'
import { ByteSource } from './byte-source'
import type { FormatParser } from './format-parser'
import { ParsedQueue } from './parsed-queue'
import { parserFor } from './parsers'

/**
 * Bytes of a read parsed at a time (ending at a line break where one is near): a read is parsed
 * a slice at a time as the iteration reaches it, so that what is alive when a young-generation
 * collection runs is one slice's records, not one read's (DESIGN.md, "Records built by the
 * chunk").
 */
export const PARSE_SLICE_BYTES = 16384

const LF = 10

/**
 * The TS engine's reader of one file: fixed-size reads into one reused buffer, parsed a slice at
 * a time, handed out at most `batchSize` records at a time. Memory: the read buffer, the parser's
 * carry-over (one partial record, at most `maxRecordBytes`) and the records of one slice.
 */
export class TsFileReader implements FileBatchReader {
  private readonly bytes: ByteSource
  private readonly queue = new ParsedQueue()
  private readonly parser: FormatParser
  private inputDone = false
  /** The read being parsed, and where its next slice starts; the next read reuses its buffer. */
  private chunk: Uint8Array | null = null
  private chunkPos = 0

  constructor(private readonly request: FileReadRequest) {
    this.bytes = new ByteSource(request.path, request.compression, request.bufferSize)
    this.parser = parserFor(request.format)(request, this.queue)
  }

  get bytesRead(): number {
    return this.bytes.bytesRead
  }

  // A batch is handed out as soon as one slice has produced records, even short of `batchSize`:
  // waiting for a full batch would delay the first records by several slices and hold more.
  nextBatchSync(): EngineBatch | null {
    while (!this.inputDone && this.queue.isEmpty) {
      if (this.chunk !== null) this.parseSlice(this.chunk)
      else this.feed(this.bytes.readSync())
    }
    return this.take()
  }

  async nextBatch(): Promise<EngineBatch | null> {
    while (!this.inputDone && this.queue.isEmpty) {
      if (this.chunk !== null) this.parseSlice(this.chunk)
      else this.feed(await this.bytes.read())
    }
    return this.take()
  }

  close(): void {
    this.inputDone = true
    this.chunk = null
    this.bytes.close()
  }

  private feed(chunk: Uint8Array | null): void {
    if (chunk === null) {
      this.inputDone = true
      this.parser.end()
    } else {
      this.chunk = chunk
      this.chunkPos = 0
    }
  }

  /** Parses the next slice of `chunk`: up to `PARSE_SLICE_BYTES`, cut after a line break where there is one. */
  private parseSlice(chunk: Uint8Array): void {
    const start = this.chunkPos
    let end = chunk.length
    if (end - start > PARSE_SLICE_BYTES) {
      const lineEnd = chunk.lastIndexOf(LF, start + PARSE_SLICE_BYTES - 1)
      end = lineEnd >= start ? lineEnd + 1 : start + PARSE_SLICE_BYTES
    }
    this.chunkPos = end
    if (end === chunk.length) this.chunk = null
    this.parser.push(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end))
  }

  private take(): EngineBatch | null {
    return this.queue.isEmpty ? null : this.queue.take(this.request.batchSize)
  }
}
