import type { Engine, EngineBatch, FileBatchReader } from '../engine/types'
import { isThenable } from '../pipeline/thenable'
import type { BatchCursor, SourceBatch } from './batch-cursor'
import { refuseSignature, SIGNATURE_BYTES } from './file-signature'
import { OneColumnCheck } from './one-column-check'
import { type PlannedFile, totalSize } from './resolve-source'

/** Reads planned files one after the other; a file is opened only when its turn comes. */
export class FileCursor implements BatchCursor {
  private index = -1
  private reader: FileBatchReader | null = null
  private finishedBytes = 0
  private closed = false
  /** The current file's first records, while they may say it was read as one column. */
  private oneColumn: OneColumnCheck | null = null
  /** This iteration warned of a file read as one column; once is enough. */
  private warnedOneColumn = false
  readonly totalBytes: number | null

  constructor(
    private readonly files: readonly PlannedFile[],
    private readonly engineFor: (file: PlannedFile) => Engine,
    private readonly batchSize: number,
    private readonly bufferSize: number,
    /** Only the number of records is wanted (`FileReadRequest.countOnly`). */
    private readonly countOnly = false,
  ) {
    this.totalBytes = totalSize(files)
  }

  get bytesRead(): number {
    return this.finishedBytes + (this.reader?.bytesRead ?? 0)
  }

  /** The file being read, or the last one read once the cursor is past the end. */
  get path(): string | null {
    return this.files[Math.min(this.index, this.files.length - 1)]?.path ?? null
  }

  nextSync(): SourceBatch | null {
    for (;;) {
      const reader = this.current()
      if (reader === null) return null
      const batch = reader.nextBatchSync()
      if (batch !== null) return this.wrap(batch)
      this.advance()
    }
  }

  next(): SourceBatch | null | Promise<SourceBatch | null> {
    for (;;) {
      const reader = this.current()
      if (reader === null) return null
      const batch = reader.nextBatch()
      if (isThenable(batch)) return batch.then((ready) => this.afterBatch(ready))
      if (batch !== null) return this.wrap(batch)
      this.advance()
    }
  }

  /** `next` once the reader's batch has come. */
  private afterBatch(batch: EngineBatch | null): SourceBatch | null | Promise<SourceBatch | null> {
    if (batch !== null) return this.wrap(batch)
    this.advance()
    return this.next()
  }

  close(done = true): void {
    this.closed = true
    this.reader?.close(done)
  }

  private current(): FileBatchReader | null {
    if (this.closed) return null
    if (this.reader === null) {
      this.index++
      const file = this.files[this.index]
      if (file === undefined) return null
      this.oneColumn = file.delimiterByDefault && !this.warnedOneColumn ? new OneColumnCheck(file.parse, file.path) : null
      this.reader = this.engineFor(file).openFile({
        ...file.parse,
        path: file.path,
        compression: file.compression,
        batchSize: this.batchSize,
        bufferSize: this.bufferSize,
        countOnly: this.countOnly,
      })
    }
    return this.reader
  }

  private advance(): void {
    if (this.reader === null) return
    this.finishedBytes += this.reader.bytesRead
    this.reader.close()
    this.reader = null
  }

  private wrap(batch: EngineBatch): SourceBatch {
    const file = this.files[this.index]
    // Compressed data whose name does not say so, or UTF-16 text, fails at its first record,
    // once, rather than as one bad record after another.
    if (file.compression === 'none' && batch.faults.length > 0) {
      const regular = file.size !== null
      refuseSignature(batch.faults, file.path, file.plainByName, regular, () => (regular ? this.engineFor(file).headBytes(file.path, 'none', SIGNATURE_BYTES) : null))
    }
    if (this.oneColumn?.look(batch.records)) this.warnedOneColumn = true
    return { records: batch.records, lines: batch.lines, byteOffsets: batch.byteOffsets, first: batch.first, faults: batch.faults, path: file.path, format: file.format, parse: file.parse }
  }
}
