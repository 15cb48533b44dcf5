import { Buffer } from 'node:buffer'

/** Raw bytes an excerpt shows at most (DESIGN.md, "Excerpt"). */
export const EXCERPT_BYTES = 80

/**
 * Bytes of a record's head worth keeping for its excerpt: the 80 shown plus one, because only the
 * byte after the cut tells whether the cut splits a UTF-8 sequence.
 */
export const EXCERPT_HEAD_BYTES = EXCERPT_BYTES + 1

/** Length of the UTF-8 sequence a lead byte announces; 0 for a byte that cannot lead one. */
function sequenceLength(lead: number): number {
  if (lead < 0xc0) return 0
  if (lead < 0xe0) return 2
  if (lead < 0xf0) return 3
  if (lead < 0xf8) return 4
  return 0
}

/**
 * The excerpt of a record of `totalLength` bytes whose first bytes are `bytes[start, end)`; the
 * range must hold at least `min(totalLength, EXCERPT_HEAD_BYTES)` bytes.
 *
 * The cut at byte 80 moves back to the lead byte of the sequence holding byte 80 when that
 * sequence starts before the cut (at most 3 bytes back) and its lead byte announces a sequence
 * reaching past the cut. Stray continuation bytes are not a sequence and do not move the cut, so
 * invalid input gets a well-defined excerpt too.
 */
export function excerptOf(bytes: Uint8Array, start: number, end: number, totalLength: number): string {
  let cut = Math.min(totalLength, EXCERPT_BYTES, end - start)
  if (totalLength > EXCERPT_BYTES && end - start > EXCERPT_BYTES && (bytes[start + EXCERPT_BYTES] & 0xc0) === 0x80) {
    let lead = EXCERPT_BYTES - 1
    while (lead > EXCERPT_BYTES - 4 && (bytes[start + lead] & 0xc0) === 0x80) lead--
    if (sequenceLength(bytes[start + lead]) > EXCERPT_BYTES - lead) cut = lead
  }
  const text = Buffer.from(bytes.buffer, bytes.byteOffset + start, cut).toString('utf8')
  return totalLength > cut ? text + '…' : text
}

/**
 * The first bytes of a record that is skipped rather than buffered (it outgrew `maxRecordBytes`):
 * enough for its excerpt and no more, so skipping stays constant-memory.
 */
export class RecordHead {
  readonly bytes = new Uint8Array(EXCERPT_HEAD_BYTES)
  length = 0

  reset(): void {
    this.length = 0
  }

  add(source: Uint8Array, start: number, end: number): void {
    const take = Math.min(end - start, EXCERPT_HEAD_BYTES - this.length)
    if (take <= 0) return
    this.bytes.set(source.subarray(start, start + take), this.length)
    this.length += take
  }

  excerpt(totalLength: number): string {
    return excerptOf(this.bytes, 0, this.length, totalLength)
  }
}
