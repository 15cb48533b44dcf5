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
