import type { Compression, HeadLines } from '../types'
import { ByteSource } from './byte-source'

const LF = 10

/** The TS engine's `Engine.headLines`: the first reads of the file, counted as `head_lines.rs` counts. */
export function headLines(path: string, compression: Compression, limitBytes: number, enoughLines: number): HeadLines {
  const bytes = new ByteSource(path, compression, limitBytes)
  const head: HeadLines = { bytes: 0, lineBreaks: 0, lastBreakEnd: 0 }
  try {
    // The first read is 16 KiB; more is read only while too few lines were seen.
    while (head.bytes < limitBytes && head.lineBreaks < enoughLines) {
      const read = bytes.readSync()
      if (read === null) break
      // A decompressed piece may be longer than what is left to look at.
      const chunk = read.length > limitBytes - head.bytes ? read.subarray(0, limitBytes - head.bytes) : read
      const start = head.bytes
      head.bytes += chunk.length
      for (let i = chunk.indexOf(LF); i !== -1; i = chunk.indexOf(LF, i + 1)) {
        head.lineBreaks++
        head.lastBreakEnd = start + i + 1
        if (head.lineBreaks === enoughLines) {
          head.bytes = head.lastBreakEnd
          break
        }
      }
    }
  } finally {
    bytes.close()
  }
  return head
}

/** The TS engine's `Engine.headBytes`: the first `limitBytes` of the file, decompressed, as `head_bytes` reads them. */
export function headBytes(path: string, compression: Compression, limitBytes: number): Uint8Array {
  const bytes = new ByteSource(path, compression, Math.min(limitBytes, 64 * 1024))
  const pieces: Buffer[] = []
  let length = 0
  try {
    while (length < limitBytes) {
      const read = bytes.readSync()
      if (read === null) break
      // A copy: the next read may reuse the memory of this one.
      const piece = Buffer.from(read.subarray(0, limitBytes - length))
      pieces.push(piece)
      length += piece.length
    }
  } finally {
    bytes.close()
  }
  return Buffer.concat(pieces, length)
}
