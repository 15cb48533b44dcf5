import { isUtf8 } from 'node:buffer'

/**
 * Validates UTF-8 per record cheaply: one `isUtf8` call over most of a chunk, and a call per record
 * only for records outside that region or when the region is not valid.
 *
 * The region runs from the chunk's first ASCII byte to just after its last one, so both ends are
 * character boundaries. Records start right after an ASCII byte (a terminator, `,`, `[`,
 * whitespace) or at the region start, and end at an ASCII byte or at the region end, so their
 * bounds are character boundaries too; a slice between two boundaries of valid UTF-8 is valid.
 */
export class Utf8Guard {
  private from = 0
  private to = 0

  /** Scans `chunk` once; `isValid` then answers for records inside it. */
  prepare(chunk: Uint8Array): void {
    const n = chunk.length
    let from = 0
    while (from < n && chunk[from] >= 0x80) from++
    let to = n
    while (to > from && chunk[to - 1] >= 0x80) to--
    if (to > from && isUtf8(from === 0 && to === n ? chunk : chunk.subarray(from, to))) {
      this.from = from
      this.to = to
    } else {
      this.from = 0
      this.to = 0
    }
  }

  /** `prepare` for a chunk of `n` bytes already known to be all ASCII, which is valid UTF-8. */
  prepareAscii(n: number): void {
    this.from = 0
    this.to = n
  }

  /** Whether `chunk[start, end)` is valid UTF-8; `chunk` must be the last one prepared. */
  isValid(chunk: Uint8Array, start: number, end: number): boolean {
    if (start >= this.from && end <= this.to) return true
    return isUtf8(chunk.subarray(start, end))
  }
}

/** Whether `bytes[start, end)` is valid UTF-8. */
export function isUtf8Range(bytes: Uint8Array, start: number, end: number): boolean {
  return isUtf8(bytes.subarray(start, end))
}
