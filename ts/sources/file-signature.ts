import { closeSync, openSync, readSync } from 'node:fs'
import type { Compression } from '../engine/types'
import { RingstreamError } from '../errors'

/**
 * What a file's first bytes say it is when they cannot start UTF-8 text: compressed data whose
 * name does not say so (`events.jsonl` holding gzip), or text in UTF-16 or UTF-32 (Excel's
 * "Unicode text"). Read as UTF-8, the first is one "not valid UTF-8" error per record with advice
 * to re-encode from Latin-1, and the second is worse: its ASCII characters are valid UTF-8 with a
 * NUL after each, so most of its records come out as garbage without an error. Each signature
 * below holds a byte that no UTF-8 text can start with (gzip's 8b, zstd's b5, the marks' fe and
 * ff), so a file that starts with one is never a text file with a bad first record.
 */
export type FileSignature = { compression: Exclude<Compression, 'none'> } | { encoding: 'UTF-16LE' | 'UTF-16BE' | 'UTF-32LE' | 'UTF-32BE' }

const SIGNATURES: ReadonlyArray<{ bytes: readonly number[]; is: FileSignature; name: string }> = [
  { bytes: [0x1f, 0x8b], is: { compression: 'gzip' }, name: "gzip's signature" },
  { bytes: [0x28, 0xb5, 0x2f, 0xfd], is: { compression: 'zstd' }, name: "zstd's signature" },
  // UTF-32LE's mark begins with UTF-16LE's, so it is tried first.
  { bytes: [0xff, 0xfe, 0x00, 0x00], is: { encoding: 'UTF-32LE' }, name: 'a UTF-32LE byte-order mark' },
  { bytes: [0x00, 0x00, 0xfe, 0xff], is: { encoding: 'UTF-32BE' }, name: 'a UTF-32BE byte-order mark' },
  { bytes: [0xff, 0xfe], is: { encoding: 'UTF-16LE' }, name: 'a UTF-16LE byte-order mark' },
  { bytes: [0xfe, 0xff], is: { encoding: 'UTF-16BE' }, name: 'a UTF-16BE byte-order mark' },
]

const EXTENSIONS: Record<Exclude<Compression, 'none'>, string> = { gzip: '.gz', zstd: '.zst' }

/** What `head`, a file's first bytes, starts with, if it is one of the signatures above. */
export function signatureOf(head: Uint8Array): FileSignature | null {
  return SIGNATURES.find(({ bytes }) => head.length >= bytes.length && bytes.every((b, i) => head[i] === b))?.is ?? null
}

/** What the file at `path` starts with (see `signatureOf`); `null` also when it cannot be read. */
export function fileSignature(path: string): FileSignature | null {
  let fd: number | null = null
  try {
    fd = openSync(path, 'r')
    const head = new Uint8Array(4)
    const n = readSync(fd, head, 0, head.length, 0)
    return signatureOf(head.subarray(0, n))
  } catch {
    return null
  } finally {
    if (fd !== null) closeSync(fd)
  }
}

/**
 * The error for the file at `path`, read as uncompressed UTF-8, that starts with `signature`;
 * `null` when that is no error: a compression signature when the compression was chosen by an
 * option rather than by the name (`compressionByName` false: `compression: 'none'` reads bytes as
 * they are).
 */
export function signatureError(path: string, signature: FileSignature, compressionByName: boolean): RingstreamError | null {
  const found = SIGNATURES.find((s) => s.is === signature)
  const bytes = found?.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ') ?? ''
  if ('compression' in signature) {
    if (!compressionByName) return null
    const { compression } = signature
    const extension = EXTENSIONS[compression]
    return new RingstreamError('ERR_UNSUPPORTED', `${path} holds ${compression}-compressed data (it starts with ${found?.name}, ${bytes}), but its name does not end in ${extension}`, {
      hint: `pass { compression: '${compression}' }, or rename the file to end in ${extension}`,
    })
  }
  const { encoding } = signature
  return new RingstreamError('ERR_UNSUPPORTED', `${path} holds ${encoding} text (it starts with ${found?.name}, ${bytes}); ringstream reads UTF-8`, {
    hint: `convert it to UTF-8 first, for example: iconv -f ${encoding} -t UTF-8 in > out`,
  })
}
