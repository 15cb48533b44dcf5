import type { Compression } from '../types'

/** Bytes looked at: enough for a zstd frame's magic number. */
export const HEAD_BYTES = 4

/** What every gzip member starts with. */
export const GZIP_MAGIC: readonly number[] = [0x1f, 0x8b]
/** What a zstd frame starts with. */
export const ZSTD_MAGIC: readonly number[] = [0x28, 0xb5, 0x2f, 0xfd]
/** Whether byte `i` of a skippable zstd frame's magic number (`5? 2a 4d 18`) may be `byte`. */
export function skippableMagicByte(i: number, byte: number): boolean {
  return [(byte & 0xf0) === 0x50, byte === 0x2a, byte === 0x4d, byte === 0x18][i] ?? false
}

/**
 * Why `head` (an input's first bytes, up to four; fewer only at its end) cannot open
 * `compression`'s data, or `null` when it can, or when there are too few bytes to tell (the
 * decoder then says the input ends too soon). A file named `.gz` that holds plain text is a common
 * mistake, and the decoders' own words for it neither say what the bytes are nor match the
 * native engine's; this says both, in the same words as `compressed_head.rs` in the core.
 */
export function notCompressedReason(compression: Compression, head: Uint8Array): string | null {
  if (compression === 'none' || head.length === 0) return null
  const opens =
    compression === 'gzip'
      ? mayOpen(head, (i, byte) => byte === GZIP_MAGIC[i], GZIP_MAGIC.length)
      : // A frame, or a skippable frame.
        mayOpen(head, (i, byte) => byte === ZSTD_MAGIC[i], ZSTD_MAGIC.length) || mayOpen(head, skippableMagicByte, 4)
  if (opens) return null
  const expected = compression === 'gzip' ? 'gzip data starts with 1f 8b' : 'a zstd frame starts with 28 b5 2f fd'
  const shown = head.subarray(0, HEAD_BYTES)
  const hex = Array.from(shown, (byte) => byte.toString(16).padStart(2, '0')).join(' ')
  const text = shown.every((byte) => byte >= 0x20 && byte < 0x7f) ? ` ('${String.fromCharCode(...shown)}')` : ''
  return `not ${compression} data: it starts with ${hex}${text}, and ${expected}`
}

/** Whether `head` agrees with a magic number of `length` bytes as far as it goes. */
function mayOpen(head: Uint8Array, matches: (index: number, byte: number) => boolean, length: number): boolean {
  for (let i = 0; i < Math.min(length, head.length); i++) if (!matches(i, head[i])) return false
  return true
}
