import { Buffer } from 'node:buffer'
import { takeBuffer } from './spare-buffers'

/** Capacity a buffer falls back to when cleared after holding one unusually large record. */
const RETAINED_CAPACITY = 1 << 20

/**
 * A growable byte buffer for the part of a record that arrived in earlier chunks. It is a
 * `Buffer` so records can be decoded straight from it.
 */
export class ByteBuffer {
  bytes: Buffer
  length = 0

  constructor(private readonly initialCapacity = 4096) {
    this.bytes = takeBuffer(initialCapacity)
  }

  /** Makes room for `extra` more bytes after `length`. */
  reserve(extra: number): void {
    const needed = this.length + extra
    if (needed <= this.bytes.length) return
    let capacity = this.bytes.length * 2
    while (capacity < needed) capacity *= 2
    const grown = Buffer.allocUnsafe(capacity)
    grown.set(this.bytes.subarray(0, this.length))
    this.bytes = grown
  }

  append(source: Uint8Array, start: number, end: number): void {
    if (end <= start) return
    this.reserve(end - start)
    this.bytes.set(source.subarray(start, end), this.length)
    this.length += end - start
  }

  /**
   * Empties the buffer. A buffer grown for one huge record gives its memory back, so a single
   * large record does not pin megabytes for the rest of the file; `retain` lets a caller that
   * needs a large buffer all along keep it.
   */
  clear(retain = 0): void {
    this.length = 0
    if (this.bytes.length > RETAINED_CAPACITY && this.bytes.length > retain) this.bytes = Buffer.allocUnsafe(this.initialCapacity)
  }
}

/** A `Buffer` over the same memory as `chunk`, for decoding without copying. */
export function asBuffer(chunk: Uint8Array): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
}
