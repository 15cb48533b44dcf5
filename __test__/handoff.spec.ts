import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { type ItemError, stream, type StreamOptions } from '../ts/index'
import { loadNativeEngine } from '../ts/engine/native-engine'
import { CHUNK_RECORDS, CHUNK_TEXT_BYTES, CHUNK_VALUES } from '../ts/engine/native/chunks'
import { ArenaBatch } from '../ts/engine/native/arena-batch'
import type { NativeBatch, NativeBatchExtras } from '../ts/engine/native/batch-types'
import { ENGINES } from './support/engines'
import { fileReadRequest } from './support/read-request'
import { bundleLibrary } from './support/bundle'
import { makeTempDir } from './support/temp'

const execFileAsync = promisify(execFile)
const MiB = 1 << 20

/**
 * The native engine's two hand-offs (ts/engine/native/handoff.ts) must give the TS engine's
 * records, whichever is the default for a format. The parity property test covers random input;
 * these cases aim at what the columnar decoder does on its own: code generated from header
 * names and JSON shapes, `__proto__`, repeated keys, escapes, what the core leaves to
 * `JSON.parse` (long arrays, deep nesting, lone surrogates, too many keys or shapes), headers too
 * wide to generate, the header arriving in a later batch than the first, and a process where
 * code cannot be generated at all.
 */
describe.runIf(ENGINES.includes('native'))('the native hand-offs', () => {
  const tmp = makeTempDir('ringstream-handoff-')
  afterAll(() => tmp.remove())
  afterEach(() => {
    delete process.env.RINGSTREAM_NATIVE_HANDOFF
  })

  interface Reading {
    records: unknown[]
    errors: Array<Pick<ItemError, 'code' | 'line' | 'byteOffset' | 'excerpt'>>
  }

  const read = (path: string, engine: 'ts' | 'native', options: StreamOptions = {}, handoff = ''): Reading => {
    process.env.RINGSTREAM_NATIVE_HANDOFF = handoff
    const errors: Reading['errors'] = []
    const records = [...stream(path, { ...options, engine, onError: (e) => void errors.push({ code: e.code, line: e.line, byteOffset: e.byteOffset, excerpt: e.excerpt }) })]
    return { records, errors }
  }

  /** Reads `path` with the TS engine and with each hand-off; they must agree, keys in order. */
  const agree = (path: string, options: StreamOptions = {}): Reading => {
    const ts = read(path, 'ts', options)
    for (const handoff of ['json', 'columnar']) {
      const native = read(path, 'native', options, handoff)
      expect(native.errors, handoff).toEqual(ts.errors)
      expect(native.records, handoff).toEqual(ts.records)
      // Key order at every depth (toEqual ignores it).
      expect(native.records.map((r) => JSON.stringify(r)), handoff).toEqual(ts.records.map((r) => JSON.stringify(r)))
      native.records.forEach((record, i) => {
        if (isObject(record)) expect(Object.getPrototypeOf(record), handoff).toBe(Object.getPrototypeOf(ts.records[i]))
      })
    }
    return ts
  }

  const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null

  /** Header names that would be code, or special keys, if they were not treated as data. */
  const TRICKY_NAMES = [
    '"); throw new Error("injected"); ("',
    "'); throw 1; ('",
    '`${process.exit(3)}`',
    '\\',
    '}; process.exit(4); {',
    '__proto__',
    'constructor',
    'toString',
    '0',
    '01',
    '',
    'a',
    'a',
    'é😀',
    'line\u2028separator',
    'x\ny',
  ]
  const csvCell = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value)
  const trickyCsv = () =>
    [
      TRICKY_NAMES.map(csvCell).join(','),
      TRICKY_NAMES.map((_, k) => String(k)).join(','),
      TRICKY_NAMES.map((_, k) => (k % 3 === 0 ? 'Zürich' : k % 3 === 1 ? '-0' : 'a value longer than thirteen')).join(','),
      TRICKY_NAMES.map((_, k) => (k % 2 === 0 ? '' : 'TRUE')).join(','),
    ].join('\n') + '\n'

  it.each(['string', 'infer'] as const)('treats header names as data, `__proto__` as an own key (types %s)', (types) => {
    const path = tmp.file(`tricky-${types}.csv`, trickyCsv())
    const { records } = agree(path, { types })
    expect(records).toHaveLength(3)
    const first = records[0] as Record<string, unknown>
    expect(Object.prototype.hasOwnProperty.call(first, '__proto__')).toBe(true)
    expect(first['__proto__']).toBe(types === 'infer' ? 5 : '5')
    expect(Object.getPrototypeOf(first)).toBe(Object.prototype)
    expect(first['"); throw new Error("injected"); ("']).toBe(types === 'infer' ? 0 : '0')
    if (types === 'infer') expect(Object.is((records[1] as Record<string, unknown>)['}; process.exit(4); {'], -0)).toBe(true)
  })

  it('reads headerless records as arrays, inferred or not', () => {
    const path = tmp.file('arrays.csv', 'x,1,-0\né,true,\n"a long, quoted value",007,1e400\n')
    agree(path, { header: false })
    const { records } = agree(path, { header: false, types: 'infer' })
    expect(records[0]).toEqual(['x', 1, -0])
    expect(Object.is((records[0] as unknown[])[2], -0)).toBe(true)
  })

  it('builds records wider than a generated constructor with a loop', () => {
    const width = 1500
    const names = Array.from({ length: width }, (_, k) => (k === 700 ? '__proto__' : `c${k % 1000}`))
    const row = (r: number) => Array.from({ length: width }, (_, k) => (k % 5 === 0 ? `${r}.${k}` : k % 5 === 1 ? 'ü' : `v${k}`)).join(',')
    const path = tmp.file('wide.csv', [names.join(','), row(1), row(2)].join('\n'))
    const { records } = agree(path, { types: 'infer' })
    expect(Object.keys(records[0] as object)).toHaveLength(width)
    agree(path, { header: false })
  })

  it('keeps the header when it arrives in a later batch than the first, and across batches', () => {
    // Two lines of invalid UTF-8 before the header: with batchSize 1 they are handed off before it.
    const rows = Array.from({ length: 20 }, (_, k) => `${k},${k % 2 ? 'Zürich' : 'Oslo'}`)
    const bytes = Buffer.concat([Buffer.from([0xff, 0x0a, 0x61, 0xfe, 0x0a]), Buffer.from(['id,city', ...rows].join('\n'))])
    const path = tmp.file('late-header.csv', bytes)
    for (const batchSize of [1, 2, 3, 7]) agree(path, { batchSize, types: 'infer', bufferSize: 16 })
  })

  it('gives the same records through `for await`', async () => {
    const path = tmp.file('async.csv', trickyCsv())
    const expected = read(path, 'ts').records
    for (const handoff of ['json', 'columnar']) {
      process.env.RINGSTREAM_NATIVE_HANDOFF = handoff
      const records: unknown[] = []
      for await (const record of stream(path, { engine: 'native', batchSize: 2 })) records.push(record)
      expect(records, handoff).toEqual(expected)
    }
  })

  it('reads JSON Lines and JSON arrays through either hand-off', () => {
    agree(tmp.file('values.jsonl', '{"a":"é","__proto__":1}\nnot json\n[1,-0,"x"]\n"😀"\n'))
    agree(tmp.file('values.json', '[{"a":1}, 2, x, "Zürich"'))
  })

  /** JSON Lines whose records stress the shapes: every line must come out as `JSON.parse` makes it. */
  const TRICKY_JSON_LINES = [
    '{"b":1,"a":{"y":[1,2,{"z":null}],"x":true},"2":"two","1":"one","b":3}',
    '{"__proto__":{"p":1},"constructor":"c","toString":0,"__proto__":[2]}',
    String.raw`{"s":"q \" b \\ s \/ \b \f \n \r \t \u00e9 \ud83d\ude00 \u2028 \u0000","lone":"\ud800x","low":["\udc00"]}`,
    '{"n":[-0,0,1e400,-1e400,12345678901234567890,1.5e-7,0.1,-1E+2]}',
    `{"long":[${Array.from({ length: 40 }, (_, k) => k).join(',')}],"short":[[],{}]}`,
    `${'['.repeat(40)}"deep"${']'.repeat(40)}`,
    `{"k":${'{"k":'.repeat(35)}1${'}'.repeat(35)}}`,
    '{}',
    '[]',
    '"top"',
    '7',
    'true',
    'null',
    '  { "ws" : [ 1 , 2 ] , "t" : "a value longer than thirteen é" }  ',
    '{"é😀":"Zürich","":""}',
    String.raw`{"]\ud800},le":"y","k\udc00":{"\ud83d\ude00":1,"\\ud800":2}}`,
    `{${Array.from({ length: 1200 }, (_, k) => `"k${k}":${k}`).join(',')}}`,
  ]

  it('builds JSON records from their shapes as JSON.parse does', () => {
    const lines = [...TRICKY_JSON_LINES, ...TRICKY_JSON_LINES]
    for (const batchSize of [1, 3, 1000]) {
      const { records } = agree(tmp.file(`shapes-${batchSize}.jsonl`, lines.join('\n') + '\n'), { batchSize })
      expect(records.map((r) => JSON.stringify(r))).toEqual(lines.map((line) => JSON.stringify(JSON.parse(line))))
      const first = records[1] as Record<string, unknown>
      expect(Object.getPrototypeOf(first)).toBe(Object.prototype)
      expect(first['__proto__']).toEqual([2])
      expect(Object.is(((records[3] as Record<string, unknown[]>).n)[0], -0)).toBe(true)
    }
    agree(tmp.file('shapes.json', `[${TRICKY_JSON_LINES.join(',\n')}]`))
  })

  it('reads JSON Lines of more shapes than it keeps', () => {
    const lines = Array.from({ length: 600 }, (_, k) => JSON.stringify({ [`key${k % 300}`]: k, v: k % 7 === 0 ? 'long enough to be sliced' : 'é' }))
    const { records } = agree(tmp.file('many-shapes.jsonl', lines.join('\n')), { batchSize: 64 })
    expect(records).toHaveLength(600)
  })

  describe('a batch handed out a chunk of records at a time', () => {
    type Event = { record: unknown } | { error: Pick<ItemError, 'code' | 'line' | 'byteOffset'> }

    /** Records and errors in the order the iteration meets them. */
    const events = async (path: string, engine: 'ts' | 'native', options: StreamOptions, useAsync: boolean): Promise<Event[]> => {
      const seen: Event[] = []
      const s = stream(path, { ...options, engine, onError: (e) => void seen.push({ error: { code: e.code, line: e.line, byteOffset: e.byteOffset } }) })
      if (useAsync) for await (const record of s) seen.push({ record })
      else for (const record of s) seen.push({ record })
      return seen
    }

    /** Bad lines on both sides of where chunks end, a run of them longer than a chunk, and one last. */
    const BAD = new Set([0, 1, CHUNK_RECORDS - 1, CHUNK_RECORDS, CHUNK_RECORDS + 1, 2 * CHUNK_RECORDS + 3, ...Array.from({ length: CHUNK_RECORDS + 5 }, (_, k) => 150 + k), 299])

    const linesWithBadOnes = (good: (k: number) => string, bad: (k: number) => Buffer) =>
      Buffer.concat(Array.from({ length: 300 }, (_, k) => Buffer.concat([BAD.has(k) ? bad(k) : Buffer.from(good(k)), Buffer.from('\n')])))

    it.each([
      ['string', false],
      ['infer', false],
      ['infer', true],
    ] as const)('keeps every CSV record and error in place across chunks (types %s, async %s)', async (types, useAsync) => {
      const body = linesWithBadOnes(
        (k) => `${k},${k % 3 === 0 ? 'Zürich' : 'Oslo'},${k / 4},${k % 5 === 0 ? 'a value longer than thirteen' : 'x'}`,
        (k) => (k % 2 === 0 ? Buffer.from(`${k}`) : Buffer.from([0x61, 0xff, 0x2c, 0x62, 0x2c, 0x63, 0x2c, 0x64])),
      )
      const path = tmp.file(`chunks-${types}.csv`, Buffer.concat([Buffer.from('id,city,score,note\n'), body]))
      for (const batchSize of [1000, 100, 3]) {
        const options: StreamOptions = { types, batchSize }
        const native = await events(path, 'native', options, useAsync)
        expect(native, `batchSize ${batchSize}`).toEqual(await events(path, 'ts', options, useAsync))
        expect(native.filter((e) => 'error' in e)).toHaveLength(BAD.size)
      }
    })

    it('keeps every JSON Lines record and error in place across chunks', async () => {
      const body = linesWithBadOnes(
        (k) => JSON.stringify({ id: k, city: k % 3 === 0 ? 'Zürich' : 'Oslo', tags: k % 2 === 0 ? ['a', k] : [], nested: { ok: k % 4 === 0 } }),
        (k) => Buffer.from(k % 2 === 0 ? '{"id":' : 'not json'),
      )
      const path = tmp.file('chunks.jsonl', body)
      for (const batchSize of [1000, 3]) {
        for (const useAsync of [false, true]) {
          const native = await events(path, 'native', { batchSize }, useAsync)
          expect(native, `batchSize ${batchSize}`).toEqual(await events(path, 'ts', { batchSize }, useAsync))
        }
      }
    })

    it('builds no more than a chunk of a large batch at once', () => {
      const native = loadNativeEngine().engine
      if (native === null) throw new Error('the native engine does not load')
      const narrow = ['a,b', ...Array.from({ length: 1000 }, (_, k) => `${k},${k}`)].join('\n')
      const single = ['a', ...Array.from({ length: 1000 }, (_, k) => `${k}`)].join('\n')
      const wide = ['a,b', ...Array.from({ length: 1000 }, (_, k) => `${k},${'w'.repeat(200)}`)].join('\n')
      // Two shapes taking turns, of 3 and 9 values: a chunk ends before the value that would pass CHUNK_VALUES.
      const json = Array.from({ length: 1000 }, (_, k) => (k % 2 === 0 ? `{"a":${k},"b":[1,2]}` : `{"a":${k},"b":[1,2,3,4,5,6,7,8]}`)).join('\n')
      for (const [name, text, most] of [
        ['narrow.csv', narrow, Math.min(CHUNK_RECORDS, CHUNK_VALUES / 2)],
        ['single.csv', single, CHUNK_RECORDS],
        ['wide.csv', wide, Math.ceil(CHUNK_TEXT_BYTES / 200)],
        ['shapes.jsonl', json, 2 * Math.floor(CHUNK_VALUES / 12) + (CHUNK_VALUES % 12 >= 3 ? 1 : 0)],
      ] as const) {
        const format = name.endsWith('.csv') ? 'csv' : 'jsonl'
        const reader = native.openFile(fileReadRequest(tmp.file(`chunked-${name}`, text), { batchSize: 1000, format }))
        const sizes: number[] = []
        const lines: number[] = []
        for (let batch = reader.nextBatchSync(); batch !== null; batch = reader.nextBatchSync()) {
          sizes.push(batch.records.length)
          lines.push(...Array.from(batch.lines).slice(batch.first, batch.first + batch.records.length))
        }
        reader.close()
        expect(Math.max(...sizes), name).toBe(most)
        expect(sizes.length, name).toBeGreaterThan(1000 / most)
        // CSV: the header is line 1.
        expect(lines, name).toEqual(Array.from({ length: 1000 }, (_, k) => k + (name.endsWith('.csv') ? 2 : 1)))
      }
    })
  })

  describe('each batch copied into the memory of the one before', () => {
    /** A columnar reader as the binding gives it: each batch is the arena it is laid out in. */
    interface RawReader {
      nextBatchSync(arena: ArrayBuffer | null): ArrayBuffer | null
      batchExtras(): NativeBatchExtras | null
      close(arena?: ArrayBuffer | null): void
    }
    /** The lines, then the byte offsets, of the batch laid out in `arena`, as its header gives them. */
    const positionsOf = (arena: ArrayBuffer): number[] => {
      const batch = new ArenaBatch()
      batch.read(arena, { batchExtras: () => null })
      const lines = Array.from(batch.views.doubles.subarray(batch.lines, batch.lines + batch.count))
      return lines.concat(Array.from(batch.byteOffsets.subarray(batch.lines, batch.lines + batch.count)))
    }
    const binding = createRequire(__filename)(join(__dirname, '..', 'native', 'binding.js')) as {
      NativeReader: new (options: Record<string, unknown>) => RawReader
    }
    const open = (path: string, batchSize: number): RawReader =>
      new binding.NativeReader({ ...fileReadRequest(path, { batchSize, maxRecordBytes: 4 * MiB }), handoff: 'columnar' })

    /** Rows of every length from 1 to ~3,000 bytes, some not ASCII, and one of 2 MiB in the middle. */
    const rows = Array.from({ length: 400 }, (_, k) => `${k},${k === 200 ? 'h'.repeat(2 * MiB) : `${k % 7 === 0 ? 'ü' : 'x'}`.repeat((k * 37) % 3000)},${k / 8}`)
    const path = tmp.file('arena.csv', ['id,text,n', ...rows].join('\n'))

    it('reuses a few arenas while the batches fit, and makes a bigger one when a batch outgrows them', () => {
      const reader = open(path, 10)
      const arenas: ArrayBuffer[] = []
      let arena: ArrayBuffer | null = null
      let lines: number[] = []
      let batches = 0
      for (let batch = reader.nextBatchSync(arena); batch !== null; batch = reader.nextBatchSync(arena)) {
        arena = batch
        batches++
        if (!arenas.includes(arena)) arenas.push(arena)
        const positions = positionsOf(batch)
        lines = lines.concat(positions.slice(0, positions.length / 2))
      }
      reader.close()
      expect(lines).toEqual(rows.map((_, k) => k + 2))
      // The first batches, made before the reader thread takes over, are copied into one arena
      // after another; then the reader thread lays them out in a few arenas of its own (its
      // queue's depth plus three at most), and the 2 MiB row's batch needs a bigger one.
      expect(batches).toBe(rows.length / 10)
      expect(arenas.length).toBeLessThanOrEqual(10)
      expect(arenas.some((a) => a.byteLength > 2 * MiB)).toBe(true)
    })

    it("leaves a batch's arrays as they are until the next batch is taken, while the reader thread reads on", () => {
      const reader = open(path, 10)
      let arena: ArrayBuffer | null = null
      const sleep = new Int32Array(new SharedArrayBuffer(4))
      for (let batch = reader.nextBatchSync(arena); batch !== null; batch = reader.nextBatchSync(arena)) {
        arena = batch
        const before = Buffer.from(new Uint8Array(arena)).toString('base64')
        Atomics.wait(sleep, 0, 0, 2) // the reader thread fills the queue meanwhile
        expect(Buffer.from(new Uint8Array(arena)).toString('base64')).toBe(before)
      }
      reader.close()
    })

    it('is small for a file that fits one read, which the core reads in place', () => {
      const small = tmp.file('small.csv', 'id,text\n1,a\n2,b\n')
      const reader = open(small, 10)
      const batch = reader.nextBatchSync(null)
      if (batch === null) throw new Error('no batch')
      expect(positionsOf(batch)).toEqual([2, 3, 8, 12])
      reader.close()
      expect(batch.byteLength).toBeLessThanOrEqual(4096)
      // A file that does not fit one read gets room for the batches that grow after its first.
      const large = open(path, 10)
      expect(large.nextBatchSync(null)?.byteLength).toBeGreaterThanOrEqual(64 * 1024)
      large.close()
    })

    it.each(['json', 'columnar'])('is handed back by the engine, sync and async (%s hand-off)', async (handoff) => {
      process.env.RINGSTREAM_NATIVE_HANDOFF = handoff
      const prototype = binding.NativeReader.prototype
      const spy = vi.spyOn(prototype, 'nextBatchSync')
      try {
        for (const useAsync of [false, true]) {
          spy.mockClear()
          const s = stream(path, { engine: 'native', batchSize: 10 })
          if (useAsync) for await (const _ of s);
          else for (const _ of s);
          const calls = spy.mock.calls.map(([arena]) => arena)
          const results = spy.mock.results.map((result) => {
            const batch = result.value as NativeBatch | null
            return batch === null || batch instanceof ArrayBuffer ? batch : batch.arena
          })
          expect(calls.length, `async ${useAsync}`).toBe(rows.length / 10 + 1)
          expect(calls[0]).toBeNull()
          // Each call gets the very arena the call before returned.
          expect(calls.slice(1).filter((arena, k) => arena !== results[k]), `async ${useAsync}`).toHaveLength(0)
        }
      } finally {
        spy.mockRestore()
      }
    })

    it('makes a new one for every batch when none is handed back', () => {
      const reader = open(path, 10)
      const arenas = new Set<ArrayBuffer>()
      let batches = 0
      for (let batch = reader.nextBatchSync(null); batch !== null; batch = reader.nextBatchSync(null)) {
        arenas.add(batch)
        batches++
      }
      reader.close()
      expect(arenas.size).toBe(batches)
      // Batches JavaScript kept keep their memory after the reader is closed.
      expect([...arenas].filter((arena) => arena.byteLength === 0)).toHaveLength(0)
    })

    describe('closing the reader', () => {
      /** Rows alike, so that the arenas never grow (one outgrown would be let go of before). */
      const even = tmp.file('even.csv', ['id,text', ...Array.from({ length: 60_000 }, (_, k) => `${k},${'x'.repeat(40)}`)].join('\n'))

      /**
       * Reads `batches` batches (all with `Infinity`), handing each arena back, then closes the
       * reader; returns the arenas seen, each with its size before the close, and the batch held.
       */
      function readThenClose(batches: number) {
        const reader = open(even, 1000)
        const sizes = new Map<ArrayBuffer, number>()
        let batch = reader.nextBatchSync(null)
        for (let k = 1; k < batches && batch !== null; k++) {
          sizes.set(batch, batch.byteLength)
          batch = reader.nextBatchSync(batch)
        }
        if (batch !== null) sizes.set(batch, batch.byteLength)
        // Arenas the reader let go of while reading (outgrown ones) are freed then, not here.
        const live = [...sizes.keys()].filter((arena) => arena.byteLength > 0)
        const positions = batch === null ? null : positionsOf(batch)
        const before = process.memoryUsage().arrayBuffers
        reader.close()
        const released = before - process.memoryUsage().arrayBuffers
        const freed = live.filter((arena) => arena.byteLength === 0).reduce((sum, arena) => sum + (sizes.get(arena) ?? 0), 0)
        return { sizes, batch, positions, freed, released }
      }

      // The reader's own arenas (those its thread lays batches out in) are detached, which frees
      // their memory at once rather than at V8's next full collection; the first batches of a
      // file are copied into arenas JavaScript owns, which a young-generation collection frees.
      it('keeps the arena of the batch JavaScript holds', () => {
        const { sizes, batch, positions, freed, released } = readThenClose(40)
        if (batch === null) throw new Error('the file ended too soon')
        // Whatever else the reader had then (queued batches, free arenas) went; how much depends
        // on how far ahead its thread was.
        expect(released).toBeGreaterThanOrEqual(freed)
        expect(batch.byteLength).toBe(sizes.get(batch))
        expect(positionsOf(batch)).toEqual(positions)
        expect(positions?.[0]).toBeGreaterThan(2)
      })

      it('frees the arena of the batch JavaScript held once a later close hands it back', () => {
        const reader = open(even, 1000)
        let batch = reader.nextBatchSync(null)
        for (let k = 1; k < 59 && batch !== null; k++) batch = reader.nextBatchSync(batch)
        if (batch === null) throw new Error('the file ended too soon')
        reader.close()
        const size = batch.byteLength
        expect(size).toBeGreaterThan(0)
        const before = process.memoryUsage().arrayBuffers
        reader.close(batch)
        // The last batches of the file are laid out by the reader thread, in arenas of its own.
        expect(batch.byteLength).toBe(0)
        expect(before - process.memoryUsage().arrayBuffers).toBeGreaterThanOrEqual(size)
      })

      it('frees the memory of every arena handed back, and may be closed again', () => {
        const { sizes, batch, freed, released } = readThenClose(Infinity)
        expect(batch).toBeNull()
        expect([...sizes.keys()].filter((arena) => arena.byteLength === 0).length).toBeGreaterThanOrEqual(2)
        expect(freed).toBeGreaterThan(0)
        expect(released).toBeGreaterThanOrEqual(freed)
        const reader = open(even, 1000)
        reader.nextBatchSync(null)
        reader.close()
        reader.close()
      })
    })

    it.each([false, true])('gives records that keep their values once their memory is reused (async %s)', async (useAsync) => {
      process.env.RINGSTREAM_NATIVE_HANDOFF = 'columnar'
      for (const batchSize of [1, 3, 10, 1000]) {
        const records: unknown[] = []
        const s = stream(path, { engine: 'native', batchSize, types: 'infer' })
        if (useAsync) for await (const record of s) records.push(record)
        else for (const record of s) records.push(record)
        expect(records, `batchSize ${batchSize}`).toEqual(read(path, 'ts', { batchSize, types: 'infer' }).records)
      }
    })
  })

  it('rejects an unknown RINGSTREAM_NATIVE_HANDOFF when a file is opened', () => {
    const path = tmp.file('any.csv', 'a\n1\n')
    process.env.RINGSTREAM_NATIVE_HANDOFF = 'xml'
    expect(() => [...stream(path, { engine: 'native' })]).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
  })

  describe('where code cannot be generated from strings', () => {
    let bundle = ''
    beforeAll(() => {
      bundle = bundleLibrary('handoff.cjs')
    })

    it('builds the same records, and selects the same fields, with a loop', async () => {
      const path = tmp.file('no-eval.csv', trickyCsv())
      const jsonPath = tmp.file('no-eval.jsonl', TRICKY_JSON_LINES.join('\n'))
      const child = `
        const { stream } = require(process.argv[1])
        const read = (path, types) => [...stream(path, { engine: 'native', types })].map((r) => (typeof r === 'object' && r !== null ? [Object.keys(r), Object.values(r), Object.getPrototypeOf(r) === Object.prototype] : r))
        const picked = [...stream(process.argv[2], { engine: 'native' }).select('__proto__', '0', 'a', 'missing')].map((r) => [Object.keys(r), Object.values(r), Object.getPrototypeOf(r) === Object.prototype])
        process.stdout.write(JSON.stringify([read(process.argv[2], 'string'), read(process.argv[2], 'infer'), read(process.argv[3]), picked]))`
      const { stdout } = await execFileAsync(process.execPath, ['--disallow-code-generation-from-strings', '-e', child, bundle, path, jsonPath], {
        env: { ...process.env, RINGSTREAM_NATIVE_HANDOFF: 'columnar' },
      })
      const shape = (file: string, types?: 'string' | 'infer') =>
        read(file, 'ts', { types }).records.map((r) => (isObject(r) ? [Object.keys(r), Object.values(r), Object.getPrototypeOf(r) === Object.prototype] : r))
      const picked = [...stream(path, { engine: 'ts' }).select('__proto__', '0', 'a', 'missing')].map((r) => [Object.keys(r), Object.values(r), Object.getPrototypeOf(r) === Object.prototype])
      expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify([shape(path, 'string'), shape(path, 'infer'), shape(jsonPath), picked])))
    })
  })
})
