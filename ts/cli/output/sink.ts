import type { Writable } from 'node:stream'
import { setImmediate as nextTurn } from 'node:timers/promises'

const CHUNK_BYTES = 64 * 1024
/** How long text may wait for its chunk to fill before it is written anyway. */
const LATENCY_MS = 100

/**
 * Buffered text output to stdout that respects back-pressure and a reader that goes away.
 *
 * Text is gathered into chunks of about 64 KiB; each chunk is written, and when the stream says
 * its buffer is full the writer waits for `drain`. Text that has waited `LATENCY_MS` for its
 * chunk to fill is written anyway whenever the event loop runs (while a live input such as
 * `tail -f app.log | ringstream cat -` waits for more), so output keeps up with its input. When the reader closes the pipe (`EPIPE`, as
 * in `ringstream cat big.jsonl | head -1`) the sink turns `closed`, drops everything after, and
 * the command stops reading: that is a normal end, not an error. Any other write error is kept
 * in `error`.
 */
export class OutputSink {
  private parts: string[] = []
  private length = 0
  private lastWrite: Promise<void> = Promise.resolve()
  private failure: Error | null = null
  private gone = false
  private timer: NodeJS.Timeout | null = null

  constructor(private readonly out: Writable) {
    out.on('error', (error: Error) => this.onError(error))
  }

  /** True once the reader has gone away or writing failed: stop producing output. */
  get closed(): boolean {
    return this.gone || this.failure !== null
  }

  /** A write error other than a closed pipe, if one happened. */
  get error(): Error | null {
    return this.failure
  }

  /**
   * Queues `text`. Returns a promise when the caller should wait (a chunk went out and the
   * stream is full, or it is time to let the event loop run); `undefined` otherwise, so a tight
   * loop pays for no promise per record.
   */
  write(text: string): Promise<void> | undefined {
    if (this.closed) return undefined
    this.parts.push(text)
    this.length += text.length
    if (this.length >= CHUNK_BYTES) return this.flush()
    this.timer ??= setTimeout(this.flushLate, LATENCY_MS)
    return undefined
  }

  private readonly flushLate = (): void => {
    this.timer = null
    void this.flush()
  }

  /** Writes what is queued, waiting for `drain` when the stream asks for it. */
  async flush(): Promise<void> {
    if (this.timer !== null) {
      clearTimeout(this.timer)
      this.timer = null
    }
    if (this.parts.length === 0 || this.closed) {
      this.parts = []
      this.length = 0
      return
    }
    const chunk = this.parts.join('')
    this.parts = []
    this.length = 0
    let written: () => void = () => undefined
    this.lastWrite = new Promise<void>((resolve) => {
      written = resolve
    })
    const ok = this.out.write(chunk, (error) => {
      if (error) this.onError(error)
      written()
    })
    // A synchronous write error (pipes on Linux) is recorded before the 'error' event fires.
    const errored = (this.out as Writable & { errored?: Error | null }).errored
    if (errored) this.onError(errored)
    if (!ok && !this.closed) await this.waitForDrain()
    // Let the event loop deliver 'error', signals and timers between chunks.
    else await nextTurn()
  }

  /** Flushes and waits until everything written has been handed to the operating system. */
  async end(): Promise<void> {
    await this.flush()
    await this.lastWrite
  }

  private waitForDrain(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.out.off('drain', done)
        this.out.off('close', done)
        this.out.off('error', done)
        resolve()
      }
      this.out.on('drain', done)
      this.out.on('close', done)
      this.out.on('error', done)
    })
  }

  private onError(error: Error): void {
    const code = (error as Error & { code?: unknown }).code
    if (code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ERR_STREAM_WRITE_AFTER_END') this.gone = true
    else this.failure ??= error
  }
}
