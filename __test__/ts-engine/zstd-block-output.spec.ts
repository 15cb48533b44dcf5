import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { Decompress } from 'fzstd'
import { describe, expect, it } from 'vitest'
import { BlockOutput, MAX_BLOCK_BYTES } from '../../ts/engine/ts/zstd-block-output'
import { nodeWritesZstd, nodeZstd, zstdOverlongMatches } from '../support/zstd-frames'

const FIXTURES = join(__dirname, '..', 'fixtures')

interface FrameBlock {
  type: number
  /** The block with its 3-byte header (and the last block with the checksum after it). */
  unit: Uint8Array
  /** The block without its header. */
  body: Uint8Array
}

/** The frame header and blocks of the single frame `zst` (as the fixtures and node:zlib write it: no dictionary). */
function blocksOf(zst: Uint8Array): { header: Uint8Array; blocks: FrameBlock[] } {
  const descriptor = zst[4]
  const singleSegment = (descriptor >>> 5) & 1
  const sizeFlag = descriptor >>> 6
  const contentSizeBytes = sizeFlag === 0 ? singleSegment : 1 << sizeFlag
  let at = 5 + (singleSegment ? 0 : 1) + contentSizeBytes
  const header = zst.subarray(0, at)
  const blocks: FrameBlock[] = []
  for (let last = false; !last; ) {
    const bits = zst[at] | (zst[at + 1] << 8) | (zst[at + 2] << 16)
    last = (bits & 1) === 1
    const type = (bits >>> 1) & 3
    const end = at + 3 + (type === 1 ? 1 : bits >>> 3)
    blocks.push({ type, unit: zst.subarray(at, last ? zst.length : end), body: zst.subarray(at + 3, end) })
    at = end
  }
  return { header, blocks }
}

/** What each block of `zst` decodes to, fzstd decoding one block per push. */
function decodedSizes(zst: Uint8Array): number[] {
  const { header, blocks } = blocksOf(zst)
  let decoded = 0
  const decoder = new Decompress((piece) => void (decoded += piece.length))
  return blocks.map((block, i) => {
    const before = decoded
    decoder.push(i === 0 ? Buffer.concat([header, block.unit]) : block.unit, i === blocks.length - 1)
    return decoded - before
  })
}

/** What `BlockOutput` says each compressed block of `zst` decodes to, next to what it does. */
function measured(zst: Uint8Array): Array<[number, number]> {
  const output = new BlockOutput()
  const decoded = decodedSizes(zst)
  return blocksOf(zst)
    .blocks.map((b, i): [FrameBlock, number] => [b, decoded[i]])
    .filter(([b]) => b.type === 2)
    .map(([b, bytes]) => [output.sizeOf(b.body), bytes])
}

const text = (seed: number, length: number): Buffer => {
  const words = ['alpha', 'beta', 'Tōkyō', '42', '3.14', 'true', 'null', '{"a":1}', '\n', 'lorem ipsum']
  const parts: string[] = []
  let state = seed
  for (let size = 0; size < length; ) {
    state = (state * 1103515245 + 12345) >>> 0
    const word = words[state % words.length]
    parts.push(word)
    size += word.length + 1
  }
  return Buffer.from(parts.join(' '))
}

describe('BlockOutput', () => {
  it('reads what each compressed block of the zstd tool decodes to', () => {
    for (const name of ['events.jsonl.zst', 'events.fast.jsonl.zst', 'events.nocheck.jsonl.zst']) {
      const sizes = measured(readFileSync(join(FIXTURES, name)))
      expect(sizes.length, name).toBeGreaterThan(0)
      for (const [read, decoded] of sizes) expect(read, name).toBe(decoded)
    }
  })

  it.runIf(nodeWritesZstd)('reads what each compressed block decodes to, at every level node:zlib writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: -5, max: 19 }), fc.nat(), fc.integer({ min: 1, max: 400_000 }), (level, seed, length) => {
        for (const [read, decoded] of measured(nodeZstd(text(seed, length), level))) expect(read).toBe(decoded)
      }),
      { numRuns: 40 },
    )
  })

  it('refuses sequences that make more than a block holds, at the first sequence too long', () => {
    // Not decoded here: fzstd would run every match.
    const bodyOf = (count: number) => blocksOf(zstdOverlongMatches(count)).blocks[0].body
    expect(new BlockOutput().sizeOf(bodyOf(20_000))).toBeGreaterThan(MAX_BLOCK_BYTES)
    expect(new BlockOutput().sizeOf(bodyOf(1))).toBe(131_074)
  })

  it('refuses Huffman weights that would never run out, which fzstd looped over for ever', () => {
    // The first block of events.nocheck.jsonl.zst (after a 9-byte frame header and its 3-byte
    // block header), one byte of its Huffman tree description changed.
    const zst = readFileSync(join(FIXTURES, 'events.nocheck.jsonl.zst'))
    const body = Uint8Array.from(blocksOf(zst).blocks[0].body)
    expect(new BlockOutput().sizeOf(body)).toBe(131_072)
    body[17 - 12] ^= 0x80
    expect(() => new BlockOutput().sizeOf(body)).toThrow('Data corruption detected (its Huffman tree has more than 255 weights)')
  })

  it('refuses a table repeated from no block before it', () => {
    const body = Uint8Array.from([0x00, 1, 0b11111100, 0x01])
    expect(() => new BlockOutput().sizeOf(body)).toThrow('Data corruption detected (it repeats an entropy table no block before it had)')
  })

  it('says "Data corruption detected" for any damage, and never runs long', () => {
    const zst = readFileSync(join(FIXTURES, 'events.jsonl.zst'))
    const compressed = blocksOf(zst).blocks.filter((b) => b.type === 2)
    fc.assert(
      fc.property(fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), (pick, flips) => {
        const body = Uint8Array.from(compressed[pick % compressed.length].body)
        for (const [at, mask] of flips) body[at % body.length] ^= mask
        let outcome: number | Error
        try {
          outcome = new BlockOutput().sizeOf(body)
        } catch (error) {
          outcome = error as Error
        }
        if (outcome instanceof Error) expect(outcome.message).toMatch(/^Data corruption detected \(.+\)$/)
        else expect(outcome).toBeGreaterThanOrEqual(0)
      }),
      { numRuns: 2000 },
    )
  })
})
