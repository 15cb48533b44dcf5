import type { Readable } from 'node:stream'
import type { Metadata } from '../metadata'

/**
 * The data-source protocol: anything with `readBatches(batchSize)` is a source. It returns an
 * iterable (read by `for…of` and `for await…of`) or an async iterable (`for await…of` only) of
 * record arrays. ringstream's own file sources follow the same protocol, so a user's source and
 * a built-in one are interchangeable.
 *
 * @example
 * const numbers: DataSource<{ n: number }> = {
 *   *readBatches(size) {
 *     for (let i = 0; i < 10_000; i += size) yield Array.from({ length: Math.min(size, 10_000 - i) }, (_, k) => ({ n: i + k }))
 *   },
 * }
 * for (const row of stream(numbers).limit(3)) console.log(row.n)
 */
export interface DataSource<T = unknown> {
  /** Yields batches of about `batchSize` records (the last may be shorter, any may be empty). */
  readBatches(batchSize: number): Iterable<readonly T[]> | AsyncIterable<readonly T[]>
  /** Optional facts about the source; `stream(src).metadata()` fills in the rest. */
  metadata?(): Partial<Metadata> | Promise<Partial<Metadata>>
}

/**
 * Bytes to parse as `options.format`, a chunk at a time: a `fetch()` body (a web `ReadableStream`),
 * `process.stdin`, a generator of strings — or a function returning one, called per iteration.
 * Strings are UTF-8 encoded; a chunk may end anywhere, even inside a character.
 */
export type ByteChunks =
  | Iterable<string | Uint8Array>
  | AsyncIterable<string | Uint8Array>
  | Readable
  | (() => Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array> | Readable)

/** A source that can be built again for every iteration. */
export type SourceFactory<T> = () => Iterable<T> | AsyncIterable<T> | DataSource<T> | Readable

/**
 * What `stream()` reads:
 * - a path to a file or a folder (its data files in name order), or an array of paths;
 * - a dataset name looked up in the catalog (`options.catalog`, `RINGSTREAM_DATA`, `./datasets`);
 * - a {@link DataSource}, any iterable or async iterable of records, or a Node `Readable` in
 *   object mode;
 * - bytes together with `options.format` ({@link ByteChunks}): a byte `Readable`, or any
 *   iterable or async iterable whose items are strings or `Uint8Array`s;
 * - a function returning one of those, called once per iteration — the way to make a one-shot
 *   source such as a generator re-iterable.
 */
export type Source<T = unknown> = string | readonly string[] | DataSource<T> | Iterable<T> | AsyncIterable<T> | Readable | SourceFactory<T>

export function isDataSource(value: unknown): value is DataSource {
  return value !== null && typeof value === 'object' && typeof (value as DataSource).readBatches === 'function'
}

export function isReadable(value: unknown): value is Readable {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Readable).pipe === 'function' &&
    typeof (value as Readable).read === 'function' &&
    typeof (value as Readable).readableObjectMode === 'boolean'
  )
}

export function isIterable(value: unknown): value is Iterable<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as Iterable<unknown>)[Symbol.iterator] === 'function'
}

export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function'
}
