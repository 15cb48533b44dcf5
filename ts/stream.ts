import { selectEngine } from './engine/select-engine'
import type { Engine } from './engine/types'
import { batchStage } from './operators/batch'
import { filterStage } from './operators/filter'
import { flatMapStage } from './operators/flat-map'
import { limitStage } from './operators/limit'
import { selectStage } from './operators/select'
import { skipStage } from './operators/skip'
import type { Stage } from './operators/stage'
import { tapStage } from './operators/tap'
import { transformStage } from './operators/transform'
import { DEFAULT_BUFFER_SIZE, DEFAULT_PROGRESS_INTERVAL_MS, type StreamOptions } from './options'
import { Iteration } from './pipeline/iteration'
import { AsyncStreamIterator, StreamIterator } from './pipeline/iterators'
import { isThenable } from './pipeline/thenable'
import { type Metadata, DEFAULT_BATCH_SIZE, headRecordBytes, memoryEstimateMb, recommendedBatchSize, sampleHead } from './metadata'
import type { BatchCursor } from './sources/batch-cursor'
import { CustomCursor } from './sources/custom-cursor'
import { isDataSource, type Source } from './sources/data-source'
import { FileCursor } from './sources/file-cursor'
import { storedSizeRatio } from './sources/compression-ratio'
import { type PlannedFile, resolveSource, totalSize } from './sources/resolve-source'
import { validateFunction } from './validate'

/**
 * A lazy, immutable, re-iterable description of records: a source and a chain of stages. Every
 * chain method returns a new `Stream` and reads nothing; iteration (`for…of`, `for await…of`) or
 * a terminal (`toArray`, `forEach`, `count`, `reduce`, `first`) starts a fresh pass over the
 * source with fresh stage state, so a stream can be iterated any number of times, even by two
 * loops at once.
 *
 * @example
 * const errors = stream('logs/')                       // every data file of the folder, in name order
 *   .filter((r) => r.level === 'error')
 *   .transform((r) => ({ at: r.ts, msg: r.msg }))
 *   .limit(100)
 * for (const e of errors) console.log(e.at, e.msg)
 */
export class Stream<T> implements Iterable<T>, AsyncIterable<T> {
  readonly #source: Source<unknown>
  readonly #options: StreamOptions
  readonly #stages: readonly Stage[]

  /** @internal Use {@link stream}. */
  constructor(source: Source<unknown>, options: StreamOptions, stages: readonly Stage[]) {
    this.#source = source
    this.#options = options
    this.#stages = Object.freeze([...stages])
  }

  /**
   * Keeps the items for which `predicate` returns a truthy value (or a promise of one, awaited in
   * `for await`). `index` counts the items this stage has seen, from 0.
   *
   * @example stream('users.csv').filter((u) => u.country === 'NL')
   */
  filter<S extends T>(predicate: (item: T, index: number) => item is S): Stream<S>
  filter(predicate: (item: T, index: number) => unknown): Stream<T>
  filter(predicate: (item: T, index: number) => unknown): Stream<T> {
    return this.#with(filterStage(predicate))
  }

  /**
   * Replaces each item with what `fn` returns; a promise is awaited in `for await` and is an
   * error in `for…of`.
   *
   * @example stream('events.jsonl').transform((e) => ({ ...e, day: String(e.ts).slice(0, 10) }))
   */
  transform<U>(fn: (item: T, index: number) => U): Stream<Awaited<U>> {
    return this.#with(transformStage(fn))
  }

  /** Alias of {@link Stream.transform}. */
  map<U>(fn: (item: T, index: number) => U): Stream<Awaited<U>> {
    return this.#with(transformStage(fn, 'map'))
  }

  /**
   * Replaces each item with the items of the iterable `fn` returns — none, one or many.
   *
   * @example stream('orders.jsonl').flatMap((o) => o.lines)
   */
  flatMap<U>(fn: (item: T, index: number) => Iterable<U> | Promise<Iterable<U>>): Stream<U> {
    return this.#with(flatMapStage(fn))
  }

  /**
   * Ends the stream after `n` items; the source is closed as soon as the n-th item is through.
   *
   * @example const head = await stream('big.jsonl').limit(10).toArray()
   */
  limit(n: number): Stream<T> {
    return this.#with(limitStage(n))
  }

  /** Alias of {@link Stream.limit}. */
  take(n: number): Stream<T> {
    return this.#with(limitStage(n, 'take'))
  }

  /** Drops the first `n` items. */
  skip(n: number): Stream<T> {
    return this.#with(skipStage(n))
  }

  /**
   * Groups items into arrays of `size`; the last may be shorter. Only one batch is held.
   *
   * @example for (const rows of stream('big.csv').batch(32)) trainStep(rows)
   */
  batch(size: number): Stream<T[]> {
    return this.#with(batchStage(size))
  }

  /**
   * Keeps only the named fields of each record, in the order given; fields a record lacks are
   * left out. A record that is not an object is a processing error.
   *
   * @example stream('users.csv').select('id', 'email')
   */
  select<K extends keyof T & string>(...fields: K[]): Stream<Pick<T, K>>
  select<K extends keyof T & string>(fields: readonly K[]): Stream<Pick<T, K>>
  select(...fields: unknown[]): Stream<unknown> {
    return this.#with(selectStage(fields))
  }

  /**
   * Calls `fn` for its side effect and passes each item on unchanged.
   *
   * @example stream('a.jsonl').tap((r, i) => { if (i % 100_000 === 0) console.log(i) })
   */
  tap(fn: (item: T, index: number) => unknown): Stream<T> {
    return this.#with(tapStage(fn))
  }

  /** Iterates synchronously; needs a synchronous source and synchronous callbacks. */
  [Symbol.iterator](): StreamIterator<T> {
    return new StreamIterator<T>(this.#iteration(false, this.#stages))
  }

  /** Iterates asynchronously; works with every source and awaits async callbacks. */
  [Symbol.asyncIterator](): AsyncStreamIterator<T> {
    return new AsyncStreamIterator<T>(this.#iteration(true, this.#stages))
  }

  /**
   * Gathers every item into an array — the one place memory grows with the data; use `limit`
   * first on large inputs.
   *
   * @example const sample = await stream('big.jsonl').limit(100).toArray()
   */
  async toArray(): Promise<T[]> {
    const items: T[] = []
    await this.#drain(this.#stages, true, (item) => void items.push(item))
    return items
  }

  /**
   * Calls `fn` for every item, awaiting it when it returns a promise. `fn` runs as the chain's
   * last stage, named `'forEach'`, so what it throws is an item error handled by `onError`.
   *
   * @example await stream('raw.jsonl', { onError: (e) => log(e) }).forEach(publish)
   */
  async forEach(fn: (item: T, index: number) => unknown): Promise<void> {
    validateFunction(fn, 'forEach(fn)')
    const stages = [...this.#stages, { ...tapStage(fn), name: 'forEach' }]
    // The work happens in the forEach stage.
    await this.#drain(stages, true, () => undefined)
  }

  /** Counts the items. */
  async count(): Promise<number> {
    let n = 0
    // With no stages nothing looks at a record, so the engine need not build them.
    await this.#drain(this.#stages, true, () => void n++, this.#stages.length === 0)
    return n
  }

  /**
   * Folds the items into one value; `fn` may return a promise.
   *
   * @example const total = await stream('sales.csv', { types: 'infer' }).reduce((sum, r) => sum + r.amount, 0)
   */
  async reduce<A>(fn: (accumulator: A, item: T, index: number) => A | Promise<A>, initial: A): Promise<A> {
    validateFunction(fn, 'reduce(fn)')
    let accumulator = initial
    let index = 0
    await this.#drain(this.#stages, false, (item) => {
      const next = fn(accumulator, item as T, index++)
      if (!isThenable(next)) {
        accumulator = next
        return undefined
      }
      return next.then((value) => {
        accumulator = value as A
      })
    })
    return accumulator
  }

  /** The first item, or `undefined` for an empty stream; reads no further than it. */
  async first(): Promise<T | undefined> {
    for await (const item of this.limit(1)) return item
    return undefined
  }

  /**
   * Facts about the source from its sizes and a sample of its head (never a full scan).
   *
   * @example const { recommendedBatchSize, memoryEstimateMb } = await stream('huge.jsonl').metadata()
   */
  async metadata(): Promise<Metadata> {
    const options = this.#options
    const plan = resolveSource(this.#source, options)
    const engine = selectEngine(options.engine)
    if (plan.kind === 'custom') {
      const own = isDataSource(plan.source) && plan.source.metadata ? await plan.source.metadata() : {}
      return {
        streamingSupported: true,
        recommendedBatchSize: options.batchSize ?? DEFAULT_BATCH_SIZE,
        memoryEstimateMb: null,
        format: plan.parse?.format ?? null,
        compression: plan.compression,
        files: [],
        totalBytes: null,
        estimatedRecords: null,
        averageRecordBytes: null,
        engine: engine.name,
        description: null,
        ...own,
      }
    }
    const first = plan.files[0]
    const sample = first && first.size !== null ? sampleHead(first, engine) : { records: 0, averageRecordBytes: null }
    // What an iteration will use, from the same cheap head count, so the two always agree.
    const batchSize = fileBatchSize(plan.batchSize, first, engine)
    const totalBytes = totalSize(plan.files)
    const average = sample.averageRecordBytes
    const ratio = storedSizeRatio(plan.files, engine)
    return {
      streamingSupported: true,
      recommendedBatchSize: batchSize,
      // A pipe's records were not sampled, so what a batch of them holds is not known.
      memoryEstimateMb: first?.size === null ? null : first
        ? memoryEstimateMb(
            engine.readerMemoryBytes({
              ...first.parse,
              path: first.path,
              compression: first.compression,
              batchSize,
              bufferSize: options.bufferSize ?? DEFAULT_BUFFER_SIZE,
            }, average ?? 0),
            batchSize,
            average ?? 0,
            first.format,
            first.parse.types,
          )
        : 0,
      format: first?.format ?? options.format ?? null,
      compression: first?.compression ?? 'none',
      files: plan.files.map((f) => f.path),
      totalBytes,
      estimatedRecords: average !== null && totalBytes !== null && ratio !== null ? Math.round((totalBytes * ratio) / average) : plan.files.length === 0 ? 0 : null,
      averageRecordBytes: average === null ? null : Math.round(average * 10) / 10,
      engine: engine.name,
      description: plan.description,
    }
  }

  #with<U>(stage: Stage): Stream<U> {
    return new Stream<U>(this.#source, this.#options, [...this.#stages, stage])
  }

  /**
   * One asynchronous pass for a terminal, handing every item to `each`; `ahead` when `each` runs
   * no user code (see `Iteration.drain`).
   */
  #drain(stages: readonly Stage[], ahead: boolean, each: (item: T) => unknown, countOnly = false): Promise<void> {
    return this.#iteration(true, stages, countOnly).drain(each as (item: unknown) => unknown, ahead)
  }

  /** `countOnly`: the items are only counted, so a file's records need not be built (`FileReadRequest.countOnly`). */
  #iteration(async: boolean, stages: readonly Stage[], countOnly = false): Iteration {
    const options = this.#options
    return new Iteration(
      {
        stages,
        onError: options.onError ?? 'skip',
        maxErrors: options.maxErrors ?? Infinity,
        onProgress: options.onProgress,
        progressInterval: options.progressInterval ?? DEFAULT_PROGRESS_INTERVAL_MS,
        signal: options.signal,
        openCursor: () => openCursor(this.#source, options, countOnly),
      },
      async,
    )
  }
}

/** Resolves the source and opens a cursor over it; runs when iteration begins. */
function openCursor(source: Source<unknown>, options: StreamOptions, countOnly: boolean): BatchCursor {
  const plan = resolveSource(source, options)
  if (plan.kind === 'custom') {
    const batchSize = plan.batchSize ?? suggestedBatchSize(plan.source) ?? DEFAULT_BATCH_SIZE
    return new CustomCursor(plan.source, plan.parse, batchSize, plan.compression, { compression: options.compression === undefined, delimiter: options.delimiter === undefined }, plan.parse === null ? null : selectEngine(options.engine))
  }
  const engine = selectEngine(options.engine)
  const batchSize = fileBatchSize(plan.batchSize, plan.files[0], engine)
  return new FileCursor(plan.files, () => engine, batchSize, options.bufferSize ?? DEFAULT_BUFFER_SIZE, countOnly)
}

/**
 * The batch size of an iteration over files: the one asked for, else the one their head
 * suggests; a pipe's head is not sampled, since what is read of it is gone.
 */
function fileBatchSize(asked: number | undefined, first: PlannedFile | undefined, engine: Engine): number {
  return asked ?? (first && first.size !== null ? recommendedBatchSize(headRecordBytes(first, engine)) : DEFAULT_BATCH_SIZE)
}

/**
 * A custom source's own `metadata().recommendedBatchSize`, when its metadata is synchronous. An
 * asynchronous answer cannot wait for the first pull; it is dropped, and so is its rejection.
 */
function suggestedBatchSize(source: unknown): number | undefined {
  if (!isDataSource(source) || source.metadata === undefined) return undefined
  const own: unknown = source.metadata()
  if (own === null || typeof own !== 'object') return undefined
  if (isThenable(own)) {
    Promise.resolve(own).then(undefined, () => undefined)
    return undefined
  }
  const size = (own as { recommendedBatchSize?: unknown }).recommendedBatchSize
  return typeof size === 'number' && Number.isInteger(size) && size >= 1 ? size : undefined
}
