import { randomBytes } from 'node:crypto'

/**
 * A seeded pseudo-random generator (xoshiro128**, seeded through splitmix32) giving floats in
 * [0, 1) with 53 random bits, so `Math.floor(random() * n)` stays uniform for huge `n`. The same
 * seed gives the same sequence on every platform; without a seed, one is drawn from the OS.
 */
export function createRandom(seed?: string): () => number {
  let s = seed === undefined ? randomBytes(4).readUInt32LE(0) : hashSeed(seed)
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) | 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
    return (z ^ (z >>> 16)) >>> 0
  }
  let a = splitmix()
  let b = splitmix()
  let c = splitmix()
  let d = splitmix()
  const next32 = (): number => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0
    const t = b << 9
    c ^= a
    d ^= b
    b ^= c
    a ^= d
    c ^= t
    d = rotl(d, 11)
    return result
  }
  return () => {
    const high = next32() >>> 5 // 27 bits
    const low = next32() >>> 6 // 26 bits
    return (high * 67108864 + low) / 9007199254740992
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}

/** FNV-1a over the seed's UTF-16 code units: any text is a seed, `42` and `'42'` alike. */
function hashSeed(seed: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
