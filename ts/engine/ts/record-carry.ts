import { ByteBuffer } from './byte-buffer'
import { RecordHead } from './excerpt'

const NO_BYTES = new Uint8Array(0)

/**
 * The bytes of a record that runs past the end of a chunk, kept until the record ends.
 *
 * The parsers read records straight from each chunk, but the caller reuses a chunk's memory once
 * `push` returns, so an unfinished record's bytes must be copied to survive into the next chunk.
 * Copying without limit would let one huge record (a file with no line breaks, an unclosed quote)
 * take all memory, so the copy stops at `maxRecordBytes` (DESIGN.md, "Record size"): past it the
 * record is *skipped* — the parser still scans it to find its end, but only its head is kept, for
 * the excerpt of the `ERR_RECORD_TOO_LARGE` it is reported as.
 *
 * Invariant: `bytes` never holds more than `maxRecordBytes` bytes, and once skipping it holds none
 * and `head` at most `EXCERPT_HEAD_BYTES`; so a record costs at most `maxRecordBytes` plus one
 * excerpt however long it is.
 *
 * Use: `add` each chunk's share of an unfinished record; at the record's end, `exceeds` tells
 * whether it is too large (then `head` holds its first bytes), and if not, `complete` returns the
 * record's bytes when it was carried (a record within one chunk is read from the chunk instead).
 * `reset` before the next record.
 */
export class RecordCarry {
  /** The record's bytes so far, from its first byte; empty while skipping. */
  readonly bytes = new ByteBuffer()
  /** The record outgrew `maxRecordBytes`: its bytes are dropped as they come, only `head` is kept. */
  skipping = false
  /** The record's first bytes, filled once it is known to be too large. */
  readonly head = new RecordHead()

  constructor(readonly maxRecordBytes: number) {}

  /** Carries `chunk[start, end)`, the part of the unfinished record in the current chunk. */
  add(chunk: Uint8Array, start: number, end: number): void {
    if (this.skipping) {
      // The head may still be short of an excerpt (a small `maxRecordBytes`, small chunks).
      this.head.add(chunk, start, end)
      return
    }
    if (this.bytes.length + end - start <= this.maxRecordBytes) {
      this.bytes.append(chunk, start, end)
      return
    }
    this.keepHead(chunk, start, end)
    this.skipping = true
    this.bytes.clear()
  }

  /**
   * Whether the record, `length` raw bytes in all and ending with `chunk[start, end)` (after what
   * was carried), is longer than `maxRecordBytes`. When it is, `head` then holds its first bytes;
   * when not, nothing is copied (see `complete`).
   */
  exceeds(length: number, chunk: Uint8Array = NO_BYTES, start = 0, end = 0): boolean {
    if (this.skipping) {
      this.head.add(chunk, start, end)
      return true
    }
    if (length <= this.maxRecordBytes) return false
    this.keepHead(chunk, start, end)
    return true
  }

  /** Appends the record's last bytes `chunk[start, end)`; `bytes` then holds the whole record. */
  complete(chunk: Uint8Array, start: number, end: number): ByteBuffer {
    this.bytes.append(chunk, start, end)
    return this.bytes
  }

  /** Forgets the record, ready for the next one. */
  reset(): void {
    this.bytes.clear()
    this.skipping = false
  }

  /** Fills `head` from the carried bytes followed by `chunk[start, end)`. */
  private keepHead(chunk: Uint8Array, start: number, end: number): void {
    this.head.reset()
    this.head.add(this.bytes.bytes, 0, this.bytes.length)
    this.head.add(chunk, start, end)
  }
}
