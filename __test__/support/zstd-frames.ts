import * as zlib from 'node:zlib'
import XXH from 'xxhashjs'

/**
 * Zstandard frames written by hand (RFC 8878), so tests can build exactly the framing they need
 * (block kinds and sizes, header fields, checksums, damage) without a compressor. Checksums come
 * from xxhashjs, independent of the XXH64 under test.
 */

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd]
export const MAX_BLOCK_BYTES = 128 * 1024

/** Raw bytes, or one byte repeated (an RLE block). */
export type Block = { raw: Uint8Array } | { rle: number; size: number }

export interface FrameOptions {
  checksum?: boolean
  /** Bytes of the content-size field (0 for none); single-segment frames need one. */
  contentSizeBytes?: 0 | 1 | 2 | 4 | 8
  /** Use the content size as the window (no window descriptor). */
  singleSegment?: boolean
}

export function blockContent(block: Block): Uint8Array {
  return 'raw' in block ? block.raw : new Uint8Array(block.size).fill(block.rle)
}

/** The content-size field widths a frame of `size` bytes can use. */
export function contentSizeWidths(size: number, singleSegment: boolean): Array<0 | 1 | 2 | 4 | 8> {
  const widths: Array<0 | 1 | 2 | 4 | 8> = [4, 8]
  if (!singleSegment) widths.push(0)
  if (singleSegment && size < 256) widths.push(1)
  if (size >= 256 && size < 65536 + 256) widths.push(2)
  return widths
}

/** One frame holding `blocks` (at least one; an empty raw block makes an empty frame). */
export function zstdFrame(blocks: readonly Block[], { checksum = true, contentSizeBytes = 4, singleSegment = contentSizeBytes > 0 }: FrameOptions = {}): Buffer {
  const content = Buffer.concat(blocks.map(blockContent))
  const size = content.length
  const sizeFlag = contentSizeBytes === 8 ? 3 : contentSizeBytes === 4 ? 2 : contentSizeBytes === 2 ? 1 : 0
  if (contentSizeBytes === 1 && !singleSegment) throw new Error('a 1-byte content size needs a single-segment frame')
  const bytes: number[] = [...MAGIC, (sizeFlag << 6) | (singleSegment ? 1 << 5 : 0) | (checksum ? 1 << 2 : 0)]
  // Window descriptor: exponent 7, a 128 KiB window, enough for any block.
  if (!singleSegment) bytes.push(7 << 3)
  const fieldValue = contentSizeBytes === 2 ? size - 256 : size
  for (let i = 0; i < contentSizeBytes; i++) bytes.push(Math.floor(fieldValue / 2 ** (8 * i)) & 0xff)
  blocks.forEach((block, i) => {
    const last = i === blocks.length - 1 ? 1 : 0
    const rle = 'rle' in block
    const blockSize = rle ? block.size : block.raw.length
    const header = last | ((rle ? 1 : 0) << 1) | (blockSize << 3)
    bytes.push(header & 0xff, (header >>> 8) & 0xff, (header >>> 16) & 0xff)
    if (rle) bytes.push(block.rle)
    else for (const b of block.raw) bytes.push(b)
  })
  if (checksum) bytes.push(...u32(XXH.h64(0).update(content).digest().toNumber() >>> 0))
  return Buffer.from(bytes)
}

/** `content` as one frame of raw blocks of at most 128 KiB, with a 4-byte content size. */
export function zstdStored(content: Uint8Array, { checksum = true } = {}): Buffer {
  const blocks: Block[] = []
  for (let at = 0; at < content.length || blocks.length === 0; at += MAX_BLOCK_BYTES) blocks.push({ raw: content.subarray(at, at + MAX_BLOCK_BYTES) })
  return zstdFrame(blocks, { checksum })
}

/** A skippable frame (magic 0x184D2A5?) around `data`, which readers must pass over. */
export function skippable(data: Uint8Array, variant = 0xa): Buffer {
  return Buffer.concat([Buffer.from([0x50 | variant, 0x2a, 0x4d, 0x18, ...u32(data.length)]), data])
}

/**
 * One frame whose only block is compressed and damaged the way that once stalled the TS engine:
 * `count` sequences, each a match of 131,074 bytes (match length code 52 with all 16 extra bits
 * set, through RLE tables), so its sequences claim about `count` × 128 KiB where a block holds
 * 128 KiB. No literals; a 128 KiB window; no checksum.
 */
export function zstdOverlongMatches(count: number): Buffer {
  if (count < 1 || count >= 0x7f00) throw new Error('count must be 1 to 32511')
  const BITS_PER_SEQUENCE = 17 // 1 offset bit (offset code 1) and 16 match length bits
  const streamBits = count * BITS_PER_SEQUENCE
  const bitStream = [...Array<number>(Math.floor(streamBits / 8)).fill(0xff), (2 << streamBits % 8) - 1]
  const RLE_EVERY_TABLE = (1 << 6) | (1 << 4) | (1 << 2)
  const [LITERAL_LENGTH_CODE, OFFSET_CODE, MATCH_LENGTH_CODE] = [0, 1, 52]
  const body = [0x00, 0x80 | (count >>> 8), count & 0xff, RLE_EVERY_TABLE, LITERAL_LENGTH_CODE, OFFSET_CODE, MATCH_LENGTH_CODE, ...bitStream]
  const COMPRESSED_LAST = 1 | (2 << 1)
  const header = COMPRESSED_LAST | (body.length << 3)
  return Buffer.from([...MAGIC, 0x00, 7 << 3, header & 0xff, (header >>> 8) & 0xff, (header >>> 16) & 0xff, ...body])
}

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]
}

type ZstdCompressSync = (data: Uint8Array, options?: { params?: Record<number, number> }) => Buffer
const zstdCompressSync = (zlib as { zstdCompressSync?: ZstdCompressSync }).zstdCompressSync
const zstdParams = zlib.constants as unknown as Record<string, number>

/** Whether node:zlib writes zstd here (Node.js 22.15 on; the suite also runs on Node.js 26). */
export const nodeWritesZstd = zstdCompressSync !== undefined

/** `content` compressed by node:zlib's zstd at `level`; only where `nodeWritesZstd`. */
export function nodeZstd(content: Uint8Array, level: number, { checksum = true } = {}): Buffer {
  if (zstdCompressSync === undefined) throw new Error('node:zlib has no zstd in this Node.js')
  return zstdCompressSync(content, { params: { [zstdParams.ZSTD_c_compressionLevel]: level, [zstdParams.ZSTD_c_checksumFlag]: checksum ? 1 : 0 } })
}
