import fc from 'fast-check'
import XXH from 'xxhashjs'
import { describe, expect, it } from 'vitest'
import { Xxh64 } from '../../ts/engine/ts/xxhash64'

/** XXH64 with seed 0 by xxhashjs, the reference implementation. */
function reference(bytes: Uint8Array): bigint {
  return BigInt(`0x${XXH.h64(0).update(Buffer.from(bytes)).digest().toString(16)}`)
}

const low32 = (digest: bigint): number => Number(digest & 0xffffffffn)

/** `bytes` cut at the given offsets (in any order, clamped, repeats giving empty pieces). */
function piecesOf(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const offsets = [0, ...cuts.map((cut) => Math.min(cut, bytes.length)).sort((a, b) => a - b), bytes.length]
  // subarray, not slice: the pieces keep a byteOffset into the whole, as real chunks often do.
  return offsets.slice(1).map((end, k) => bytes.subarray(offsets[k], end))
}

function hashOf(...pieces: Uint8Array[]): Xxh64 {
  const hash = new Xxh64()
  for (const piece of pieces) hash.update(piece)
  return hash
}

const pattern = (length: number, byteAt: (i: number) => number): Uint8Array => Uint8Array.from({ length }, (_, i) => byteAt(i))

describe('Xxh64', () => {
  it('gives the published digests', () => {
    // From python-xxhash (the xxHash C library), independent of xxhashjs.
    const vectors: [Uint8Array, bigint][] = [
      [new Uint8Array(0), 0xef46db3751d8e999n],
      [Buffer.from('a'), 0xd24ec4f1a98c6e5bn],
      [Buffer.from('abc'), 0x44bc2cf5ad770999n],
      [Buffer.from('The quick brown fox jumps over the lazy dog'), 0x0b242d361fda71bcn],
      [pattern(100, (i) => i % 251), 0x6ac1e58032166597n],
      [pattern(1000, (i) => (i * 31 + 7) % 256), 0x99594f4828043d35n],
    ]
    for (const [bytes, expected] of vectors) {
      const hash = hashOf(bytes)
      expect(hash.digest()).toBe(expected)
      expect(hash.digestLow32()).toBe(low32(expected))
      expect(reference(bytes)).toBe(expected)
    }
  })

  it('matches xxhashjs for any bytes, however they are split into updates', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat({ max: 300 }), { maxLength: 12 }),
        (bytes, cuts) => {
          const expected = reference(bytes)
          const hash = hashOf(...piecesOf(bytes, cuts))
          expect(hash.digest()).toBe(expected)
          expect(hash.digestLow32()).toBe(low32(expected))
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('leaves the stream as it was when asked for a digest midway', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat({ max: 300 }), { maxLength: 8 }),
        (bytes, cuts) => {
          const hash = new Xxh64()
          let hashed = 0
          for (const piece of piecesOf(bytes, cuts)) {
            hash.update(piece)
            hashed += piece.length
            const expected = reference(bytes.subarray(0, hashed))
            expect(hash.digest()).toBe(expected)
            expect(hash.digestLow32()).toBe(low32(expected))
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('starts over on reset', () => {
    const bytes = pattern(1000, (i) => (i * 31 + 7) % 256)
    const hash = hashOf(pattern(77, (i) => i))
    hash.reset()
    expect(hash.digest()).toBe(0xef46db3751d8e999n)
    hash.update(bytes)
    expect(hash.digest()).toBe(0x99594f4828043d35n)
    hash.reset()
    hash.update(bytes.subarray(0, 3))
    expect(hash.digest()).toBe(reference(bytes.subarray(0, 3)))
  })

  it('matches xxhashjs over a megabyte in uneven chunks', () => {
    const bytes = pattern(1 << 20, (i) => (Math.imul(i, 0x9e3779b1) >>> 13) & 0xff)
    const cuts = Array.from({ length: 40 }, (_, k) => (k * k * 677 + k * 31) % bytes.length)
    expect(hashOf(...piecesOf(bytes, cuts)).digest()).toBe(reference(bytes))
  })
})
