import type { Compression, SourceFault } from '../engine/types'
import { GZIP_MAGIC, skippableMagicByte, ZSTD_MAGIC } from '../engine/ts/compressed-head'
import { RingstreamError } from '../errors'

/**
 * What a source's first bytes say it is when they cannot start UTF-8 text: compressed data whose
 * name (or options) did not say so (`events.jsonl` holding gzip), or text in UTF-16 or UTF-32
 * (Excel's "Unicode text"). Read as UTF-8, the first is one "not valid UTF-8" error per record
 * with advice to re-encode from Latin-1, and the second is worse: its ASCII characters are valid
 * UTF-8 with NULs between them, so most of its records come out as garbage without an error.
 * Each signature holds a byte that no UTF-8 text starts with (gzip's 8b, zstd's b5, the marks'
 * fe and ff; a skippable zstd frame's `P*M` and a control character open no text either), so a
 * source that starts with one is never text with a bad first record.
 */
export type FileSignature = { compression: Exclude<Compression, 'none'>; shown: string } | { encoding: 'UTF-16' | 'UTF-32' }

const GZIP: FileSignature = { compression: 'gzip', shown: "gzip's signature, 1f 8b" }
const ZSTD: FileSignature = { compression: 'zstd', shown: "zstd's signature, 28 b5 2f fd" }
const ZSTD_SKIPPABLE: FileSignature = { compression: 'zstd', shown: 'a skippable zstd frame, 5? 2a 4d 18' }
const UTF16: FileSignature = { encoding: 'UTF-16' }
const UTF32: FileSignature = { encoding: 'UTF-32' }

/**
 * Each signature's bytes; a zstd file may also open with a skippable frame (`5? 2a 4d 18`, as
 * pzstd writes). A UTF-32 mark begins with a UTF-16 one, so it is tried first.
 */
const SIGNATURES: ReadonlyArray<{ bytes: readonly number[]; is: FileSignature; matches?: (i: number, byte: number) => boolean }> = [
  { bytes: GZIP_MAGIC, is: GZIP },
  { bytes: ZSTD_MAGIC, is: ZSTD },
  { bytes: [0x50, 0x2a, 0x4d, 0x18], is: ZSTD_SKIPPABLE, matches: skippableMagicByte },
  { bytes: [0xff, 0xfe, 0x00, 0x00], is: UTF32 },
  { bytes: [0x00, 0x00, 0xfe, 0xff], is: UTF32 },
  { bytes: [0xff, 0xfe], is: UTF16 },
  { bytes: [0xfe, 0xff], is: UTF16 },
]

/**
 * The compression signatures as the start of the excerpt of a first record made of them (its
 * bytes decoded with U+FFFD for each byte that is not UTF-8, alike on both engines), for a
 * source whose bytes cannot be looked at again (a pipe). Only these: gzip's third byte is always
 * 08 (deflate) and zstd's four are fixed, so no text starts so; a byte-order mark's excerpt is
 * two U+FFFD, as is that of any binary file.
 */
const EXCERPT_SIGNATURES: ReadonlyArray<{ excerpt: string; is: FileSignature }> = [
  { excerpt: '\x1f\ufffd\x08', is: GZIP },
  { excerpt: '(\ufffd/\ufffd', is: ZSTD },
]

/**
 * The faults a signature makes at byte 0: not UTF-8, or (a JSON array's parser, which can see the
 * first byte before the bad ones after it) not a '['.
 */
const FIRST_FAULTS: ReadonlyArray<SourceFault['code']> = ['ERR_INVALID_UTF8', 'ERR_NOT_AN_ARRAY']

/** Bytes of a source's head that every signature fits in. */
export const SIGNATURE_BYTES = 4

const EXTENSIONS: Record<Exclude<Compression, 'none'>, string> = { gzip: '.gz', zstd: '.zst' }

/** What `head`, a source's first bytes, starts with, if it is one of the signatures. */
export function signatureOf(head: Uint8Array): FileSignature | null {
  return SIGNATURES.find(({ bytes, matches }) => head.length >= bytes.length && bytes.every((b, i) => (matches === undefined ? head[i] === b : matches(i, head[i]))))?.is ?? null
}

/**
 * The error for a source read as uncompressed UTF-8 that starts with `signature`, or `null` when
 * that is no error: a compression signature where the compression was given as `'none'` (the
 * bytes are then read as they are; `compressionOmitted` false). `path` is `null` for chunks of
 * bytes; `renamable` is false for a path whose name does not choose the compression anyway (a
 * pipe, a device: `/dev/stdin`).
 */
export function signatureError(path: string | null, signature: FileSignature, compressionOmitted: boolean, renamable = path !== null): RingstreamError | null {
  const subject = path ?? "the source's bytes"
  const [is, starts] = path === null ? ['are', 'they start'] : ['holds', 'it starts']
  if ('compression' in signature) {
    if (!compressionOmitted) return null
    const { compression, shown } = signature
    const extension = EXTENSIONS[compression]
    return new RingstreamError(
      'ERR_UNSUPPORTED',
      `${subject} ${is} ${compression}-compressed data (${starts} with ${shown}), but ${renamable ? `its name does not end in ${extension}` : 'no compression was given'}`,
      { hint: renamable ? `pass { compression: '${compression}' }, or rename the file to end in ${extension}` : `pass { compression: '${compression}' }` },
    )
  }
  const { encoding } = signature
  return new RingstreamError('ERR_UNSUPPORTED', `${subject} ${is} ${encoding} text (${starts} with a byte-order mark); ringstream reads UTF-8`, {
    hint: `convert it to UTF-8 first, for example: iconv -f ${encoding} -t UTF-8 in > out`,
  })
}

/**
 * Throws the error for a source read as uncompressed UTF-8 whose first record is bad because the
 * source starts with a signature: `head()` gives its first bytes (`null` where they cannot be
 * had again: a pipe's, judged by the fault's excerpt instead). Asked only when the first fault is
 * one of `FIRST_FAULTS` at byte 0, so a good source costs nothing.
 */
export function refuseSignature(
  faults: ReadonlyArray<SourceFault>,
  path: string | null,
  compressionOmitted: boolean,
  renamable: boolean,
  head: () => Uint8Array | null,
): void {
  const first = faults[0]
  if (first === undefined || first.byteOffset !== 0 || !FIRST_FAULTS.includes(first.code)) return
  const bytes = head()
  const signature = bytes !== null ? signatureOf(bytes) : (EXCERPT_SIGNATURES.find(({ excerpt }) => first.excerpt.startsWith(excerpt))?.is ?? null)
  const error = signature === null ? null : signatureError(path, signature, compressionOmitted, renamable)
  if (error !== null) throw error
}
