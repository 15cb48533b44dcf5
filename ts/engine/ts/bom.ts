import type { FormatParser } from './format-parser'

/** A format parser that can be told some leading bytes were consumed for it. */
export interface ByteStreamParser extends FormatParser {
  /** Counts `n` bytes as read without parsing them, so offsets include them. Only before `push`. */
  skip(n: number): void
}

const BOM = [0xef, 0xbb, 0xbf]

/**
 * Drops a UTF-8 byte-order mark at byte 0 before `inner` sees the bytes; offsets still count it.
 * The mark may arrive split over several chunks, so up to two bytes are held until it is clear
 * whether they start a mark.
 */
class BomSkipper implements FormatParser {
  private readonly held = new Uint8Array(3)
  private heldLength = 0
  private decided = false

  constructor(private readonly inner: ByteStreamParser) {}

  push(chunk: Uint8Array): void {
    if (this.decided) {
      this.inner.push(chunk)
      return
    }
    const fromEarlier = this.heldLength
    let i = 0
    while (this.heldLength < 3 && i < chunk.length && chunk[i] === BOM[this.heldLength]) {
      this.held[this.heldLength++] = chunk[i++]
    }
    if (this.heldLength === 3) {
      this.decided = true
      this.inner.skip(3)
      if (i < chunk.length) this.inner.push(chunk.subarray(i))
    } else if (i < chunk.length) {
      // Not a mark: the held bytes are data, and must reach the parser before this chunk's rest.
      this.decided = true
      if (fromEarlier > 0) {
        this.inner.push(this.held.subarray(0, fromEarlier))
        this.inner.push(chunk)
      } else {
        this.inner.push(chunk)
      }
    }
  }

  end(): void {
    if (!this.decided && this.heldLength > 0) this.inner.push(this.held.subarray(0, this.heldLength))
    this.decided = true
    this.inner.end()
  }

  recordWidth(): number {
    return this.inner.recordWidth?.() ?? 0
  }

  release(): void {
    this.inner.release?.()
  }
}

/** Wraps `inner` so that a BOM at byte 0 is skipped. */
export function skippingBom(inner: ByteStreamParser): FormatParser {
  return new BomSkipper(inner)
}
