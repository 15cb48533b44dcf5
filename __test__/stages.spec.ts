import { describe, expect, it } from 'vitest'
import { type DataSource, type ItemError, stream } from '../ts/index'
import { ENGINES } from './support/engines'
import { ids, jsonl, useTempDir } from './support/temp'

type Row = { id: number }

describe.each(ENGINES)('chain stages (%s engine)', (engine) => {
  const tmp = useTempDir()
  /** A JSON Lines file of `{ id: 0 } … { id: n - 1 }`, streamed with this engine. */
  const rows = (n: number, options: { batchSize?: number } = {}) => stream<Row>(tmp.file(`rows-${n}.jsonl`, jsonl(ids(n))), { engine, ...options })

  describe('filter', () => {
    it('keeps the items whose predicate is truthy', () => {
      expect([...rows(10).filter((r) => r.id % 3 === 0)]).toEqual([{ id: 0 }, { id: 3 }, { id: 6 }, { id: 9 }])
    })

    it('treats truthy non-booleans as keep and falsy ones as drop', () => {
      const kept = [...rows(4).filter((r) => [1, '', 'x', 0][r.id])]
      expect(kept).toEqual([{ id: 0 }, { id: 2 }])
    })

    it('passes the index of the items it has seen, kept or not', () => {
      const seen: number[] = []
      ;[...rows(5).filter((_r, i) => (seen.push(i), false))]
      expect(seen).toEqual([0, 1, 2, 3, 4])
    })
  })

  describe('transform and map', () => {
    it('transform replaces each item with the callback result', () => {
      expect([...rows(3).transform((r) => r.id * 10)]).toEqual([0, 10, 20])
    })

    it('map gives the same items as transform', () => {
      const s = rows(4)
      expect([...s.map((r) => `#${r.id}`)]).toEqual([...s.transform((r) => `#${r.id}`)])
    })

    it('counts its own items in index, not the source records', () => {
      const result = [...rows(6).filter((r) => r.id >= 3).transform((r, i) => [r.id, i])]
      expect(result).toEqual([
        [3, 0],
        [4, 1],
        [5, 2],
      ])
    })

    it('passes undefined and null results on as items', () => {
      expect([...rows(2).transform((r) => (r.id === 0 ? undefined : null))]).toEqual([undefined, null])
    })

    it('names the failing stage "map" when map throws', () => {
      const errors: ItemError[] = []
      const path = tmp.file('one.jsonl', jsonl(ids(1)))
      ;[
        ...stream(path, { engine, onError: (e) => void errors.push(e) }).map(() => {
          throw new Error('boom')
        }),
      ]
      expect(errors.map((e) => e.stage)).toEqual(['map'])
    })
  })

  describe('flatMap', () => {
    it('replaces each item with none, one or many items', () => {
      const result = [...rows(4).flatMap((r) => Array.from({ length: r.id }, (_, k) => `${r.id}.${k}`))]
      expect(result).toEqual(['1.0', '2.0', '2.1', '3.0', '3.1', '3.2'])
    })

    it('accepts any iterable, such as a generator', () => {
      const result = [
        ...rows(2).flatMap(function* (r) {
          yield r.id
          yield -r.id
        }),
      ]
      expect(result).toEqual([0, -0, 1, -1])
    })

    it('passes its index per input item', () => {
      const result = [...rows(3).flatMap((_r, i) => [i, i])]
      expect(result).toEqual([0, 0, 1, 1, 2, 2])
    })

    it('reports a non-iterable result as an ERR_CALLBACK item error of the flatMap stage', () => {
      const errors: ItemError[] = []
      const path = tmp.file('a.jsonl', jsonl(ids(3)))
      const result = [...stream<Row>(path, { engine, onError: (e) => void errors.push(e) }).flatMap((r) => (r.id === 1 ? (5 as unknown as number[]) : [r.id]))]
      expect(result).toEqual([0, 2])
      expect(errors.map((e) => [e.code, e.stage, e.stageIndex])).toEqual([['ERR_CALLBACK', 'flatMap', 1]])
    })
  })

  describe('limit and take', () => {
    it('limit(n) passes the first n items', () => {
      expect([...rows(10).limit(3)]).toEqual(ids(3))
    })

    it('limit(n) with n beyond the end passes everything', () => {
      expect([...rows(4).limit(100)]).toEqual(ids(4))
    })

    it('limit(0) passes nothing', () => {
      expect([...rows(4).limit(0)]).toEqual([])
    })

    it('take is limit', () => {
      expect([...rows(10).take(2)]).toEqual(ids(2))
    })

    it('counts what reaches it, so filter then limit gives n matching items', () => {
      expect([...rows(20).filter((r) => r.id % 2 === 1).limit(3)]).toEqual([{ id: 1 }, { id: 3 }, { id: 5 }])
    })

    it('limit after flatMap stops in the middle of one item’s outputs', () => {
      expect([...rows(3).flatMap((r) => [r.id, r.id, r.id]).limit(4)]).toEqual([0, 0, 0, 1])
    })

    it('the smaller of two limits wins', () => {
      expect([...rows(10).limit(5).limit(2)]).toEqual(ids(2))
      expect([...rows(10).limit(2).limit(5)]).toEqual(ids(2))
    })
  })

  describe('skip', () => {
    it('drops the first n items', () => {
      expect([...rows(5).skip(2)]).toEqual([{ id: 2 }, { id: 3 }, { id: 4 }])
    })

    it('skip(0) drops nothing and skip beyond the end leaves nothing', () => {
      expect([...rows(3).skip(0)]).toEqual(ids(3))
      expect([...rows(3).skip(10)]).toEqual([])
    })

    it('skip then limit gives a window', () => {
      expect([...rows(10).skip(2).limit(3)].map((r) => r.id)).toEqual([2, 3, 4])
    })
  })

  describe('batch', () => {
    it('groups items into arrays of size, the last one shorter', () => {
      expect([...rows(7).transform((r) => r.id).batch(3)]).toEqual([[0, 1, 2], [3, 4, 5], [6]])
    })

    it('gives no empty trailing batch when the count divides evenly', () => {
      expect([...rows(6).transform((r) => r.id).batch(3)]).toEqual([
        [0, 1, 2],
        [3, 4, 5],
      ])
    })

    it('gives nothing for an empty input', () => {
      expect([...rows(0).batch(3)]).toEqual([])
    })

    it('flushes the short last batch when a limit before it ends the input', () => {
      expect([...rows(100).transform((r) => r.id).limit(5).batch(3)]).toEqual([
        [0, 1, 2],
        [3, 4],
      ])
    })

    it('counts whole batches in a limit after it', () => {
      expect([...rows(100).transform((r) => r.id).batch(3).limit(2)]).toEqual([
        [0, 1, 2],
        [3, 4, 5],
      ])
    })

    it('passes a flushed short batch through the stages after it', () => {
      expect([...rows(5).transform((r) => r.id).batch(2).transform((b) => b.length)]).toEqual([2, 2, 1])
    })

    it('hands out a new array for every batch', () => {
      const batches = [...rows(4).batch(2)]
      expect(batches[0]).not.toBe(batches[1])
      expect(batches).toEqual([ids(2), ids(4).slice(2)])
    })

    it('is independent of the source batch size', () => {
      const small = [...rows(50, { batchSize: 3 }).transform((r) => r.id).batch(8)]
      const large = [...rows(50, { batchSize: 1000 }).transform((r) => r.id).batch(8)]
      expect(small).toEqual(large)
      expect(small.map((b) => b.length)).toEqual([8, 8, 8, 8, 8, 8, 2])
    })
  })

  describe('select', () => {
    const path = () => tmp.file('people.jsonl', jsonl([{ id: 1, name: 'a', age: 30, city: 'x' }, { name: 'b', id: 2 }]))

    it('keeps the named fields in the order given', () => {
      const result = [...stream(path(), { engine }).select('age', 'id')]
      expect(result.map((r) => Object.keys(r))).toEqual([['age', 'id'], ['id']])
      expect(result[0]).toEqual({ age: 30, id: 1 })
    })

    it('leaves out fields a record lacks instead of setting them to undefined', () => {
      const [, second] = [...stream(path(), { engine }).select('id', 'age')]
      expect(Object.prototype.hasOwnProperty.call(second, 'age')).toBe(false)
    })

    it('takes only own fields, not those a record inherits', () => {
      const inherited = [...stream(path(), { engine }).transform((r) => Object.assign(Object.create({ age: 99, city: 'proto' }), r)).select('id', 'age', 'city')]
      expect(inherited).toEqual([{ id: 1, age: 30, city: 'x' }, { id: 2 }])
      expect(Object.keys(inherited[1])).toEqual(['id'])
    })

    it('takes the field names as one array too', () => {
      expect([...stream(path(), { engine }).select(['name'])]).toEqual([{ name: 'a' }, { name: 'b' }])
    })

    it('reports a record that is not an object as an ERR_CALLBACK item error', () => {
      const file = tmp.file('mixed.jsonl', '{"a":1}\n[1,2]\n"s"\n{"a":2}\n')
      const errors: ItemError[] = []
      const result = [...stream(file, { engine, onError: (e) => void errors.push(e) }).select('a')]
      expect(result).toEqual([{ a: 1 }, { a: 2 }])
      expect(errors.map((e) => [e.code, e.stage, e.line])).toEqual([
        ['ERR_CALLBACK', 'select', 2],
        ['ERR_CALLBACK', 'select', 3],
      ])
    })

    it('takes field names as data, whatever they look like', () => {
      const names = ['"); process.exit(1); ("', "'; throw 1; '", '`${process.exit(2)}`', '\\', '0', '01', '', 'constructor', 'toString', 'é😀', 'a', 'a']
      const record = Object.fromEntries(names.map((name, k) => [name, k]))
      const file = tmp.file('names.jsonl', `${JSON.stringify(record)}\n{"a":1}\n`)
      const [first, second] = [...stream(file, { engine }).select(names)]
      const expected: Record<string, unknown> = {}
      for (const name of names) expected[name] = record[name]
      expect(Object.entries(first)).toEqual(Object.entries(expected))
      expect(second).toEqual({ a: 1 })
      expect(Object.keys(second)).toEqual(['a'])
    })

    it('keeps "__proto__" as an ordinary own field', () => {
      const file = tmp.file('proto.jsonl', '{"__proto__":{"x":1},"b":2}\n')
      const [picked] = [...stream(file, { engine }).select('__proto__')]
      expect(Object.keys(picked)).toEqual(['__proto__'])
      expect(Object.getPrototypeOf(picked)).toBe(Object.prototype)
    })
  })

  describe('tap', () => {
    it('calls the callback with each item and index and passes the item on unchanged', () => {
      const seen: Array<[unknown, number]> = []
      const result = [...rows(3).tap((r, i) => seen.push([r, i]))]
      expect(result).toEqual(ids(3))
      expect(seen).toEqual([
        [{ id: 0 }, 0],
        [{ id: 1 }, 1],
        [{ id: 2 }, 2],
      ])
    })

    it('ignores the callback’s return value', () => {
      expect([...rows(2).tap(() => false)]).toEqual(ids(2))
    })
  })

  describe('laziness per item', () => {
    it('.transform(f).limit(3) calls f exactly three times', () => {
      let calls = 0
      const result = [
        ...rows(1000).transform((r) => {
          calls++
          return r
        }).limit(3),
      ]
      expect(result).toHaveLength(3)
      expect(calls).toBe(3)
    })

    it('.transform(f).limit(3) calls f exactly three times in for await', async () => {
      let calls = 0
      await rows(1000)
        .transform(async (r) => {
          calls++
          return r
        })
        .limit(3)
        .toArray()
      expect(calls).toBe(3)
    })

    it('runs each record through the whole chain before the next one', () => {
      const log: string[] = []
      ;[
        ...rows(3)
          .tap((r) => log.push(`a${r.id}`))
          .tap((r) => log.push(`b${r.id}`)),
      ]
      expect(log).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2'])
    })

    it('runs nothing before the consumer asks for the first item', () => {
      let calls = 0
      const it = rows(10)
        .tap(() => calls++)
        [Symbol.iterator]()
      expect(calls).toBe(0)
      it.next()
      expect(calls).toBe(1)
      it.return()
    })

    it('calls the stages after a limit no more than the limit', () => {
      let calls = 0
      ;[...rows(100).limit(4).tap(() => calls++)]
      expect(calls).toBe(4)
    })
  })
})

describe('limit(0) with custom sources', () => {
  it('does not call a function source', () => {
    let calls = 0
    const s = stream(() => {
      calls++
      return [1, 2, 3]
    }).limit(0)
    expect([...s]).toEqual([])
    expect(calls).toBe(0)
  })

  it('does not call readBatches', async () => {
    let calls = 0
    const source: DataSource<number> = {
      *readBatches() {
        calls++
        yield [1]
      },
    }
    expect(await stream(source).limit(0).toArray()).toEqual([])
    expect(calls).toBe(0)
  })

  it('still runs the stages before it lazily: nothing is read for take(0) after a filter', () => {
    let pulled = 0
    const s = stream(function* () {
      for (let i = 0; i < 10; i++) {
        pulled++
        yield i
      }
    }).filter(() => true).take(0)
    expect([...s]).toEqual([])
    expect(pulled).toBe(0)
  })
})
