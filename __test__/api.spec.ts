import { Readable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { RingstreamError, Stream, stream } from '../ts/index'
import { ENGINES } from './support/engines'
import { codeOf, rejectionOf, thrownBy } from './support/errors'
import { ids, jsonl, useTempDir } from './support/temp'

describe.each(ENGINES)('laziness and immutability (%s engine)', (engine) => {
  const tmp = useTempDir()

  it('builds a stream of a missing path without throwing', () => {
    const missing = tmp.path('nope.jsonl')
    expect(() => stream(missing, { engine }).filter(() => true).limit(3)).not.toThrow()
  })

  it('throws ERR_NOT_FOUND naming the path when for…of begins', () => {
    const missing = tmp.path('nope.jsonl')
    const s = stream(missing, { engine })
    const error = thrownBy(() => [...s])
    expect(error).toBeInstanceOf(RingstreamError)
    expect(codeOf(error)).toBe('ERR_NOT_FOUND')
    expect((error as Error).message).toContain(missing)
  })

  it('rejects with ERR_NOT_FOUND naming the path when for await…of begins', async () => {
    const missing = tmp.path('nope.jsonl')
    const error = await rejectionOf(stream(missing, { engine }).toArray())
    expect(codeOf(error)).toBe('ERR_NOT_FOUND')
    expect((error as Error).message).toContain(missing)
  })

  it('resolves a folder at iteration, so a file added after stream() is read', () => {
    const dir = tmp.mkdir('shards')
    tmp.file('shards/a.jsonl', jsonl([{ f: 'a' }]))
    const s = stream(dir, { engine })
    tmp.file('shards/b.jsonl', jsonl([{ f: 'b' }]))
    expect([...s]).toEqual([{ f: 'a' }, { f: 'b' }])
  })

  it('reads a file as it is when iteration begins, not when stream() was called', () => {
    const path = tmp.file('a.jsonl', jsonl([{ v: 1 }]))
    const s = stream(path, { engine })
    tmp.file('a.jsonl', jsonl([{ v: 2 }, { v: 3 }]))
    expect([...s]).toEqual([{ v: 2 }, { v: 3 }])
  })

  it('leaves the original stream unchanged when a stage is chained', () => {
    const path = tmp.file('a.jsonl', jsonl(ids(5)))
    const base = stream(path, { engine })
    const filtered = base.filter((r) => Number(r.id) % 2 === 0)
    expect(filtered).not.toBe(base)
    expect(filtered).toBeInstanceOf(Stream)
    expect([...base]).toEqual(ids(5))
    expect([...filtered]).toEqual([{ id: 0 }, { id: 2 }, { id: 4 }])
  })

  it('gives the same items every time it is iterated', async () => {
    const path = tmp.file('a.jsonl', jsonl(ids(50)))
    const s = stream(path, { engine }).skip(10).limit(5)
    const first = [...s]
    expect(first).toEqual(ids(15).slice(10))
    expect([...s]).toEqual(first)
    expect(await s.toArray()).toEqual(first)
  })

  it('lets two interleaved for…of iterators each see every record', () => {
    const path = tmp.file('a.jsonl', jsonl(ids(100)))
    const s = stream(path, { engine, batchSize: 7 })
    const a = s[Symbol.iterator]()
    const b = s[Symbol.iterator]()
    const seenA: unknown[] = []
    const seenB: unknown[] = []
    for (;;) {
      const x = a.next()
      const y = b.next()
      const z = b.next()
      if (!x.done) seenA.push(x.value)
      if (!y.done) seenB.push(y.value)
      if (!z.done) seenB.push(z.value)
      if (x.done && y.done) break
    }
    expect(seenA).toEqual(ids(100))
    expect(seenB).toEqual(ids(100))
  })

  it('lets two interleaved for await…of iterators each see every record', async () => {
    const path = tmp.file('a.jsonl', jsonl(ids(100)))
    const s = stream(path, { engine, batchSize: 7 }).transform((r) => r.id)
    const a = s[Symbol.asyncIterator]()
    const b = s[Symbol.asyncIterator]()
    const seenA: unknown[] = []
    const seenB: unknown[] = []
    for (;;) {
      const [x, y] = await Promise.all([a.next(), b.next()])
      if (!x.done) seenA.push(x.value)
      if (!y.done) seenB.push(y.value)
      if (x.done && y.done) break
    }
    const expected = Array.from({ length: 100 }, (_, i) => i)
    expect(seenA).toEqual(expected)
    expect(seenB).toEqual(expected)
  })

  it('keeps stage state per iteration: indexes restart at 0 in every pass', () => {
    const path = tmp.file('a.jsonl', jsonl(ids(3)))
    const s = stream(path, { engine }).transform((_r, i) => i)
    expect([...s]).toEqual([0, 1, 2])
    expect([...s]).toEqual([0, 1, 2])
  })
})

describe('the RINGSTREAM_ENGINE variable', () => {
  const tmp = useTempDir()
  const saved = { value: undefined as string | undefined }
  beforeEach(() => {
    saved.value = process.env.RINGSTREAM_ENGINE
  })
  afterEach(() => {
    if (saved.value === undefined) delete process.env.RINGSTREAM_ENGINE
    else process.env.RINGSTREAM_ENGINE = saved.value
  })

  it('chooses the engine when options.engine is not given', async () => {
    process.env.RINGSTREAM_ENGINE = 'ts'
    const path = tmp.file('a.jsonl', jsonl(ids(2)))
    expect((await stream(path).metadata()).engine).toBe('ts')
    expect(await stream(path).toArray()).toEqual(ids(2))
  })

  it('is read at iteration: a bad value fails there with ERR_INVALID_ARGUMENT', () => {
    const path = tmp.file('a.jsonl', jsonl(ids(2)))
    process.env.RINGSTREAM_ENGINE = 'turbo'
    const s = stream(path)
    const error = thrownBy(() => [...s])
    expect(codeOf(error)).toBe('ERR_INVALID_ARGUMENT')
    expect((error as Error).message).toContain('RINGSTREAM_ENGINE')
  })

  it('loses to options.engine', async () => {
    process.env.RINGSTREAM_ENGINE = 'turbo'
    const path = tmp.file('a.jsonl', jsonl(ids(2)))
    expect(await stream(path, { engine: 'ts' }).toArray()).toEqual(ids(2))
  })
})

describe('argument validation at the call', () => {
  const cases: Array<[string, () => unknown, ErrorConstructor | RangeErrorConstructor | TypeErrorConstructor]> = [
    ['a number as source', () => stream(42 as unknown as string), TypeError],
    ['null as source', () => stream(null as unknown as string), TypeError],
    ['an empty path', () => stream(''), TypeError],
    ['options that are not an object', () => stream('x.jsonl', 5 as unknown as object), TypeError],
    ['an unknown option', () => stream('x.jsonl', { batchsize: 10 } as unknown as object), TypeError],
    ['an unknown format', () => stream('x.jsonl', { format: 'xml' as 'csv' }), TypeError],
    ['an unknown engine', () => stream('x.jsonl', { engine: 'rust' as 'ts' }), TypeError],
    ['batchSize 0', () => stream('x.jsonl', { batchSize: 0 }), RangeError],
    ['a fractional batchSize', () => stream('x.jsonl', { batchSize: 1.5 }), TypeError],
    ['a string batchSize', () => stream('x.jsonl', { batchSize: '10' as unknown as number }), TypeError],
    ['header that is not a boolean', () => stream('x.csv', { header: 'yes' as unknown as boolean }), TypeError],
    ['a two-character delimiter', () => stream('x.csv', { delimiter: ';;' }), TypeError],
    ['a non-ASCII delimiter', () => stream('x.csv', { delimiter: '§' }), TypeError],
    ['a line break as delimiter', () => stream('x.csv', { delimiter: '\n' }), RangeError],
    ['a delimiter equal to the quote', () => stream('x.csv', { delimiter: "'", quote: "'" }), RangeError],
    ['a delimiter equal to the default quote', () => stream('x.csv', { delimiter: '"' }), RangeError],
    ['an empty quote (null is no quoting)', () => stream('x.csv', { quote: '' }), TypeError],
    ['an unknown compression', () => stream('x.csv', { compression: 'bz2' as 'gzip' }), TypeError],
    ['compression for an object-mode Readable', () => stream(Readable.from([{ a: 1 }]), { compression: 'gzip' }), TypeError],
    ['an unknown types value', () => stream('x.csv', { types: 'auto' as 'infer' }), TypeError],
    ['maxRecordBytes 0', () => stream('x.jsonl', { maxRecordBytes: 0 }), RangeError],
    ['bufferSize 0', () => stream('x.jsonl', { bufferSize: 0 }), RangeError],
    ['an unknown onError policy', () => stream('x.jsonl', { onError: 'ignore' as 'skip' }), TypeError],
    ['a negative maxErrors', () => stream('x.jsonl', { maxErrors: -1 }), RangeError],
    ['onProgress that is not a function', () => stream('x.jsonl', { onProgress: 1 as unknown as () => void }), TypeError],
    ['a negative progressInterval', () => stream('x.jsonl', { progressInterval: -5 }), RangeError],
    ['catalog that is not a string', () => stream('x', { catalog: 1 as unknown as string }), TypeError],
    ['signal that is not an AbortSignal', () => stream('x.jsonl', { signal: {} as AbortSignal }), TypeError],
    ['filter without a function', () => stream('x.jsonl').filter('id' as unknown as () => boolean), TypeError],
    ['transform without a function', () => stream('x.jsonl').transform(undefined as unknown as () => 1), TypeError],
    ['map without a function', () => stream('x.jsonl').map(null as unknown as () => 1), TypeError],
    ['flatMap without a function', () => stream('x.jsonl').flatMap({} as unknown as () => []), TypeError],
    ['tap without a function', () => stream('x.jsonl').tap(3 as unknown as () => void), TypeError],
    ['limit(-1)', () => stream('x.jsonl').limit(-1), RangeError],
    ['limit(1.5)', () => stream('x.jsonl').limit(1.5), TypeError],
    ['limit(NaN)', () => stream('x.jsonl').limit(Number.NaN), TypeError],
    ['take(-1)', () => stream('x.jsonl').take(-1), RangeError],
    ['skip(-1)', () => stream('x.jsonl').skip(-1), RangeError],
    ['batch(0)', () => stream('x.jsonl').batch(0), RangeError],
    ['batch("2")', () => stream('x.jsonl').batch('2' as unknown as number), TypeError],
    ['select() without fields', () => stream('x.jsonl').select(), TypeError],
    ['select with a non-string field', () => stream<Record<string, unknown>>('x.jsonl').select(1 as unknown as string), TypeError],
  ]

  it.each(cases)('throws for %s, with code ERR_INVALID_ARGUMENT', (_name, call, type) => {
    const error = thrownBy(call)
    expect(error).toBeInstanceOf(type)
    expect(codeOf(error)).toBe('ERR_INVALID_ARGUMENT')
  })

  it('names the unknown option and lists the known ones', () => {
    const error = thrownBy(() => stream('x.jsonl', { batch_size: 10 } as unknown as object))
    expect((error as Error).message).toContain('"batch_size"')
    expect((error as Error).message).toContain('batchSize')
  })

  it('accepts maxErrors: Infinity and maxErrors: 0', () => {
    expect(() => stream('x.jsonl', { maxErrors: Infinity })).not.toThrow()
    expect(() => stream('x.jsonl', { maxErrors: 0 })).not.toThrow()
  })

  it('accepts quote: null (no quoting), with any delimiter', () => {
    expect(() => stream('x.csv', { quote: null })).not.toThrow()
    expect(() => stream('x.csv', { quote: null, delimiter: '"' })).not.toThrow()
  })

  it('accepts an empty options object and undefined options', () => {
    expect(() => stream('x.jsonl', {})).not.toThrow()
    expect(() => stream('x.jsonl', undefined)).not.toThrow()
  })

  it('rejects forEach(fn) without a function with a TypeError', async () => {
    const error = await rejectionOf(stream([1, 2]).forEach(7 as unknown as () => void))
    expect(error).toBeInstanceOf(TypeError)
    expect(codeOf(error)).toBe('ERR_INVALID_ARGUMENT')
  })

  it('rejects reduce(fn) without a function with a TypeError', async () => {
    const error = await rejectionOf(stream([1, 2]).reduce('sum' as unknown as (a: number) => number, 0))
    expect(error).toBeInstanceOf(TypeError)
    expect(codeOf(error)).toBe('ERR_INVALID_ARGUMENT')
  })
})
