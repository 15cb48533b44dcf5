import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ItemError, RingstreamError, TooManyErrorsError, stream } from '../ts/index'
import { ENGINES } from './support/engines'
import { codeOf, rejectionOf, thrownBy } from './support/errors'
import { ids, jsonl, useTempDir } from './support/temp'
import { type WarningRecorder, recordWarnings, warningCode } from './support/warnings'

type Row = { id: number }

/** JSON Lines with `{ id }` records and the line numbers in `bad` replaced by text that is not JSON. */
function withBadLines(n: number, bad: readonly number[]): string {
  return Array.from({ length: n }, (_, i) => (bad.includes(i + 1) ? `oops ${i + 1}\n` : `${JSON.stringify({ id: i })}\n`)).join('')
}

describe.each(ENGINES)('item errors (%s engine)', (engine) => {
  const tmp = useTempDir()

  describe("onError: 'skip' (the default)", () => {
    let recorder: WarningRecorder
    beforeEach(async () => {
      await new Promise((resolve) => setImmediate(resolve)) // let earlier tests' warnings go by
      recorder = recordWarnings()
    })
    afterEach(async () => {
      await recorder.settle()
      recorder.stop()
    })
    const skippedWarnings = () => recorder.warnings.filter((w) => warningCode(w) === 'RINGSTREAM_SKIPPED_ERRORS')

    it('drops bad records and yields the others', () => {
      const path = tmp.file('a.jsonl', withBadLines(6, [2, 5]))
      expect([...stream<Row>(path, { engine })].map((r) => r.id)).toEqual([0, 2, 3, 5])
    })

    it('emits exactly one warning per iteration that skipped errors, with the count', async () => {
      const path = tmp.file('a.jsonl', withBadLines(6, [1, 2, 5]))
      ;[...stream(path, { engine })]
      await recorder.settle()
      expect(skippedWarnings()).toHaveLength(1)
      expect(skippedWarnings()[0].message).toContain('3 item errors')
      expect(skippedWarnings()[0].message).toContain('line 1')
    })

    it('emits one warning for each of two iterations', async () => {
      const s = stream(tmp.file('a.jsonl', withBadLines(3, [2])), { engine })
      ;[...s]
      await s.toArray()
      await recorder.settle()
      expect(skippedWarnings()).toHaveLength(2)
    })

    it('emits the warning when the loop breaks early too', async () => {
      const s = stream(tmp.file('a.jsonl', withBadLines(10, [1])), { engine })
      for (const _ of s) break
      await recorder.settle()
      expect(skippedWarnings()).toHaveLength(1)
    })

    it('emits no warning when nothing was skipped', async () => {
      ;[...stream(tmp.file('a.jsonl', jsonl(ids(5))), { engine })]
      await recorder.settle()
      expect(skippedWarnings()).toHaveLength(0)
    })

    it('emits no warning when a handler sees the errors', async () => {
      ;[...stream(tmp.file('a.jsonl', withBadLines(3, [2])), { engine, onError: () => undefined })]
      await recorder.settle()
      expect(skippedWarnings()).toHaveLength(0)
    })

    it('drops an item whose callback throws and goes on', () => {
      const path = tmp.file('a.jsonl', jsonl(ids(4)))
      const result = [
        ...stream<Row>(path, { engine }).filter((r) => {
          if (r.id === 1) throw new Error('bad predicate')
          return true
        }),
      ]
      expect(result).toEqual([{ id: 0 }, { id: 2 }, { id: 3 }])
    })
  })

  describe("onError: 'raise'", () => {
    it('throws the ItemError after yielding every earlier record (for…of)', () => {
      const path = tmp.file('a.jsonl', withBadLines(10, [4]))
      const seen: number[] = []
      const error = thrownBy(() => {
        for (const r of stream<Row>(path, { engine, onError: 'raise', batchSize: 100 })) seen.push(r.id)
      })
      expect(seen).toEqual([0, 1, 2])
      expect(error).toBeInstanceOf(ItemError)
      expect((error as ItemError).line).toBe(4)
    })

    it('throws the ItemError after yielding every earlier record (for await)', async () => {
      const path = tmp.file('a.jsonl', withBadLines(10, [4]))
      const seen: number[] = []
      const error = await rejectionOf(
        (async () => {
          for await (const r of stream<Row>(path, { engine, onError: 'raise', batchSize: 100 })) seen.push(r.id)
        })(),
      )
      expect(seen).toEqual([0, 1, 2])
      expect(codeOf(error)).toBe('ERR_PARSE')
    })

    it('throws a processing error after the items before it', () => {
      const path = tmp.file('a.jsonl', jsonl(ids(5)))
      const seen: number[] = []
      const s = stream<Row>(path, { engine, onError: 'raise' }).transform((r) => {
        if (r.id === 2) throw new Error('no')
        return r.id
      })
      const error = thrownBy(() => {
        for (const v of s) seen.push(v)
      })
      expect(seen).toEqual([0, 1])
      expect(codeOf(error)).toBe('ERR_CALLBACK')
    })

    it('ends the iteration: next() says done after the error', () => {
      const it = stream(tmp.file('a.jsonl', withBadLines(3, [1])), { engine, onError: 'raise' })[Symbol.iterator]()
      expect(() => it.next()).toThrow(ItemError)
      expect(it.next().done).toBe(true)
    })
  })

  describe('an onError handler', () => {
    it('receives every item error as an ItemError', () => {
      const received: unknown[] = []
      ;[...stream(tmp.file('a.jsonl', withBadLines(5, [2, 4])), { engine, onError: (e) => void received.push(e) })]
      expect(received).toHaveLength(2)
      for (const e of received) expect(e).toBeInstanceOf(ItemError)
    })

    it('replaces a bad source record; the replacement enters the chain at stage 1', () => {
      const path = tmp.file('a.jsonl', withBadLines(3, [2]))
      const s = stream<Row>(path, { engine, onError: () => ({ id: -1 }) }).transform((r) => ({ ...r, seen: true }))
      expect([...s]).toEqual([
        { id: 0, seen: true },
        { id: -1, seen: true },
        { id: 2, seen: true },
      ])
    })

    it('replaces a failed item; the replacement enters after the failing stage', () => {
      const path = tmp.file('a.jsonl', jsonl(ids(3)))
      let firstCalls = 0
      const s = stream<Row>(path, { engine, onError: (e) => `replaced ${e.stage}` })
        .transform((r) => {
          firstCalls++
          if (r.id === 1) throw new Error('boom')
          return `ok ${r.id}`
        })
        .transform((v) => `[${v}]`)
      expect([...s]).toEqual(['[ok 0]', '[replaced transform]', '[ok 2]'])
      expect(firstCalls).toBe(3)
    })

    it('hears where a record failing after a spent limit came from, the file closed by then', () => {
      // Large enough for the native engine to read ahead into arenas, which closing frees.
      const path = tmp.file('many.jsonl', jsonl(ids(100_000)))
      const received: ItemError[] = []
      const s = stream<Row>(path, { engine, batchSize: 100, onError: (e) => void received.push(e) })
        .limit(80_000)
        .transform((r) => {
          if (r.id === 79_999) throw new Error('the last one')
          return r.id
        })
      expect([...s]).toHaveLength(79_999)
      expect(received.map((e) => [e.line, e.byteOffset, e.stage])).toEqual([[80_000, jsonl(ids(79_999)).length, 'transform']])
    })

    it('drops the record when it returns undefined', () => {
      const path = tmp.file('a.jsonl', withBadLines(4, [1, 3]))
      expect([...stream<Row>(path, { engine, onError: () => undefined })].map((r) => r.id)).toEqual([1, 3])
    })

    it('ends the iteration with what it throws, after the earlier records', () => {
      const path = tmp.file('a.jsonl', withBadLines(5, [3]))
      const stop = new Error('stop here')
      const seen: number[] = []
      const error = thrownBy(() => {
        for (const r of stream<Row>(path, {
          engine,
          onError: () => {
            throw stop
          },
        })) {
          seen.push(r.id)
        }
      })
      expect(error).toBe(stop)
      expect(seen).toEqual([0, 1])
    })
  })

  describe('order of records and errors', () => {
    it.each([1, 2, 3, 1000])('keeps bad records in their place among good ones with batchSize %i', (batchSize) => {
      const path = tmp.file('a.jsonl', withBadLines(8, [2, 3, 5, 8]))
      const s = stream<Row | string>(path, { engine, batchSize, bufferSize: 16, onError: (e) => `bad line ${e.line}` })
      const out = [...s].map((r) => (typeof r === 'string' ? r : r.id))
      expect(out).toEqual([0, 'bad line 2', 'bad line 3', 3, 'bad line 5', 5, 6, 'bad line 8'])
    })

    it.each([1, 2, 1000])('keeps a JSON array’s end-of-input error last with batchSize %i', (batchSize) => {
      const path = tmp.file('a.json', '[1, oops, 3, 4')
      const s = stream<unknown>(path, { engine, batchSize, onError: (e) => e.code })
      expect([...s]).toEqual([1, 'ERR_PARSE', 3, 4, 'ERR_TRUNCATED'])
    })
  })

  describe('maxErrors', () => {
    it('tolerates exactly maxErrors item errors', async () => {
      const path = tmp.file('a.jsonl', withBadLines(6, [1, 4]))
      expect(await stream(path, { engine, maxErrors: 2 }).count()).toBe(4)
    })

    it('ends the iteration with ERR_TOO_MANY_ERRORS at one more, naming the first errors', () => {
      const path = tmp.file('a.jsonl', withBadLines(8, [2, 3, 6, 7]))
      const seen: number[] = []
      const error = thrownBy(() => {
        for (const r of stream<Row>(path, { engine, maxErrors: 2 })) seen.push(r.id)
      })
      expect(error).toBeInstanceOf(TooManyErrorsError)
      expect(error).toBeInstanceOf(RingstreamError)
      expect(codeOf(error)).toBe('ERR_TOO_MANY_ERRORS')
      const tooMany = error as TooManyErrorsError
      expect(tooMany.count).toBe(3)
      expect(tooMany.errors.map((e) => e.line)).toEqual([2, 3, 6])
      expect(tooMany.message).toContain('ERR_PARSE at line 2 of')
      expect(tooMany.message).toContain('line 6 of')
      expect(tooMany.hint).toMatch(/format/)
      expect(seen).toEqual([0, 3, 4])
    })

    it('keeps the first five errors', async () => {
      const path = tmp.file('a.jsonl', withBadLines(10, [1, 2, 3, 4, 5, 6, 7, 8]))
      const error = await rejectionOf(stream(path, { engine, maxErrors: 7 }).toArray())
      expect((error as TooManyErrorsError).errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5])
      expect((error as TooManyErrorsError).count).toBe(8)
    })

    it('maxErrors: 0 stops at the first error', () => {
      const path = tmp.file('a.jsonl', withBadLines(3, [2]))
      const error = thrownBy(() => [...stream(path, { engine, maxErrors: 0 })])
      expect(codeOf(error)).toBe('ERR_TOO_MANY_ERRORS')
    })

    it('counts errors a handler replaced', () => {
      const path = tmp.file('a.jsonl', withBadLines(4, [1, 2]))
      const error = thrownBy(() => [...stream(path, { engine, maxErrors: 1, onError: () => ({ id: 'x' }) })])
      expect(codeOf(error)).toBe('ERR_TOO_MANY_ERRORS')
    })

    it('counts processing errors too', () => {
      const path = tmp.file('a.jsonl', jsonl(ids(5)))
      const s = stream(path, { engine, maxErrors: 1 }).tap(() => {
        throw new Error('always')
      })
      const error = thrownBy(() => [...s])
      expect((error as TooManyErrorsError).errors.map((e) => e.kind)).toEqual(['processing', 'processing'])
    })
  })

  describe('ItemError fields', () => {
    it('describes a source error: code, kind, stage, position, excerpt, hint', () => {
      const path = tmp.file('people.jsonl', '{"name":"ann"}\n{"name":"bob"}\nname,age\n')
      const errors: ItemError[] = []
      ;[...stream(path, { engine, onError: (e) => void errors.push(e) })]
      expect(errors).toHaveLength(1)
      const [e] = errors
      expect(e).toBeInstanceOf(ItemError)
      expect(e).toBeInstanceOf(RingstreamError)
      expect(e).toBeInstanceOf(Error)
      expect(e.code).toBe('ERR_PARSE')
      expect(e.kind).toBe('source')
      expect(e.stage).toBe('source')
      expect(e.stageIndex).toBe(0)
      expect(e.path).toBe(path)
      expect(e.line).toBe(3)
      expect(e.byteOffset).toBe(30)
      expect(e.recordIndex).toBe(2)
      expect(e.excerpt).toBe('name,age')
      expect(e.item).toBeUndefined()
      expect(e.hint).toBe("is this file CSV? pass { format: 'csv' }")
      expect(e.location).toBe(`line 3 of ${path} (byte 30)`)
      expect(e.message).toContain(`line 3 of ${path}`)
      expect(e.message).toContain("hint: is this file CSV? pass { format: 'csv' }")
    })

    it('says what is wrong in a bad JSON record and at which byte of it, in the same words on both engines', () => {
      const path = tmp.file('bad.jsonl', '{"city":"Tōkyō","n":1}\n{"city":"Tōkyō" "n":2}\n["é",]\n')
      const messages: string[] = []
      ;[...stream(path, { engine, onError: (e) => void messages.push(e.message.split('\n')[0]) })]
      expect(messages).toEqual([
        `line 2 of ${path} (byte 25) is not valid JSON (expected ',' or '}' at byte 18)`,
        `line 3 of ${path} (byte 50) is not valid JSON (unexpected character, expected a value at byte 6)`,
      ])
    })

    it("hints at CSV when a CSV file is read as JSON Lines: \"is this file CSV? pass { format: 'csv' }\"", () => {
      const path = tmp.file('export.jsonl', 'id,name\n1,ann\n2,bob\n')
      const errors: ItemError[] = []
      ;[...stream(path, { engine, onError: (e) => void errors.push(e) })]
      expect(errors.map((e) => e.line)).toEqual([1, 2, 3])
      expect(errors[0].hint).toBe("is this file CSV? pass { format: 'csv' }")
    })

    it('hints at TSV when a TSV file is read as JSON Lines', () => {
      const path = tmp.file('export.jsonl', 'id\tname\n1\tann\n')
      const [first] = collectErrors(path)
      expect(first.hint).toBe("is this file TSV? pass { format: 'tsv' }")
    })

    it('hints at format json for a pretty-printed JSON array read as JSON Lines', () => {
      const path = tmp.file('export.jsonl', '[\n  {"a": 1}\n]\n')
      const [first] = collectErrors(path)
      expect(first.hint).toContain("format: 'json'")
    })

    it('cuts the excerpt of a long record at 80 bytes and marks the cut', () => {
      const long = `not json ${'x'.repeat(200)}`
      const path = tmp.file('a.jsonl', `${long}\n`)
      const [first] = collectErrors(path)
      expect(first.excerpt).toBe(`${long.slice(0, 80)}…`)
    })

    it('counts recordIndex over good and bad records of every file', () => {
      tmp.file('ds/1.jsonl', withBadLines(3, [2]))
      tmp.file('ds/2.jsonl', withBadLines(3, [3]))
      const errors = collectErrors(tmp.path('ds'))
      expect(errors.map((e) => [e.recordIndex, e.line])).toEqual([
        [1, 2],
        [5, 3],
      ])
    })

    it('calls an item after a batch stage a batch, placed at the record that completed it', () => {
      const path = tmp.file('a.jsonl', jsonl(ids(5)))
      const errors: ItemError[] = []
      ;[
        ...stream<Row>(path, { engine, onError: (e) => void errors.push(e) })
          .transform((r) => {
            if (r.id === 0) throw new Error('before')
            return r
          })
          .batch(2)
          .transform((rows) => {
            throw new Error(`after ${rows.length}`)
          }),
      ]
      expect(errors.map((e) => [e.stageIndex, e.line, e.item === undefined ? null : e.excerpt])).toEqual([
        [1, 1, '{"id":0}'],
        [3, 3, '[{"id":1},{"id":2}]'],
        [3, 5, '[{"id":3},{"id":4}]'],
      ])
      expect(errors[0].message).toContain(`transform (stage 1) failed on the record from line 1 of ${path}`)
      expect(errors[1].message).toContain(`transform (stage 3) failed on a batch completed at the record from line 3 of ${path}`)
    })

    it('places processing errors at their records across chunks and batches, and a flushed batch at the last record', () => {
      const path = tmp.file('a.jsonl', jsonl(ids(1000)))
      const failing = new Set([0, 63, 64, 65, 127, 128, 999])
      const errors: ItemError[] = []
      ;[
        ...stream<Row>(path, { engine, onError: (e) => void errors.push(e) })
          .transform((r) => {
            if (failing.has(r.id)) throw new Error(`record ${r.id}`)
            return r
          })
          .batch(7)
          .transform((rows) => {
            if (rows.length < 7) throw new Error('short')
            return rows
          }),
      ]
      const offsets = [...jsonl(ids(1000)).matchAll(/^/gm)].map((m) => m.index)
      expect(errors.map((e) => [e.stageIndex, e.line, e.byteOffset, e.recordIndex])).toEqual([
        ...[...failing].map((id) => [1, id + 1, offsets[id], id]),
        [3, 1000, offsets[999], 999],
      ])
    })

    it('describes a processing error: stage name and index, item, cause, position of its record', () => {
      const path = tmp.file('a.jsonl', jsonl(ids(3)))
      const errors: ItemError[] = []
      const failure = new Error('cannot divide')
      ;[
        ...stream<Row>(path, { engine, onError: (e) => void errors.push(e) })
          .filter(() => true)
          .transform((r) => ({ doubled: r.id * 2 }))
          .transform((r) => {
            if (r.doubled === 2) throw failure
            return r
          }),
      ]
      expect(errors).toHaveLength(1)
      const [e] = errors
      expect(e.code).toBe('ERR_CALLBACK')
      expect(e.kind).toBe('processing')
      expect(e.stage).toBe('transform')
      expect(e.stageIndex).toBe(3)
      expect(e.path).toBe(path)
      expect(e.line).toBe(2)
      expect(e.byteOffset).toBe(9)
      expect(e.recordIndex).toBe(1)
      expect(e.item).toEqual({ doubled: 2 })
      expect(e.excerpt).toBe('{"doubled":2}')
      expect(e.cause).toBe(failure)
      expect(e.hint).toBeNull()
      expect(e.message).toContain('transform (stage 3)')
      expect(e.message).toContain('cannot divide')
    })

    it('names the maxRecordBytes a dataset manifest set', () => {
      tmp.file('ds/ringstream.json', JSON.stringify({ options: { maxRecordBytes: 30 } }))
      tmp.file('ds/a.jsonl', `{"a":1}\n{"s":"${'x'.repeat(40)}"}\n`)
      const errors = collectErrors(tmp.path('ds'))
      expect(errors.map((e) => e.code)).toEqual(['ERR_RECORD_TOO_LARGE'])
      expect(errors[0].message).toContain('maxRecordBytes (30 bytes)')
    })

    it('suggests a delimiter against the one the file was parsed with, set by a manifest', () => {
      tmp.file('ds/ringstream.json', JSON.stringify({ options: { delimiter: ';' } }))
      tmp.file('ds/a.csv', 'a;b\n1;2\n3,4,5,6\n')
      const errors = collectErrors(tmp.path('ds'))
      expect(errors.map((e) => e.code)).toEqual(['ERR_FIELD_COUNT'])
      expect(errors[0].hint).toContain('pass { delimiter: "," }')
    })

    it('keeps a thrown non-Error value as the cause', () => {
      const path = tmp.file('a.jsonl', jsonl(ids(1)))
      const errors: ItemError[] = []
      ;[
        ...stream(path, { engine, onError: (e) => void errors.push(e) }).tap(() => {
          throw 'plain string'
        }),
      ]
      expect(errors[0].cause).toBe('plain string')
      expect(errors[0].message).toContain('plain string')
    })
  })

  function collectErrors(path: string): ItemError[] {
    const errors: ItemError[] = []
    ;[...stream(path, { engine, onError: (e) => void errors.push(e) })]
    return errors
  }
})

describe('item errors of custom sources', () => {
  it('have no path, line or byte offset, and say which record', () => {
    const errors: ItemError[] = []
    ;[
      ...stream([10, 20, 30], { onError: (e) => void errors.push(e) }).transform((n) => {
        if (n === 30) throw new Error('thirty')
        return n
      }),
    ]
    const [e] = errors
    expect([e.path, e.line, e.byteOffset, e.recordIndex]).toEqual([null, null, null, 2])
    expect(e.location).toBe('record 3')
    expect(e.item).toBe(30)
  })

  it('render an item that JSON cannot serialise without throwing', () => {
    const cyclic: { self?: unknown } = {}
    cyclic.self = cyclic
    const errors: ItemError[] = []
    ;[
      ...stream([cyclic], { onError: (e) => void errors.push(e) }).tap(() => {
        throw new Error('x')
      }),
    ]
    expect(errors[0].excerpt).toBe('[object Object]')
  })
})
