import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { loadNativeEngine } from '../ts/engine/native-engine'
import { tsEngine } from '../ts/engine/ts/ts-engine'
import type { Compression, Engine, HeadLines } from '../ts/engine/types'
import { ENGINES } from './support/engines'
import { useTempDir } from './support/temp'
import { zstdStored } from './support/zstd-frames'

/** What `headLines` must say about `content`, worked out on the whole text at once. */
function expected(content: Buffer, limitBytes: number, enoughLines: number): HeadLines {
  const head: HeadLines = { bytes: Math.min(limitBytes, content.length), lineBreaks: 0, lastBreakEnd: 0 }
  for (let i = content.indexOf(10); i !== -1 && i < limitBytes; i = content.indexOf(10, i + 1)) {
    head.lineBreaks++
    head.lastBreakEnd = i + 1
    if (head.lineBreaks === enoughLines) {
      head.bytes = i + 1
      break
    }
  }
  return head
}

const engineNamed = (name: 'ts' | 'native'): Engine => (name === 'ts' ? tsEngine : (loadNativeEngine().engine as Engine))

/**
 * The head count an iteration sizes its batches from, and the head bytes `metadata()` samples:
 * both engines must give the same, whatever the compression and however the head is split into
 * reads and decoded pieces.
 */
describe.each(ENGINES)('the head line count (%s engine)', (name) => {
  const tmp = useTempDir()
  const engine = engineNamed(name)
  const line = (i: number) => `${JSON.stringify({ id: i, text: 'é'.repeat(i % 50) })}\n`
  const contents: Array<[string, Buffer]> = [
    ['many lines', Buffer.from(Array.from({ length: 5000 }, (_, i) => line(i)).join(''))],
    ['exactly 64 lines', Buffer.from(Array.from({ length: 64 }, (_, i) => line(i)).join(''))],
    ['no final line break', Buffer.from('a,b\n1,2\n3,4')],
    ['CRLF', Buffer.from('a,b\r\n1,2\r\n'.repeat(100))],
    ['one line longer than the limit', Buffer.from(`${'x'.repeat(200_000)}\nshort\n`)],
    ['no line break at all', Buffer.alloc(100_000, 0x20)],
    ['nothing', Buffer.alloc(0)],
  ]
  const compressed: Record<Compression, (content: Buffer) => Buffer> = {
    none: (content) => content,
    gzip: (content) => gzipSync(content),
    zstd: (content) => zstdStored(content),
  }

  for (const [what, content] of contents) {
    for (const compression of ['none', 'gzip', 'zstd'] as const) {
      it(`counts ${what} (${compression})`, () => {
        const path = tmp.file(`${what.replace(/\W+/g, '-')}.${compression}`, compressed[compression](content))
        for (const [limit, enough] of [
          [64 * 1024, 64],
          [1000, 64],
          [64 * 1024, 3],
          [16 * 1024 + 1, 100_000],
        ]) {
          expect(engine.headLines(path, compression, limit, enough), `${limit} bytes, ${enough} lines`).toEqual(expected(content, limit, enough))
        }
      })
    }
  }

  for (const compression of ['none', 'gzip', 'zstd'] as const) {
    it(`gives the head's bytes, decompressed, for the metadata() sample (${compression})`, () => {
      for (const [what, content] of contents) {
        const path = tmp.file(`bytes-${what.replace(/\W+/g, '-')}.${compression}`, compressed[compression](content))
        for (const limit of [256 * 1024, 1000, 16 * 1024 + 1, 1]) {
          const head = engine.headBytes(path, compression, limit)
          expect(Buffer.from(head).equals(content.subarray(0, limit)), `${what}, ${limit} bytes`).toBe(true)
        }
      }
    })
  }

  it('fails on a damaged compressed head as a read does: ERR_IO, cannot decompress', () => {
    const path = tmp.file('damaged.gz', gzipSync(contents[0][1]).subarray(0, 100))
    expect(() => engine.headLines(path, 'gzip', 64 * 1024, 64)).toThrow(/cannot decompress/)
    expect(() => engine.headBytes(path, 'gzip', 256 * 1024)).toThrow(/cannot decompress/)
  })
})
