import type { Readable } from 'node:stream'
import { type Format, type StreamOptions, validateOptions } from './options'
import type { ByteChunks, DataSource, SourceFactory } from './sources/data-source'
import { validateSource } from './sources/resolve-source'
import { Stream } from './stream'

/** A record read from a JSON Lines, JSON or CSV (with header) file. */
export type DataRecord = Record<string, unknown>

/**
 * Describes a stream of records; reads nothing until it is iterated. The source and every option
 * are checked here, at the call; a missing file is reported when iteration begins.
 *
 * @example
 * for (const row of stream('events.jsonl')) handle(row)
 * for await (const row of stream('events.csv', { types: 'infer' })) await save(row)
 * const names = await stream('users.csv').select('name').limit(5).toArray()
 * for await (const row of stream((await fetch(url)).body!, { format: 'csv' })) handle(row)
 */
export function stream<T = DataRecord>(source: string | readonly string[], options: StreamOptions & { header: false }): Stream<T extends DataRecord ? string[] : T>
export function stream<T = DataRecord>(source: string | readonly string[], options?: StreamOptions): Stream<T>
export function stream<T = DataRecord>(source: ByteChunks, options: StreamOptions & { format: Format; header: false }): Stream<T extends DataRecord ? string[] : T>
export function stream<T = DataRecord>(source: ByteChunks, options: StreamOptions & { format: Format }): Stream<T>
export function stream<T>(source: DataSource<T> | Iterable<T> | AsyncIterable<T> | SourceFactory<T>, options?: StreamOptions): Stream<T>
export function stream<T = DataRecord>(source: Readable, options?: StreamOptions): Stream<T>
export function stream(source: unknown, options?: StreamOptions): Stream<unknown> {
  const checked = validateOptions(options)
  validateSource(source, checked)
  return new Stream(source as never, checked, [])
}

export { Stream }
export type { StreamOptions, ErrorPolicy, ErrorHandler, Format, Compression } from './options'
export type { Metadata } from './metadata'
export type { Progress } from './progress'
export type { ByteChunks, DataSource, SourceFactory, Source } from './sources/data-source'
export type { IterationStats } from './pipeline/iteration'
export type { StreamIterator, AsyncStreamIterator } from './pipeline/iterators'
export { RingstreamError, ItemError, TooManyErrorsError } from './errors'
export type { ErrorCode, ErrorKind, ItemErrorDetails } from './errors'
