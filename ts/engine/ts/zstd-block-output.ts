/**
 * How many bytes a compressed Zstandard block decodes to, read from its literals header and its
 * sequences (RFC 8878, 3.1.1.3) without decoding the literals or copying a byte.
 *
 * fzstd executes a block's sequences without bounding their lengths by the block's size, so a
 * damaged block whose sequences decode to huge lengths made it loop for seconds (47 s once)
 * before anything failed. The frame walker (`unzstd.ts`) asks this first and refuses a block that
 * would make more than a block may hold, as zstd does at once; the walk costs one pass over the
 * sequences' bit stream. It also refuses what zstd refuses on the way: entropy tables that do not
 * add up, symbols out of range, a repeated table with none before it, a bit stream not used up
 * exactly, sequences that take more literals than the block has.
 */

/** Thrown for a block that is not valid zstd: `message` is zstd's own words and why. */
function corrupted(why: string): never {
  throw new Error(`Data corruption detected (${why})`)
}

/**
 * An FSE decoding table (4.1.1) for one kind of code: for each state, how the next state is read
 * and what its symbol (a code) stands for, the extra bits the code takes and the value they add
 * to (3.1.1.3.2.1), worked out once per table rather than once per sequence.
 */
interface FseTable {
  readonly accuracyLog: number
  readonly bitCounts: Uint8Array
  readonly baselines: Uint16Array
  readonly extraBits: Uint8Array
  readonly extraBases: Uint32Array
}

/** A kind of code: the largest code there is, and each code's extra bits and base value. */
interface CodeKind {
  readonly maxCode: number
  readonly maxAccuracyLog: number
  readonly bits: readonly number[]
  readonly bases: readonly number[]
}

/** The most a block may take, and the most it may decode to (Block_Maximum_Size, 128 KiB). */
export const MAX_BLOCK_BYTES = 128 * 1024
const LITERALS_RAW = 0
const LITERALS_RLE = 1
const LITERALS_COMPRESSED = 2
const MODE_PREDEFINED = 0
const MODE_RLE = 1
const MODE_COMPRESSED = 2

/** Extra bits of each literal length code (3.1.1.3.2.1.1); a code's base adds up those before it. */
const LITERAL_LENGTH_BITS = [...Array<number>(16).fill(0), 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
/** Extra bits of each match length code; bases start at 3, the shortest match. */
const MATCH_LENGTH_BITS = [...Array<number>(32).fill(0), 1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]
/** Offset code `n` takes `n` extra bits; the offset itself is not needed here. */
const OFFSET_BITS = Array.from({ length: 32 }, (_, code) => code)

const LITERAL_LENGTHS: CodeKind = { maxCode: 35, maxAccuracyLog: 9, bits: LITERAL_LENGTH_BITS, bases: basesOf(LITERAL_LENGTH_BITS, 0) }
const MATCH_LENGTHS: CodeKind = { maxCode: 52, maxAccuracyLog: 9, bits: MATCH_LENGTH_BITS, bases: basesOf(MATCH_LENGTH_BITS, 3) }
const OFFSETS: CodeKind = { maxCode: 31, maxAccuracyLog: 8, bits: OFFSET_BITS, bases: OFFSET_BITS.map(() => 0) }

/** The predefined distributions (3.1.1.3.2.2.1), with their accuracy logs. */
const PREDEFINED_LITERAL_LENGTHS = fseTable(
  [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1],
  6,
  LITERAL_LENGTHS,
)
const PREDEFINED_MATCH_LENGTHS = fseTable(
  [1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1],
  6,
  MATCH_LENGTHS,
)
const PREDEFINED_OFFSETS = fseTable([1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1], 5, OFFSETS)

function basesOf(bits: readonly number[], first: number): number[] {
  const bases: number[] = []
  let next = first
  for (const b of bits) {
    bases.push(next)
    next += 2 ** b
  }
  return bases
}

/** The index of the highest set bit of `value` (> 0). */
function highBit(value: number): number {
  return 31 - Math.clz32(value)
}

/**
 * Builds the decoding table of a normalized distribution (`-1`: a "less than 1" probability) of
 * codes of `kind` (4.1.1).
 */
function fseTable(probabilities: readonly number[], accuracyLog: number, kind: CodeKind): FseTable {
  const size = 1 << accuracyLog
  const symbols = new Uint8Array(size)
  const next: number[] = []
  let high = size - 1
  probabilities.forEach((p, s) => {
    if (p === -1) {
      symbols[high--] = s
      next[s] = 1
    } else next[s] = p
  })
  const step = (size >>> 1) + (size >>> 3) + 3
  let position = 0
  probabilities.forEach((p, s) => {
    for (let i = 0; i < p; i++) {
      symbols[position] = s
      do position = (position + step) & (size - 1)
      while (position > high)
    }
  })
  if (position !== 0) corrupted('an entropy table does not spread evenly')
  const bitCounts = new Uint8Array(size)
  const baselines = new Uint16Array(size)
  for (let state = 0; state < size; state++) {
    const nextState = next[symbols[state]]++
    const bits = accuracyLog - highBit(nextState)
    bitCounts[state] = bits
    baselines[state] = (nextState << bits) - size
  }
  return { accuracyLog, bitCounts, baselines, ...codeValues(symbols, kind) }
}

/** The table of one code repeated (RLE mode): one state, read with no bits. */
function rleTable(code: number, kind: CodeKind): FseTable {
  return { accuracyLog: 0, bitCounts: new Uint8Array(1), baselines: new Uint16Array(1), ...codeValues(Uint8Array.of(code), kind) }
}

function codeValues(codes: Uint8Array, kind: CodeKind): { extraBits: Uint8Array; extraBases: Uint32Array } {
  const extraBits = new Uint8Array(codes.length)
  const extraBases = new Uint32Array(codes.length)
  codes.forEach((code, state) => {
    if (code > kind.maxCode) corrupted('a code is out of range')
    extraBits[state] = kind.bits[code]
    extraBases[state] = kind.bases[code]
  })
  return { extraBits, extraBases }
}

/** Bits read forwards from `bytes[at]` on, lowest first, as a table description is (4.1.1). */
class ForwardBits {
  private bit = 0

  constructor(
    private readonly bytes: Uint8Array,
    private readonly at: number,
    private readonly end: number,
  ) {}

  /** The next `n` (≤ 24) bits without consuming them; bits past the end read as zeros. */
  peek(n: number): number {
    const byte = this.at + (this.bit >>> 3)
    let word = 0
    for (let k = 3; k >= 0; k--) word = word * 256 + (byte + k < this.end ? this.bytes[byte + k] : 0)
    return Math.floor(word / 2 ** (this.bit & 7)) & ((1 << n) - 1)
  }

  skip(n: number): void {
    this.bit += n
    if (this.at + Math.ceil(this.bit / 8) > this.end) corrupted('an entropy table runs past the block')
  }

  /** Where the next whole byte starts. */
  get nextByte(): number {
    return this.at + Math.ceil(this.bit / 8)
  }
}

/** Reads an FSE table description (4.1.1) at `bytes[at]`; gives the table and where it ends. */
function readFseTable(bytes: Uint8Array, at: number, end: number, kind: CodeKind): [FseTable, number] {
  const { maxCode: maxSymbol, maxAccuracyLog } = kind
  const bits = new ForwardBits(bytes, at, end)
  const accuracyLog = bits.peek(4) + 5
  bits.skip(4)
  if (accuracyLog > maxAccuracyLog) corrupted('an entropy table is too precise')
  const probabilities: number[] = []
  let remaining = (1 << accuracyLog) + 1
  let threshold = 1 << accuracyLog
  let width = accuracyLog + 1
  while (remaining > 1) {
    if (probabilities.length > maxSymbol) corrupted('an entropy table has too many symbols')
    const max = 2 * threshold - 1 - remaining
    let value = bits.peek(width - 1)
    if (value < max) bits.skip(width - 1)
    else {
      value = bits.peek(width)
      if (value >= threshold) value -= max
      bits.skip(width)
    }
    const probability = value - 1
    remaining -= Math.abs(probability)
    probabilities.push(probability)
    if (probability === 0) {
      // Two-bit flags say how many more symbols have probability 0; 3 means more flags follow.
      for (let flag = 3; flag === 3; ) {
        flag = bits.peek(2)
        bits.skip(2)
        for (let i = 0; i < flag; i++) probabilities.push(0)
        if (probabilities.length > maxSymbol + 1) corrupted('an entropy table has too many symbols')
      }
    }
    while (remaining < threshold) {
      width--
      threshold >>>= 1
    }
  }
  if (remaining !== 1 || probabilities.length > maxSymbol + 1) corrupted('an entropy table does not add up')
  return [fseTable(probabilities, accuracyLog, kind), bits.nextByte]
}

/**
 * The `n` (≤ 25) bits of a sequences bit stream (in `streamCopy`) that start `position` bits into
 * it. The stream is read backwards (4.1): each read takes the bits just below the ones read
 * before, so the caller lowers `position` first. One unaligned 32-bit load per read, hence the copy
 * with room after it: reading the block in place took a quarter longer.
 */
function bitsAt(stream: DataView, position: number, n: number): number {
  if (n === 0) return 0
  return (stream.getUint32(position >>> 3, true) >>> (position & 7)) & ((1 << n) - 1)
}

/** The most bits `bitsAt` reads at once: 32 loaded, less up to 7 shifted out. */
const MAX_READ_BITS = 25

/** A block's bit stream copied with room after it, so four bytes can be read at any of its bytes. */
const STREAM_ROOM = 4
const streamCopy = new Uint8Array(MAX_BLOCK_BYTES + STREAM_ROOM)
const streamView = new DataView(streamCopy.buffer)

/**
 * The tables of one frame's blocks: a block may repeat the previous block's tables, so one is
 * made per frame and asked about each compressed block in order.
 */
export class BlockOutput {
  private literalLengths: FseTable | null = null
  private offsets: FseTable | null = null
  private matchLengths: FseTable | null = null

  /** The bytes the compressed block `body` (without its 3-byte header) decodes to; throws if it is not valid. */
  sizeOf(body: Uint8Array): number {
    const end = body.length
    if (end > MAX_BLOCK_BYTES) corrupted('a block larger than 128 KiB')
    const [literals, afterLiterals, treeAt] = literalsOf(body)
    if (afterLiterals >= end) corrupted('it has no sequences header')
    if (treeAt !== null) checkHuffmanWeights(body, treeAt, afterLiterals)
    let at = afterLiterals
    let count = body[at++]
    if (count === 0) return literals
    if (count === 255) {
      count = body[at] + (body[at + 1] << 8) + 0x7f00
      at += 2
    } else if (count >= 128) count = ((count - 128) << 8) + body[at++]
    if (at >= end) corrupted('its sequences header is cut short')
    const modes = body[at++]
    if (modes & 3) corrupted('a reserved bit of its sequences header is set')
    ;[this.literalLengths, at] = table(body, at, end, modes >>> 6, this.literalLengths, PREDEFINED_LITERAL_LENGTHS, LITERAL_LENGTHS)
    ;[this.offsets, at] = table(body, at, end, (modes >>> 4) & 3, this.offsets, PREDEFINED_OFFSETS, OFFSETS)
    ;[this.matchLengths, at] = table(body, at, end, (modes >>> 2) & 3, this.matchLengths, PREDEFINED_MATCH_LENGTHS, MATCH_LENGTHS)
    return literals + matchedBytes(body, at, end, count, literals, this.literalLengths, this.offsets, this.matchLengths)
  }

}

/** The table of one kind of code a compressed block's sequences header gives, and where it ends. */
function table(body: Uint8Array, at: number, end: number, mode: number, previous: FseTable | null, predefined: FseTable, kind: CodeKind): [FseTable, number] {
  if (mode === MODE_PREDEFINED) return [predefined, at]
  if (mode === MODE_RLE) {
    if (at >= end) corrupted('its sequences header is cut short')
    return [rleTable(body[at], kind), at + 1]
  }
  if (mode === MODE_COMPRESSED) return readFseTable(body, at, end, kind)
  if (previous === null) corrupted('it repeats an entropy table no block before it had')
  return [previous, at]
}

/**
 * The literals section's regenerated size, where the sequences section starts (3.1.1.3.1), and
 * where the Huffman tree description of compressed literals starts (`null` for none).
 */
function literalsOf(body: Uint8Array): [number, number, number | null] {
  if (body.length === 0) corrupted('it is empty')
  const b0 = body[0]
  const type = b0 & 3
  const sizeFormat = (b0 >>> 2) & 3
  let regenerated: number
  let headerBytes: number
  let stored: number
  if (type === LITERALS_RAW || type === LITERALS_RLE) {
    if ((sizeFormat & 1) === 0) [regenerated, headerBytes] = [b0 >>> 3, 1]
    else if (sizeFormat === 1) [regenerated, headerBytes] = [(b0 >>> 4) + (body[1] << 4), 2]
    else [regenerated, headerBytes] = [(b0 >>> 4) + (body[1] << 4) + (body[2] << 12), 3]
    stored = type === LITERALS_RAW ? regenerated : 1
  } else if (sizeFormat <= 1) {
    regenerated = (b0 >>> 4) + ((body[1] & 0x3f) << 4)
    stored = (body[1] >>> 6) + (body[2] << 2)
    headerBytes = 3
  } else if (sizeFormat === 2) {
    regenerated = (b0 >>> 4) + (body[1] << 4) + ((body[2] & 3) << 12)
    stored = (body[2] >>> 2) + (body[3] << 6)
    headerBytes = 4
  } else {
    regenerated = (b0 >>> 4) + (body[1] << 4) + ((body[2] & 0x3f) << 12)
    stored = (body[2] >>> 6) + (body[3] << 2) + (body[4] << 10)
    headerBytes = 5
  }
  if (headerBytes > body.length) corrupted('its literals header is cut short')
  if (regenerated > MAX_BLOCK_BYTES) corrupted('its literals are more than a block holds')
  return [regenerated, headerBytes + stored, type === LITERALS_COMPRESSED ? headerBytes : null]
}

/** Huffman weights are 0 to 11 (4.2.1.1); the FSE table that codes them is at most 6 bits precise. */
const HUFFMAN_WEIGHTS: CodeKind = { maxCode: 11, maxAccuracyLog: 6, bits: Array<number>(12).fill(0), bases: Array<number>(12).fill(0) }
/** The most weights a Huffman tree description gives (4.2.1): one per literal byte value but the last. */
const MAX_HUFFMAN_WEIGHTS = 255

/**
 * Walks the FSE-coded weights of a Huffman tree description at `body[at]` (4.2.1.2), as fzstd
 * decodes them, and refuses more than 255 of them, as zstd does. fzstd stops only when the bits
 * run out: damaged weights whose states read no bits kept it looping for ever (found by changing
 * one byte of a zstd file). Weights given 4 bits each directly (a header byte of 128 or more)
 * cannot loop and are left to fzstd.
 */
function checkHuffmanWeights(body: Uint8Array, at: number, end: number): void {
  if (at >= end) corrupted('its Huffman tree description is cut short')
  const compressedBytes = body[at]
  if (compressedBytes >= 128) return
  const last = at + compressedBytes
  if (compressedBytes === 0 || last >= end) corrupted('its Huffman weights run past the literals')
  const [table, weightsAt] = readFseTable(body, at + 1, last + 1, HUFFMAN_WEIGHTS)
  if (body[last] === 0) corrupted('its Huffman weights have no end mark')
  const { bitCounts, baselines, accuracyLog } = table
  const read = (position: number, n: number) => ((body[position >>> 3] | (body[(position >>> 3) + 1] << 8)) >>> (position & 7)) & ((1 << n) - 1)
  // Two interleaved states read backwards from the last byte's end mark down to the table's end.
  const stop = weightsAt * 8
  let position = last * 8 + highBit(body[last])
  let state1 = 0
  let state2 = 0
  let bits1 = accuracyLog
  let bits2 = accuracyLog
  for (let weights = 0; ; weights += 2) {
    if (weights > MAX_HUFFMAN_WEIGHTS) corrupted('its Huffman tree has more than 255 weights')
    position -= bits1
    if (position < stop) return
    state1 += read(position, bits1)
    position -= bits2
    if (position < stop) return
    state2 += read(position, bits2)
    ;[bits1, state1] = [bitCounts[state1], baselines[state1]]
    ;[bits2, state2] = [bitCounts[state2], baselines[state2]]
  }
}

/**
 * The bytes the sequences add to the block besides literals: reads each sequence's codes and
 * extra bits (4.1, 3.1.1.3.2.1), summing match lengths and checking the literal lengths against
 * the literals there are. One pass over the bit stream, with everything it reads per sequence
 * in local variables: this runs before every compressed block fzstd decodes.
 */
function matchedBytes(
  body: Uint8Array,
  start: number,
  end: number,
  count: number,
  literals: number,
  literalLengths: FseTable,
  offsets: FseTable,
  matchLengths: FseTable,
): number {
  const last = end > start ? body[end - 1] : 0
  if (last === 0) corrupted('its sequences have no end mark')
  // Bits not read yet: the stream's bits [0, left). The last byte's highest set bit marks the end.
  let left = (end - start - 1) * 8 + highBit(last)
  streamCopy.set(body.subarray(start, end))
  streamCopy.fill(0, end - start, end - start + STREAM_ROOM)
  const stream = streamView
  const { bitCounts: literalBitCounts, baselines: literalBaselines, extraBits: literalExtraBits, extraBases: literalBases } = literalLengths
  const { bitCounts: offsetBitCounts, baselines: offsetBaselines, extraBits: offsetExtraBits } = offsets
  const { bitCounts: matchBitCounts, baselines: matchBaselines, extraBits: matchExtraBits, extraBases: matchBases } = matchLengths
  // Each group of reads is taken off `left` at once and checked, so no read starts below the
  // stream: a damaged one runs past its start.
  const literalLog = literalLengths.accuracyLog
  const offsetLog = offsets.accuracyLog
  const matchLog = matchLengths.accuracyLog
  left -= literalLog + offsetLog + matchLog
  if (left < 0) corrupted('its sequences run past their bit stream')
  let literalState = bitsAt(stream, left + offsetLog + matchLog, literalLog)
  let offsetState = bitsAt(stream, left + matchLog, offsetLog)
  let matchState = bitsAt(stream, left, matchLog)
  let literalsTaken = 0
  let matched = 0
  for (let n = 1; ; n++) {
    // Offset, match length, then literal length; the offset's value is not needed, only its bits passed over.
    const matchBits = matchExtraBits[matchState]
    const literalBits = literalExtraBits[literalState]
    left -= offsetExtraBits[offsetState] + matchBits + literalBits
    if (left < 0) corrupted('its sequences run past their bit stream')
    // Both lengths' extra bits in one read where they fit (nearly always), the literal length's lowest.
    if (matchBits + literalBits <= MAX_READ_BITS) {
      const both = bitsAt(stream, left, matchBits + literalBits)
      matched += matchBases[matchState] + (both >>> literalBits)
      literalsTaken += literalBases[literalState] + (both & ((1 << literalBits) - 1))
    } else {
      matched += matchBases[matchState] + bitsAt(stream, left + literalBits, matchBits)
      literalsTaken += literalBases[literalState] + bitsAt(stream, left, literalBits)
    }
    if (literalsTaken > literals) corrupted('its sequences take more literals than it has')
    // More than the largest block there is: stop here rather than read on through a damaged stream.
    if (matched > MAX_BLOCK_BYTES || n === count) break
    // The next states: literal length, match length, then offset.
    const literalStateBits = literalBitCounts[literalState]
    const matchStateBits = matchBitCounts[matchState]
    const offsetStateBits = offsetBitCounts[offsetState]
    left -= literalStateBits + matchStateBits + offsetStateBits
    if (left < 0) corrupted('its sequences run past their bit stream')
    const stateBits = literalStateBits + matchStateBits + offsetStateBits
    if (stateBits <= MAX_READ_BITS) {
      // The three states' bits in one read: literal length's highest, offset's lowest.
      const all = bitsAt(stream, left, stateBits)
      literalState = literalBaselines[literalState] + (all >>> (matchStateBits + offsetStateBits))
      matchState = matchBaselines[matchState] + ((all >>> offsetStateBits) & ((1 << matchStateBits) - 1))
      offsetState = offsetBaselines[offsetState] + (all & ((1 << offsetStateBits) - 1))
    } else {
      literalState = literalBaselines[literalState] + bitsAt(stream, left + matchStateBits + offsetStateBits, literalStateBits)
      matchState = matchBaselines[matchState] + bitsAt(stream, left + offsetStateBits, matchStateBits)
      offsetState = offsetBaselines[offsetState] + bitsAt(stream, left, offsetStateBits)
    }
  }
  if (matched <= MAX_BLOCK_BYTES && left !== 0) corrupted('its sequences do not use up their bit stream')
  return matched
}
