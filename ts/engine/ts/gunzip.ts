import type * as Pako from 'pako'
import { lazyRequire } from './lazy-require'

const pako = lazyRequire<typeof Pako>('pako')

/** zlib's `windowBits` for gzip and nothing else: a 32 KiB window (15) plus 16. */
const GZIP_WINDOW_BITS = 15 + 16
const OUTPUT_CHUNK_BYTES = 64 * 1024

/**
 * Synchronous streaming gunzip, member after member, on pako's port of zlib. zlib checks each
 * member's CRC-32 and length at its end, so a corrupted file ends in an error (fflate, used
 * before, skipped those checks and decoded such a file into other bytes without a word). This
 * drives zlib's inflate itself because pako's `Inflate` stops for good at a member that ends
 * exactly where a pushed chunk ends, dropping the members after it. Whatever follows a member
 * must be another member: trailing zeros or garbage are an error. The native engine runs the same
 * zlib code (zlib-rs) the same way (`gzip_members.rs` in the core), so both stop at the same byte
 * of a damaged file and say why in the same words (`failureText`).
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
  /** The last call filled the output piece: zlib may hold more output for input it took. */
  private outputFull = false
  /** The member being decoded, from 1. */
  private member = 1
  /** The compressed byte at which it starts. */
  private memberStart = 0
  /** Compressed bytes taken by zlib so far. */
  private consumed = 0
  /** The decoder's error; `next` throws it from now on, after the output decoded before it. */
  private failure: Error | null = null

  constructor() {
    const status = this.zlib.zlibInflateInit2(this.strm, GZIP_WINDOW_BITS)
    if (status !== this.zlib.Z_OK) throw this.error(this.strm.msg || `zlib error ${status}`)
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
    // An output piece that was filled may have left zlib with more to write for input it has
    // taken: that comes out before more input is asked for, or the end is reported.
    while (strm.avail_in > 0 || this.outputFull) {
      const draining = strm.avail_in === 0
      if (this.memberEnded) {
        zlib.zlibInflateReset(strm)
        this.memberEnded = false
        this.member++
        this.memberStart = this.consumed
      }
      if (strm.avail_out === 0) {
        strm.output = new Uint8Array(OUTPUT_CHUNK_BYTES)
        strm.next_out = 0
        strm.avail_out = OUTPUT_CHUNK_BYTES
      }
      const inputLeft = strm.avail_in
      const outputLeft = strm.avail_out
      const status = zlib.zlibInflate(strm, zlib.Z_NO_FLUSH)
      this.consumed += inputLeft - strm.avail_in
      this.outputFull = strm.avail_out === 0 && status !== zlib.Z_STREAM_END
      if (status === zlib.Z_STREAM_END) this.memberEnded = true
      else if (status !== zlib.Z_OK && status !== zlib.Z_BUF_ERROR) return this.fail(this.error(strm.msg || `zlib error ${status}`))
      else if (strm.avail_in === inputLeft && strm.avail_out === outputLeft) {
        if (draining) break
        throw this.error(NO_PROGRESS)
      }
      if (strm.avail_out === 0) return this.take()
    }
    return this.take()
  }

  /** Ends the input; throws if it stopped inside a member, or held none (as gzip -t does). */
  finish(): void {
    if (!this.memberEnded) throw this.error(UNEXPECTED_END)
  }

  private error(zlibMessage: string): Error {
    return new Error(failureText(zlibMessage, this.member, this.memberStart, this.consumed))
  }

  /** Keeps `error` for every later call (zlib refuses to go on after one) and hands out the output decoded before it, or throws it now when there is none. */
  private fail(error: Error): Uint8Array {
    this.failure = error
    const piece = this.take()
    if (piece === null) throw error
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

/** zlib's words for input that stops inside a member, which zlib itself never reports (it waits for more); `gzip -t` says the same. */
const UNEXPECTED_END = 'unexpected end of file'
/** Never expected of zlib, but a loop must not spin if it happens. */
const NO_PROGRESS = 'zlib made no progress'

/**
 * The words for a decoding failure in `member` (from 1), which starts at compressed byte
 * `memberStart`, when `consumed` compressed bytes have been taken: zlib's message where it names a
 * check of the gzip format, then what it means for the data; zlib's finer words for damaged
 * deflate data become "invalid deflate data", as `failure_text` in the core's `gzip_members.rs`
 * says why, and words it the same.
 */
function failureText(zlibMessage: string, member: number, memberStart: number, consumed: number): string {
  const subject = member === 1 ? 'the gzip data' : `gzip member ${member} (from compressed byte ${memberStart})`
  if (zlibMessage === UNEXPECTED_END) return `${UNEXPECTED_END}: ${consumed === 0 ? 'the input is empty' : `${subject} is cut short`}`
  if (zlibMessage === 'incorrect data check') return `${zlibMessage}: the CRC-32 of ${subject} does not match: its bytes are damaged`
  if (zlibMessage === 'incorrect length check') return `${zlibMessage}: the length of ${subject} does not match: bytes are missing or damaged`
  if (zlibMessage === 'incorrect header check' && member > 1) {
    return `${zlibMessage}: the bytes from compressed byte ${memberStart} on, after gzip member ${member - 1}, are not another gzip member`
  }
  if (HEADER_FAILURES.has(zlibMessage)) return `${zlibMessage}: the header of ${subject} is damaged`
  return `invalid deflate data: ${subject} is damaged`
}

/** zlib's words for a gzip header it cannot read. */
const HEADER_FAILURES = new Set(['incorrect header check', 'unknown compression method', 'unknown header flags set', 'header crc mismatch'])
