import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { ItemError, type Stream, stream } from '../ts/index'
import { ENGINES } from './support/engines'
import { codeOf, rejectionOf } from './support/errors'
import { ids, jsonl, useTempDir } from './support/temp'
import { recordWarnings, warningCode } from './support/warnings'

type Row = { id: number }

describe.each(ENGINES)('terminals (%s engine)', (engine) => {
  const tmp = useTempDir()
  const file = (n: number) => tmp.file(`rows-${n}.jsonl`, jsonl(ids(n)))
  const rows = (n: number) => stream<Row>(file(n), { engine })

  it('let the event loop turn while they read a file of many batches', async () => {
    // 5,000 records in batches of 16, read 1 KiB at a time, and a callback slow enough that the
    // reader always has the next batch ready: the loop must still get turns (timers, I/O, other
    // requests) all through the file, not only while the reader starts.
    const path = file(5000)
    let seen = 0
    let reading = true
    const seenAtTurns: number[] = []
    const turn = () => {
      seenAtTurns.push(seen)
      if (reading) setImmediate(turn)
    }
    setImmediate(turn)
    await stream(path, { engine, batchSize: 16, bufferSize: 1024 }).forEach(() => {
      seen++
      const until = performance.now() + 0.02
      while (performance.now() < until);
    })
    reading = false
    expect(seen).toBe(5000)
    const longestWithoutTurn = Math.max(...seenAtTurns.map((at, i) => at - (seenAtTurns[i - 1] ?? 0)), 5000 - seenAtTurns[seenAtTurns.length - 1])
    expect(longestWithoutTurn).toBeLessThanOrEqual(1000)
  })

  describe('toArray', () => {
    it('gathers every item in order', async () => {
      expect(await rows(25).toArray()).toEqual(ids(25))
    })

    it('gives an empty array for an empty file', async () => {
      expect(await stream(tmp.file('empty.jsonl', ''), { engine }).toArray()).toEqual([])
    })

    it('gives a fresh array at every call', async () => {
      const s = rows(2)
      const a = await s.toArray()
      const b = await s.toArray()
      expect(a).not.toBe(b)
      expect(a).toEqual(b)
    })
  })

  describe('forEach', () => {
    it('calls fn with every item and its index', async () => {
      const seen: Array<[number, number]> = []
      await rows(4).forEach((r, i) => void seen.push([r.id, i]))
      expect(seen).toEqual([
        [0, 0],
        [1, 1],
        [2, 2],
        [3, 3],
      ])
    })

    it('awaits fn before the next item', async () => {
      const log: string[] = []
      await rows(3).forEach(async (r) => {
        log.push(`start ${r.id}`)
        await sleep(1)
        log.push(`end ${r.id}`)
      })
      expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2'])
    })

    it('resolves to undefined', async () => {
      expect(await rows(2).forEach(() => 1)).toBeUndefined()
    })

    it('hands what fn throws to onError as a processing error of stage "forEach"', async () => {
      const errors: ItemError[] = []
      const done: number[] = []
      const s = stream<Row>(file(4), { engine, onError: (e) => void errors.push(e) }).filter(() => true)
      await s.forEach((r) => {
        if (r.id === 2) throw new Error('cannot publish')
        done.push(r.id)
      })
      expect(done).toEqual([0, 1, 3])
      expect(errors).toHaveLength(1)
      const [error] = errors
      expect(error).toBeInstanceOf(ItemError)
      expect(error.kind).toBe('processing')
      expect(error.stage).toBe('forEach')
      expect(error.stageIndex).toBe(2)
      expect(error.item).toEqual({ id: 2 })
      expect((error.cause as Error).message).toBe('cannot publish')
    })

    it('hands a rejection of an async fn to onError too', async () => {
      const errors: ItemError[] = []
      await stream<Row>(file(3), { engine, onError: (e) => void errors.push(e) }).forEach(async (r) => {
        if (r.id === 0) throw new Error('async failure')
      })
      expect(errors.map((e) => [e.stage, e.line])).toEqual([['forEach', 1]])
    })

    it("rejects with the ItemError under onError: 'raise'", async () => {
      const error = await rejectionOf(
        stream<Row>(file(3), { engine, onError: 'raise' }).forEach((r) => {
          if (r.id === 1) throw new Error('no')
        }),
      )
      expect(error).toBeInstanceOf(ItemError)
      expect(codeOf(error)).toBe('ERR_CALLBACK')
    })

    it('skips a failing item by default and goes on', async () => {
      const done: number[] = []
      await stream<Row>(file(3), { engine, onError: 'skip' }).forEach((r) => {
        if (r.id === 1) throw new Error('no')
        done.push(r.id)
      })
      expect(done).toEqual([0, 2])
    })
  })

  describe('count', () => {
    it('counts the items after the chain', async () => {
      expect(await rows(10).count()).toBe(10)
      expect(await rows(10).filter((r) => r.id < 4).count()).toBe(4)
    })

    it('does not count skipped bad records', async () => {
      const path = tmp.file('bad.jsonl', '{"id":0}\nnope\n{"id":2}\n')
      expect(await stream(path, { engine, onError: () => undefined }).count()).toBe(2)
    })

    // With no stages the native engine counts a file's records without building them.
    it.each([
      ['JSON Lines', 'jsonl', (i: number) => (i % 97 === 5 ? `{"id": ${i},` : JSON.stringify({ id: i, name: `n${i}` }))],
      ['CSV', 'csv', (i: number) => (i % 97 === 5 ? `${i},"open` : `${i},n${i}`)],
    ])('counts what a loop yields over a %s folder of many batches with bad records', async (_name, extension, line) => {
      const header = extension === 'csv' ? 'id,name\n' : ''
      for (const part of ['a', 'b']) {
        const lines = Array.from({ length: 3000 }, (_, i) => line(i))
        tmp.file(`parts-${extension}/${part}.${extension}`, header + lines.join('\n') + '\n')
      }
      const options = { engine, batchSize: 16, bufferSize: 1024 }
      const folder = tmp.path(`parts-${extension}`)
      const skipped = { ...options, onError: () => undefined }
      const replaced = { ...options, onError: () => ({ replaced: true }) }
      expect(await stream(folder, skipped).count()).toBe([...stream(folder, skipped)].length)
      expect(await stream(folder, replaced).count()).toBe([...stream(folder, replaced)].length)
      expect(await stream(folder, replaced).count()).toBeGreaterThan(await stream(folder, skipped).count())
    })

    it('still warns of a CSV read as one column, whatever its batches', async () => {
      await new Promise((resolve) => setImmediate(resolve)) // let earlier tests' warnings go by
      const recorder = recordWarnings()
      try {
        const path = tmp.file('rows.csv', '1;Ann;Paris\n2;Bob;Lyon\n3;Cy;Nice\n')
        expect(await stream(path, { engine, header: false, batchSize: 1 }).count()).toBe(3)
        await recorder.settle()
        expect(recorder.warnings.filter((w) => warningCode(w) === 'RINGSTREAM_ONE_COLUMN')).toHaveLength(1)
      } finally {
        recorder.stop()
      }
    })
  })

  describe('reduce', () => {
    it('folds the items with an index', async () => {
      const result = await rows(5).reduce((acc: string[], r, i) => [...acc, `${r.id}@${i}`], [])
      expect(result).toEqual(['0@0', '1@1', '2@2', '3@3', '4@4'])
    })

    it('returns the initial value for an empty stream', async () => {
      expect(await rows(0).reduce((acc, r) => acc + r.id, 42)).toBe(42)
    })

    it('awaits an async reducer', async () => {
      const sum = await rows(5).reduce(async (acc, r) => {
        await sleep(0)
        return acc + r.id
      }, 0)
      expect(sum).toBe(10)
    })

    it('rejects with what the reducer throws, even under the default onError', async () => {
      const failure = new Error('bad accumulator')
      const seen: number[] = []
      const error = await rejectionOf(
        rows(5).reduce((acc, r) => {
          seen.push(r.id)
          if (r.id === 2) throw failure
          return acc + r.id
        }, 0),
      )
      expect(error).toBe(failure)
      expect(seen).toEqual([0, 1, 2])
    })
  })

  describe('each terminal', () => {
    it('runs the chain one item at a time for a reducer, which is user code', async () => {
      const log: string[] = []
      await rows(3)
        .tap((r) => void log.push(`chain ${r.id}`))
        .reduce((acc, r) => {
          log.push(`reduce ${r.id}`)
          return acc + r.id
        }, 0)
      expect(log).toEqual(['chain 0', 'reduce 0', 'chain 1', 'reduce 1', 'chain 2', 'reduce 2'])
    })

    it('runs the chain and then the forEach callback on each item before the next', async () => {
      const log: string[] = []
      await rows(3)
        .tap((r) => void log.push(`chain ${r.id}`))
        .forEach((r) => void log.push(`forEach ${r.id}`))
      expect(log).toEqual(['chain 0', 'forEach 0', 'chain 1', 'forEach 1', 'chain 2', 'forEach 2'])
    })

    it.each([
      ['toArray', (s: Stream<number>) => s.toArray()],
      ['count', (s: Stream<number>) => s.count()],
      ['forEach', (s: Stream<number>) => s.forEach(() => undefined)],
      ['reduce', (s: Stream<number>) => s.reduce((a, b) => a + b, 0)],
    ] as const)('%s runs no callback past an exhausted limit', async (_, terminal) => {
      let transformed = 0
      let filtered = 0
      const s = rows(1000)
        .transform((r) => {
          transformed++
          return r.id
        })
        .filter((id) => {
          filtered++
          return id % 2 === 1
        })
        .limit(3)
      await terminal(s)
      expect([transformed, filtered]).toEqual([6, 6])
    })

    it('gives every item when a chain lets through more than it reads at a time', async () => {
      const items = await rows(300)
        .flatMap((r) => [r.id, r.id, r.id])
        .toArray()
      expect(items).toEqual(ids(300).flatMap((r) => [r.id, r.id, r.id]))
      expect(await rows(300).flatMap((r) => [r, r]).count()).toBe(600)
    })
  })

  describe('first', () => {
    it('gives the first item', async () => {
      expect(await rows(5).skip(2).first()).toEqual({ id: 2 })
    })

    it('gives undefined for an empty stream', async () => {
      expect(await rows(0).first()).toBeUndefined()
    })

    it('runs the chain for the first item only', async () => {
      let calls = 0
      await rows(1000)
        .tap(() => calls++)
        .first()
      expect(calls).toBe(1)
    })

    it('does not change the stream it is called on', async () => {
      const s = rows(3)
      await s.first()
      expect(await s.count()).toBe(3)
    })
  })
})
