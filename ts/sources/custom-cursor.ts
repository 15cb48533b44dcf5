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
 * records reach the chain as they arrive instead of waiting for a batch to fill. A byte
 * `Readable` is parsed by the TS engine's parsers, decompressed first when `compression` says so.
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
  /** Decompresses a byte Readable's chunks, when it is compressed. */
  private inflater: Inflater | null = null
  /** The Readable has no more chunks. */
  private bytesEnded = false
  /** Every byte has reached the parser, and the parser has ended. */
  private inputEnded = false

  /** A byte Readable parsed with the TS engine's parsers. */
  private async nextParsed(): Promise<SourceBatch | null> {
    const parse = this.parse as ParseOptions
    if (this.queue === null) {
      this.queue = new ParsedQueue()
      this.parser = parserFor(parse.format)(parse, this.queue)
      this.inflater = this.compression === 'none' ? null : makeInflater(this.compression, null)
      this.asyncIterator = (this.source as Readable)[Symbol.asyncIterator]()
    }
    const queue = this.queue
    // Hand out what one chunk produced rather than waiting for a full batch: a byte stream may
    // be a live feed (`tail -f … | ringstream cat -`), whose records must not wait. A compressed
    // chunk is parsed a decompressed piece (at most 64 KiB) at a time for the same reason, and
    // so that a chunk that inflates a thousandfold is never held whole.
    while (queue.isEmpty && !this.inputEnded) await this.feedParser()
    if (queue.isEmpty) {
      this.ended = true
      return null
    }
    const batch = queue.take(this.batchSize)
    return { ...batch, path: null, format: parse.format, parse }
  }

  /** Hands the parser its next bytes: a decompressed piece, a chunk, or the end. */
  private async feedParser(): Promise<void> {
    const parser = this.parser as NonNullable<typeof this.parser>
    const inflater = this.inflater
    if (inflater?.hasOutput()) {
      parser.push(inflater.take())
      return
    }
    if (this.bytesEnded) {
      this.inputEnded = true
      parser.end()
      return
    }
    const step = await (this.asyncIterator as AsyncIterator<unknown>).next()
    if (step.done) {
      this.bytesEnded = true
      // A stream cut inside a compressed frame is an error here; what the end still flushes comes out next.
      inflater?.finish()
      return
    }
    const chunk = typeof step.value === 'string' ? Buffer.from(step.value) : (step.value as Uint8Array)
    if (inflater === null) parser.push(chunk)
    else inflater.push(chunk)
  }
}

function recordsBatch(records: unknown[]): SourceBatch {
  return { records, lines: null, byteOffsets: null, first: 0, faults: NO_FAULTS, path: null, format: null, parse: null }
}
