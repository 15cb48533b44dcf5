import type { Readable } from 'node:stream'
import type { ChunkParser, Compression, Engine, EngineBatch, ParseOptions } from '../engine/types'
import { RingstreamError } from '../errors'
import { type BatchCursor, NO_FAULTS, type SourceBatch } from './batch-cursor'
import { type DataSource, isAsyncIterable, isDataSource, isIterable, isReadable } from './data-source'
import { refuseSignature, SIGNATURE_BYTES } from './file-signature'
import { OneColumnCheck } from './one-column-check'

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>

/**
 * Reads a user's source: a `DataSource`, an iterable or async iterable of records, or a Node
 * `Readable`. Async iterables of records are handed on one record at a time, so a live feed's
 * records reach the chain as they arrive instead of waiting for a batch to fill. Bytes — a byte
 * `Readable`, or the chunks of any iterable given with a format (`parse`) — are parsed by the
 * engine's chunk parser, decompressed first when `compression` says so, and what each chunk
 * completes is handed on at once.
 */
export class CustomCursor implements BatchCursor {
  readonly bytesRead = null
  readonly totalBytes = null
  readonly path = null
  private syncIterator: Iterator<unknown> | null = null
  private asyncIterator: AsyncIterator<unknown> | null = null
  private closed = false
  private ended = false
  /** The source's first bytes, for `refuseSignature`. */
  private head: Uint8Array = new Uint8Array(0)
  /** The first records parsed from bytes, while they may say they were read as one column. */
  private oneColumn: OneColumnCheck | null = null

  constructor(
    private readonly source: DataSource | Iterable<unknown> | AsyncIterable<unknown> | Readable,
    private readonly parse: ParseOptions | null,
    private readonly batchSize: number,
    private readonly compression: Compression,
    /**
     * Which options were left to their defaults: `compression` (bytes that start compressed are
     * then refused, `file-signature.ts`) and `delimiter` (a CSV that comes out as one column is
     * then looked at, `one-column-check.ts`).
     */
    private readonly defaulted: { compression: boolean; delimiter: boolean },
    /** The engine whose chunk parser parses the items, when they are bytes (`parse` is set). */
    private readonly engine: Engine | null,
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

  close(done = true): void {
    this.chunkParser?.close(done)
    if (this.closed) return
    this.closed = true
    const iterator: AnyIterator | null = this.syncIterator ?? this.asyncIterator
    try {
      const returned = iterator?.return?.()
      if (returned && typeof (returned as Promise<unknown>).then === 'function') (returned as Promise<unknown>).then(undefined, () => undefined)
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

  /** Parses the chunks, when the items are bytes; opened at the first batch asked for. */
  private chunkParser: ChunkParser | null = null
  /** Chunks taken from the source, for the error about one that is not bytes. */
  private chunkIndex = 0
  /** The source has no more chunks (the parser was told). */
  private chunksEnded = false
  /** An async source's next chunk, asked for while the parser was busy and not taken yet. */
  private pendingChunk: Promise<Pulled> | null = null
  /**
   * Why the source gave no more chunks, found while reading ahead: thrown once the parser has
   * handed on every record of the chunks before, as it would have been without reading ahead.
   */
  private sourceFailure: { error: unknown } | null = null

  /** Chunks of bytes from a synchronous iterable. */
  private nextParsedSync(chunks: Iterator<unknown>): SourceBatch | null {
    const parser = this.openParser()
    for (;;) {
      while (parser.wantsInput && this.readsOn) this.readAhead(parser, () => chunks.next())
      const batch = parser.next()
      if (batch !== null) return this.parsedBatch(batch)
      if (!parser.awaitsInput) return this.end()
      this.throwSourceFailure()
      this.accept(parser, this.chunksEnded ? DONE : chunks.next())
    }
  }

  /**
   * Chunks of bytes from a byte Readable or any iterable, sync or async. A batch ready is handed
   * on first; while a parser thread works, the next chunk is asked for if it wants one, and
   * whichever comes first — that chunk or a batch — is taken, so that a live source that goes
   * quiet never holds back records already parsed.
   */
  private async nextParsed(): Promise<SourceBatch | null> {
    const parser = this.openParser()
    if (this.asyncIterator === null && this.syncIterator === null) this.openAsync()
    const sync = this.syncIterator
    const async = this.asyncIterator as AsyncIterator<unknown>
    for (;;) {
      if (sync !== null) while (parser.wantsInput && this.readsOn) this.readAhead(parser, () => sync.next())
      if (parser.ready()) {
        const batch = parser.next()
        if (batch !== null) return this.parsedBatch(batch)
        if (!parser.awaitsInput) return this.end()
        this.throwSourceFailure()
        this.accept(parser, this.chunksEnded ? DONE : sync !== null ? sync.next() : unwrap(await this.takeChunk(async)))
      } else if (sync === null && parser.wantsInput && this.readsOn) {
        const chunkFirst = await Promise.race([this.askChunk(async).then(() => true), parser.whenReady().then(() => false)])
        if (chunkFirst) {
          const taken = await this.takeChunk(async)
          this.readAhead(parser, () => unwrap(taken))
        }
      } else {
        await parser.whenReady()
      }
    }
  }

  /** Whether chunks may be read ahead: the source has neither ended nor failed. */
  private get readsOn(): boolean {
    return !this.chunksEnded && this.sourceFailure === null
  }

  /** Hands the parser the next chunk, keeping a failure to get it for later (`sourceFailure`). */
  private readAhead(parser: ChunkParser, pull: () => IteratorResult<unknown>): void {
    try {
      this.accept(parser, pull())
    } catch (error) {
      this.sourceFailure = { error }
    }
  }

  /** Throws the failure found while reading ahead, if any: the parser has used up the chunks before it. */
  private throwSourceFailure(): void {
    if (this.sourceFailure !== null) throw this.sourceFailure.error
  }

  private askChunk(chunks: AsyncIterator<unknown>): Promise<Pulled> {
    this.pendingChunk ??= chunks.next().then(
      (step) => ({ step }),
      (error: unknown) => ({ error }),
    )
    return this.pendingChunk
  }

  private async takeChunk(chunks: AsyncIterator<unknown>): Promise<Pulled> {
    const pulled = await this.askChunk(chunks)
    this.pendingChunk = null
    return pulled
  }

  private openParser(): ChunkParser {
    if (this.chunkParser === null) {
      const parse = this.parse as ParseOptions
      this.chunkParser = (this.engine as Engine).openChunks({ ...parse, compression: this.compression, batchSize: this.batchSize })
    }
    return this.chunkParser
  }

  private parsedBatch(batch: EngineBatch): SourceBatch {
    const parse = this.parse as ParseOptions
    if (this.compression === 'none') refuseSignature(batch.faults, null, this.defaulted.compression, false, () => this.head)
    if (this.defaulted.delimiter) {
      this.oneColumn ??= new OneColumnCheck(parse, 'the source')
      this.oneColumn.look(batch.records)
    }
    return { records: batch.records, lines: batch.lines, byteOffsets: batch.byteOffsets, first: batch.first, faults: batch.faults, path: null, format: parse.format, parse }
  }

  private end(): null {
    this.ended = true
    return null
  }

  /** Hands the parser the source's next chunk, or the end; a parser that has ended asks for neither. */
  private accept(parser: ChunkParser, step: IteratorResult<unknown>): void {
    if (step.done) {
      this.chunksEnded = true
      parser.end()
      return
    }
    const chunk = this.bytesOf(step.value)
    if (this.head.length < SIGNATURE_BYTES && chunk.length > 0) this.head = Buffer.concat([this.head, chunk.subarray(0, SIGNATURE_BYTES - this.head.length)])
    this.chunkIndex++
    parser.push(chunk)
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

const DONE: IteratorResult<unknown> = { done: true, value: undefined }

/** An async source's answer to `next()`: its step, or why it failed. */
type Pulled = { step: IteratorResult<unknown> } | { error: unknown }

function unwrap(pulled: Pulled): IteratorResult<unknown> {
  if ('error' in pulled) throw pulled.error
  return pulled.step
}

function recordsBatch(records: unknown[]): SourceBatch {
  return { records, lines: null, byteOffsets: null, first: 0, faults: NO_FAULTS, path: null, format: null, parse: null }
}
