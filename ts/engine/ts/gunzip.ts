import type * as Pako from 'pako'
import { lazyRequire } from './lazy-require'

const pako = lazyRequire<typeof Pako>('pako')

/** zlib's `windowBits` for gzip and nothing else: a 32 KiB window (15) plus 16. */
const GZIP_WINDOW_BITS = 15 + 16
const OUTPUT_CHUNK_BYTES = 64 * 1024

/**
 * Synchronous streaming gunzip, member after member, on pako's port of zlib. zlib checks each
 * member's CRC-32 and length at its end, so a corrupted file ends in an error, as with the
 * native engine (fflate, used before, skipped those checks and decoded such a file into other
 * bytes without a word). This drives zlib's inflate itself because pako's `Inflate` stops for
 * good at a member that ends exactly where a pushed chunk ends, dropping the members after it.
 * Whatever follows a member must be another member: trailing zeros or garbage are an error, as
 * in the native engine.
 *
 * Output is pulled a piece at a time (`next`), so what is held is one piece of at most 64 KiB
 * however well the input compresses: pushing a chunk and taking all of its output at once held
 * up to a thousand times the chunk's size.
 */
export class Gunzip {
  private readonly zlib = pako()
  private readonly strm = new this.zlib.ZStream()
  /** The last member has ended: the next byte must start another. */
  private memberEnded = false
  /** An error found after output that went out first; `next` throws it from now on. */
  private failure: Error | null = null

  constructor() {
    const status = this.zlib.zlibInflateInit2(this.strm, GZIP_WINDOW_BITS)
    if (status !== this.zlib.Z_OK) throw new Error(this.strm.msg || `zlib error ${status}`)
  }

  /** Makes `chunk` the input; it is read by `next`, so it must not change until `next` gives `null`. */
  push(chunk: Uint8Array): void {
    const strm = this.strm
    strm.input = chunk
    strm.next_in = 0
    strm.avail_in = chunk.length
  }

  /**
   * The next piece of output (a new array the caller may keep), or `null` once the input pushed
   * is used up; throws on data that is not valid gzip. What was decoded before an error comes out
   * first and the error with the next call, as the native engine's decoder hands it over: a
   * member whose checksum fails at its end has all its bytes read, in both engines.
   */
  next(): Uint8Array | null {
    const { strm, zlib } = this
    if (this.failure !== null) throw this.failure
    while (strm.avail_in > 0) {
      if (this.memberEnded) {
        zlib.zlibInflateReset(strm)
        this.memberEnded = false
      }
      if (strm.avail_out === 0) {
        strm.output = new Uint8Array(OUTPUT_CHUNK_BYTES)
        strm.next_out = 0
        strm.avail_out = OUTPUT_CHUNK_BYTES
      }
      const inputLeft = strm.avail_in
      const outputLeft = strm.avail_out
      const status = zlib.zlibInflate(strm, zlib.Z_NO_FLUSH)
      if (status === zlib.Z_STREAM_END) this.memberEnded = true
      else if (status !== zlib.Z_OK && status !== zlib.Z_BUF_ERROR) return this.fail(new Error(strm.msg || `zlib error ${status}`))
      else if (strm.avail_in === inputLeft && strm.avail_out === outputLeft) throw new Error('zlib made no progress')
      if (strm.avail_out === 0) return this.take()
    }
    return this.take()
  }

  /** Ends the input; throws if it stopped inside a member, or held none (as gzip -t does). */
  finish(): void {
    if (!this.memberEnded) throw new Error('unexpected end of file')
  }

  /** Hands out the output decoded before `error` and keeps the error for the next call, or throws it now when there is none. */
  private fail(error: Error): Uint8Array {
    const piece = this.take()
    if (piece === null) throw error
    this.failure = error
    return piece
  }

  /** The output so far, or `null` for none; what follows goes into a new piece. */
  private take(): Uint8Array | null {
    const strm = this.strm
    if (strm.next_out === 0) return null
    const piece = strm.next_out === strm.output.length ? strm.output : strm.output.subarray(0, strm.next_out)
    strm.avail_out = 0
    strm.next_out = 0
    return piece
  }
}
