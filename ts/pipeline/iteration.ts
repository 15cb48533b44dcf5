import { processingItemError, sourceItemError } from '../error-messages'
import { ItemError, RingstreamError, TooManyErrorsError } from '../errors'
import { DROP, type Many, type Stage, type StageRun } from '../operators/stage'
import { DEFAULT_MAX_RECORD_BYTES, type ErrorPolicy } from '../options'
import { type Progress, ProgressReporter } from '../progress'
import type { BatchCursor, SourceBatch } from '../sources/batch-cursor'
import { isThenable } from './thenable'

/** Counters of one iteration, readable at any time from its iterator's `stats`. */
export interface IterationStats {
  /** Records read from the source, good and bad. */
  records: number
  /** Items handed to the consumer. */
  yielded: number
  /** Item errors met (skipped, raised or handled). */
  errors: number
  /** Bytes read from files; `null` for sources that are not files. */
  bytesRead: number | null
  /** Milliseconds since the iteration began. */
  elapsedMs: number
}

export interface IterationSettings {
  stages: readonly Stage[]
  onError: ErrorPolicy
  maxErrors: number
  onProgress: ((p: Progress) => void) | undefined
  progressInterval: number
  signal: AbortSignal | undefined
  /** Builds the cursor at the first pull, so nothing is opened before iteration begins. */
  openCursor: () => BatchCursor
}

type Step = void | Promise<void>

/** Where a source record came from. */
interface RecordOrigin {
  path: string | null
  line: number | null
  byteOffset: number | null
}

/** What `pumpSync` and `runSync` return when no item came out for the consumer. */
const NOTHING: unique symbol = Symbol('ringstream.nothing')

const FIRST_ERRORS_KEPT = 5
const NOT_STOPPED = -1

/**
 * One pass over a stream: pulls source records one at a time, runs each through fresh stage
 * state, and queues what comes out. The same machinery serves `for…of` (`async = false`: a
 * promise from a callback is an error) and `for await…of` (promises are awaited only when one
 * appears, so synchronous chains pay no microtask per stage).
 */
export class Iteration {
  private readonly runs: StageRun[]
  /** `settings.signal`, kept here: every item handed out checks it. */
  private readonly signal: AbortSignal | undefined
  private readonly names: string[]
  /** The index of the first `batch` stage (-1 for none): the stages after it see batches. */
  private readonly firstBatchStage: number
  private cursor: BatchCursor | null = null
  private batch: SourceBatch | null = null
  private recordPos = 0
  private faultPos = 0
  /** Index of the first stage that will pass nothing more (an exhausted `limit`). */
  private stopAt = NOT_STOPPED
  private halted = false
  private finished = false
  /** `nextSync` has said the iteration is done. */
  private endedSync = false
  private pendingError: unknown = undefined
  /** What stages let through, waiting for the consumer. */
  private readonly passed: unknown[] = []
  /** The items waiting for the consumer: `passed`, or a run of source records (`queueRecords`). */
  private out: unknown[] = this.passed
  private outPos = 0
  private readonly startedAt = Date.now()
  /** A `next` or `drain` is under way (see `busy`). */
  private running = false
  /**
   * Where what comes out of the stages goes straight to, for a terminal whose consumer runs no
   * user code (see `drain`); `null` for an iterator, whose stages stop at each item that comes
   * out (in `passed`), so no callback runs ahead of what the consumer has seen.
   */
  private sink: ((item: unknown) => void) | null = null
  private readonly progress: ProgressReporter | null
  private readonly firstErrors: ItemError[] = []
  /** Source records taken so far, good and bad; the one being processed is number `records - 1`. */
  private records = 0
  private yielded = 0
  private errors = 0
  /**
   * Where the record being processed came from, for processing errors: entry `originAt` of the
   * lines and byte offsets of `origin`, the batch being read, else the `pinned…` fields. Only the index is
   * stored per record (reading each record's line and offset as it passed, and storing them as
   * numbers, was 3% of a `forEach` over narrow.csv); the position is pinned as numbers before the
   * batch goes, because its arrays may then be reused for the next one and its records must not
   * stay alive.
   */
  private origin: SourceBatch | null = null
  private originAt = -1
  private pinnedPath: string | null = null
  private pinnedLine: number | null = null
  private pinnedByteOffset: number | null = null

  constructor(
    private readonly settings: IterationSettings,
    private readonly async: boolean,
  ) {
    this.signal = settings.signal
    this.names = settings.stages.map((s) => s.name)
    this.firstBatchStage = this.names.indexOf('batch')
    this.runs = settings.stages.map((stage, k) =>
      stage.start({
        exhaust: () => {
          if (this.stopAt === NOT_STOPPED || k > this.stopAt) this.stopAt = k
          // Nothing upstream of a spent limit matters any more: release the file right away
          // rather than at the consumer's next pull. The batch being read stays readable: items
          // after the limit may still report its positions (`finish` lets go of it).
          this.cursor?.close(false)
        },
      }),
    )
    this.progress = settings.onProgress ? new ProgressReporter(settings.onProgress, settings.progressInterval, (done) => this.progressSnapshot(done)) : null
  }

  get stats(): IterationStats {
    return {
      records: this.records,
      yielded: this.yielded,
      errors: this.errors,
      bytesRead: this.cursor?.bytesRead ?? null,
      elapsedMs: Date.now() - this.startedAt,
    }
  }

  /**
   * The next item for `for…of`. Its result object is made in one place only: when V8 inlines
   * this into the loop that calls it, it can then leave the object out and pass `done` and
   * `value` as they are. Returning one of several objects (an item's, the end's) made it allocate
   * every record's result, 40 bytes each, and cost a `for…of` over narrow.csv 5% of its time.
   */
  nextSync(): IteratorResult<unknown> {
    const queued = this.outPos < this.out.length
    const value = queued ? this.take() : this.nextSyncAfterQueue()
    // A flag rather than a sentinel item: comparing items of any type with a symbol took V8's
    // generic `===`, 2% of a `for…of`.
    return { done: !queued && this.endedSync, value }
  }

  /** `nextSync` once the queue is empty: the next item from the chain, or at the end `undefined` with `endedSync` set. */
  private nextSyncAfterQueue(): unknown {
    for (;;) {
      if (this.outPos < this.out.length) return this.take()
      this.resetOut()
      if (this.pendingError !== undefined) this.fail()
      if (this.finished) {
        this.endedSync = true
        return undefined
      }
      const item = this.guard(() => this.pumpSync())
      if (item !== NOTHING) return this.takePassed(item)
    }
  }

  /**
   * The next item for `for await…of`. The chain is moved on here, synchronously, until an item
   * comes out or a step must be awaited; only then does an async function take over. Going
   * through two for every item cost a `for await` over a filter a fifth of its instructions.
   */
  next(): Promise<IteratorResult<unknown>> {
    this.running = true
    let awaiting = false
    try {
      for (;;) {
        if (this.outPos < this.out.length) return Promise.resolve(this.emit())
        const step = this.advance()
        if (step === false) return Promise.resolve({ done: true, value: undefined })
        if (step !== undefined) {
          awaiting = true
          return this.nextAfter(step)
        }
      }
    } catch (error) {
      return Promise.reject(error)
    } finally {
      if (!awaiting) this.running = false
    }
  }

  /** `next` once `step` has been awaited. */
  private async nextAfter(step: Promise<void>): Promise<IteratorResult<unknown>> {
    try {
      await this.guardAsync(this.abortable(step))
      return (await this.ready()) ? this.emit() : { done: true, value: undefined }
    } finally {
      this.running = false
    }
  }

  /**
   * Runs the iteration to its end, handing every item to `each` (and awaiting what `each` returns
   * when it is a promise): what the terminals (`toArray`, `forEach`, `count`, `reduce`) do.
   * Items come out without a promise each, as with `nextSync`; only a step that must wait (an
   * async source's next batch, a callback's promise) is awaited. A `for await` loop over `next`
   * took about five times as long. If `each` throws, the iteration closes and the error goes on.
   *
   * With `ahead`, `each` takes what comes out of the stages as it comes out, and the stages run
   * on over the batch instead of stopping at each item: only for an `each` that runs no user code
   * and returns nothing to await (`toArray`, `count`, `forEach`, whose callback is a stage), where
   * nobody can tell the order. Queueing each item for `each` instead was three quarters of what
   * a `forEach` did per record beyond a `for…of`.
   */
  async drain(each: (item: unknown) => unknown, ahead: boolean): Promise<void> {
    if (ahead) this.sink = each
    this.running = true
    try {
      for (;;) {
        while (this.outPos < this.out.length) {
          const pending = each(this.take())
          if (isThenable(pending)) await pending
        }
        // `ready`'s round without its promise: a `reduce` over a chain pays no microtask per item.
        const step = this.advance()
        if (step === false) return
        if (step !== undefined) await this.guardAsync(this.abortable(step))
      }
    } catch (error) {
      this.abandon()
      throw error
    } finally {
      this.running = false
    }
  }

  /** Moves the chain on until an item waits for the consumer (`true`) or the iteration ends. */
  private async ready(): Promise<boolean> {
    for (;;) {
      if (this.outPos < this.out.length) return true
      const step = this.advance()
      if (step === false) return false
      if (step !== undefined) await this.guardAsync(this.abortable(step))
    }
  }

  /**
   * Once the consumer has taken every waiting item: moves the chain on by one step, which may
   * have to be awaited; `false` once the iteration has ended.
   */
  private advance(): Step | false {
    this.resetOut()
    if (this.pendingError !== undefined) this.fail()
    if (this.finished) return false
    return this.guard(() => this.pump())
  }

  /** Whether a `next` or `drain` is under way (waiting on a promise, or running now). */
  get busy(): boolean {
    return this.running
  }

  /**
   * A step that rejects with the signal's reason as soon as the signal aborts, so an abort also
   * ends an iteration that waits on a live source or a slow callback, not only one that is busy.
   */
  private abortable(step: Promise<void>): Promise<void> {
    const signal = this.signal
    if (signal === undefined) return step
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason)
      if (signal.aborted) onAbort()
      else signal.addEventListener('abort', onAbort, { once: true })
      step.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  }

  /** Ends the iteration early: closes the source at once. */
  close(): void {
    this.abandon()
  }

  /** Ends the iteration now, dropping queued items; nothing flows through the chain after it. */
  private abandon(): void {
    this.halted = true
    this.out = this.passed
    this.passed.length = 0
    this.outPos = 0
    this.finish()
  }

  private emit(): IteratorResult<unknown> {
    return { done: false, value: this.take() }
  }

  /** Hands out an item that came out of the stages straight to `nextSync`, as `take` would. */
  private takePassed(item: unknown): unknown {
    this.stopIfAborted()
    this.yielded++
    return item
  }

  /** Hands out the next waiting item. */
  private take(): unknown {
    this.stopIfAborted()
    const value = this.out[this.outPos]
    this.out[this.outPos++] = undefined
    this.yielded++
    return value
  }

  /** An abort stops the very next item handed out, even one queued before it (a batch of records). */
  private stopIfAborted(): void {
    const signal = this.signal
    if (signal?.aborted) {
      this.abandon()
      throw signal.reason
    }
  }

  private resetOut(): void {
    if (this.out !== this.passed) this.out = this.passed
    // `pop` rather than `length = 0`: V8 sets an array's length through a runtime call, which
    // took a tenth of the time of a chain that lets out one item per record.
    else while (this.passed.length > 0) this.passed.pop()
    this.outPos = 0
  }

  private fail(): never {
    const error = this.pendingError
    this.pendingError = undefined
    this.finish()
    throw error
  }

  /** Anything thrown outside the item-error policy ends the iteration and closes the source. */
  private guard<T>(fn: () => T): T {
    try {
      return fn()
    } catch (error) {
      this.abandon()
      throw error
    }
  }

  private async guardAsync(step: Promise<void>): Promise<void> {
    try {
      await step
    } catch (error) {
      this.abandon()
      throw error
    }
  }

  /**
   * `pump` for `nextSync`: while the batch has records before its next fault and the chain runs,
   * runs them through the stages itself and returns the first item that comes out (`NOTHING`
   * when none did, or when what came out went to `passed`). The item then goes to the consumer
   * without a trip through `passed`: storing each one there and taking it back out was a seventh
   * of the instructions of a `for…of` over a filter, beyond startup.
   */
  private pumpSync(): unknown {
    const batch = this.batch
    if (
      this.runs.length === 0 ||
      batch === null ||
      this.halted ||
      this.stopAt !== NOT_STOPPED ||
      this.recordPos >= batch.records.length ||
      (this.faultPos < batch.faults.length && batch.faults[this.faultPos].index <= this.recordPos)
    ) {
      this.pump()
      return NOTHING
    }
    const signal = this.signal
    if (signal?.aborted) throw signal.reason
    const { records, first, faults } = batch
    const end = this.faultPos < faults.length ? Math.min(faults[this.faultPos].index, records.length) : records.length
    if (this.origin !== batch) this.origin = batch
    while (this.recordPos < end) {
      const i = this.recordPos++
      this.records++
      this.originAt = first + i
      const item = this.runSync(records[i])
      if (item !== NOTHING || this.passed.length > 0 || this.halted || this.stopAt !== NOT_STOPPED) return item
      if (signal?.aborted) throw signal.reason
    }
    return NOTHING
  }

  /**
   * `run` from the first stage for `nextSync`: returns the item that comes out of the chain, or
   * `NOTHING` when the chain drops it or hands what comes out to `run`'s other paths (a
   * `flatMap`'s items, an error handler's replacement), which queue it in `passed`.
   */
  private runSync(item: unknown): unknown {
    const runs = this.runs
    for (let k = 0; k < runs.length; k++) {
      if (k <= this.stopAt) return NOTHING
      const stage = runs[k]
      let result: unknown
      try {
        result = stage.invoke(item)
      } catch (error) {
        this.callbackError(error, item, k)
        return NOTHING
      }
      if (isThenable(result)) {
        this.awaitResult(result, item, k)
        return NOTHING
      }
      let flow: unknown
      try {
        flow = stage.settle(item, result)
      } catch (error) {
        this.callbackError(error, item, k)
        return NOTHING
      }
      if (flow === DROP) return NOTHING
      if (stage.passesMany === true) {
        this.runMany((flow as Many).items[Symbol.iterator](), item, k)
        return NOTHING
      }
      item = flow
    }
    return item
  }

  /** Moves one source record (or fault) through the chain, or ends the input. */
  private pump(): Step {
    if (this.halted || this.stopAt !== NOT_STOPPED) return this.endOfInput()
    const signal = this.signal
    if (signal?.aborted) throw signal.reason
    const batch = this.batch
    if (batch === null || (this.recordPos >= batch.records.length && this.faultPos >= batch.faults.length)) {
      return this.fetch()
    }
    // A fault goes out once the records before it have; one an engine placed past the batch's
    // records (which breaks the engine contract) goes out after them rather than never.
    if (this.faultPos < batch.faults.length && (batch.faults[this.faultPos].index <= this.recordPos || this.recordPos >= batch.records.length)) {
      const fault = batch.faults[this.faultPos++]
      this.records++
      this.origin = null
      this.pin(batch.path, fault.line, fault.byteOffset)
      const error = sourceItemError(fault, {
        path: batch.path,
        format: batch.format,
        recordIndex: this.records - 1,
        maxRecordBytes: batch.parse?.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
        delimiter: batch.parse?.delimiter ?? ',',
      })
      return this.itemError(error, 0)
    }
    if (this.runs.length === 0) return this.queueRecords(batch)
    return this.runRecords(batch)
  }

  /**
   * Runs the batch's records up to its next fault through the stages until one comes out of the
   * chain, a callback's promise must be awaited, or the iteration stops. A record the chain
   * drops (most records of a selective `filter`) then costs no trip back through `nextSync` and
   * `pump`; nothing is yielded in between, so what callbacks and consumer see is the same.
   */
  private runRecords(batch: SourceBatch): Step {
    const { records, first, faults } = batch
    const end = this.faultPos < faults.length ? Math.min(faults[this.faultPos].index, records.length) : records.length
    const signal = this.signal
    if (this.origin !== batch) this.origin = batch
    while (this.recordPos < end) {
      const i = this.recordPos++
      this.records++
      this.originAt = first + i
      const step = this.run(records[i], 0)
      if (step !== undefined || this.passed.length > 0 || this.halted || this.stopAt !== NOT_STOPPED) return step
      if (signal?.aborted) throw signal.reason
    }
  }

  /**
   * With no stages nothing can tell records apart as they pass, so the batch's records up to its
   * next fault are queued in one go: the per-record trip through `pump` was most of the cost of
   * reading narrow files. The batch's own array becomes the queue (the iteration owns it, see
   * `SourceBatch`): pushing the records one by one into a long-lived queue instead made
   * wide files 35% slower, all of it in the garbage collector.
   */
  private queueRecords(batch: SourceBatch): void {
    const { records, faults } = batch
    const from = this.recordPos
    const to = this.faultPos < faults.length ? Math.min(faults[this.faultPos].index, records.length) : records.length
    // `pump` runs only once the queue is drained, so nothing waiting is replaced here.
    this.out = from === 0 && to === records.length ? records : records.slice(from, to)
    this.outPos = 0
    this.recordPos = to
    this.records += to - from
    this.origin = batch
    this.originAt = batch.first + to - 1
  }

  private fetch(): Step {
    if (this.cursor === null) this.cursor = this.settings.openCursor()
    const origin = this.origin
    if (origin !== null) {
      // Three fields rather than an object: this runs for every chunk of a native batch.
      const at = this.originAt
      this.pin(origin.path, origin.lines === null ? null : origin.lines[at], origin.byteOffsets === null ? null : origin.byteOffsets[at])
      this.origin = null
    }
    this.batch = null
    this.recordPos = 0
    this.faultPos = 0
    if (!this.async) {
      this.accept(this.cursor.nextSync())
      return
    }
    const batch = this.cursor.next()
    if (isThenable(batch)) return batch.then((ready) => this.accept(ready))
    this.accept(batch)
  }

  private accept(batch: SourceBatch | null): void {
    if (batch === null) {
      this.halted = true
      return
    }
    this.batch = batch
    this.progress?.tick()
  }

  /** Flushes held-back items (short batches) downstream of any exhausted limit, then finishes. */
  private endOfInput(): Step {
    this.cursor?.close(false)
    if (this.pendingError !== undefined) return this.finish()
    return this.flushFrom(this.stopAt === NOT_STOPPED ? 0 : this.stopAt + 1)
  }

  private flushFrom(k: number): Step {
    for (; k < this.runs.length; k++) {
      const flush = this.runs[k].flush
      if (flush === undefined) continue
      const held = flush()
      if (held === DROP) continue
      const step = this.run(held, k + 1)
      const next = k + 1
      if (step !== undefined) return step.then(() => this.flushFrom(next))
    }
    this.finish()
  }

  private finish(): void {
    if (this.finished) return
    this.finished = true
    this.cursor?.close()
    this.progress?.finish()
    if (this.errors > 0 && this.settings.onError === 'skip') {
      const first = this.firstErrors[0]
      process.emitWarning(
        `ringstream skipped ${this.errors} item error${this.errors === 1 ? '' : 's'}; the first: ${first?.message.split('\n')[0] ?? 'unknown'}. ` +
          "Pass { onError: handler } to see each one, or { onError: 'raise' } to stop at the first.",
        { code: 'RINGSTREAM_SKIPPED_ERRORS' },
      )
    }
  }

  /** Runs `item` through the stages from `k` on; queues what reaches the end. */
  private run(item: unknown, k: number): Step {
    // A step left behind by an abort may resolve later; what it carries goes nowhere.
    if (this.finished) return
    const runs = this.runs
    while (k < runs.length) {
      if (k <= this.stopAt) return
      const stage = runs[k]
      let result: unknown
      try {
        result = stage.invoke(item)
      } catch (error) {
        return this.callbackError(error, item, k)
      }
      if (isThenable(result)) return this.awaitResult(result, item, k)
      let flow: unknown
      try {
        flow = stage.settle(item, result)
      } catch (error) {
        return this.callbackError(error, item, k)
      }
      if (flow === DROP) return
      if (stage.passesMany === true) return this.runMany((flow as Many).items[Symbol.iterator](), item, k)
      item = flow
      k++
    }
    if (this.sink === null) {
      this.passed.push(item)
    } else {
      this.yielded++
      this.sink(item)
    }
  }

  private awaitResult(result: PromiseLike<unknown>, item: unknown, k: number): Step {
    if (!this.async) {
      Promise.resolve(result).then(undefined, () => undefined)
      throw asyncInSync(`${this.names[k]} (stage ${k + 1})`)
    }
    return Promise.resolve(result).then(
      (value) => {
        let flow: unknown
        try {
          flow = this.runs[k].settle(item, value)
        } catch (error) {
          return this.callbackError(error, item, k)
        }
        if (flow === DROP) return
        if (this.runs[k].passesMany === true) return this.runMany((flow as Many).items[Symbol.iterator](), item, k)
        return this.run(flow, k + 1)
      },
      (error) => this.callbackError(error, item, k),
    )
  }

  /** Items of a `flatMap` result, one by one; `k` is the flatMap's own index. */
  private runMany(items: Iterator<unknown>, origin: unknown, k: number): Step {
    for (;;) {
      if (this.halted || k + 1 <= this.stopAt) return
      let step: IteratorResult<unknown>
      try {
        step = items.next()
      } catch (error) {
        return this.callbackError(error, origin, k)
      }
      if (step.done) return
      const pending = this.run(step.value, k + 1)
      if (pending !== undefined) return pending.then(() => this.runMany(items, origin, k))
    }
  }

  /** Keeps a position for processing errors once its batch has gone (see `origin`). */
  private pin(path: string | null, line: number | null, byteOffset: number | null): void {
    this.pinnedPath = path
    this.pinnedLine = line
    this.pinnedByteOffset = byteOffset
  }

  /** Where the record being processed came from (see `origin`). */
  private originOf(): RecordOrigin {
    const batch = this.origin
    if (batch === null) return { path: this.pinnedPath, line: this.pinnedLine, byteOffset: this.pinnedByteOffset }
    const at = this.originAt
    return {
      path: batch.path,
      line: batch.lines === null ? null : batch.lines[at],
      byteOffset: batch.byteOffsets === null ? null : batch.byteOffsets[at],
    }
  }

  private callbackError(cause: unknown, item: unknown, k: number): Step {
    const error = processingItemError(cause, {
      stage: this.names[k],
      stageIndex: k + 1,
      item,
      ...this.originOf(),
      recordIndex: this.records - 1,
      batched: this.firstBatchStage >= 0 && k > this.firstBatchStage,
    })
    return this.itemError(error, k + 1)
  }

  /**
   * Applies the error policy. A replacement from a handler enters the chain at `resumeAt`: the
   * stage after the one that failed, or the first stage for a bad source record.
   */
  private itemError(error: ItemError, resumeAt: number): Step {
    this.errors++
    if (this.firstErrors.length < FIRST_ERRORS_KEPT) this.firstErrors.push(error)
    const policy = this.settings.onError
    if (this.errors > this.settings.maxErrors) return this.stopWith(new TooManyErrorsError(this.errors, this.settings.maxErrors, this.firstErrors))
    if (policy === 'skip') return
    if (policy === 'raise') return this.stopWith(error)
    let replacement: unknown
    try {
      replacement = policy(error)
    } catch (thrown) {
      return this.stopWith(thrown)
    }
    if (isThenable(replacement)) {
      if (!this.async) {
        Promise.resolve(replacement).then(undefined, () => undefined)
        throw asyncInSync('the onError handler')
      }
      return Promise.resolve(replacement).then(
        (value) => (value === undefined ? undefined : this.run(value, resumeAt)),
        (thrown) => this.stopWith(thrown),
      )
    }
    if (replacement !== undefined) return this.run(replacement, resumeAt)
  }

  /** Stops reading; `error` is thrown once every item produced before it has been yielded. */
  private stopWith(error: unknown): void {
    this.pendingError = error
    this.halted = true
  }

  private progressSnapshot(done: boolean): Progress {
    return {
      bytesRead: this.cursor?.bytesRead ?? null,
      totalBytes: this.cursor?.totalBytes ?? null,
      records: this.records,
      errors: this.errors,
      elapsedMs: Date.now() - this.startedAt,
      path: this.cursor?.path ?? null,
      done,
    }
  }
}

function asyncInSync(what: string): RingstreamError {
  return new RingstreamError('ERR_ASYNC_IN_SYNC', `${what} returned a promise during synchronous iteration (for…of)`, {
    hint: 'iterate with for await…of, or use the async terminals (toArray, forEach, …), to await async callbacks',
  })
}
