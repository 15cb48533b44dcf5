import { afterAll, describe, expect, it } from 'vitest'
import { MIN_PARSE_SLICE_BYTES, PARSE_SLICE_BYTES } from '../../ts/engine/ts/file-reader'
import { tsEngine } from '../../ts/engine/ts/ts-engine'
import type { Format } from '../../ts/engine/types'
import { stream } from '../../ts/index'
import { fileReadRequest } from '../support/read-request'
import { makeTempDir } from '../support/temp'

/**
 * The TS engine parses a read a slice at a time (about 128 records, from `MIN_PARSE_SLICE_BYTES`
 * to `PARSE_SLICE_BYTES`), as the iteration reaches it. Slices end after a line break where one is near, else anywhere: inside a quoted field, a
 * CRLF or a UTF-8 sequence. Whatever the cut, the records, the errors and their order must be
 * those of reads too small to be sliced.
 */
describe('the TS engine reads a large read a slice at a time', () => {
  const tmp = makeTempDir('ringstream-slices-')
  afterAll(() => tmp.remove())

  /** Records and errors (code, line, byte offset) in the order the iteration meets them. */
  const events = (path: string, bufferSize: number): unknown[] => {
    const seen: unknown[] = []
    for (const record of stream(path, { engine: 'ts', bufferSize, onError: (e) => void seen.push([e.code, e.line, e.byteOffset]) })) seen.push(record)
    return seen
  }

  /** Records per batch of one file read in a single 1 MiB read. */
  const batchSizes = (path: string, format: Format): number[] => {
    const reader = tsEngine.openFile(fileReadRequest(path, { format }))
    const sizes: number[] = []
    for (let batch = reader.nextBatchSync(); batch !== null; batch = reader.nextBatchSync()) sizes.push(batch.records.length)
    reader.close()
    return sizes
  }

  it('gives CSV with quoted line breaks, CRLF, multi-byte text and bad rows as unsliced reads do', () => {
    const rows = Array.from({ length: 4000 }, (_, k) => {
      if (k % 97 === 0) return `${k},"only two"`
      if (k % 89 === 0) return `${k},"a quoted\r\nline break, ""quotes""",Zürich😀`
      if (k === 2500) return `${k},"${'long '.repeat(2 * PARSE_SLICE_BYTES / 5)}",x`
      return `${k},${k % 3 === 0 ? 'é€' : 'plain'},${k / 7}`
    })
    const path = tmp.file('sliced.csv', `id,text,value\r\n${rows.join('\r\n')}\r\n`)
    expect(events(path, 1 << 20)).toEqual(events(path, 4096))
    const sizes = batchSizes(path, 'csv')
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(4000 - Math.ceil(4000 / 97))
    expect(sizes.length).toBeGreaterThan(Math.floor(Buffer.byteLength(rows.join('\r\n')) / PARSE_SLICE_BYTES))
  })

  it('slices about 128 records at a time once it knows their length, from 4 to 16 KiB', () => {
    const row = (k: number, width: number) => `${String(k).padStart(6, '0')},${'y'.repeat(width - 8)}\n`
    // 9-byte rows: the first slice is 16 KiB, then 128 rows would be 1152 bytes, so 4 KiB.
    const short = batchSizes(tmp.file('short.csv', `id,v\n${Array.from({ length: 8000 }, (_, k) => row(k, 9)).join('')}`), 'csv')
    // Slices also end where a read ends, and a row cut by a read comes out with the next slice:
    // the usual slice (the median) is within a row of the size, and none is larger.
    const usual = (sizes: number[], expected: number) => {
      const sorted = [...sizes].sort((x, y) => x - y)
      expect(Math.abs(sorted[sorted.length >> 1] - expected), `${sizes}`).toBeLessThanOrEqual(1)
      expect(sorted[sorted.length - 1], `${sizes}`).toBeLessThanOrEqual(expected + 1)
    }
    expect(short[0]).toBe(Math.floor((PARSE_SLICE_BYTES - 5) / 9))
    usual(short.slice(1), Math.floor(MIN_PARSE_SLICE_BYTES / 9))
    // 300-byte rows: 128 would be 37.5 KiB, so every slice stays 16 KiB.
    const long = batchSizes(tmp.file('long.csv', `id,v\n${Array.from({ length: 2000 }, (_, k) => row(k, 300)).join('')}`), 'csv')
    usual(long, Math.floor(PARSE_SLICE_BYTES / 300))
  })

  it('gives JSON Lines with a line longer than a slice, and bad lines, as unsliced reads do', () => {
    const lines = Array.from({ length: 3000 }, (_, k) =>
      k === 1500 ? JSON.stringify({ k, long: 'é'.repeat(PARSE_SLICE_BYTES) }) : k % 101 === 0 ? '{"broken":' : JSON.stringify({ k, city: k % 2 ? 'Zürich' : 'Oslo' }),
    )
    const path = tmp.file('sliced.jsonl', lines.join('\n'))
    expect(events(path, 1 << 20)).toEqual(events(path, 4096))
    expect(batchSizes(path, 'jsonl').length).toBeGreaterThan(Math.floor(Buffer.byteLength(lines.join('\n')) / PARSE_SLICE_BYTES))
  })
})
