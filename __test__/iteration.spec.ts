import { statSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it, vi } from 'vitest'
import { loadNativeEngine } from '../ts/engine/native-engine'
import { tsEngine } from '../ts/engine/ts/ts-engine'
import type { EngineBatch, FileBatchReader } from '../ts/engine/types'
import { RingstreamError, stream } from '../ts/index'
import { ENGINES } from './support/engines'
import { codeOf, rejectionOf, thrownBy } from './support/errors'
import { ids, jsonl, useTempDir } from './support/temp'

type Row = { id: number }

describe.each(ENGINES)('iteration (%s engine)', (engine) => {
  const tmp = useTempDir()
  const rows = (n: number, options: { batchSize?: number; signal?: AbortSignal } = {}) =>
    stream<Row>(tmp.file(`rows-${n}.jsonl`, jsonl(ids(n))), { engine, ...options })

  describe('for…of and for await…of', () => {
    it('give the same items from the same stream', async () => {
      const s = rows(100, { batchSize: 16 }).filter((r) => r.id % 7 !== 0)
      const sync: Row[] = []
      for (const r of s) sync.push(r)
      const async: Row[] = []
      for await (const r of s) async.push(r)
      expect(sync).toHaveLength(85)
      expect(async).toEqual(sync)
    })

    it('for await awaits an async transform and keeps the order', async () => {
      const s = rows(6).transform(async (r) => {
        await sleep((6 - r.id) % 3)
        return r.id * 2
      })
      const out: number[] = []
      for await (const v of s) out.push(v)
      expect(out).toEqual([0, 2, 4, 6, 8, 10])
    })

    it('for await awaits an async filter: a promise of false drops the item', async () => {
      const s = rows(6).filter(async (r) => r.id % 2 === 0)
      expect(await s.toArray()).toEqual([{ id: 0 }, { id: 2 }, { id: 4 }])
    })

    it('for await awaits a promise of an iterable from flatMap', async () => {
      const s = rows(2).flatMap(async (r) => [r.id, r.id + 10])
      expect(await s.toArray()).toEqual([0, 10, 1, 11])
    })

    it('for await finishes one callback before calling the next', async () => {
      let running = 0
      let overlapped = false
      const s = rows(5).tap(async () => {
        running++
        if (running > 1) overlapped = true
        await sleep(1)
        running--
      })
      await s.toArray()
      expect(overlapped).toBe(false)
    })

    it('for…of throws ERR_ASYNC_IN_SYNC when a callback returns a promise', () => {
      const s = rows(3).transform(async (r) => r)
      const error = thrownBy(() => {
        for (const _ of s) {
          // draining
        }
      })
      expect(error).toBeInstanceOf(RingstreamError)
      expect(codeOf(error)).toBe('ERR_ASYNC_IN_SYNC')
      expect((error as RingstreamError).hint).toMatch(/for await/)
    })

    it('ERR_ASYNC_IN_SYNC names the stage that returned the promise', () => {
      const s = rows(3)
        .filter(() => true)
        .tap(async () => undefined)
      const error = thrownBy(() => [...s])
      expect((error as Error).message).toContain('tap (stage 2)')
    })

    it('for…of throws ERR_ASYNC_IN_SYNC when an onError handler returns a promise', () => {
      const path = tmp.file('bad.jsonl', '{"id":0}\nnot json\n')
      const s = stream(path, { engine, onError: async () => undefined })
      const error = thrownBy(() => [...s])
      expect(codeOf(error)).toBe('ERR_ASYNC_IN_SYNC')
    })

    it('for await accepts an async onError handler and uses its replacement', async () => {
      const path = tmp.file('bad.jsonl', '{"id":0}\nnot json\n{"id":2}\n')
      const s = stream(path, { engine, onError: async () => ({ id: -1 }) })
      expect(await s.toArray()).toEqual([{ id: 0 }, { id: -1 }, { id: 2 }])
    })

    it('yields the items that came before the async callback in for…of', () => {
      const s = rows(5).transform((r) => (r.id === 3 ? Promise.resolve(r) : r))
      const seen: Row[] = []
      const error = thrownBy(() => {
        for (const r of s) seen.push(r)
      })
      expect(codeOf(error)).toBe('ERR_ASYNC_IN_SYNC')
      expect(seen).toEqual(ids(3))
    })
  })

  describe('a chain that drops most records', () => {
    const log = (n: number, keepEvery: number, onFilter: (r: Row) => void = () => undefined) => {
      const events: string[] = []
      const chain = rows(n, { batchSize: 7 })
        .filter((r) => {
          events.push(`filter ${r.id}`)
          onFilter(r)
          return r.id % keepEvery === 0
        })
        .tap((r) => events.push(`tap ${r.id}`))
      return { events, chain }
    }

    it('runs callbacks and consumer in the order of the records, one kept record at a time', () => {
      const { events, chain } = log(30, 10)
      for (const r of chain) events.push(`got ${r.id}`)
      const expected: string[] = []
      for (let id = 0; id < 30; id++) {
        expected.push(`filter ${id}`)
        if (id % 10 === 0) expected.push(`tap ${id}`, `got ${id}`)
      }
      expect(events).toEqual(expected)
    })

    it('stops right after the record a filter aborted on', () => {
      const controller = new AbortController()
      const reason = new Error('enough')
      const events: string[] = []
      const chain = rows(50, { batchSize: 64, signal: controller.signal }).filter((r) => {
        events.push(`filter ${r.id}`)
        if (r.id === 12) controller.abort(reason)
        return r.id % 20 === 0
      })
      const got: number[] = []
      expect(thrownBy(() => {
        for (const r of chain) got.push(r.id)
      })).toBe(reason)
      expect(got).toEqual([0])
      expect(events.at(-1)).toBe('filter 12')
    })

    it('stops forEach right after the record its callback aborted on', async () => {
      const controller = new AbortController()
      const reason = new Error('enough')
      const seen: number[] = []
      const error = await rejectionOf(
        rows(50, { batchSize: 64, signal: controller.signal }).forEach((r) => {
          seen.push(r.id)
          if (r.id === 12) controller.abort(reason)
        }),
      )
      expect(error).toBe(reason)
      expect(seen).toEqual(Array.from({ length: 13 }, (_, id) => id))
    })

    it('keeps the positions of records and the bad lines between them', async () => {
      const lines = ['{"id":0}', 'bad', '{"id":1}', '{"id":2}', 'worse', '{"id":3}', '{"id":4}']
      const path = tmp.file('mixed.jsonl', lines.join('\n') + '\n')
      const seen: string[] = []
      const kept = await stream<Row>(path, {
        engine,
        onError: (error) => {
          seen.push(`error line ${error.line}`)
          return undefined
        },
      })
        .filter((r) => {
          if (r.id === 3) throw new Error('three')
          return r.id !== 1
        })
        .tap((r) => seen.push(`record ${r.id}`))
        .toArray()
      expect(kept.map((r) => r.id)).toEqual([0, 2, 4])
      expect(seen).toEqual(['record 0', 'error line 2', 'record 2', 'error line 5', 'error line 6', 'record 4'])
    })
  })

  describe('the iterator protocol', () => {
    it('next() goes to the end and then keeps saying done', () => {
      const it = rows(2)[Symbol.iterator]()
      expect(it.next()).toEqual({ done: false, value: { id: 0 } })
      expect(it.next()).toEqual({ done: false, value: { id: 1 } })
      expect(it.next()).toEqual({ done: true, value: undefined })
      expect(it.next().done).toBe(true)
    })

    it('next() gives a new result each time: results kept keep their items', () => {
      for (const source of [rows(3), rows(3).filter(() => true)]) {
        const it = source[Symbol.iterator]()
        const results = [it.next(), it.next(), it.next(), it.next()]
        expect(results).toEqual([
          { done: false, value: { id: 0 } },
          { done: false, value: { id: 1 } },
          { done: false, value: { id: 2 } },
          { done: true, value: undefined },
        ])
        expect(new Set(results).size).toBe(4)
      }
    })

    it('return() ends the iteration: next() says done afterwards', () => {
      const it = rows(10)[Symbol.iterator]()
      it.next()
      expect(it.return().done).toBe(true)
      expect(it.next().done).toBe(true)
    })

    it('async return() ends the iteration too', async () => {
      const it = rows(10)[Symbol.asyncIterator]()
      await it.next()
      expect((await it.return()).done).toBe(true)
      expect((await it.next()).done).toBe(true)
    })

    it('serves un-awaited calls in order while the first waits for the file, return() too', async () => {
      const it = rows(5)[Symbol.asyncIterator]()
      const calls = [it.next(), it.next(), it.return(), it.next()]
      expect((await Promise.all(calls)).map((r) => [r.done, r.value])).toEqual([
        [false, { id: 0 }],
        [false, { id: 1 }],
        [true, undefined],
        [true, undefined],
      ])
    })

    it('serves un-awaited async next() calls in order', async () => {
      const it = rows(5)
        .transform(async (r) => {
          await sleep(r.id === 0 ? 5 : 0)
          return r.id
        })
        [Symbol.asyncIterator]()
      const results = await Promise.all([it.next(), it.next(), it.next()])
      expect(results.map((r) => r.value)).toEqual([0, 1, 2])
      await it.return()
    })
  })

  describe('stats', () => {
    it('counts records read, items yielded, errors and bytes of a file', () => {
      const path = tmp.file('mixed.jsonl', '{"id":0}\n{"id":1}\nbad\n{"id":3}\n')
      const it = stream<Row>(path, { engine, onError: () => undefined })
        .filter((r) => r.id !== 1)
        [Symbol.iterator]()
      while (!it.next().done) {
        // draining
      }
      const stats = it.stats
      expect(stats.records).toBe(4)
      expect(stats.yielded).toBe(2)
      expect(stats.errors).toBe(1)
      expect(stats.bytesRead).toBe(statSync(path).size)
      expect(stats.elapsedMs).toBeGreaterThanOrEqual(0)
    })

    it('starts at zero before the first next()', () => {
      const it = rows(3)[Symbol.iterator]()
      expect(it.stats).toMatchObject({ records: 0, yielded: 0, errors: 0 })
      it.return()
    })

    it('grows as items are taken', () => {
      const it = rows(10, { batchSize: 1 })[Symbol.iterator]()
      it.next()
      it.next()
      expect(it.stats.yielded).toBe(2)
      expect(it.stats.records).toBeGreaterThanOrEqual(2)
      it.return()
    })

    it('is available on the async iterator', async () => {
      const it = rows(3)[Symbol.asyncIterator]()
      while (!(await it.next()).done) {
        // draining
      }
      expect(it.stats).toMatchObject({ records: 3, yielded: 3, errors: 0 })
    })

    it('has bytesRead null for a source that is not a file', () => {
      const it = stream([1, 2])[Symbol.iterator]()
      while (!it.next().done) {
        // draining
      }
      expect(it.stats.bytesRead).toBeNull()
      expect(it.stats.records).toBe(2)
    })
  })

  describe('AbortSignal', () => {
    it('aborting during for…of ends it with the signal’s reason', () => {
      const controller = new AbortController()
      const reason = new Error('stop now')
      const seen: Row[] = []
      const error = thrownBy(() => {
        for (const r of rows(100, { signal: controller.signal })) {
          seen.push(r)
          if (r.id === 4) controller.abort(reason)
        }
      })
      expect(error).toBe(reason)
      expect(seen).toHaveLength(5)
    })

    it('aborting during for…of over a chain stops the very next item, and no callback runs ahead', () => {
      const controller = new AbortController()
      const reason = new Error('stop now')
      const seen: Row[] = []
      const called: number[] = []
      const error = thrownBy(() => {
        const chain = rows(100, { signal: controller.signal })
          .filter((r) => r.id % 2 === 0)
          .transform((r) => {
            called.push(r.id)
            return r
          })
        for (const r of chain) {
          seen.push(r)
          if (r.id === 8) controller.abort(reason)
        }
      })
      expect(error).toBe(reason)
      expect(seen.map((r) => r.id)).toEqual([0, 2, 4, 6, 8])
      expect(called).toEqual([0, 2, 4, 6, 8])
    })

    it('aborting during for await…of ends it with the signal’s reason', async () => {
      const controller = new AbortController()
      const reason = new Error('stop now')
      const seen: Row[] = []
      const error = await rejectionOf(
        (async () => {
          for await (const r of rows(100, { signal: controller.signal })) {
            seen.push(r)
            if (r.id === 2) controller.abort(reason)
          }
        })(),
      )
      expect(error).toBe(reason)
      expect(seen).toHaveLength(3)
    })

    it('an already aborted signal ends the iteration before the first item', async () => {
      const signal = AbortSignal.abort(new Error('never started'))
      const error = await rejectionOf(rows(3, { signal }).toArray())
      expect((error as Error).message).toBe('never started')
    })

    it('aborting between two iterations affects only the later one', async () => {
      const controller = new AbortController()
      const s = rows(3, { signal: controller.signal })
      expect(await s.toArray()).toEqual(ids(3))
      controller.abort()
      const error = await rejectionOf(s.toArray())
      expect((error as Error).name).toBe('AbortError')
    })
  })
})

describe('iteration of custom sources', () => {
  it('aborting ends an iteration that waits on a live source', async () => {
    const controller = new AbortController()
    const reason = new Error('shutting down')
    async function* live() {
      yield 'first'
      await new Promise(() => undefined) // no more messages, ever
    }
    const error = await rejectionOf(
      (async () => {
        for await (const _ of stream(live, { signal: controller.signal })) setImmediate(() => controller.abort(reason))
      })(),
    )
    expect(error).toBe(reason)
  })

  it('aborting ends an iteration that waits on a callback, and nothing comes after', async () => {
    const controller = new AbortController()
    const s = stream([1, 2, 3], { signal: controller.signal }).transform((n) => (n === 2 ? new Promise<number>(() => undefined) : n))
    const it = s[Symbol.asyncIterator]()
    expect(await it.next()).toEqual({ done: false, value: 1 })
    const pending = it.next()
    setImmediate(() => controller.abort())
    const error = await rejectionOf(pending)
    expect((error as Error).name).toBe('AbortError')
    expect(await it.next()).toEqual({ done: true, value: undefined })
  })

  it('runs async callbacks over a sync iterable in for await', async () => {
    const out = await stream([1, 2, 3])
      .transform(async (n) => n + 1)
      .toArray()
    expect(out).toEqual([2, 3, 4])
  })
})

describe.each(ENGINES)('an engine batch with a fault past its records (%s engine)', (engine) => {
  const tmp = useTempDir()

  it('hands the fault out after the records instead of waiting for it forever', async () => {
    const opened = engine === 'ts' ? tsEngine : loadNativeEngine().engine
    if (opened === null) throw new Error('the native engine does not load')
    const fault = { index: 5, code: 'ERR_PARSE' as const, line: 3, byteOffset: 18, excerpt: '{', detail: 'unexpected end' }
    const reader = (): FileBatchReader => {
      const batches: EngineBatch[] = [{ records: [{ id: 1 }, { id: 2 }], lines: [1, 2], byteOffsets: [0, 9], first: 0, faults: [fault] }]
      return {
        nextBatchSync: () => batches.shift() ?? null,
        nextBatch: async () => batches.shift() ?? null,
        close: () => undefined,
        bytesRead: 0,
      }
    }
    const openFile = vi.spyOn(opened, 'openFile').mockImplementation(reader)
    try {
      const path = tmp.file('any.jsonl', '{"id":0}\n')
      const seen: string[] = []
      const s = stream<Row>(path, { engine, onError: (error) => void seen.push(`${error.code} line ${error.line}`) })
      expect([...s].map((r) => r.id)).toEqual([1, 2])
      expect(seen).toEqual(['ERR_PARSE line 3'])
      const async: number[] = []
      for await (const r of s) async.push(r.id)
      expect(async).toEqual([1, 2])
      expect(seen).toEqual(['ERR_PARSE line 3', 'ERR_PARSE line 3'])
    } finally {
      openFile.mockRestore()
    }
  })
})
