import type { Iteration, IterationStats } from './iteration'

/**
 * The iterator `for…of` gets from a `Stream`. `return()` (called by `break`, `return` and
 * exceptions in the loop body) closes the source at once.
 */
export class StreamIterator<T> implements IterableIterator<T> {
  constructor(private readonly iteration: Iteration) {}

  next(): IteratorResult<T> {
    return this.iteration.nextSync() as IteratorResult<T>
  }

  return(value?: unknown): IteratorResult<T> {
    this.iteration.close()
    return { done: true, value: value as T }
  }

  [Symbol.iterator](): this {
    return this
  }

  /** Counters of this iteration: records read, items yielded, errors, bytes read. */
  get stats(): IterationStats {
    return this.iteration.stats
  }
}

/**
 * The iterator `for await…of` gets from a `Stream`. Calls are served one at a time even when a
 * caller does not await each `next()` before the following one.
 */
export class AsyncStreamIterator<T> implements AsyncIterableIterator<T> {
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly iteration: Iteration) {}

  next(): Promise<IteratorResult<T>> {
    return this.serialize(() => this.iteration.next() as Promise<IteratorResult<T>>)
  }

  return(value?: unknown): Promise<IteratorResult<T>> {
    return this.serialize(async () => {
      this.iteration.close()
      return { done: true, value: value as T }
    })
  }

  [Symbol.asyncIterator](): this {
    return this
  }

  get stats(): IterationStats {
    return this.iteration.stats
  }

  private serialize<R>(fn: () => Promise<R>): Promise<R> {
    const result = this.queue.then(fn)
    this.queue = result.then(
      () => undefined,
      () => undefined,
    )
    return result
  }
}
