import type { Readable } from 'node:stream'
import { ParsedQueue } from '../engine/ts/parsed-queue'
import { parserFor } from '../engine/ts/parsers'
import type { ParseOptions } from '../engine/types'
import { RingstreamError } from '../errors'
import { type BatchCursor, NO_FAULTS, type SourceBatch } from './batch-cursor'
import { type DataSource, isAsyncIterable, isDataSource, isIterable, isReadable } from './data-source'

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>

/**
 * Reads a user's source: a `DataSource`, an iterable or async iterable of records, or a Node
 * `Readable`. Async iterables of records are handed on one record at a time, so a live feed's
 * records reach the chain as they arrive instead of waiting for a batch to fill.
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

  /** A byte Readable parsed with the TS engine's parsers. */
  private async nextParsed(): Promise<SourceBatch | null> {
    const parse = this.parse as ParseOptions
    if (this.queue === null) {
      this.queue = new ParsedQueue()
      this.parser = parserFor(parse.format)(parse, this.queue)
      this.asyncIterator = (this.source as Readable)[Symbol.asyncIterator]()
    }
    const queue = this.queue
    // Hand out what one chunk produced rather than waiting for a full batch: a byte stream may
    // be a live feed (`tail -f … | ringstream cat -`), whose records must not wait.
    while (queue.isEmpty && !this.inputEnded) {
      const step = await (this.asyncIterator as AsyncIterator<unknown>).next()
      if (step.done) {
        this.inputEnded = true
        this.parser?.end()
      } else {
        const chunk = step.value
        this.parser?.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Uint8Array))
      }
    }
    if (queue.isEmpty) {
      this.ended = true
      return null
    }
    const batch = queue.take(this.batchSize)
    return { ...batch, path: null, format: parse.format, parse }
  }

  private parser: { push(chunk: Uint8Array): void; end(): void } | null = null
  private inputEnded = false
}

function recordsBatch(records: unknown[]): SourceBatch {
  return { records, lines: null, byteOffsets: null, first: 0, faults: NO_FAULTS, path: null, format: null, parse: null }
}
