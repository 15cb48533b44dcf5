import { closeSync, openSync, readSync } from 'node:fs'
import type { Compression, Engine } from '../engine/types'
import { frameHeaderLayout } from '../engine/ts/unzstd'
import type { PlannedFile } from './resolve-source'

/** Compressed bytes a ratio is measured over: the start of the file. */
export const RATIO_SAMPLE_BYTES = 64 * 1024
/** Output at which decoding stops (the ratio is then at least this much): 64 KiB may hold a thousandfold or more. */
const MAX_OUTPUT_BYTES = 64 << 20

/**
 * Decompressed bytes per compressed byte over the first `RATIO_SAMPLE_BYTES` of a compressed file,
 * for `metadata().estimatedRecords` (its size times this, over the bytes per record), or `null`
 * for damaged data. A gzip trailer's size or a zstd frame's declared size would only speak for
 * the last member or the first frame, and gzip's wraps at 4 GiB; a ratio holds for files of many
 * members and of any size. The engine in use decodes the sample (`Engine.decodedLength`), both
 * counting the same, so both report the same estimate and the native engine loads no TS decoder.
 * gzip's deflate blocks take a few KiB, so the part block at the sample's end hardly counts; a
 * zstd block takes tens of KiB for its 128 KiB of output, and counting a part block's input
 * without its output made the estimate 43% low, so zstd is measured over whole blocks only.
 */
function compressionRatio(path: string, compression: Exclude<Compression, 'none'>, engine: Engine): number | null {
  const head = readHead(path)
  const measured = compression === 'gzip' ? head : head.subarray(0, zstdWholeUnitsEnd(head))
  if (measured.length === 0) return null
  const made = engine.decodedLength(compression, measured, MAX_OUTPUT_BYTES)
  return made === null || made === 0 ? null : made / measured.length
}

/**
 * Decompressed bytes per byte on disk over `files`: 1 when they are plain, else the first file's
 * `compressionRatio`, taken to hold for every file when all are compressed alike; `null` when it
 * cannot be told (mixed compressions, a pipe, damaged data).
 */
export function storedSizeRatio(files: readonly PlannedFile[], engine: Engine): number | null {
  const compression = files[0]?.compression ?? 'none'
  if (!files.every((file) => file.compression === compression)) return null
  if (compression === 'none') return 1
  return files[0].size === null ? null : compressionRatio(files[0].path, compression, engine)
}

const ZSTD_FRAME_MAGIC = 0xfd2fb528
const ZSTD_SKIPPABLE_MASK = 0xfffffff0
const ZSTD_SKIPPABLE_MAGIC = 0x184d2a50
const RLE_BLOCK = 1

/**
 * Where the last whole unit of zstd data in `head` ends (a frame header with its first block, a
 * block, a skippable frame, a checksum), walking the headers (RFC 8878) without decoding; what is
 * not zstd ends the walk.
 */
export function zstdWholeUnitsEnd(head: Buffer): number {
  let at = 0
  for (;;) {
    if (at + 8 > head.length) return at
    const magic = head.readUInt32LE(at)
    if ((magic & ZSTD_SKIPPABLE_MASK) >>> 0 === ZSTD_SKIPPABLE_MAGIC) {
      const end = at + 8 + head.readUInt32LE(at + 4)
      if (end > head.length) return at
      at = end
      continue
    }
    if (magic !== ZSTD_FRAME_MAGIC) return at
    const descriptor = head[at + 4]
    const checksumBytes = (descriptor >>> 2) & 1 ? 4 : 0
    // A frame's header goes with its first block: it makes no output alone.
    let block = at + frameHeaderLayout(descriptor).length
    for (;;) {
      if (block + 3 > head.length) return at
      const bits = head.readUIntLE(block, 3)
      const last = bits & 1
      const end = block + 3 + (((bits >>> 1) & 3) === RLE_BLOCK ? 1 : bits >>> 3) + (last ? checksumBytes : 0)
      if (end > head.length) return at
      at = block = end
      if (last) break
    }
  }
}

/** The file's first `RATIO_SAMPLE_BYTES`, read at once as the head sample is. */
function readHead(path: string): Buffer {
  const fd = openSync(path, 'r')
  try {
    const buffer = Buffer.alloc(RATIO_SAMPLE_BYTES)
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0))
  } finally {
    closeSync(fd)
  }
}
