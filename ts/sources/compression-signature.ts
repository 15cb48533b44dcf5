import { closeSync, openSync, readSync } from 'node:fs'
import type { Compression } from '../engine/types'
import { RingstreamError } from '../errors'

/**
 * A compressed file whose name does not say so (`events.jsonl` holding gzip) would otherwise be
 * read as text, one "not valid UTF-8" error per record with advice to re-encode it. Neither
 * signature can open UTF-8 text — gzip's second byte and zstd's second byte are UTF-8
 * continuation bytes — so a file that starts with one is compressed data, never a bad record.
 */
const SIGNATURES: ReadonlyArray<{ compression: Exclude<Compression, 'none'>; bytes: readonly number[]; extension: string }> = [
  { compression: 'gzip', bytes: [0x1f, 0x8b], extension: '.gz' },
  { compression: 'zstd', bytes: [0x28, 0xb5, 0x2f, 0xfd], extension: '.zst' },
]

/** The compression whose signature `head` starts with, if any. */
export function signatureCompression(head: Uint8Array): Exclude<Compression, 'none'> | null {
  for (const { compression, bytes } of SIGNATURES) {
    if (head.length >= bytes.length && bytes.every((b, i) => head[i] === b)) return compression
  }
  return null
}

/** The compression whose signature the file at `path` starts with, if any; `null` when it cannot be read. */
export function fileSignatureCompression(path: string): Exclude<Compression, 'none'> | null {
  let fd: number | null = null
  try {
    fd = openSync(path, 'r')
    const head = new Uint8Array(4)
    const n = readSync(fd, head, 0, head.length, 0)
    return signatureCompression(head.subarray(0, n))
  } catch {
    return null
  } finally {
    if (fd !== null) closeSync(fd)
  }
}

/** The error for a file read as plain text (its name named no compression) that is `compression`-compressed. */
export function unnamedCompressionError(path: string, compression: Exclude<Compression, 'none'>): RingstreamError {
  const signature = SIGNATURES.find((s) => s.compression === compression)
  const hex = signature?.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ') ?? ''
  const extension = signature?.extension ?? ''
  return new RingstreamError('ERR_UNSUPPORTED', `${path} holds ${compression}-compressed data (it starts with ${compression}'s signature, ${hex}), but its name does not end in ${extension}`, {
    hint: `pass { compression: '${compression}' }, or rename the file to end in ${extension}`,
  })
}
