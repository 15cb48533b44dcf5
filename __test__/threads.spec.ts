import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { Worker } from 'node:worker_threads'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stream } from '../ts/index'
import { bundleLibrary } from './support/bundle'
import { ENGINES } from './support/engines'
import { makeTempDir } from './support/temp'

const execFileAsync = promisify(execFile)

/** What one full read of the fixture gave: its record count and a digest of every record in order. */
interface Digest {
  records: number
  sha256: string
}

/** For a child's code: `threadsNamed(prefix)` counts the process's threads whose name starts so (Linux). */
const THREADS_NAMED = `
const threadsNamed = (prefix) => require('node:fs').readdirSync('/proc/self/task').filter((task) => {
  try { return require('node:fs').readFileSync('/proc/self/task/' + task + '/comm', 'utf8').startsWith(prefix) } catch { return false }
}).length
`

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
        // A message that never comes: the wait must stay reachable, or the garbage collector
        // may take the whole abandoned loop, and the reader's finalizer ends its thread first.
        const quiet = new Promise((resolve) => parentPort.once('message', resolve))
        const source = async function* () { yield bytes; await quiet }
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
      expect(parserThreads()).toBe(1)
      await worker.terminate()
      // Linux lists a thread a little after it was joined.
      for (let waited = 0; parserThreads() > 0 && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10))
      expect(parserThreads()).toBe(0)
    },
  )

  it.runIf(process.platform === 'linux' && ENGINES.includes('native'))(
    'iterators of a file left part way without closing give their reader threads and arenas back once collected',
    async () => {
      // Each abandoned reader's thread lays batches out in arenas it shares with JavaScript; its
      // finalizer must end the thread before letting go of them. Reading the file whole after
      // many such collections checks nothing was written where it should not have been.
      const code = `
        const { writeFileSync, mkdtempSync } = require('node:fs')
        const { join } = require('node:path')
        const { tmpdir } = require('node:os')
        const { stream } = require(process.argv[1])
        ${THREADS_NAMED}
        const readers = () => threadsNamed('ringstream-read')
        const path = join(mkdtempSync(join(tmpdir(), 'ringstream-abandon-')), 'rows.csv')
        writeFileSync(path, 'id,name\\n' + Array.from({ length: 200000 }, (_, i) => i + ',n' + (i % 97)).join('\\n') + '\\n')
        const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
        ;(async () => {
          // Held until their threads are counted, so no collection comes first.
          globalThis.held = []
          for (let round = 0; round < 20; round++) {
            const it = stream(path, { engine: 'native', batchSize: 512 })[Symbol.iterator]()
            for (let i = 0; i < 30000; i++) it.next() // past the first 64 KiB, read before a thread takes over
            globalThis.held.push(it)
          }
          const before = readers()
          globalThis.held = null
          for (let waited = 0; readers() > 0 && waited < 4000; waited += 10) {
            globalThis.gc()
            await sleep(10)
          }
          let ok = 0
          let i = 0
          for (const r of stream(path, { engine: 'native' })) ok += r.id === String(i) && r.name === 'n' + (i++ % 97) ? 1 : 0
          console.log(JSON.stringify({ before, after: readers(), ok }))
        })()
      `
      const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', '-e', code, files.bundle], { encoding: 'utf8' })
      expect(JSON.parse(stdout)).toEqual({ before: 20, after: 0, ok: 200000 })
    },
  )

  it.runIf(process.platform === 'linux' && ENGINES.includes('native'))(
    'a loop left waiting on a quiet source that nothing can wake gives its parser thread back once collected',
    async () => {
      // Once nothing refers to the promise the source waits on, the loop, the stream and the
      // native reader are all garbage: the reader's finalizer must end its thread. The promise
      // is held until the thread has been counted, so no collection can come first.
      const code = `
        const { stream } = require(process.argv[1])
        ${THREADS_NAMED}
        const parserThreads = () => threadsNamed('ringstream-push')
        const line = (i) => JSON.stringify({ i, pad: 'x'.repeat(40) }) + '\\n'
        const bytes = Array.from({ length: 40000 }, (_, i) => line(i)).join('')
        let n = 0
        ;(async () => {
          globalThis.held = new Promise(() => {})
          const source = async function* () { yield bytes; await globalThis.held }
          for await (const _ of stream(source, { engine: 'native', format: 'jsonl' })) n++
        })()
        const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
        ;(async () => {
          while (n < 40000) await sleep(5)
          const before = parserThreads()
          globalThis.held = null
          for (let waited = 0; parserThreads() > 0 && waited < 2000; waited += 10) {
            globalThis.gc()
            await sleep(10)
          }
          console.log(JSON.stringify({ before, after: parserThreads() }))
        })()
      `
      const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', '-e', code, files.bundle], { encoding: 'utf8' })
      expect(JSON.parse(stdout)).toEqual({ before: 1, after: 0 })
    },
  )
})
