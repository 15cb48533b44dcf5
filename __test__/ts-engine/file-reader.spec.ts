import { afterAll, describe, expect, it } from 'vitest'
import { PARSE_SLICE_BYTES } from '../../ts/engine/ts/file-reader'
import { tsEngine } from '../../ts/engine/ts/ts-engine'
import type { Format } from '../../ts/engine/types'
import { stream } from '../../ts/index'
import { fileReadRequest } from '../support/read-request'
import { makeTempDir } from '../support/temp'

/**
 * The TS engine parses a read a slice at a time (`PARSE_SLICE_BYTES`), as the iteration reaches
 * it. Slices end after a line break where one is near, else anywhere: inside a quoted field, a
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

  it('gives JSON Lines with a line longer than a slice, and bad lines, as unsliced reads do', () => {
    const lines = Array.from({ length: 3000 }, (_, k) =>
      k === 1500 ? JSON.stringify({ k, long: 'é'.repeat(PARSE_SLICE_BYTES) }) : k % 101 === 0 ? '{"broken":' : JSON.stringify({ k, city: k % 2 ? 'Zürich' : 'Oslo' }),
    )
    const path = tmp.file('sliced.jsonl', lines.join('\n'))
    expect(events(path, 1 << 20)).toEqual(events(path, 4096))
    expect(batchSizes(path, 'jsonl').length).toBeGreaterThan(Math.floor(Buffer.byteLength(lines.join('\n')) / PARSE_SLICE_BYTES))
  })
})
