import type { Readable } from 'node:stream'
import { type Inflater, makeInflater } from '../engine/ts/inflater'
import { ParsedQueue } from '../engine/ts/parsed-queue'
import { parserFor } from '../engine/ts/parsers'
import type { Compression, ParseOptions } from '../engine/types'
import { RingstreamError } from '../errors'
import { type BatchCursor, NO_FAULTS, type SourceBatch } from './batch-cursor'
import { type DataSource, isAsyncIterable, isDataSource, isIterable, isReadable } from './data-source'

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>

/**
 * Reads a user's source: a `DataSource`, an iterable or async iterable of records, or a Node
 * `Readable`. Async iterables of records are handed on one record at a time, so a live feed's
 * records reach the chain as they arrive instead of waiting for a batch to fill. Bytes — a byte
 * `Readable`, or the chunks of any iterable given with a format (`parse`) — are parsed by the TS
 * engine's parsers, decompressed first when `compression` says so.
 */
export class CustomCursor implements BatchCursor {
  readonly bytesRead = null
  readonly totalBytes = null
  readonly path = null
  private syncIterator: Iterator<unknown> | null = null
  private asyncIterator: AsyncIterator<unknown> | null = null
  private closed = false
  private ended = false

  constructor(
    private readonly source: DataSource | Iterable<unknown> | AsyncIterable<unknown> | Readable,
    private readonly parse: ParseOptions | null,
    private readonly batchSize: number,
    private readonly compression: Compression = 'none',
  ) {}

  nextSync(): SourceBatch | null {
    if (this.closed || this.ended) return null
    if (this.syncIterator === null) this.syncIterator = this.openSync()
    if (this.parse !== null) return this.nextParsedSync(this.syncIterator)
    if (isDataSource(this.source)) return this.fromBatchSync(this.syncIterator.next())
    const records: unknown[] = []
    while (records.length < this.batchSize) {
      const step = this.syncIterator.next()
      if (step.done) {
        this.ended = true
        break
      }
      records.push(step.value)
    }
    return records.length === 0 ? null : recordsBatch(records)
  }

  async next(): Promise<SourceBatch | null> {
    if (this.closed || this.ended) return null
    if (this.parse !== null) return this.nextParsed()
    if (this.asyncIterator === null && this.syncIterator === null) this.openAsync()
    if (this.syncIterator !== null) return this.nextSync()
    const step = await (this.asyncIterator as AsyncIterator<unknown>).next()
    if (isDataSource(this.source)) return this.fromBatchSync(step)
    if (step.done) {
      this.ended = true
      return null
    }
    return recordsBatch([step.value])
  }

  close(): void {
    if (this.closed) return
    this.closed = true
    const iterator: AnyIterator | null = this.syncIterator ?? this.asyncIterator
    try {
      const done = iterator?.return?.()
      if (done && typeof (done as Promise<unknown>).then === 'function') (done as Promise<unknown>).then(undefined, () => undefined)
    } catch {
      // The source's own cleanup failing must not hide why the iteration ended.
    }
    if (isReadable(this.source) && !this.source.destroyed) this.source.destroy()
  }

  private openSync(): Iterator<unknown> {
    const iterable = isDataSource(this.source) ? this.source.readBatches(this.batchSize) : this.source
    if (isIterable(iterable) && !isReadable(iterable)) return iterable[Symbol.iterator]()
    throw new RingstreamError('ERR_ASYNC_IN_SYNC', 'this source is asynchronous (an async iterable or a Readable), so for…of cannot read it', {
      hint: 'iterate with for await…of, or use the async terminals (toArray, forEach, …)',
    })
  }

  private openAsync(): void {
    const iterable = isDataSource(this.source) ? this.source.readBatches(this.batchSize) : this.source
    if (isAsyncIterable(iterable)) this.asyncIterator = iterable[Symbol.asyncIterator]()
    else if (isIterable(iterable)) this.syncIterator = iterable[Symbol.iterator]()
    else throw new TypeError('readBatches(batchSize) must return an iterable or an async iterable of record arrays')
  }

  private fromBatchSync(step: IteratorResult<unknown>): SourceBatch | null {
    if (step.done) {
      this.ended = true
      return null
    }
    if (!Array.isArray(step.value)) {
      throw new TypeError(`readBatches(batchSize) must yield arrays of records, got ${step.value === null ? 'null' : typeof step.value}`)
    }
    // The iteration empties the batch's array as it yields records; the user's array stays theirs.
    return recordsBatch(step.value.slice())
  }

  private queue: ParsedQueue | null = null
  private parser: { push(chunk: Uint8Array): void; end(): void } | null = null
  /** Decompresses the chunks, when they are compressed. */
  private inflater: Inflater | null = null
  /** The source has no more chunks. */
  private bytesEnded = false
  /** Every byte has reached the parser, and the parser has ended. */
  private inputEnded = false
  /** Chunks taken from the source, for the error about one that is not bytes. */
  private chunkIndex = 0

  /** Chunks of bytes from a synchronous iterable, parsed with the TS engine's parsers. */
  private nextParsedSync(chunks: Iterator<unknown>): SourceBatch | null {
    const queue = this.startParsing()
    while (queue.isEmpty && !this.inputEnded) {
      if (!this.feedBuffered()) this.acceptChunk(chunks.next())
    }
    return this.takeParsed(queue)
  }

  /** Chunks of bytes from a byte Readable or any iterable, parsed with the TS engine's parsers. */
  private async nextParsed(): Promise<SourceBatch | null> {
    const queue = this.startParsing()
    if (this.asyncIterator === null && this.syncIterator === null) this.openAsync()
    const sync = this.syncIterator
    const async = this.asyncIterator as AsyncIterator<unknown>
    // Hand out what one chunk produced rather than waiting for a full batch: a byte stream may
    // be a live feed (`tail -f … | ringstream cat -`), whose records must not wait. A compressed
    // chunk is parsed a decompressed piece (at most 64 KiB) at a time for the same reason, and
    // so that a chunk that inflates a thousandfold is never held whole.
    while (queue.isEmpty && !this.inputEnded) {
      if (!this.feedBuffered()) this.acceptChunk(sync === null ? await async.next() : sync.next())
    }
    return this.takeParsed(queue)
  }

  private startParsing(): ParsedQueue {
    if (this.queue === null) {
      const parse = this.parse as ParseOptions
      this.queue = new ParsedQueue()
      this.parser = parserFor(parse.format)(parse, this.queue)
      this.inflater = this.compression === 'none' ? null : makeInflater(this.compression, null)
    }
    return this.queue
  }

  private takeParsed(queue: ParsedQueue): SourceBatch | null {
    if (queue.isEmpty) {
      this.ended = true
      return null
    }
    const parse = this.parse as ParseOptions
    return { ...queue.take(this.batchSize), path: null, format: parse.format, parse }
  }

  /**
   * Hands the parser what needs no new chunk: a decompressed piece, or the end once the chunks
   * have ended. `false` when the next chunk is needed.
   */
  private feedBuffered(): boolean {
    const parser = this.parser as NonNullable<typeof this.parser>
    const inflater = this.inflater
    if (inflater?.hasOutput()) {
      parser.push(inflater.take())
      return true
    }
    if (!this.bytesEnded) return false
    this.inputEnded = true
    parser.end()
    return true
  }

  private acceptChunk(step: IteratorResult<unknown>): void {
    if (step.done) {
      this.bytesEnded = true
      // A stream cut inside a compressed frame is an error here; what the end still flushes comes out next.
      this.inflater?.finish()
      return
    }
    const chunk = this.bytesOf(step.value)
    this.chunkIndex++
    if (this.inflater === null) (this.parser as NonNullable<typeof this.parser>).push(chunk)
    else this.inflater.push(chunk)
  }

  private bytesOf(item: unknown): Uint8Array {
    if (typeof item === 'string') return Buffer.from(item)
    if (item instanceof Uint8Array) return item
    const format = (this.parse as ParseOptions).format
    const what = item === null ? 'null' : Array.isArray(item) ? 'an array' : typeof item === 'object' ? 'an object' : `a ${typeof item}`
    throw new RingstreamError('ERR_INVALID_ARGUMENT', `with { format: '${format}' } the source's items are chunks of bytes to parse, and item ${this.chunkIndex} is ${what}`, {
      hint: 'yield strings or Uint8Arrays (Buffers), or drop options.format to take the items as records',
    })
  }
}

function recordsBatch(records: unknown[]): SourceBatch {
  return { records, lines: null, byteOffsets: null, first: 0, faults: NO_FAULTS, path: null, format: null, parse: null }
}
