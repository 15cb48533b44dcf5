/** A snapshot of one iteration's progress, as `onProgress` receives it. */
export interface Progress {
  /** Bytes read from files so far (compressed bytes for compressed files); `null` for non-file sources. */
  bytesRead: number | null
  /** Size of all files of the source; `null` when unknown. */
  totalBytes: number | null
  /** Records read from the source, good and bad. */
  records: number
  /** Item errors so far. */
  errors: number
  /** Milliseconds since the iteration began. */
  elapsedMs: number
  /** The file being read, if any. */
  path: string | null
  /** `true` on the last call of an iteration (end, early exit or error). */
  done: boolean
}

/** Calls `onProgress` at most every `intervalMs`, plus once when the iteration ends. */
export class ProgressReporter {
  private lastReport = 0
  private finished = false

  constructor(
    private readonly onProgress: (progress: Progress) => void,
    private readonly intervalMs: number,
    private readonly snapshot: (done: boolean) => Progress,
  ) {}

  /** Cheap enough to call once per batch. */
  tick(): void {
    if (this.finished) return
    const now = Date.now()
    if (now - this.lastReport < this.intervalMs) return
    this.lastReport = now
    this.onProgress(this.snapshot(false))
  }

  finish(): void {
    if (this.finished) return
    this.finished = true
    this.onProgress(this.snapshot(true))
  }
}
