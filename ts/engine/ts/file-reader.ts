import type { EngineBatch, FileBatchReader, FileReadRequest } from '../types'
import { ByteSource } from './byte-source'
import type { FormatParser } from './format-parser'
import { ParsedQueue } from './parsed-queue'
import { parserFor } from './parsers'

/**
 * Bytes of a read parsed at a time at most (ending at a line break where one is near): a read is
 * parsed a slice at a time as the iteration reaches it, so that what is alive when a
 * young-generation collection runs is one slice's records, not one read's (DESIGN.md, "Records
 * built by the chunk").
 */
export const PARSE_SLICE_BYTES = 16384

/**
 * A slice holds about this many records once the file's records so far say how long they are,
 * within `MIN_PARSE_SLICE_BYTES` and `PARSE_SLICE_BYTES`: files of short records (narrow CSV)
 * get short slices, which keep fewer records alive at once and were faster too; long records
 * keep 16 KiB slices, below which the per-slice work cost wide CSV up to a quarter of its speed.
 */
const RECORDS_PER_SLICE = 128
export const MIN_PARSE_SLICE_BYTES = 4096

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
  /** Bytes parsed and records they gave so far, for the slice size. */
  private parsedBytes = 0
  private parsedRecords = 0
  private sliceBytes = PARSE_SLICE_BYTES

  constructor(private readonly request: FileReadRequest) {
    this.bytes = new ByteSource(request.path, request.compression, request.bufferSize)
    this.parser = parserFor(request.format)(request, this.queue, request.countOnly)
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

  nextBatch(): EngineBatch | null | Promise<EngineBatch | null> {
    while (!this.inputDone && this.queue.isEmpty) {
      if (this.chunk === null) return this.nextAfterRead()
      this.parseSlice(this.chunk)
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
    this.chunk = null
    this.bytes.close()
    this.parser.release?.()
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

  /** Parses the next slice of `chunk`: up to `sliceBytes`, cut after a line break where there is one. */
  private parseSlice(chunk: Uint8Array): void {
    const start = this.chunkPos
    const sliceBytes = this.sliceBytes
    let end = chunk.length
    if (end - start > sliceBytes) {
      const lineEnd = chunk.lastIndexOf(LF, start + sliceBytes - 1)
      end = lineEnd >= start ? lineEnd + 1 : start + sliceBytes
    }
    this.chunkPos = end
    if (end === chunk.length) this.chunk = null
    const queued = this.queue.size
    this.parser.push(start === 0 && end === chunk.length ? chunk : chunk.subarray(start, end))
    this.resizeSlices(end - start, this.queue.size - queued)
  }

  /** Sizes the next slices to hold about `RECORDS_PER_SLICE` records of the average length so far. */
  private resizeSlices(bytes: number, records: number): void {
    this.parsedBytes += bytes
    this.parsedRecords += records
    if (this.parsedRecords === 0) return
    const wanted = (RECORDS_PER_SLICE * this.parsedBytes) / this.parsedRecords
    this.sliceBytes = Math.round(Math.min(PARSE_SLICE_BYTES, Math.max(MIN_PARSE_SLICE_BYTES, wanted)))
  }

  private take(): EngineBatch | null {
    return this.queue.isEmpty ? null : this.queue.take(this.request.batchSize)
  }
}
