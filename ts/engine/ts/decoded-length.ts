import type { Compression } from '../types'
import { Gunzip } from './gunzip'
import { Unzstd } from './unzstd'

/**
 * The TS engine's `Engine.decodedLength`: the bytes `compressed` decodes to, or `limit` when
 * that is fewer, where it may stop inside a gzip member or zstd frame (the decoders then wait for more
 * and are not told the input has ended); `null` when it is damaged or not that compression.
 * `decoded_length` in the core counts the same, with the same zlib and the same zstd blocks.
 */
export function decodedLength(compression: Exclude<Compression, 'none'>, compressed: Uint8Array, limit: number): number | null {
  const decoder = compression === 'gzip' ? new Gunzip() : new Unzstd()
  decoder.push(compressed)
  let total = 0
  try {
    while (total < limit) {
      const piece = decoder.next()
      if (piece === null) break
      total += piece.length
    }
  } catch {
    return null
  }
  return Math.min(total, limit)
}
