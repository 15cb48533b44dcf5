import type * as Fzstd from 'fzstd'
import { lazyRequire } from './lazy-require'
import { Xxh64 } from './xxhash64'
import { BlockOutput, MAX_BLOCK_BYTES } from './zstd-block-output'
import { INCOMPLETE_FRAME, zstdFailureText } from './zstd-failure-text'

const fzstd = lazyRequire<typeof Fzstd>('fzstd')

const FRAME_MAGIC = 0xfd2fb528
/** Skippable frames have magic numbers 0x184D2A50 to 0x184D2A5F. */
const SKIPPABLE_MAGIC = 0x184d2a50
const SKIPPABLE_MASK = 0xfffffff0
/** The largest window zstd decodes unless told otherwise (`ZSTD_WINDOWLOG_LIMIT_DEFAULT`, 2^27). */
const MAX_WINDOW_BYTES = 2 ** 27
const BLOCK_HEADER_BYTES = 3
const CHECKSUM_BYTES = 4
/** fzstd holds back a frame's first pushes until this many bytes have come (its longest header). */
const DECODER_HOLDS_BELOW = 18

const enum Phase {
  Magic,
  FrameHeader,
  Block,
  SkippableSize,
  Skippable,
}

/** Block types 0 and 2 (raw and compressed) take as many bytes as their size says; RLE takes one. */
const RLE_BLOCK = 1
const COMPRESSED_BLOCK = 2
const RESERVED_BLOCK = 3

interface Frame {
  decoder: Fzstd.Decompress
  hash: Xxh64 | null
  /** Reads each compressed block's size before fzstd decodes it (see zstd-block-output.ts). */
  blockOutput: BlockOutput
  /** The content size the header declares, or -1 when it declares none. */
  contentBytes: number
  decoded: number
  /** Bytes pushed to `decoder` so far. */
  pushed: number
  /** The frame header, pushed with the first block (fzstd reads them as one piece). */
  header: Uint8Array | null
  /** The frame's window is its declared size, which zstd decodes it into. */
  singleSegment: boolean
  /** The most a block of the frame may hold and make: its window, at most 128 KiB (zstd's blockSizeMax). */
  blockMax: number
}

/**
 * Synchronous streaming Zstandard decompression (RFC 8878), frame after frame, with the checks
 * zstd makes: each frame's content checksum (XXH64, which fzstd skips), its declared content size,
 * block sizes, and windows no larger than zstd's default limit of 128 MiB (fzstd would allocate up
 * to 2 GiB). Skippable frames are skipped; anything else between frames is an error, as in the
 * native engine. The frames and blocks are walked here and fzstd (pure JS, no dependencies)
 * decodes one whole block per push, so what is held is one block's output (at most 128 KiB)
 * however well the input compresses, and fzstd never keeps a view of the caller's chunk.
 * Errors lead with zstd's own names, the native engine's libzstd words, and say what they mean
 * in the words both engines use (`zstdFailureText`); what was found besides is their `cause`.
 */
export class Unzstd {
  private input: Uint8Array = new Uint8Array(0)
  private inputPos = 0
  /** The start of a unit that straddles pushed chunks, copied here until it is whole. */
  private held = new Uint8Array(64)
  private heldLength = 0
  private phase = Phase.Magic
  private frame: Frame | null = null
  private skipLeft = 0
  private readonly pieces: Uint8Array[] = []
  private piecePos = 0
  /** A frame (or skippable frame) began: an empty file is an error, as in zstd. */
  private sawFrame = false
  /** Compressed bytes pushed so far. */
  private received = 0
  /** A checksum that failed after the block whose output goes out first; `next` throws it then. */
  private failure: Error | null = null

  /** Makes `chunk` the input; it is read by `next`, so it must not change until `next` gives `null`. */
  push(chunk: Uint8Array): void {
    this.received += chunk.length
    this.input = chunk
    this.inputPos = 0
  }

  /**
   * The next piece of output (a new array the caller may keep), or `null` once the input pushed
   * is used up; throws on data that is not valid zstd. A frame's last block comes out before
   * its checksum fails, as zstd's streaming decoder in the native engine hands it over.
   */
  next(): Uint8Array | null {
    for (;;) {
      if (this.piecePos < this.pieces.length) {
        const piece = this.pieces[this.piecePos]
        this.pieces[this.piecePos++] = EMPTY
        if (piece.length > 0) return piece
        continue
      }
      this.pieces.length = 0
      this.piecePos = 0
      if (this.failure !== null) throw this.failure
      if (!this.worded(() => this.step())) return null
    }
  }

  /** Ends the input; throws if it stopped inside a frame, or held none (as zstd -t does). */
  finish(): void {
    if (this.phase !== Phase.Magic || this.heldLength > 0 || !this.sawFrame) this.worded(() => fail(INCOMPLETE_FRAME))
  }

  /** `step()`, with a failure worded as `reworded` says. */
  private worded<T>(step: () => T): T {
    try {
      return step()
    } catch (error) {
      throw this.reworded(error)
    }
  }

  /**
   * `error` (zstd's name for a failure, then what was found in parentheses) as the engines word
   * it (`zstdFailureText`), the native engine's libzstd giving only the name; what was found stays
   * in the new error's `cause`.
   */
  private reworded(error: unknown): Error {
    const message = error instanceof Error ? error.message : String(error)
    const name = /^(.*?)(?: \(.*\))?$/s.exec(message)?.[1] ?? message
    return new Error(zstdFailureText(name, this.received === 0), { cause: error })
  }

  /** Moves through one unit of input (a header, a block, skipped bytes); `false` when more input is needed. */
  private step(): boolean {
    switch (this.phase) {
      case Phase.Magic: {
        const magic = this.peek(4)
        if (magic === null) return false
        const value = readU32(magic, 0)
        if (value === FRAME_MAGIC) {
          this.phase = Phase.FrameHeader
          return true
        }
        if ((value & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
          this.take(4)
          this.phase = Phase.SkippableSize
          this.sawFrame = true
          return true
        }
        throw new Error('Unknown frame descriptor')
      }
      case Phase.SkippableSize: {
        const size = this.take(4)
        if (size === null) return false
        this.skipLeft = readU32(size, 0)
        this.phase = Phase.Skippable
        return true
      }
      case Phase.Skippable: {
        const skipped = Math.min(this.skipLeft, this.input.length - this.inputPos)
        this.inputPos += skipped
        this.skipLeft -= skipped
        if (this.skipLeft > 0) return false
        this.phase = Phase.Magic
        return true
      }
      case Phase.FrameHeader:
        return this.frameHeader()
      case Phase.Block:
        return this.block()
    }
  }

  private frameHeader(): boolean {
    const start = this.peek(5)
    if (start === null) return false
    const descriptor = start[4]
    const hasChecksum = (descriptor >>> 2) & 1
    const { singleSegment, windowAt, dictionaryAt, dictionaryIdBytes, contentSizeAt, contentSizeBytes, length } = frameHeaderLayout(descriptor)
    const header = this.take(length)
    if (header === null) return false
    // As zstd: the header's fields are judged once it is whole, so a file cut inside one is cut.
    if (descriptor & 8) fail('Unsupported frame parameter', 'a reserved bit is set')
    if (dictionaryIdBytes > 0 && readUint(header, dictionaryAt, dictionaryIdBytes) !== 0) {
      fail('Dictionary mismatch', `dictionary ${readUint(header, dictionaryAt, dictionaryIdBytes)}`)
    }
    let contentBytes = contentSizeBytes === 0 ? -1 : readUint(header, contentSizeAt, contentSizeBytes)
    if (contentSizeBytes === 2) contentBytes += 256
    let windowBytes: number
    if (singleSegment) windowBytes = contentBytes
    else {
      const exponent = header[windowAt] >>> 3
      const base = 2 ** (10 + exponent)
      windowBytes = base + (base / 8) * (header[windowAt] & 7)
    }
    if (windowBytes > MAX_WINDOW_BYTES) {
      fail('Frame requires too much memory for decoding', `a window of ${Math.ceil(windowBytes / 2 ** 20)} MiB`)
    }
    this.frame = {
      decoder: new (fzstd().Decompress)((piece: Uint8Array) => void this.pieces.push(piece)),
      hash: hasChecksum ? new Xxh64() : null,
      blockOutput: new BlockOutput(),
      contentBytes,
      decoded: 0,
      pushed: 0,
      header: copyOf(header),
      singleSegment,
      blockMax: Math.min(windowBytes, MAX_BLOCK_BYTES),
    }
    this.sawFrame = true
    this.phase = Phase.Block
    return true
  }

  private block(): boolean {
    const frame = this.frame as Frame
    const head = this.peek(BLOCK_HEADER_BYTES)
    if (head === null) return false
    const bits = head[0] | (head[1] << 8) | (head[2] << 16)
    const last = (bits & 1) === 1
    const type = (bits >>> 1) & 3
    const size = bits >>> 3
    if (type === RESERVED_BLOCK) fail(CORRUPTED, 'reserved block type')
    // zstd's checks of a block, in its order: what it holds (from the header alone), then, with
    // the block whole, where its output goes and what it makes. An RLE block holds one byte
    // whatever size it gives, which is checked with its output.
    const body = type === RLE_BLOCK ? 1 : size
    // `blockMax` is the window capped at 128 KiB: this also refuses a block over 128 KiB.
    if (body > frame.blockMax) fail(CORRUPTED, "a block larger than the frame's window")
    const checksumBytes = last && frame.hash !== null ? CHECKSUM_BYTES : 0
    const unit = this.take(BLOCK_HEADER_BYTES + body + checksumBytes)
    if (unit === null) return false
    const output = type === COMPRESSED_BLOCK ? frame.blockOutput.sizeOf(unit.subarray(BLOCK_HEADER_BYTES, BLOCK_HEADER_BYTES + size)) : size
    if (output > MAX_BLOCK_BYTES) fail(CORRUPTED, 'its sequences make more than a block holds, 128 KiB')
    // zstd decodes a single-segment frame into a buffer of the size it declares: a block that
    // would overflow it is refused before any of it goes out.
    if (frame.singleSegment && frame.decoded + output > frame.contentBytes) {
      fail('Destination buffer is too small', `the frame declares ${frame.contentBytes} bytes and holds more`)
    }
    if (output > frame.blockMax) fail(CORRUPTED, "a block that makes more than the frame's window")
    // The last block goes with the checksum after it: fzstd wants to see the frame's end.
    this.decode(frame, unit, last)
    if (!last) return true
    // As in zstd: a frame whose size is not the declared one keeps its last block back, while
    // one whose checksum fails hands over every block first.
    if (frame.contentBytes >= 0 && frame.decoded !== frame.contentBytes) {
      fail(CORRUPTED, `the frame declares ${frame.contentBytes} bytes and holds ${frame.decoded}`)
    }
    if (frame.hash !== null && frame.hash.digestLow32() !== readU32(unit, unit.length - CHECKSUM_BYTES)) {
      this.failure = this.reworded(new Error("Restored data doesn't match checksum"))
      return true
    }
    this.frame = null
    this.phase = Phase.Magic
    return true
  }

  /** Decodes one whole block (the last with its checksum); its output lands in `pieces`, counted and hashed. */
  private decode(frame: Frame, block: Uint8Array, last: boolean): void {
    const from = this.pieces.length
    let bytes = block
    if (frame.header !== null) {
      bytes = concat(frame.header, block)
      frame.header = null
    } else if (frame.pushed + bytes.length < DECODER_HOLDS_BELOW && !last) {
      // fzstd keeps what it holds back by reference; `block` may be a view of a reused buffer.
      bytes = copyOf(bytes)
    }
    frame.pushed += bytes.length
    try {
      frame.decoder.push(bytes, last)
    } catch (error) {
      // fzstd's own words ("invalid zstd data") after zstd's, which the native engine reports.
      fail(CORRUPTED, error instanceof Error ? error.message : String(error))
    }
    for (let i = from; i < this.pieces.length; i++) {
      const piece = this.pieces[i]
      frame.decoded += piece.length
      frame.hash?.update(piece)
    }
  }

  /**
   * The next `n` bytes in one piece without consuming them, or `null` until that many have come.
   * A unit that starts in one chunk and ends in another is gathered in `held`.
   */
  private peek(n: number): Uint8Array | null {
    const available = this.input.length - this.inputPos
    if (this.heldLength === 0 && available >= n) return this.input.subarray(this.inputPos, this.inputPos + n)
    // A unit's head, peeked before, is held with more of the unit after it.
    if (this.heldLength >= n) return this.held.subarray(0, n)
    if (this.held.length < n) {
      const grown = new Uint8Array(Math.max(n, this.held.length * 2))
      grown.set(this.held.subarray(0, this.heldLength))
      this.held = grown
    }
    const copied = Math.min(n - this.heldLength, available)
    this.held.set(this.input.subarray(this.inputPos, this.inputPos + copied), this.heldLength)
    this.heldLength += copied
    this.inputPos += copied
    return this.heldLength >= n ? this.held.subarray(0, n) : null
  }

  /** Like `peek`, but consumes the `n` bytes; the piece is valid until the next `peek` or `take`. */
  private take(n: number): Uint8Array | null {
    const piece = this.peek(n)
    if (piece === null) return null
    if (this.heldLength === 0) this.inputPos += n
    else this.heldLength = 0
    return piece
  }
}

const EMPTY = new Uint8Array(0)

/**
 * Where a frame header's fields are, from its descriptor byte (RFC 8878, 3.1.1.1), counting from
 * the frame's magic number, and how long the header is.
 */
export function frameHeaderLayout(descriptor: number): {
  singleSegment: boolean
  windowAt: number
  dictionaryAt: number
  dictionaryIdBytes: number
  contentSizeAt: number
  contentSizeBytes: number
  length: number
} {
  const singleSegment = ((descriptor >>> 5) & 1) === 1
  const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 3]
  const contentSizeFlag = descriptor >>> 6
  const contentSizeBytes = contentSizeFlag === 0 ? (singleSegment ? 1 : 0) : 1 << contentSizeFlag
  const windowAt = 5
  const dictionaryAt = windowAt + (singleSegment ? 0 : 1)
  const contentSizeAt = dictionaryAt + dictionaryIdBytes
  return { singleSegment, windowAt, dictionaryAt, dictionaryIdBytes, contentSizeAt, contentSizeBytes, length: contentSizeAt + contentSizeBytes }
}

/** zstd's name for damaged data, which fzstd's failures and most of the walker's checks are. */
const CORRUPTED = 'Data corruption detected'

/** Throws zstd's `name` for a failure, and what was found, in the form `reworded` reads (zstd-block-output.ts throws the same). */
function fail(name: string, found?: string): never {
  throw new Error(found === undefined ? name : `${name} (${found})`)
}

function readU32(bytes: Uint8Array, at: number): number {
  return (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0
}

/** A little-endian unsigned integer of 1, 2, 4 or 8 bytes (exact up to 2^53). */
function readUint(bytes: Uint8Array, at: number, length: number): number {
  let value = 0
  for (let i = length - 1; i >= 0; i--) value = value * 256 + bytes[at + i]
  return value
}

/** A copy: `slice` on a Node.js `Buffer` (what a file read fills) is a view, not a copy. */
function copyOf(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes)
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length)
  joined.set(a, 0)
  joined.set(b, a.length)
  return joined
}
