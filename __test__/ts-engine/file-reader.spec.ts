import { gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { JSON_BYTES_PER_VALUE, MIN_PARSE_SLICE_BYTES, PARSE_SLICE_BYTES, RECORD_VALUES, SLICE_VALUES } from '../../ts/engine/ts/sliced-parser'
import { tsEngine } from '../../ts/engine/ts/ts-engine'
import type { Format } from '../../ts/engine/types'
import { stream } from '../../ts/index'
import { fileReadRequest } from '../support/read-request'
import { makeTempDir } from '../support/temp'

/**
 * The TS engine parses a read a slice at a time (`SLICE_VALUES` values' worth of records once
 * it knows their length, within `MIN_PARSE_SLICE_BYTES` and `PARSE_SLICE_BYTES`), as the
 * iteration reaches it. Slices end after a line break where one is near, else anywhere: inside
 * a quoted field, a CRLF or a UTF-8 sequence. Whatever the cut, the records, the errors and their order must be
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

  // Slices also end where a read (or a decompressed piece) ends, and a row cut there comes out
  // with the next slice: the usual slice (the median) is within a row of the size, and none is larger.
  const usual = (sizes: number[], expected: number) => {
    const sorted = [...sizes].sort((x, y) => x - y)
    expect(Math.abs(sorted[sorted.length >> 1] - expected), `${sizes}`).toBeLessThanOrEqual(1)
    expect(sorted[sorted.length - 1], `${sizes}`).toBeLessThanOrEqual(expected + 1)
  }

  it('slices SLICE_VALUES values\' worth of records at a time once it knows their length', () => {
    const row = (k: number, width: number, fields: number) => `${String(k).padStart(6, '0')}${',y'.repeat(fields - 1)}${'y'.repeat(width - 5 - 2 * fields)}\n`
    const csv = (name: string, rows: number, width: number, fields: number) => {
      const header = Array.from({ length: fields }, (_, k) => `c${k}`).join(',')
      return batchSizes(tmp.file(name, `${header}\n${Array.from({ length: rows }, (_, k) => row(k, width, fields)).join('')}`), 'csv')
    }
    /** Records in a slice of records of `values` values once their length is known. */
    const perSlice = (values: number) => Math.floor(SLICE_VALUES / (RECORD_VALUES + values))
    // Two fields of 12-byte rows: the first slice is 16 KiB, then a slice of two-value rows.
    const pairs = csv('pairs.csv', 8000, 12, 2)
    expect(pairs[0]).toBe(Math.floor((PARSE_SLICE_BYTES - 6) / 12))
    usual(pairs.slice(1), perSlice(2))
    // One field of 9-byte rows; of 2-byte rows, the smallest slice.
    usual(csv('single.csv', 8000, 9, 1).slice(1), perSlice(1))
    usual(batchSizes(tmp.file('tiny.csv', `c\n${'y\n'.repeat(40000)}`), 'csv').slice(1), MIN_PARSE_SLICE_BYTES / 2)
    // Thirteen fields of 140-byte rows, as wide.csv.
    usual(csv('wide.csv', 2000, 140, 13).slice(1), perSlice(13))
    // Rows too long for a slice of their values within the largest slice.
    usual(csv('long.csv', 400, 1200, 2).slice(1), Math.floor(PARSE_SLICE_BYTES / 1200))
    // JSON Lines of 100 bytes: a value per JSON_BYTES_PER_VALUE bytes.
    const line = (k: number) => `${JSON.stringify({ k: String(k).padStart(6, '0'), v: 'y'.repeat(100 - 22) })}\n`
    const json = batchSizes(tmp.file('lines.jsonl', Array.from({ length: 4000 }, (_, k) => line(k)).join('')), 'jsonl')
    expect(line(0)).toHaveLength(100)
    usual(json.slice(1), Math.floor(SLICE_VALUES / (RECORD_VALUES + 100 / JSON_BYTES_PER_VALUE)))
  })

  it('parses the chunks of a byte stream a slice at a time too, compressed or not', () => {
    const rows = Array.from({ length: 3000 }, (_, k) => `${String(k).padStart(6, '0')},${'y'.repeat(20)}\n`)
    const bytes = Buffer.from(`id,v\n${rows.join('')}`)
    for (const compression of ['none', 'gzip'] as const) {
      const { path: _path, ...options } = fileReadRequest('', { compression })
      const parser = tsEngine.openChunks(options)
      parser.push(compression === 'gzip' ? gzipSync(bytes) : bytes)
      parser.end()
      const sizes: number[] = []
      for (let batch = parser.next(); batch !== null; batch = parser.next()) sizes.push(batch.records.length)
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(rows.length)
      // After the first slice, a slice of two-field rows per batch.
      usual(sizes.slice(1), Math.floor(SLICE_VALUES / (RECORD_VALUES + 2)))
    }
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
