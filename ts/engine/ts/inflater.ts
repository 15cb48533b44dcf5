import { decompressionHint } from '../../error-messages'
import { RingstreamError } from '../../errors'
import type { Compression } from '../types'
import { HEAD_BYTES, notCompressedReason } from './compressed-head'
import { Gunzip } from './gunzip'
import { Unzstd } from './unzstd'

/**
 * A decompressor pulled a piece at a time: `push` a chunk, then take pieces while `hasOutput`
 * (which decompresses the next one); the chunk is read until then, so the read buffer is only
 * refilled once `hasOutput` is false.
 */
export interface Inflater {
  push(chunk: Uint8Array): void
  finish(): void
  hasOutput(): boolean
  take(): Uint8Array
}

/** What `Gunzip` and `Unzstd` share: a chunk in, pieces out until `null`, then the end. */
interface Decompressor {
  push(chunk: Uint8Array): void
  next(): Uint8Array | null
  finish(): void
}

/**
 * gzip through `Gunzip` (pako's zlib) and zstd through `Unzstd` (fzstd): node:zlib has no
 * synchronous streaming API (its zstd, where there is one, neither), and `for…of` over a
 * compressed file must not need the whole file in memory. A byte `Readable` goes through the same
 * decompressors, so that it accepts and refuses exactly what a file does. `path` names the file
 * in errors; `null` for a `Readable`.
 */
export function makeInflater(compression: Exclude<Compression, 'none'>, path: string | null): Inflater {
  const decompressor: Decompressor = compression === 'gzip' ? new Gunzip() : new Unzstd()
  const hintFor = decompressionHint(compression, path === null ? 'stream' : 'file')
  /** The piece `hasOutput` decompressed and `take` hands out. */
  let piece: Uint8Array | null = null
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn()
    } catch (cause) {
      const what = path ?? `the input stream's ${compression} bytes`
      const message = `cannot decompress ${what}: ${(cause as Error)?.message ?? String(cause)}`
      throw new RingstreamError('ERR_IO', message, { cause, hint: hintFor(message) })
    }
  }
  /** The input's first bytes while fewer than `HEAD_BYTES` have come; `null` once they are checked. */
  let head: Uint8Array | null = new Uint8Array(0)
  const checkHead = (bytes: Uint8Array): void => {
    head = null
    const reason = notCompressedReason(compression, bytes)
    if (reason !== null) throw new Error(reason)
    if (bytes.length > 0) decompressor.push(bytes)
  }
  return {
    push: (chunk) =>
      wrap(() => {
        if (head === null) return decompressor.push(chunk)
        const bytes = head.length === 0 ? chunk : Buffer.concat([head, chunk])
        // A copy: the caller may read its next chunk into the same memory.
        if (bytes.length < HEAD_BYTES) head = bytes === chunk ? Uint8Array.from(chunk) : bytes
        else checkHead(bytes)
      }),
    finish: () =>
      wrap(() => {
        if (head !== null) {
          checkHead(head)
          // Fewer bytes than HEAD_BYTES hold no output (a gzip member takes 18, a zstd frame more
          // than 4), but the decoder must see them: they may be wrong before they run out, and
          // the native engine's decoder says so.
          decompressor.next()
        }
        decompressor.finish()
      }),
    hasOutput: () => (piece ??= wrap(() => decompressor.next())) !== null,
    take: () => {
      const taken = piece as Uint8Array
      piece = null
      return taken
    },
  }
}
