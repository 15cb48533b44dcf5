import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { stream } from '../ts/index'
import { ENGINES } from './support/engines'
import { rejectionOf, thrownBy } from './support/errors'
import { CAN_LIST_FDS, fdsOpenOn, openFdCount } from './support/fds'
import { ids, jsonl, useTempDir } from './support/temp'

type Row = { id: number }

/** Small reads and batches, so an iteration that stops early has not reached the end of the file. */
const SMALL = { bufferSize: 64, batchSize: 2 } as const

(CAN_LIST_FDS ? describe : describe.skip).each(ENGINES)('file descriptors (%s engine)', (engine) => {
  const tmp = useTempDir()
  const file = () => tmp.file('data.jsonl', jsonl(ids(1000)))

  it('holds the file open in the middle of an iteration (the check can see it)', () => {
    const path = file()
    let during: string[] = []
    for (const r of stream<Row>(path, { engine, ...SMALL })) {
      if (r.id === 3) {
        during = fdsOpenOn(path)
        break
      }
    }
    expect(during).toEqual([path])
    expect(fdsOpenOn(path)).toEqual([])
  })

  it('holds and closes a file that fits one read (read in place by the native engine) alike', async () => {
    const path = tmp.file('small.jsonl', jsonl(ids(100)))
    let during: string[] = []
    for (const r of stream<Row>(path, { engine, batchSize: 2 })) {
      if (r.id === 3) {
        during = fdsOpenOn(path)
        break
      }
    }
    expect(during).toEqual([path])
    expect(fdsOpenOn(path)).toEqual([])
    expect(await stream(path, { engine, batchSize: 2 }).count()).toBe(100)
    expect(fdsOpenOn(path)).toEqual([])
  })

  it('closes the file after a complete for…of', () => {
    const path = file()
    ;[...stream(path, { engine, ...SMALL })]
    expect(fdsOpenOn(path)).toEqual([])
  })

  it('closes the file after break in for await…of', async () => {
    const path = file()
    let during: string[] = []
    for await (const r of stream<Row>(path, { engine, ...SMALL })) {
      if (r.id === 5) {
        during = fdsOpenOn(path)
        break
      }
    }
    expect(during).toEqual([path])
    expect(fdsOpenOn(path)).toEqual([])
  })

  it('closes the file as soon as the last item of a limit is through', () => {
    const path = file()
    let atLast: string[] = ['not checked']
    for (const r of stream<Row>(path, { engine, ...SMALL }).limit(3)) {
      if (r.id === 2) atLast = fdsOpenOn(path)
    }
    expect(atLast).toEqual([])
  })

  it('closes the file when limit ends a for await…of', async () => {
    const path = file()
    expect(await stream(path, { engine, ...SMALL }).limit(3).count()).toBe(3)
    expect(fdsOpenOn(path)).toEqual([])
  })

  it('closes the file when the loop body throws', () => {
    const path = file()
    thrownBy(() => {
      for (const r of stream<Row>(path, { engine, ...SMALL })) if (r.id === 4) throw new Error('body failed')
    })
    expect(fdsOpenOn(path)).toEqual([])
  })

  it('closes the file when the for await loop body throws', async () => {
    const path = file()
    await rejectionOf(
      (async () => {
        for await (const r of stream<Row>(path, { engine, ...SMALL })) if (r.id === 4) throw new Error('body failed')
      })(),
    )
    expect(fdsOpenOn(path)).toEqual([])
  })

  it("closes the file when onError: 'raise' throws", () => {
    const path = tmp.file('bad.jsonl', `${jsonl(ids(10))}bad\n${jsonl(ids(500))}`)
    thrownBy(() => [...stream(path, { engine, ...SMALL, onError: 'raise' })])
    expect(fdsOpenOn(path)).toEqual([])
  })

  it("closes the file when onError: 'raise' rejects in for await", async () => {
    const path = tmp.file('bad.jsonl', `${jsonl(ids(10))}bad\n${jsonl(ids(500))}`)
    await rejectionOf(stream(path, { engine, ...SMALL, onError: 'raise' }).toArray())
    expect(fdsOpenOn(path)).toEqual([])
  })

  it('closes the file when maxErrors is exceeded', () => {
    const path = tmp.file('bad.jsonl', `bad\nbad\n${jsonl(ids(500))}`)
    thrownBy(() => [...stream(path, { engine, ...SMALL, maxErrors: 1 })])
    expect(fdsOpenOn(path)).toEqual([])
  })

  it('closes the file when a callback returns a promise in for…of', () => {
    const path = file()
    thrownBy(() => [...stream(path, { engine, ...SMALL }).transform(async (r) => r)])
    expect(fdsOpenOn(path)).toEqual([])
  })

  it('closes the file when the signal aborts', () => {
    const path = file()
    const controller = new AbortController()
    thrownBy(() => {
      for (const r of stream<Row>(path, { engine, ...SMALL, signal: controller.signal })) if (r.id === 2) controller.abort()
    })
    expect(fdsOpenOn(path)).toEqual([])
  })

  it('closes the file when the iterator’s return() is called', () => {
    const path = file()
    const it = stream(path, { engine, ...SMALL })[Symbol.iterator]()
    it.next()
    expect(fdsOpenOn(path)).toEqual([path])
    it.return()
    expect(fdsOpenOn(path)).toEqual([])
  })

  it('closes the file after first()', async () => {
    const path = file()
    await stream(path, { engine, ...SMALL }).first()
    expect(fdsOpenOn(path)).toEqual([])
  })

  it('closes the file when a reducer throws', async () => {
    const path = file()
    await rejectionOf(
      stream<Row>(path, { engine, ...SMALL }).reduce((acc, r) => {
        if (r.id === 3) throw new Error('reducer failed')
        return acc + r.id
      }, 0),
    )
    expect(fdsOpenOn(path)).toEqual([])
  })

  it('holds at most one file of a folder open at a time', () => {
    tmp.file('ds/a.jsonl', jsonl(ids(50)))
    tmp.file('ds/b.jsonl', jsonl(ids(50)))
    tmp.file('ds/c.jsonl', jsonl(ids(50)))
    let most = 0
    for (const _ of stream(tmp.path('ds'), { engine, ...SMALL })) most = Math.max(most, fdsOpenOn(tmp.path('ds')).length)
    expect(most).toBe(1)
    expect(fdsOpenOn(tmp.path('ds'))).toEqual([])
  })

  it('closes a .gz file after break', () => {
    const path = tmp.file('data.jsonl.gz', gzipSync(jsonl(ids(5000))))
    for (const r of stream<Row>(path, { engine, ...SMALL })) if (r.id === 1) break
    expect(fdsOpenOn(path)).toEqual([])
  })

  it('leaves the process’s descriptor count unchanged after many early exits', () => {
    const path = file()
    const s = stream<Row>(path, { engine, ...SMALL })
    const before = openFdCount()
    for (let i = 0; i < 50; i++) {
      for (const r of s) if (r.id === 1) break
      thrownBy(() => {
        for (const r of s) if (r.id === 1) throw new Error('x')
      })
      ;[...s.limit(2)]
    }
    expect(openFdCount()).toBe(before)
  })
})
