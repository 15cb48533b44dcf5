import { closeSync, openSync, readFileSync, statSync, writeSync, ftruncateSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { describe, expect, it, vi } from 'vitest'
import { loadNativeEngine } from '../ts/engine/native-engine'
import { tsEngine } from '../ts/engine/ts/ts-engine'
import { type DataSource, type Metadata, stream } from '../ts/index'
import { ENGINES } from './support/engines'
import { codeOf, rejectionOf } from './support/errors'
import { ids, jsonl, useTempDir } from './support/temp'

const METADATA_KEYS: readonly (keyof Metadata)[] = [
  'streamingSupported',
  'recommendedBatchSize',
  'memoryEstimateMb',
  'format',
  'compression',
  'files',
  'totalBytes',
  'estimatedRecords',
  'averageRecordBytes',
  'engine',
  'description',
]

/** Bytes this process has read through read(2) and friends so far (Linux `/proc/self/io`). */
function bytesReadByProcess(): number {
  const match = /^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))
  if (match === null) throw new Error('no rchar in /proc/self/io')
  return Number(match[1])
}

/** A record of exactly `size` bytes without its newline. */
function recordOf(size: number, id: number): string {
  const head = `{"id":${id},"pad":"`
  return `${head}${'p'.repeat(size - head.length - 2)}"}`
}

describe.each(ENGINES)('metadata (%s engine)', (engine) => {
  const tmp = useTempDir()

  it('gives every documented field, and only camelCase names', async () => {
    const meta = await stream(tmp.file('a.jsonl', jsonl(ids(10))), { engine }).metadata()
    expect(Object.keys(meta).sort()).toEqual([...METADATA_KEYS].sort())
    for (const key of Object.keys(meta)) expect(key).not.toContain('_')
    expect(meta).not.toHaveProperty('streaming_supported')
    expect(meta).not.toHaveProperty('recommended_batch_size')
    expect(meta).not.toHaveProperty('memory_estimate_mb')
  })

  it('describes a JSON Lines file from its size and head', async () => {
    const lines = Array.from({ length: 100 }, (_, i) => recordOf(99, i))
    const path = tmp.file('a.jsonl', lines.map((l) => `${l}\n`).join(''))
    const meta = await stream(path, { engine }).metadata()
    expect(meta.streamingSupported).toBe(true)
    expect(meta.format).toBe('jsonl')
    expect(meta.compression).toBe('none')
    expect(meta.files).toEqual([path])
    expect(meta.totalBytes).toBe(10_000)
    expect(meta.averageRecordBytes).toBe(100)
    expect(meta.estimatedRecords).toBe(100)
    expect(meta.engine).toBe(engine)
    expect(meta.description).toBeNull()
  })

  it('recommends a power of two near 64 KiB of input per batch', async () => {
    const path = tmp.file('wide.jsonl', Array.from({ length: 50 }, (_, i) => `${recordOf(1023, i)}\n`).join(''))
    expect((await stream(path, { engine }).metadata()).recommendedBatchSize).toBe(64)
  })

  /**
   * The batch size each file of an iteration is opened with. Both engines build records in
   * smaller chunks as the iteration reaches them (DESIGN.md, "Records built by the chunk"), so
   * the size is read where the engine is asked for it.
   */
  const batchSizesAskedFor = (path: string): number[] => {
    const opened = engine === 'ts' ? tsEngine : loadNativeEngine().engine
    if (opened === null) throw new Error('the native engine does not load')
    const openFile = vi.spyOn(opened, 'openFile')
    try {
      for (const _ of stream(path, { engine }));
      return openFile.mock.calls.map(([request]) => request.batchSize)
    } finally {
      openFile.mockRestore()
    }
  }

  it('iterates in batches of about 64 KiB of input, sized from the lines of the head', () => {
    const jsonLines = tmp.file('wide.jsonl', Array.from({ length: 300 }, (_, i) => `${recordOf(1023, i)}\n`).join(''))
    expect(batchSizesAskedFor(jsonLines)).toEqual([64])
    const rows = Array.from({ length: 3000 }, (_, i) => `${String(i).padStart(8, '0')},${'x'.repeat(90)}\n`).join('')
    const csv = tmp.file('rows.csv', `id,text\n${rows}`)
    expect(batchSizesAskedFor(csv)).toEqual([512])
  })

  it('recommends the batch size an iteration uses, even where the head misleads', async () => {
    // 100 short lines, then long ones: the first 64 lines average 8 bytes (8192 records a batch, the
    // most), a parsed 256 KiB sample ~200 (256). Both must say what iteration does.
    const long = (i: number) => `{"t":"${String(i).padEnd(191, 'x')}"}\n`
    const path = tmp.file('misleading.jsonl', '{"a":1}\n'.repeat(100) + Array.from({ length: 3000 }, (_, i) => long(i)).join(''))
    expect(batchSizesAskedFor(path)).toEqual([8192])
    expect((await stream(path, { engine }).metadata()).recommendedBatchSize).toBe(8192)
  })

  it('clamps the recommended batch size to 16…8192', async () => {
    const narrow = tmp.file('narrow.jsonl', '1\n'.repeat(1000))
    const wide = tmp.file('wide.jsonl', `${recordOf(200_000, 1)}\n${recordOf(200_000, 2)}\n`)
    expect((await stream(narrow, { engine }).metadata()).recommendedBatchSize).toBe(8192)
    expect((await stream(wide, { engine }).metadata()).recommendedBatchSize).toBe(16)
  })

  it('reports options.batchSize as the batch size when given', async () => {
    const meta = await stream(tmp.file('a.jsonl', jsonl(ids(10))), { engine, batchSize: 77 }).metadata()
    expect(meta.recommendedBatchSize).toBe(77)
  })

  it('estimates memory as a positive number that grows with bufferSize', async () => {
    const path = tmp.file('a.jsonl', jsonl(ids(1000)))
    const small = await stream(path, { engine, bufferSize: 1 << 16 }).metadata()
    const large = await stream(path, { engine, bufferSize: 16 << 20 }).metadata()
    expect(small.memoryEstimateMb).toBeGreaterThan(0)
    expect(large.memoryEstimateMb).toBeGreaterThanOrEqual(16)
    expect(large.memoryEstimateMb as number).toBeGreaterThan(small.memoryEstimateMb as number)
  })

  it('describes a CSV file', async () => {
    const meta = await stream(tmp.file('a.csv', 'a,b\n1,2\n3,4\n'), { engine }).metadata()
    expect(meta.format).toBe('csv')
    expect(meta.totalBytes).toBe(12)
  })

  it('describes a gzip file, its records estimated from how well its head compresses', async () => {
    const path = tmp.file('a.jsonl.gz', gzipSync(jsonl(ids(100))))
    const meta = await stream(path, { engine }).metadata()
    expect(meta.compression).toBe('gzip')
    expect(meta.format).toBe('jsonl')
    expect(meta.totalBytes).toBe(statSync(path).size)
    // The whole file is in the sample, so the estimate is the count.
    expect(meta.estimatedRecords).toBe(100)
    expect(meta.averageRecordBytes).toBeGreaterThan(0)
    // Well past the compressed bytes measured (16 KiB), and in two members.
    const records = ids(60_000).map((r) => ({ ...r, name: `user ${r.id % 97}` }))
    const large = tmp.file('b.jsonl.gz', Buffer.concat([gzipSync(jsonl(records.slice(0, 30_000))), gzipSync(jsonl(records.slice(30_000)))]))
    expect(statSync(large).size).toBeGreaterThan(10 * 16 * 1024)
    const estimate = (await stream(large, { engine }).metadata()).estimatedRecords as number
    expect(Math.abs(estimate - 60_000) / 60_000).toBeLessThan(0.1)
  })

  it('estimates the records of compressed shards from the first, and of mixed ones not at all', async () => {
    tmp.file('gz/part-1.jsonl.gz', gzipSync(jsonl(ids(100))))
    tmp.file('gz/part-2.jsonl.gz', gzipSync(jsonl(ids(100))))
    expect((await stream(tmp.path('gz'), { engine }).metadata()).estimatedRecords).toBe(200)
    tmp.file('mixed/part-1.jsonl.gz', gzipSync(jsonl(ids(100))))
    tmp.file('mixed/part-2.jsonl', jsonl(ids(100)))
    expect((await stream(tmp.path('mixed'), { engine }).metadata()).estimatedRecords).toBeNull()
  })

  it('describes a dataset folder: its files in order, their total size and the manifest description', async () => {
    const a = tmp.file('catalog/events/a.jsonl', jsonl(ids(3)))
    const b = tmp.file('catalog/events/sub/b.jsonl', jsonl(ids(4)))
    tmp.file('catalog/events/ringstream.json', JSON.stringify({ description: 'Two shards' }))
    const meta = await stream('events', { engine, catalog: tmp.path('catalog') }).metadata()
    expect(meta.files).toEqual([a, b])
    expect(meta.totalBytes).toBe(statSync(a).size + statSync(b).size)
    expect(meta.description).toBe('Two shards')
  })

  it('describes an empty folder', async () => {
    const meta = await stream(tmp.mkdir('empty'), { engine }).metadata()
    expect(meta).toMatchObject({ files: [], totalBytes: 0, estimatedRecords: 0 })
  })

  it('rejects with ERR_NOT_FOUND for a missing path', async () => {
    const error = await rejectionOf(stream(tmp.path('missing.jsonl'), { engine }).metadata())
    expect(codeOf(error)).toBe('ERR_NOT_FOUND')
  })

  it('reads only the head of a file whose tail is garbage', async () => {
    const path = tmp.path('garbage-tail.jsonl')
    const fd = openSync(path, 'w')
    try {
      writeSync(fd, jsonl(ids(1000)))
      ftruncateSync(fd, 1 << 30) // a 1 GiB sparse tail of NUL bytes: one endless line that is not JSON
    } finally {
      closeSync(fd)
    }
    const linux = process.platform === 'linux'
    const before = linux ? bytesReadByProcess() : 0
    const meta = await stream(path, { engine }).metadata()
    const read = linux ? bytesReadByProcess() - before : 0
    expect(meta.totalBytes).toBe(1 << 30)
    expect(meta.averageRecordBytes).toBeGreaterThan(0)
    if (linux) expect(read).toBeLessThan(4 << 20)
  })
})

describe('metadata of custom sources', () => {
  it('merges the source’s own metadata over the defaults', async () => {
    const source: DataSource<number> = {
      *readBatches() {
        yield [1]
      },
      metadata: async () => ({ recommendedBatchSize: 50, description: 'a live feed', estimatedRecords: 1e6 }),
    }
    const meta = await stream(source).metadata()
    expect(meta).toMatchObject({
      streamingSupported: true,
      recommendedBatchSize: 50,
      description: 'a live feed',
      estimatedRecords: 1e6,
      format: null,
      files: [],
      totalBytes: null,
    })
  })

  it('reports options.batchSize, else 1024, for a source without metadata', async () => {
    expect((await stream([1, 2, 3]).metadata()).recommendedBatchSize).toBe(1024)
    expect((await stream([1, 2, 3], { batchSize: 9 }).metadata()).recommendedBatchSize).toBe(9)
  })

  it('does not read the source', async () => {
    let calls = 0
    const source: DataSource<number> = {
      *readBatches() {
        calls++
        yield [1]
      },
    }
    await stream(source).metadata()
    expect(calls).toBe(0)
  })
})
