import { statSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { type Progress, stream } from '../ts/index'
import { ENGINES } from './support/engines'
import { rejectionOf, thrownBy } from './support/errors'
import { ids, jsonl, useTempDir } from './support/temp'

describe.each(ENGINES)('onProgress (%s engine)', (engine) => {
  const tmp = useTempDir()

  /** Iterates `path` to the end with progress after every batch; returns the reports. */
  async function reportsOf(path: string, batchSize = 10): Promise<Progress[]> {
    const reports: Progress[] = []
    await stream(path, { engine, batchSize, progressInterval: 0, onError: () => undefined, onProgress: (p) => void reports.push(p) }).toArray()
    return reports
  }

  it('ends with one done:true report holding the final counts', async () => {
    const path = tmp.file('a.jsonl', `${jsonl(ids(45))}bad\n${jsonl(ids(4))}`)
    const reports = await reportsOf(path)
    const last = reports[reports.length - 1]
    expect(reports.filter((r) => r.done)).toHaveLength(1)
    expect(last.done).toBe(true)
    expect(last.records).toBe(50)
    expect(last.errors).toBe(1)
    expect(last.bytesRead).toBe(statSync(path).size)
    expect(last.totalBytes).toBe(statSync(path).size)
    expect(last.elapsedMs).toBeGreaterThanOrEqual(0)
  })

  it('reports during the iteration, with counts that never go down', async () => {
    const path = tmp.file('a.jsonl', jsonl(ids(100)))
    const reports = await reportsOf(path)
    const during = reports.filter((r) => !r.done)
    expect(during.length).toBeGreaterThanOrEqual(5)
    for (const r of during) expect(r.path).toBe(path)
    for (let i = 1; i < reports.length; i++) {
      expect(reports[i].records).toBeGreaterThanOrEqual(reports[i - 1].records)
      expect(reports[i].bytesRead as number).toBeGreaterThanOrEqual(reports[i - 1].bytesRead as number)
      expect(reports[i].elapsedMs).toBeGreaterThanOrEqual(reports[i - 1].elapsedMs)
    }
  })

  it('sums the sizes of every file of a folder', async () => {
    const a = tmp.file('ds/a.jsonl', jsonl(ids(30)))
    const b = tmp.file('ds/b.jsonl', jsonl(ids(30)))
    const reports = await reportsOf(tmp.path('ds'))
    const total = statSync(a).size + statSync(b).size
    const last = reports[reports.length - 1]
    expect(last.totalBytes).toBe(total)
    expect(last.bytesRead).toBe(total)
    expect(last.records).toBe(60)
  })

  it('counts compressed bytes for a .gz file', async () => {
    const path = tmp.file('a.jsonl.gz', gzipSync(jsonl(ids(200))))
    const last = (await reportsOf(path)).at(-1) as Progress
    expect(last.bytesRead).toBe(statSync(path).size)
    expect(last.totalBytes).toBe(statSync(path).size)
    expect(last.records).toBe(200)
  })

  it('sends done:true when the loop breaks early', () => {
    const reports: Progress[] = []
    const s = stream(tmp.file('a.jsonl', jsonl(ids(100))), { engine, batchSize: 5, onProgress: (p) => void reports.push(p) })
    for (const r of s) if (r.id === 7) break
    expect(reports.at(-1)?.done).toBe(true)
    expect(reports.at(-1)?.records).toBeLessThan(100)
  })

  it('sends done:true when the iteration ends with an error', () => {
    const reports: Progress[] = []
    const s = stream(tmp.file('a.jsonl', 'bad\n'), { engine, onError: 'raise', onProgress: (p) => void reports.push(p) })
    thrownBy(() => [...s])
    expect(reports.filter((r) => r.done)).toHaveLength(1)
    expect(reports.at(-1)).toMatchObject({ done: true, errors: 1 })
  })

  it('sends done:true when the file is missing', async () => {
    const reports: Progress[] = []
    await rejectionOf(stream(tmp.path('missing.jsonl'), { engine, onProgress: (p) => void reports.push(p) }).toArray())
    expect(reports.at(-1)?.done).toBe(true)
  })

  it('reports nothing before iteration and one done:true per iteration', async () => {
    const reports: Progress[] = []
    const s = stream(tmp.file('a.jsonl', jsonl(ids(3))), { engine, onProgress: (p) => void reports.push(p) })
    expect(reports).toHaveLength(0)
    await s.toArray()
    await s.toArray()
    expect(reports.filter((r) => r.done)).toHaveLength(2)
  })
})

describe('onProgress with custom sources', () => {
  it('reports records with bytes and total unknown', async () => {
    const reports: Progress[] = []
    await stream([1, 2, 3], { onProgress: (p) => void reports.push(p) }).toArray()
    expect(reports.at(-1)).toMatchObject({ done: true, records: 3, errors: 0, bytesRead: null, totalBytes: null, path: null })
  })
})
