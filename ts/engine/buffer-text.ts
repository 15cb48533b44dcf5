import { Buffer } from 'node:buffer'

/**
 * Text out of a `Buffer`'s bytes through Node's undocumented but long-standing direct decoders
 * (`latin1Slice`, `ucs2Slice`, `utf8Slice`), which skip the argument handling of `toString`:
 * that handling took as long as the decoding itself for the short texts of a record. Where a
 * Node.js lacks them, `toString` does the same.
 */

/**
 * V8 copies a `slice` shorter than this many UTF-16 units into a fresh string; a longer slice is
 * a view that keeps the whole sliced string alive (`SlicedString::kMinLength`, 13 for over a
 * decade of V8; measured on Node.js 20). `__test__/retention.spec.ts` would catch a V8 that
 * changed it.
 */
export const SLICE_COPIES_BELOW = 13

interface SlicingBuffer extends Buffer {
  latin1Slice(start: number, end: number): string
  ucs2Slice(start: number, end: number): string
  utf8Slice(start: number, end: number): string
}

const hasSlices = (['latin1Slice', 'ucs2Slice', 'utf8Slice'] as const).every(
  (name) => typeof (Buffer.prototype as Partial<SlicingBuffer>)[name] === 'function',
)

/** Bytes `[start, end)` as Latin-1 (each byte one character): ASCII text, decoded fastest. */
export const latin1: (bytes: Buffer, start: number, end: number) => string = hasSlices
  ? (bytes, start, end) => (bytes as SlicingBuffer).latin1Slice(start, end)
  : (bytes, start, end) => bytes.toString('latin1', start, end)

/** Bytes `[start, end)` as UTF-16LE. */
export const ucs2: (bytes: Buffer, start: number, end: number) => string = hasSlices
  ? (bytes, start, end) => (bytes as SlicingBuffer).ucs2Slice(start, end)
  : (bytes, start, end) => bytes.toString('utf16le', start, end)

/** Bytes `[start, end)` as UTF-8 (invalid sequences become U+FFFD, as with `toString`). */
export const utf8: (bytes: Buffer, start: number, end: number) => string = hasSlices
  ? (bytes, start, end) => (bytes as SlicingBuffer).utf8Slice(start, end)
  : (bytes, start, end) => bytes.toString('utf8', start, end)
