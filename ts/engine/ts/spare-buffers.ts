import { Buffer } from 'node:buffer'

/**
 * Buffers of closed readers (their read buffer, the CSV parser's field buffer), kept for the
 * next reader that asks for one of the same size. A reader's buffers live as long as it does,
 * long enough to reach V8's old generation, where, let go of, they waited for a full collection,
 * which a loop that builds records seldom brings: a process reading one CSV file after another
 * kept 128 KiB of every closed reader. Reused, they cost one allocation per process instead.
 */
const SPARE_MOST = 4
/** Larger buffers (a large `bufferSize`) are not kept: they would stay for the whole process. */
const SPARE_LARGEST = 1 << 20

const spare: Buffer[] = []

/** A buffer of `size` bytes, of unspecified content: a spare one when there is one. */
export function takeBuffer(size: number): Buffer {
  for (let i = spare.length - 1; i >= 0; i--) {
    if (spare[i].length === size) return spare.splice(i, 1)[0]
  }
  return Buffer.allocUnsafe(size)
}

/**
 * Keeps `buffer` for another reader, in place of the one kept longest when there are
 * `SPARE_MOST` (the sizes in use now win over those of, say, an earlier `metadata()` sample).
 * The caller must not touch it again.
 */
export function giveBackBuffer(buffer: Buffer): void {
  if (buffer.length === 0 || buffer.length > SPARE_LARGEST || spare.includes(buffer)) return
  if (spare.length >= SPARE_MOST) spare.shift()
  spare.push(buffer)
}
