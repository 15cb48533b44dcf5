import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stream } from '../ts/index'
import { bundleLibrary } from './support/bundle'
import { ENGINES } from './support/engines'
import { makeTempDir } from './support/temp'

/** What one full read of the fixture gave: its record count and a digest of every record in order. */
interface Digest {
  records: number
  sha256: string
}

/** Reads the file in a worker thread with the bundled library and posts its digest. */
const WORKER = `
const { createHash } = require('node:crypto')
const { parentPort, workerData } = require('node:worker_threads')
const { stream } = require(workerData.bundle)
const { path, engine, mode, bufferSize } = workerData
const hash = createHash('sha256')
let records = 0
const s = stream(path, { engine, bufferSize, batchSize: 64 })
const done = () => parentPort.postMessage({ records, sha256: hash.digest('hex') })
if (mode === 'async') {
  ;(async () => {
    for await (const r of s) { records++; hash.update(JSON.stringify(r)) }
    done()
  })()
} else {
  for (const r of s) { records++; hash.update(JSON.stringify(r)) }
  done()
}
`

function digestOf(items: Iterable<unknown>): Digest {
  const hash = createHash('sha256')
  let records = 0
  for (const item of items) {
    records++
    hash.update(JSON.stringify(item))
  }
  return { records, sha256: hash.digest('hex') }
}

function runWorker(workerData: Record<string, unknown>): Promise<Digest> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { eval: true, workerData })
    let result: Digest | null = null
    worker.once('message', (message: Digest) => {
      result = message
    })
    worker.once('error', reject)
    worker.once('exit', (code) => {
      if (code === 0 && result !== null) resolve(result)
      else reject(new Error(`worker exited with code ${code} without a result`))
    })
  })
}

describe('worker threads', () => {
  let tmp: ReturnType<typeof makeTempDir> | null = null
  const files = { bundle: '', data: '' }

  beforeAll(() => {
    tmp = makeTempDir('ringstream-threads-')
    files.bundle = bundleLibrary('threads.cjs')
    const lines = Array.from({ length: 20_000 }, (_, i) => `${JSON.stringify({ id: i, name: `név-${i}`, tags: ['α', 'β'], v: i / 3 })}\n`)
    files.data = tmp.file('data.jsonl', lines.join(''))
  })

  afterAll(() => tmp?.remove())

  it.each(ENGINES)('read one file concurrently, each seeing what the main thread sees (%s engine)', async (engine) => {
    const expected = digestOf(stream(files.data, { engine }))
    expect(expected.records).toBe(20_000)
    const common = { bundle: files.bundle, path: files.data, engine }
    const results = await Promise.all([
      runWorker({ ...common, mode: 'sync', bufferSize: 4096 }),
      runWorker({ ...common, mode: 'async', bufferSize: 4096 }),
      runWorker({ ...common, mode: 'sync', bufferSize: 7 }),
      runWorker({ ...common, mode: 'async', bufferSize: 1 << 20 }),
    ])
    for (const result of results) expect(result).toEqual(expected)
  })

  it.runIf(process.platform === 'linux' && ENGINES.includes('native'))(
    'a worker terminated while the native engine parses bytes it was handed leaves no parser thread behind',
    async () => {
      // The source hands over 2 MiB, past what is parsed on the calling thread, then never ends.
      const code = `
        const { parentPort, workerData } = require('node:worker_threads')
        const { stream } = require(workerData.bundle)
        const line = (i) => JSON.stringify({ i, pad: 'x'.repeat(40) }) + '\\n'
        const bytes = Array.from({ length: 40000 }, (_, i) => line(i)).join('')
        const source = async function* () { yield bytes; await new Promise(() => {}) }
        ;(async () => {
          let n = 0
          for await (const _ of stream(source, { engine: 'native', format: 'jsonl' })) if (++n === 39000) parentPort.postMessage('reading')
        })()
      `
      const parserThreads = () =>
        readdirSync('/proc/self/task').filter((task) => {
          try {
            return readFileSync(`/proc/self/task/${task}/comm`, 'utf8').startsWith('ringstream-push')
          } catch {
            return false // ended while the folder was read
          }
        }).length
      const worker = new Worker(code, { eval: true, workerData: { bundle: files.bundle } })
      await new Promise((resolve, reject) => {
        worker.once('message', resolve)
        worker.once('error', reject)
      })
      // /proc is not read in step with the threads: a joined thread stays listed a little while,
      // and a CI run once found none listed here (the thread takes over at the first MiB, about
      // record 18,500, every time it was watched), so each count may wait for /proc to agree.
      const settle = async (threads: number) => {
        for (let waited = 0; parserThreads() !== threads && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10))
        return parserThreads()
      }
      expect(await settle(1)).toBe(1)
      await worker.terminate()
      expect(await settle(0)).toBe(0)
    },
  )
})
