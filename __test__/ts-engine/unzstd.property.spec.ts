import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Unzstd } from '../../ts/engine/ts/unzstd'
import { type Block, blockContent, contentSizeWidths, MAX_BLOCK_BYTES, nodeWritesZstd, nodeZstd, skippable, zstdFrame } from '../support/zstd-frames'

/**
 * Decompresses `zst` as a file read would feed it: through one reused buffer, `sizes` bytes at a
 * time (cycling), so a decoder that kept a view of an earlier read would see it overwritten.
 */
function decompress(zst: Uint8Array, sizes: readonly number[]): Buffer {
  const unzstd = new Unzstd()
  const buffer = Buffer.alloc(Math.max(...sizes))
  const out: Uint8Array[] = []
  for (let at = 0, i = 0; at < zst.length; i++) {
    const n = Math.min(sizes[i % sizes.length], zst.length - at)
    buffer.set(zst.subarray(at, at + n))
    at += n
    unzstd.push(buffer.subarray(0, n))
    for (let piece = unzstd.next(); piece !== null; piece = unzstd.next()) out.push(piece)
  }
  unzstd.finish()
  return Buffer.concat(out)
}

const readSizes = fc.array(fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 9, max: 300 }), fc.integer({ min: 301, max: 70_000 })), { minLength: 1, maxLength: 6 })

const block: fc.Arbitrary<Block> = fc.oneof(
  { weight: 3, arbitrary: fc.uint8Array({ maxLength: 64 }).map((raw) => ({ raw })) },
  { weight: 1, arbitrary: fc.record({ rle: fc.integer({ min: 0, max: 255 }), size: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: MAX_BLOCK_BYTES }).map((size) => ({ raw: new Uint8Array(size).fill(size & 0xff) })) },
)

/** A frame with random blocks and header fields, and the content it holds. */
const frame = fc
  .tuple(fc.array(block, { minLength: 1, maxLength: 5 }), fc.boolean(), fc.boolean(), fc.nat())
  .map(([blocks, checksum, wantsSingleSegment, pick]) => {
    const content = Buffer.concat(blocks.map(blockContent))
    // A single-segment frame's window is its size; libzstd (the native engine's) refuses an RLE
    // block in one of size 0, its one stored byte being more than the window, and so do we.
    const singleSegment = wantsSingleSegment && !(content.length === 0 && blocks.some((b) => 'rle' in b))
    const widths = contentSizeWidths(content.length, singleSegment)
    const contentSizeBytes = widths[pick % widths.length]
    return { bytes: zstdFrame(blocks, { checksum, singleSegment, contentSizeBytes }), content }
  })

const stream = fc.array(fc.oneof({ weight: 4, arbitrary: frame }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 20 }).map((d) => ({ bytes: skippable(d), content: Buffer.alloc(0) })) }), {
  minLength: 1,
  maxLength: 4,
})

describe('property: Unzstd', () => {
  it('gives back the content of every frame, for any framing and any read sizes', () => {
    fc.assert(
      fc.property(stream, readSizes, (frames, sizes) => {
        const zst = Buffer.concat(frames.map((f) => f.bytes))
        expect(decompress(zst, sizes).equals(Buffer.concat(frames.map((f) => f.content)))).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('never gives other bytes than the content for a changed byte of checksummed frames: an error, or the same bytes', () => {
    const checksummed = fc.array(fc.tuple(fc.array(block, { minLength: 1, maxLength: 3 }), fc.boolean()), { minLength: 1, maxLength: 3 })
    fc.assert(
      fc.property(checksummed, fc.nat(), fc.integer({ min: 1, max: 255 }), readSizes, (specs, where, flip, sizes) => {
        const frames = specs.map(([blocks, singleSegment]) => zstdFrame(blocks, { checksum: true, singleSegment, contentSizeBytes: singleSegment ? 8 : 0 }))
        const zst = Buffer.concat(frames)
        const content = Buffer.concat(specs.flatMap(([blocks]) => blocks.map(blockContent)))
        zst[where % zst.length] ^= flip
        let out: Buffer | null = null
        try {
          out = decompress(zst, sizes)
        } catch {
          return
        }
        expect(out.equals(content)).toBe(true)
      }),
      { numRuns: 500 },
    )
  })

  // node:zlib writes zstd from Node.js 22.15 on; the suite also runs on Node.js 26 (npm run test:node -- 26).
  it.runIf(nodeWritesZstd)('reads what zstd writes at any level, with or without checksums (where node:zlib has zstd)', () => {
    const text = fc.oneof(fc.uint8Array({ maxLength: 3000 }), fc.string({ unit: fc.constantFrom('a', 'b', 'ab', '{"id":', '}\n', 'é', '😀', ' '), maxLength: 4000 }).map((s) => new TextEncoder().encode(s.repeat(1 + (s.length % 40)))))
    const compressed = fc.tuple(text, fc.integer({ min: -5, max: 19 }), fc.boolean()).map(([content, level, checksum]) => ({ content, bytes: nodeZstd(content, level, { checksum }) }))
    fc.assert(
      fc.property(fc.array(compressed, { minLength: 1, maxLength: 3 }), readSizes, (frames, sizes) => {
        const zst = Buffer.concat(frames.map((f) => f.bytes))
        expect(decompress(zst, sizes).equals(Buffer.concat(frames.map((f) => Buffer.from(f.content))))).toBe(true)
      }),
      { numRuns: 200 },
    )
  })
})
