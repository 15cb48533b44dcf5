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
  /** The last call's promise, after which a call that must wait runs. */
  private last: Promise<unknown> = Promise.resolve()
  /** Calls waiting for the ones before them. */
  private waiting = 0

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

  /**
   * Runs `call` at once when no call is under way or waiting (a `for await` loop, which awaits
   * each `next()`, always), else once the last call has settled. Chaining every call instead
   * cost about half the time of a `for await` loop over a file.
   */
  private serialize<R>(call: () => Promise<R>): Promise<R> {
    if (this.waiting === 0 && !this.iteration.busy) {
      const result = call()
      // A call that returned with the iteration idle has settled, and one after it need not
      // wait for it: not keeping it spares a store per item (a young promise into an old object).
      if (this.iteration.busy) this.last = result
      return result
    }
    this.waiting++
    const run = () => {
      this.waiting--
      return call()
    }
    const result = this.last.then(run, run)
    this.last = result
    return result
  }
}
